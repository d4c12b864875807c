"""Answers to buyers' questions about platform intervention, composed from kb/faq/.

kb/faq/keys.yml holds what every answer to a key shares (heading, next step, buttons);
kb/faq/<platform>.yml holds the facts for one platform, each citing its source. A key a
platform's sources say nothing about is ``known: false``: the answer says so and offers
a human instead of guessing. See kb/README.md for the formats.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import opencc
from jsonschema.exceptions import best_match

from jieru.config import PLATFORMS
from jieru.kb import kb_dir, load_yaml

KEYS_FILE = "faq/keys.yml"
SOURCES_FILE = "sources.yml"


class KbError(ValueError):
    """A kb/ file is missing, malformed, or refers to something that does not exist."""


@dataclass(frozen=True)
class FaqAnswer:
    text: str
    buttons: list[dict]
    known: bool
    platform: str | None
    sources: list[str]
    shown: tuple[str, ...] = ()  # ids of the facts in ``text``, in order
    more: tuple[str, ...] = ()  # ids of the key's other facts, offered on request


def _schema(name: str) -> dict:
    """kb/schema/<name>, with the shared citation schema available as #/$defs/source."""
    folder = kb_dir() / "schema"
    schema = json.loads((folder / name).read_text(encoding="utf-8"))
    source = json.loads((folder / "source.schema.json").read_text(encoding="utf-8"))
    schema.setdefault("$defs", {})["source"] = source
    return schema


@lru_cache(maxsize=32)
def _checked(path: Path, schema: str, mtime: float) -> Any:
    data = load_yaml(path)
    validator = jsonschema.Draft202012Validator(_schema(schema))
    problems = [best_match([e]) for e in validator.iter_errors(data)]
    if problems:
        raise KbError(
            f"{path} does not match kb/schema/{schema}:\n"
            + "\n".join(
                f"  at {e.json_path}: {e.message}"
                for e in sorted(problems, key=lambda e: e.json_path)
            )
        )
    return data


def load_checked(relative: str, schema: str) -> Any:
    """Parse kb/<relative> and validate it against kb/schema/<schema>.

    Raises KbError naming the file and the JSON path of every problem."""
    path = kb_dir() / relative
    if not path.is_file():
        raise KbError(f"{path}: file not found")
    return _checked(path, schema, path.stat().st_mtime)


def source_label(source: dict) -> str:
    """How a citation is named in answers: the seed's file name or the rule's name."""
    return source["seed"] if "seed" in source else source["rule"]


def check_cited(where: str, cited: Iterator[tuple[str, dict]]) -> None:
    """Raise KbError if any citation names a seed or rule absent from kb/sources.yml."""
    known = load_checked(SOURCES_FILE, "sources.schema.json")
    missing = [
        f"  at {path}: {source_label(s)!r} is not listed in kb/{SOURCES_FILE}"
        for path, s in cited
        if source_label(s) not in known["seeds" if "seed" in s else "rules"]
    ]
    if missing:
        raise KbError(f"{where} cites unknown sources:\n" + "\n".join(missing))


def _keys() -> dict:
    data = load_checked(KEYS_FILE, "faq-keys.schema.json")
    bad = [
        f"  at $.keys.{key}: button {b['title']!r} points to unknown FAQ {b['faq']!r}"
        for key, spec in data["keys"].items()
        for b in spec["buttons"]
        if "faq" in b and b["faq"] not in data["keys"]
    ]
    if bad:
        raise KbError(f"{kb_dir() / KEYS_FILE}:\n" + "\n".join(bad))
    return data


def keys_spec() -> dict[str, dict]:
    """kb/faq/keys.yml's per-key wording (topic, heading, buttons…), validated."""
    return _keys()["keys"]


def faq_keys() -> tuple[str, ...]:
    """The FAQ keys (``faq/<key>`` retrieval intents) the kb answers, in kb order."""
    return tuple(_keys()["keys"])


def platform_faq(platform: str) -> dict:
    """kb/faq/<platform>.yml, validated, with every citation checked against kb/sources.yml."""
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {PLATFORMS}")
    relative = f"faq/{platform}.yml"
    data = load_checked(relative, "faq.schema.json")
    if data["platform"] != platform:
        raise KbError(
            f"{kb_dir() / relative}: at $.platform: {data['platform']!r}, expected {platform!r}"
        )
    check_cited(str(kb_dir() / relative), citations(platform))
    return data


