"""Answers to buyers' questions about platform intervention, composed from kb/faq/.

kb/faq/keys.yml holds what every answer to a key shares (heading, next step, buttons);
kb/faq/<platform>.yml holds the facts for one platform, each citing its source. A key a
platform's sources say nothing about is ``known: false``: the answer says so and offers
a human instead of guessing. See kb/README.md for the formats.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
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
        raise KbError(f"{path} does not match kb/schema/{schema}:\n" + "\n".join(
            f"  at {e.json_path}: {e.message}" for e in sorted(problems, key=lambda e: e.json_path)
        ))
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
        raise KbError(f"{kb_dir() / relative}: at $.platform: {data['platform']!r}, expected {platform!r}")
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


def answer(key: str, platform: str | None = None) -> FaqAnswer:
    """The answer to FAQ ``key`` for one platform, or an overview of all when None.

    Raises ValueError for an unknown key or platform."""
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
    lines = [spec["heading"].format(name=name)]
    lines += [f"· {fact['text']}" for fact in entry["facts"]]
    lines += [entry["gap"]] if "gap" in entry else []
    lines.append(spec["next"])
    return FaqAnswer(
        text="\n".join(lines),
        buttons=_buttons(spec["buttons"], platform),
        known=True,
        platform=platform,
        sources=_sources(entry["facts"]),
    )


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
        lines.append(f"· {platform_name(platform)}：" + "".join(f["text"] for f in headline) + entry.get("gap", ""))
    if unknown:
        names = templates["name_separator"].join(unknown)
        lines.append("· " + templates["overview_unknown"].format(names=names))
    lines.append(templates["overview_ask"])
    return FaqAnswer(
        text="\n".join(lines),
        buttons=[
            {"title": platform_name(p), "payload": faq_payload(key, p)} for p in PLATFORMS
        ],
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
