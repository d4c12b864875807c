"""The NLU lexicon in ``kb/lexicon.yml``: entity forms, canonical values, domain terms.

Used by the Rasa entity extractor (``jieru.rasa.nlu.extractor``) and by ``jieru kb build``,
which writes the jieba user dictionary with :func:`write_userdict`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from jieru.config import PLATFORMS
from jieru.kb import load_parsed
from jieru.text import normalize

LEXICON_FILE = "lexicon.yml"
USERDICT_NAME = "jieru_userdict.txt"
# Canonical values every consumer of the NLU relies on (shared/nlu-contract.yml).
CANONICAL_VALUES = {
    "platform": PLATFORMS,
    "aftersale_type": ("refund", "return_refund", "exchange"),
    "goods_type": ("virtual", "physical"),
}
# jieba frequency for user terms: high enough to keep them whole against its own dictionary.
_USERDICT_FREQ = 50000

# 8-20 digits, written as one run, as a date-prefixed number (Pinduoduo shows
# "240305-…"), or in groups of 2-6 (the last may be shorter) split by single spaces or
# hyphens, and not part of a longer run of digits or Latin letters.
_ORDER_ID = re.compile(
    r"(?<![0-9a-z])(?:\d{8,20}|\d{6}-\d{2,14}|\d{2,6}(?:[ \-]\d{2,6})*[ \-]\d{1,6})(?![0-9a-z])"
)
_MOBILE = re.compile(r"1[3-9]\d{9}")
_DATE = re.compile(r"(?:19|20)\d\d[ \-]\d{1,2}[ \-]\d{1,2}")
_ORDER_CUE = re.compile(r"(订单|单号|order|no\.?)\s*:?\s*$")
# A reply to a decision longer than this (without punctuation) says more than "what
# now?" or "I'll wait" and is left to the NLU.
DECISION_REPLY_MAX = 12
# Punctuation, spaces and symbols (emoji included): no words of their own.
_NOT_WORDS = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class EntityMatch:
    """One entity found in a text: ``start``/``end`` index the text it was found in."""

    entity: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class Lexicon:
    """Normalised entity forms (form -> (entity, value); value None hides a phrase) and terms."""

    forms: dict[str, tuple[str, str | None]]
    terms: tuple[str, ...]
    follow_up: tuple[str, ...] = ()
    # kind ("next_step", "waiting") -> the phrases of a reply to the bot's decision.
    decision_replies: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compile(tuple(self.forms))

    def find_entities(self, normalised: str) -> list[EntityMatch]:
        """Platform, after-sale type and goods type mentions in ``normalised`` text.

        The longest form at each position wins; Latin forms must stand as whole words.
        """
        found = []
        for m in self.pattern.finditer(normalised):
            entity, value = self.forms[m.group()]
            if value is not None:
                found.append(EntityMatch(entity, value, m.start(), m.end()))
        return found

    def platform_follow_up(self, normalised: str) -> str | None:
        """The platform of a message that only names one ("淘宝的呢", "那拼多多呢？",
        "京東呢"): the same question again for another platform. None when the message
        says anything besides the platform and the follow-up words of kb/lexicon.yml."""
        named = [m for m in self.find_entities(normalised) if m.entity == "platform"]
        platforms = {m.value for m in named}
        if len(platforms) != 1:
            return None
        rest, end = "", 0
        for m in named:
            rest, end = rest + normalised[end : m.start], m.end
        rest += normalised[end:]
        for word in sorted(self.follow_up, key=len, reverse=True):
            rest = rest.replace(word, "")
        return platforms.pop() if not _NOT_WORDS.sub("", rest) else None

    def decision_reply(self, normalised: str) -> str | None:
        """The kind of a short reply to the bot's decision on an order ("那我该怎么办",
        "那还要等多久": ``next_step``; "好吧那我等着": ``waiting``), in the order of
        kb/lexicon.yml ``decision_replies``; None for a longer message, one naming an
        order, a platform or another entity, or one without such a phrase."""
        words = _NOT_WORDS.sub("", normalised)
        if len(words) > DECISION_REPLY_MAX or self.find_all(normalised):
            return None
        return next(
            (
                kind
                for kind, phrases in self.decision_replies.items()
                if any(p in words for p in phrases)
            ),
            None,
        )

    def find_all(self, normalised: str) -> list[EntityMatch]:
        """Order numbers and every lexicon entity in ``normalised`` text, by position."""
        return sorted(
            find_order_ids(normalised) + self.find_entities(normalised), key=lambda m: m.start
        )


def find_order_ids(normalised: str) -> list[EntityMatch]:
    """Order numbers in ``normalised`` text, as digits only.

    A mainland mobile number (11 digits, 1[3-9]...) counts only right after 订单/单号;
    a date written 2025-03-12 never counts.
    """
    found = []
    for m in _ORDER_ID.finditer(normalised):
        digits = re.sub(r"[ \-]", "", m.group())
        if not 8 <= len(digits) <= 20 or _DATE.fullmatch(m.group()):
            continue
        if _MOBILE.fullmatch(digits) and not _ORDER_CUE.search(normalised[: m.start()]):
            continue
        found.append(EntityMatch("order_id", digits, m.start(), m.end()))
    return found


@lru_cache(maxsize=8)
def _compile(forms: tuple[str, ...]) -> re.Pattern[str]:
    # Alternatives are tried in order, so longest first gives the longest match.
    alternatives = []
    for form in sorted(forms, key=len, reverse=True):
        escaped = re.escape(form)
        if form.isascii():
            escaped = rf"(?<![a-z0-9]){escaped}(?![a-z0-9])"
        alternatives.append(escaped)
    return re.compile("|".join(alternatives))


def parse_lexicon(data: dict) -> Lexicon:
    """Validate the parsed ``lexicon.yml`` and index it; raises ``ValueError`` on a bad file."""
    entities = data.get("entities") or {}
    problems = []
    forms: dict[str, tuple[str, str | None]] = {}
    for entity, values in CANONICAL_VALUES.items():
        missing = set(values) - set(entities.get(entity) or {})
        if missing:
            problems.append(f"{entity}: no forms for {sorted(missing)}")
    for entity, by_value in entities.items():
        if entity not in CANONICAL_VALUES:
            problems.append(f"unknown entity {entity!r}")
            continue
        for value, value_forms in by_value.items():
            if value not in CANONICAL_VALUES[entity]:
                problems.append(f"{entity}: {value!r} is not a canonical value")
            for form in value_forms:
                key = normalize(str(form))
                if forms.get(key, (entity, value)) != (entity, value):
                    problems.append(f"{form!r} is both {forms[key]} and {(entity, value)}")
                forms[key] = (entity, value)
    for phrase in data.get("not_entities") or []:
        forms[normalize(phrase)] = ("", None)
    if problems:
        raise ValueError("kb/lexicon.yml: " + "; ".join(problems))
    terms = tuple(dict.fromkeys(normalize(t) for t in data.get("terms") or []))
    follow_up = tuple(dict.fromkeys(normalize(w) for w in data.get("follow_up_words") or []))
    replies = {
        str(kind): tuple(normalize(str(p)) for p in phrases)
        for kind, phrases in (data.get("decision_replies") or {}).items()
    }
    return Lexicon(forms=forms, terms=terms, follow_up=follow_up, decision_replies=replies)


def load_lexicon() -> Lexicon:
    """The validated lexicon of the kb/ folder in use, parsed once per version of the file
    (the dialogue policies ask for it on every prediction)."""
    return load_parsed(LEXICON_FILE, parse_lexicon)


def userdict_lines(lexicon: Lexicon) -> list[str]:
    """jieba user dictionary lines (``word freq``) for the terms and Chinese entity forms."""
    words = dict.fromkeys([*lexicon.terms, *(f for f, (_, v) in lexicon.forms.items() if v)])
    # Latin forms need no entry: jieba keeps runs of Latin letters whole by itself.
    return [f"{w} {_USERDICT_FREQ}" for w in words if not w.isascii() and " " not in w]


def write_userdict(directory: str | Path) -> Path:
    """Write the jieba user dictionary generated from kb/ into ``directory``; return its path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / USERDICT_NAME
    # jieba's dictionary format has no comments, hence no "generated" header.
    path.write_text("\n".join(userdict_lines(load_lexicon())) + "\n", encoding="utf-8")
    return path


def follow_up_platform(text: str) -> str | None:
    """The platform a typed message asks the previous question again for ("淘宝的呢"),
    or None (``Lexicon.platform_follow_up`` on the normalised text)."""
    return load_lexicon().platform_follow_up(normalize(text)) if text else None


def decision_reply(text: str) -> str | None:
    """The kind of a typed reply to the bot's decision on an order, or None
    (``Lexicon.decision_reply`` on the normalised text)."""
    return load_lexicon().decision_reply(normalize(text)) if text else None