def citations(platform: str) -> Iterator[tuple[str, dict]]:
    """Every (JSON path, source) cited by kb/faq/<platform>.yml."""
    data = load_checked(f"faq/{platform}.yml", "faq.schema.json")
    for key, entry in data["faq"].items():
        for i, fact in enumerate(entry.get("facts", ())):
            for j, source in enumerate(fact["sources"]):
                yield f"$.faq.{key}.facts[{i}].sources[{j}]", source


def platform_name(platform: str) -> str:
    """The platform's Chinese name, as kb/labels.yml gives it to the buyer."""
    return load_yaml("labels.yml")["platform"][platform]


def faq_payload(key: str, platform: str | None = None) -> str:
    """The button payload that asks FAQ ``key`` (with the platform entity when given).

    Rasa 3.6 only parses "/<intent>{entities}" for intents in the domain, and the
    domain lists ``faq``, not ``faq/<key>``: the key travels as the ``faq_key`` entity.
    """
    entities = {"faq_key": key, **({"platform": platform} if platform else {})}
    return f"/faq{json.dumps(entities, ensure_ascii=False)}"


def _buttons(specs: list[dict], platform: str | None) -> list[dict]:
    return [
        {"title": b["title"], "payload": b.get("payload") or faq_payload(b["faq"], platform)}
        for b in specs
    ]


def _sources(facts: list[dict]) -> list[str]:
    return list(dict.fromkeys(source_label(s) for f in facts for s in f["sources"]))


def order_decides(key: str) -> bool:
    """Whether a question on ``key`` about the buyer's own order is answered by the
    decision on that order alone (keys.yml ``order_decides``)."""
    return bool(keys_spec()[key].get("order_decides", False))


def answer(
    key: str, platform: str | None = None, question: str | None = None, closing: bool = True
) -> FaqAnswer:
    """The answer to FAQ ``key`` for one platform, or an overview of all when None.

    With the buyer's ``question``, only the facts that answer it (``rank_facts``) are
    said, and a button offers the rest; without one (or for a button's payload), every
    fact of the key. Without ``closing``, the key's next step is left out (the answer
    follows the decision on the buyer's order, which says what to do next). Raises
    ValueError for an unknown key or platform."""
    keys = _keys()
    if key not in keys["keys"]:
        raise ValueError(f"unknown FAQ key {key!r}; expected one of {tuple(keys['keys'])}")
    if platform is None:
        return _overview(keys, key)
    spec, entry = keys["keys"][key], platform_faq(platform)["faq"][key]
    name = platform_name(platform)
    if not entry["known"]:
        human = _buttons([keys["human_button"]], platform)
        return FaqAnswer(
            text=keys["templates"]["unknown"].format(name=name, topic=spec["topic"]),
            buttons=human + [b for b in _buttons(spec["buttons"], platform) if b not in human],
            known=False,
            platform=platform,
            sources=[],
        )
    facts: list[dict[str, Any]] = list(entry["facts"])
    rest: list[dict[str, Any]] = []
    if question and not question.lstrip().startswith("/"):
        ignore = [*keys["ignore_words"], *(platform_name(p) for p in PLATFORMS)]
        facts, rest = whole_process(question, spec, entry["facts"]) or rank_facts(
            question, entry["facts"], ignore=ignore
        )
    lines = [spec["heading"].format(name=name)]
    lines += [f"· {fact['text']}" for fact in facts]
    if rest:
        lines.append(keys["templates"]["more"].format(count=len(rest)))
    lines += [entry["gap"]] if "gap" in entry else []
    lines += [spec["next"]] if closing else []
    more = [{"title": keys["templates"]["more_button"], "payload": faq_payload(key, platform)}]
    return FaqAnswer(
        text="\n".join(lines),
        buttons=(more if rest else []) + _buttons(spec["buttons"], platform),
        known=True,
        platform=platform,
        sources=_sources(facts),
        shown=tuple(f["id"] for f in facts),
        more=tuple(f["id"] for f in rest),
    )


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


# Punctuation, spaces and the words every question about intervention shares.
_NOISE = re.compile(r"[\W_]+")


