"""Strong negative emotion (anger, desperation) in a buyer's message, from the cues in kb/emotion.yml.

Where the hand-off trigger of issue 15 uses it: the NLU pipeline's
``jieru.rasa.nlu.emotion.EmotionDetector`` assesses every typed message and puts
:func:`as_parse_data` on Rasa's parse result under :data:`PARSE_KEY`;
``jieru.rasa.policies.emotion.EmotionPolicy`` predicts the hand-off when it is strong
(:func:`strong_in`), and bot/actions/handoff.py quotes the cues to the agent. Only the
buyer's own messages are assessed (a bot or agent text is not the buyer's emotion); a
button payload is not. ``level == "mild"`` is frustration worth noting, never a hand-off.

``assess`` is pure: no Rasa, no database, no network; the cues are loaded once from
kb/emotion.yml (validated against kb/schema/emotion.schema.json, reloaded when the file
changes) unless a :class:`Lexicon` is passed. The loader needs jsonschema >= 4 (the
action server's environment); elsewhere build one with :func:`lexicon_from` and pass it. Any string is accepted — empty, emoji-only,
traditional Chinese, thousands of characters — and the text is never evaluated as anything
but text. Measured by ``bench/emotion/run.py`` on messages written by the project (no real
angry messages exist in the repository): on splits written after the cues were tuned,
0.9–1.0 of its hand-offs are right and it catches about 0.4 of the angry buyers — see
bench/README.md. A miss is not the last word: the buyer can still ask for a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from jieru.kb import kb_dir
from jieru.text import normalize

EMOTION_FILE = "emotion.yml"
EMOTION_SCHEMA = "emotion.schema.json"
# Where the NLU pipeline (jieru.rasa.nlu.emotion) puts the assessment of a buyer's message
# in Rasa's parse result, and so in ``tracker.latest_message`` of the actions.
PARSE_KEY = "emotion"

Level = Literal["strong", "mild", "none"]

# A clause ends at sentence punctuation or a line break: the question rule looks only
# at the clause its cue is in, so "我要报警！你们能不能管管" stays a threat.
_CLAUSE_END = re.compile(r"[，。！？,.!?;；\n~～]")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Cue:
    """One cue found: its group in kb/emotion.yml and where it is in the text."""

    group: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Emotion:
    """What :func:`assess` found: ``level`` from ``score`` (the sum of matched groups' weights)."""

    level: Level
    score: float
    cues: tuple[Cue, ...]

    @property
    def strong(self) -> bool:
        """True when a human agent should take over (``level == "strong"``)."""
        return self.level == "strong"

    @property
    def groups(self) -> tuple[str, ...]:
        """The cue groups that counted, in the order of kb/emotion.yml."""
        return tuple(dict.fromkeys(c.group for c in self.cues))


@dataclass(frozen=True)
class Group:
    """A cue group: literal phrases and patterns, counted once with ``weight``."""

    name: str
    weight: float
    patterns: tuple[re.Pattern[str], ...]  # over the normalised text
    case_patterns: tuple[re.Pattern[str], ...]  # over the text as typed (t2s only)
    suppressed_by: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """Everything :func:`assess` needs from kb/emotion.yml, compiled."""

    strong: float
    mild: float
    groups: tuple[Group, ...]
    negation: re.Pattern[str]
    not_buyers_act: re.Pattern[str]
    reported_speech: re.Pattern[str]
    against_buyer: re.Pattern[str]
    question: re.Pattern[str]


def _phrases_pattern(phrases: list[str]) -> list[re.Pattern[str]]:
    if not phrases:
        return []
    forms = sorted({normalize(p) for p in phrases}, key=len, reverse=True)
    return [re.compile("|".join(map(re.escape, forms)))]


def _compile(where: str, pattern: str) -> re.Pattern[str]:
    from jieru.kb.faq import KbError

    try:
        return re.compile(pattern)
    except re.error as err:
        raise KbError(
            f"kb/{EMOTION_FILE} at {where}: {pattern!r} is not a regular expression: {err}"
        ) from err


def as_parse_data(found: Emotion, text: str) -> dict[str, Any]:
    """``found`` in ``text`` as JSON for Rasa's parse result: level, score, groups and
    the cues as the buyer typed them, each once."""
    spans = sorted({(c.start, c.end) for c in found.cues}, key=lambda s: (s[0], -s[1]))
    # A cue inside a longer one (到底 in 你们到底管不管) says nothing more.
    kept = [
        (a, b)
        for a, b in spans
        if not any(x <= a and b <= y and (x, y) != (a, b) for x, y in spans)
    ]
    return {
        "level": found.level,
        "score": found.score,
        "groups": list(found.groups),
        "cues": list(dict.fromkeys(text[a:b] for a, b in kept)),
    }


def strong_in(parse_data: dict[str, Any] | None) -> bool:
    """Whether a parse result (``tracker.latest_message``) carries a strong emotion."""
    found = (parse_data or {}).get(PARSE_KEY) or {}
    return found.get("level") == "strong"


def lexicon_from(data: dict) -> Lexicon:
    """Compile parsed kb/emotion.yml ``data`` (already schema-checked) into a Lexicon.

    Raises ``jieru.kb.faq.KbError`` naming the place of a pattern that does not compile."""
    suppress = data["suppress"]
    groups = tuple(
        Group(
            name=name,
            weight=float(spec["weight"]),
            patterns=tuple(
                _phrases_pattern(spec.get("phrases", []))
                + [
                    _compile(f"$.groups.{name}.patterns[{i}]", p)
                    for i, p in enumerate(spec.get("patterns", []))
                ]
            ),
            case_patterns=tuple(
                _compile(f"$.groups.{name}.case_patterns[{i}]", p)
                for i, p in enumerate(spec.get("case_patterns", []))
            ),
            suppressed_by=tuple(spec.get("suppressed_by", [])),
        )
        for name, spec in data["groups"].items()
    )
    rules = {
        "negation": "before",
        "not_buyers_act": "inside",
        "reported_speech": "before",
        "against_buyer": "after",
        "question": "clause",
    }
    compiled = {
        name: _compile(f"$.suppress.{name}.{key}", suppress[name][key])
        for name, key in rules.items()
    }
    return Lexicon(
        strong=float(data["levels"]["strong"]),
        mild=float(data["levels"]["mild"]),
        groups=groups,
        **compiled,
    )


_cache: dict[tuple[str, float], Lexicon] = {}


def load_lexicon() -> Lexicon:
    """kb/emotion.yml, schema-checked and compiled; cached until the file changes.

    Raises ``jieru.kb.faq.KbError`` naming the file and the place of every problem."""
    from jieru.kb.faq import load_checked  # jsonschema is needed only to load

    path = kb_dir() / EMOTION_FILE
    key = (str(path), path.stat().st_mtime if path.is_file() else -1.0)
    if key not in _cache:
        _cache.clear()
        _cache[key] = lexicon_from(load_checked(EMOTION_FILE, EMOTION_SCHEMA))
    return _cache[key]


def _clause(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in _CLAUSE_END.finditer(text, 0, start)), default=0)
    right = _CLAUSE_END.search(text, end)
    return text[left : right.start() if right else len(text)]


def _suppressed(lexicon: Lexicon, group: Group, text: str, start: int, end: int) -> bool:
    # Only the few characters around a cue can negate it, report it or turn it on the buyer.
    before, after = text[max(0, start - 12) : start], text[end : end + 8]
    rules = {
        "negation": lambda: lexicon.negation.search(before) is not None,
        "not_buyers_act": lambda: lexicon.not_buyers_act.search(text, start, end) is not None,
        "reported_speech": lambda: lexicon.reported_speech.search(before) is not None,
        "against_buyer": lambda: lexicon.against_buyer.search(after) is not None,
        "question": lambda: lexicon.question.search(_clause(text, start, end)) is not None,
    }
    return any(rules[name]() for name in group.suppressed_by)


def _cues(lexicon: Lexicon, group: Group, normalised: str, typed: str) -> list[Cue]:
    found = []
    searches = [(p, normalised) for p in group.patterns] + [(p, typed) for p in group.case_patterns]
    for pattern, text in searches:
        for m in pattern.finditer(text):
            if m.end() > m.start() and not _suppressed(
                lexicon, group, normalised, m.start(), m.end()
            ):
                found.append(Cue(group.name, m.group(0), m.start(), m.end()))
    return sorted(found, key=lambda c: (c.start, c.end))


def _simplified_as_typed(text: str, normalised: str) -> str:
    """``text`` in simplified characters with its case kept, the same length as ``normalised``."""
    # normalize only converts script, width and Latin case: restore the typed capitals.
    return "".join(
        o if n == o.lower() and o.isascii() else n for o, n in zip(text, normalised, strict=True)
    )


def assess(text: str, lexicon: Lexicon | None = None) -> Emotion:
    """How strongly negative ``text`` is: ``strong`` (hand to a human), ``mild`` or ``none``.

    ``score`` is the sum of the weights of the cue groups found (each counted once);
    ``cues`` lists every match with its offsets in ``text``. Offsets index ``text`` as given,
    because normalisation keeps the length."""
    lexicon = lexicon or load_lexicon()
    if not text or not text.strip():
        return Emotion("none", 0.0, ())
    # A lone surrogate (from a JSON "\ud800") cannot be encoded for OpenCC; replacing it
    # keeps the length, so offsets still index the text as given.
    text = _SURROGATE.sub("\ufffd", text)
    normalised = normalize(text)
    typed = _simplified_as_typed(text, normalised)
    cues: list[Cue] = []
    score = 0.0
    for group in lexicon.groups:
        found = _cues(lexicon, group, normalised, typed)
        if found:
            cues.extend(found)
            score += group.weight
    score = round(score, 3)
    level: Level = (
        "strong" if score >= lexicon.strong else "mild" if score >= lexicon.mild else "none"
    )
    return Emotion(level, score, tuple(cues))