def _plain(text: str) -> str:
    """Simplified, half-width, lower-case, without punctuation or spaces."""
    return _NOISE.sub("", _t2s().convert(unicodedata.normalize("NFKC", text)).lower())


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def fact_scores(question: str, facts: Sequence[dict], ignore: Sequence[str] = ()) -> list[float]:
    """How well each fact answers ``question``: its ``keywords`` found in the question
    (each weighted by its length; a keyword found only inside a longer keyword's match,
    such as 长时间 inside 多长时间, does not count), plus the question's character bigrams
    shared with the fact's text and keywords, each weighted by how rare it is among
    ``facts`` (IDF), so words every fact shares count for little. The words in ``ignore``
    (platform names, 介入, 怎么…) are taken out of the question for the bigrams, and are no
    keyword; a keyword that holds one ("怎么申请") is looked for in the whole question."""
    whole = _plain(question)
    ignored = {w for w in (_plain(w) for w in ignore) if w}
    asked = whole
    for word in sorted(ignored, key=len, reverse=True):
        asked = asked.replace(word, " ")
    asked = asked.replace(" ", "|")
    asked_grams = _bigrams(asked)
    docs = [
        _bigrams(_plain(f["text"]))
        | {g for k in f.get("keywords", ()) for g in _bigrams(_plain(k))}
        for f in facts
    ]
    n = len(docs)
    idf = {g: math.log((n + 1) / (1 + sum(g in d for d in docs))) for g in asked_grams}
    found = _keyword_matches(
        whole, {_plain(k) for f in facts for k in f.get("keywords", ())} - ignored
    )
    scores = []
    for fact, grams in zip(facts, docs, strict=True):
        hits = sum(len(k) for k in {_plain(k) for k in fact.get("keywords", ())} if k in found)
        overlap = sum(idf[g] for g in asked_grams & grams)
        scores.append(2.0 * hits + overlap)
    return scores


def _keyword_matches(text: str, keywords: set[str]) -> set[str]:
    """The ``keywords`` found in ``text`` at a place no longer keyword's match covers."""
    spans = [
        (m.start(), m.start() + len(k), k)
        for k in keywords
        if k
        for m in re.finditer(re.escape(k), text)
    ]
    return {
        k
        for start, end, k in spans
        if not any(s <= start and end <= e and e - s > end - start for s, e, _ in spans)
    }


def whole_process(
    question: str, spec: dict, facts: Sequence[dict]
) -> tuple[list[dict], list[dict]] | None:
    """(the key's step facts in order; the others, in kb order) when ``question`` asks
    for the whole process (a word of the key's ``whole_words``); None otherwise."""
    steps = sorted((f for f in facts if "step" in f), key=lambda f: f["step"])
    asked = _plain(question)
    if not steps or not any(_plain(w) in asked for w in spec.get("whole_words", ())):
        return None
    ids = {id(f) for f in steps}
    return steps, [f for f in facts if id(f) not in ids]


def rank_facts(
    question: str,
    facts: Sequence[dict],
    *,
    ignore: Sequence[str] = (),
    limit: int = 3,
    keep: float = 0.5,
) -> tuple[list[dict], list[dict]]:
    """(the facts that answer ``question``, best first; the others, in kb order).

    A fact is shown when it scores at least ``keep`` × the best score, at most ``limit``
    of them. When nothing in the question points at any fact, the key's ``overview``
    facts (else its first) are shown, as for a question that names only the topic."""
    scores = fact_scores(question, facts, ignore)
    best = max(scores, default=0.0)
    if best <= 0:
        shown = [f for f in facts if f.get("overview")] or list(facts[:1])
    else:
        order = sorted(range(len(facts)), key=lambda i: -scores[i])
        shown = [facts[i] for i in order if scores[i] >= keep * best][:limit]
    ids = {id(f) for f in shown}
    return shown, [f for f in facts if id(f) not in ids]


def _overview(keys: dict, key: str) -> FaqAnswer:
    """Each platform's headline facts for ``key`` in a line, and buttons to pick a platform."""
    templates = keys["templates"]
    lines, unknown = [keys["keys"][key]["overview"]], []
    facts: list[dict[str, Any]] = []
    for platform in PLATFORMS:
        entry = platform_faq(platform)["faq"][key]
        if not entry["known"]:
            unknown.append(platform_name(platform))
            continue
        headline = [f for f in entry["facts"] if f.get("overview")] or entry["facts"][:1]
        facts += headline
        lines.append(
            f"· {platform_name(platform)}："
            + "".join(f["text"] for f in headline)
            + entry.get("gap", "")
        )
    if unknown:
        names = templates["name_separator"].join(unknown)
        lines.append("· " + templates["overview_unknown"].format(names=names))
    lines.append(templates["overview_ask"])
    return FaqAnswer(
        text="\n".join(lines),
        buttons=[{"title": platform_name(p), "payload": faq_payload(key, p)} for p in PLATFORMS],
        known=bool(facts),
        platform=None,
        sources=_sources(facts),
    )


def domain_responses() -> dict[str, list[dict]]:
    """The ``utter_faq/<key>`` responses for the Rasa domain: each key's platform overview."""
    return {
        f"utter_faq/{key}": [{"text": a.text, "buttons": a.buttons}]
        for key in faq_keys()
        for a in [answer(key)]
    }
