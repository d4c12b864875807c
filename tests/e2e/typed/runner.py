"""Plays the typed conversations of conversations.yml against running servers and judges
each one: what the database holds afterwards, what the replies said, and whether the
bot fell back or handed the buyer to a human on the way.

Every conversation starts from the same state: the order database restored to a
freshly imported copy of the demo orders (SQLite's backup API, so the servers' open
connections see the restored file), and the buyer's tracker emptied through Rasa's HTTP
API (``PUT /conversations/<buyer>/tracker/events`` with no events), so its first message
starts a new session. Conversations are independent of one another and of their order.

Used by tests/e2e/test_typed_conversations.py (one test per conversation) and by
bench/containment.py (the containment figure).
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import selectinload

from jieru.auth import make_token
from jieru.config import PROJECT_ROOT
from jieru.db import session as db_session
from jieru.db.models import AfterSale, Complaint, Handoff, Intervention
from jieru.text import normalize

SUITE = Path(__file__).with_name("conversations.yml")
DEMO_ORDERS = PROJECT_ROOT / "demo" / "orders.json"
WEBHOOK = "/webhooks/app/webhook"
GOALS = ("filed", "answered", "told_when", "complained", "handed_off", "nothing_filed")
# What a buyer may say a turn gives: the filed intervention may only hold these.
GIVES = ("description", "evidence")
# The bot's fallback responses (domain.yml: the two-stage fallback's steps and the last
# resort) and the channel's "no reply at all" message (kb/labels.yml templates.no_reply).
FALLBACK_RESPONSES = ("utter_ask_affirmation", "utter_ask_rephrase", "utter_default")
HANDOFF_RESPONSES = ("utter_handoff",)
TOKEN_MINUTES = 30


# ----- the suite -----


@dataclass(frozen=True)
class Turn:
    """One message the buyer types, and loose checks on the bot's replies to it."""

    text: str
    # Every entry must be in the replies; an entry of several words is "any of them".
    expect: tuple[tuple[str, ...], ...] = ()
    expect_not: tuple[str, ...] = ()
    # What this message gives the filing (description, evidence), by the buyer's intent.
    gives: frozenset[str] = frozenset()
    # A "please rephrase" answer is right here (the message means nothing).
    fallback_ok: bool = False
    # The first intervention number in the replies is the one this conversation filed.
    filed_number_first: bool = False


@dataclass(frozen=True)
class FiledExpectation:
    """The one intervention a conversation must file."""

    order: str
    description: tuple[tuple[str, ...], ...] = ()  # words it must hold (any-of per entry)
    description_not: tuple[str, ...] = ()
    evidence: tuple[str, ...] | None = None  # the evidence kinds filed, exactly (sorted)


@dataclass(frozen=True)
class Conversation:
    id: str
    buyer: str
    goal: str
    turns: tuple[Turn, ...]
    covers: tuple[str, ...] = ()
    note: str = ""
    filed: FiledExpectation | None = None
    complaint: str | None = None  # the order a complaint must be recorded on
    handoff: bool = False


def _alternatives(entries: Iterable[Any]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(map(str, e)) if isinstance(e, list) else (str(e),) for e in (entries or ()))


def _turn(raw: dict[str, Any]) -> Turn:
    text = str(raw["say"])
    if "repeat" in raw:  # a very long message: the text repeated up to this many characters
        text = (text * int(raw["repeat"]))[: int(raw["repeat"])]
    gives = raw.get("gives") or []
    gives = [gives] if isinstance(gives, str) else gives
    unknown = set(gives) - set(GIVES)
    if unknown:
        raise ValueError(f"unknown gives {unknown} in turn {text[:20]!r}")
    return Turn(
        text=text,
        expect=_alternatives(raw.get("expect")),
        expect_not=tuple(map(str, raw.get("expect_not") or ())),
        gives=frozenset(gives),
        fallback_ok=bool(raw.get("fallback_ok", False)),
        filed_number_first=bool(raw.get("filed_number_first", False)),
    )


def _conversation(raw: dict[str, Any]) -> Conversation:
    if raw["goal"] not in GOALS:
        raise ValueError(f"{raw['id']}: goal {raw['goal']!r} is not one of {GOALS}")
    filed = raw.get("filed")
    expectation = None
    if filed:
        evidence = filed.get("evidence")
        expectation = FiledExpectation(
            order=str(filed["order"]),
            description=_alternatives(filed.get("description")),
            description_not=tuple(map(str, filed.get("description_not") or ())),
            evidence=None if evidence is None else tuple(sorted(map(str, evidence))),
        )
    conversation = Conversation(
        id=str(raw["id"]),
        buyer=str(raw["buyer"]),
        goal=str(raw["goal"]),
        turns=tuple(_turn(t) for t in raw["turns"]),
        covers=tuple(raw.get("covers") or ()),
        note=str(raw.get("note") or ""),
        filed=expectation,
        complaint=str(raw["complaint"]) if raw.get("complaint") else None,
        handoff=bool(raw.get("handoff", False)),
    )
    consistent = {
        "filed": conversation.filed is not None,
        "complained": conversation.complaint is not None,
        "handed_off": conversation.handoff,
    }
    if conversation.goal in consistent and not consistent[conversation.goal]:
        raise ValueError(f"{conversation.id}: goal {conversation.goal} without its expectation")
    if conversation.filed is not None and conversation.goal != "filed":
        raise ValueError(f"{conversation.id}: files an intervention but its goal is not filed")
    return conversation


def load_suite(path: Path = SUITE) -> list[Conversation]:
    """The conversations of ``path``, checked for consistency (unique ids, known goals)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    conversations = [_conversation(raw) for raw in data["conversations"]]
    ids = [c.id for c in conversations]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate conversation ids: {sorted(duplicates)}")
    return conversations


# ----- how the bot's fallback and hand-off replies read -----


@cache
def _response_openings() -> dict[str, tuple[str, ...]]:
    """The fixed opening (up to the first placeholder) of every variant of each response."""
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    openings: dict[str, tuple[str, ...]] = {}
    for name, variants in domain.get("responses", {}).items():
        texts = [str(v.get("text") or "") for v in variants if isinstance(v, dict)]
        openings[name] = tuple(t.split("{", 1)[0].strip() for t in texts if t.strip())
    return openings


@cache
def _no_reply_opening() -> str:
    labels = yaml.safe_load((PROJECT_ROOT / "kb" / "labels.yml").read_text(encoding="utf-8"))
    return str(labels["templates"]["no_reply"]).split("{", 1)[0].strip()


def response_name(text: str) -> str | None:
    """The fallback or hand-off response a reply text is, if it is one."""
    text = text.strip()
    for name in (*FALLBACK_RESPONSES, *HANDOFF_RESPONSES):
        if any(o and text.startswith(o) for o in _response_openings().get(name, ())):
            return name
    if text.startswith(_no_reply_opening()):
        return "no_reply"
    return None


def reply_text(messages: list[dict[str, Any]]) -> str:
    """What the buyer sees: the texts, and the buttons' titles in brackets."""
    lines = []
    for m in messages:
        if m.get("text"):
            lines.append(str(m["text"]))
        titles = [str(b.get("title") or "") for b in m.get("buttons") or ()]
        if titles:
            lines.append("[" + " | ".join(titles) + "]")
    return "\n".join(lines)


# ----- words: what the buyer gave, and what was filed -----

_NOT_WORDS = re.compile(r"[\W_]+")
# Intervention numbers as the bot and the platforms write them: JR2026111800123,
# TBJR-20261114-0007, PDDJR-88002001.
INTERVENTION_NUMBER = re.compile(r"[A-Z]*JR-?\d[\d-]{5,}\d")


def folded(text: str) -> str:
    """Simplified, half-width, lower case, without punctuation or spaces."""
    return _NOT_WORDS.sub("", normalize(text))


@cache
def _evidence_labels() -> dict[str, dict[str, Any]]:
    labels = yaml.safe_load((PROJECT_ROOT / "kb" / "labels.yml").read_text(encoding="utf-8"))
    return dict(labels["evidence"])


def description_given(description: str, given: list[str]) -> bool:
    """Whether a filed description is the buyer's own words from the messages that gave
    it: each of its clauses is in one of them (after folding script and punctuation)."""
    sources = [folded(t) for t in given]
    clauses = [folded(c) for c in re.split(r"[\n，。,.;；！!？?、]+", description)]
    clauses = [c for c in clauses if c]
    return bool(clauses) and all(any(c in s for s in sources) for c in clauses)


def evidence_given(description: str, given: list[str]) -> bool:
    """Whether a filed evidence item is named in the messages that gave evidence: a kb
    item by one of its keywords, any other by the buyer's own words."""
    sources = [folded(t) for t in given]
    for spec in _evidence_labels().values():
        if spec["name"] == description:
            return any(folded(k) in s for k in spec["keywords"] for s in sources)
    mine = folded(description)
    return bool(mine) and any(mine in s or s in mine for s in sources if s)


# ----- the database -----


def sqlite_path(url: str) -> Path:
    """The file of a SQLite URL (the only kind the runner can restore)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise ValueError(f"the typed suite restores a SQLite file database, not {url}")
    return Path(parsed.database)


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy one SQLite database onto another through SQLite's backup API: consistent,
    and seen at once by every connection already open on ``target``."""
    with (
        closing(sqlite3.connect(source)) as src,
        closing(sqlite3.connect(target, timeout=30)) as dst,
    ):
        src.backup(dst)


def build_demo_database(target: Path, orders: Path, rebase_from: str | None) -> None:
    """A fresh database at ``target``: every migration, then the orders file imported
    (shifted as the servers' was when ``rebase_from`` is given)."""
    from jieru.db.migrate import upgrade
    from jieru.importer import run_import

    url = f"sqlite:///{target}"
    upgrade(url=url)
    if run_import(orders, rebase_from=rebase_from, url=url) != 0:
        raise RuntimeError(f"could not import {orders} into {target}")
    db_session.dispose(url)


@dataclass(frozen=True)
class FiledRow:
    number: str
    order_id: str
    problem: str | None
    description: str
    evidence: tuple[tuple[str, str], ...]  # (kind, description)


@dataclass(frozen=True)
class State:
    """What the conversations can change in the database."""

    interventions: dict[str, FiledRow]
    complaints: dict[str, str]  # number -> order id
    handoffs: dict[int, str | None]  # id -> buyer


def read_state(url: str) -> State:
    with db_session.get_sessionmaker(url).begin() as s:
        rows = s.scalars(select(Intervention).options(selectinload(Intervention.evidence))).all()
        orders = dict(s.execute(select(AfterSale.id, AfterSale.order_id)).tuples().all())
        interventions = {
            r.number: FiledRow(
                number=r.number,
                order_id=orders[r.aftersale_id],
                problem=r.problem,
                description=r.description or "",
                evidence=tuple(sorted((e.kind, e.description) for e in r.evidence)),
            )
            for r in rows
        }
        complaints = dict(s.execute(select(Complaint.number, Complaint.order_id)).tuples().all())
        handoffs = dict(s.execute(select(Handoff.id, Handoff.buyer_id)).tuples().all())
    return State(interventions, complaints, handoffs)


# ----- one conversation played -----


@dataclass
class Exchange:
    said: str
    replies: list[dict[str, Any]]
    status: int = 200

    @property
    def text(self) -> str:
        return reply_text(self.replies)


@dataclass
class Result:
    conversation: Conversation
    exchanges: list[Exchange] = field(default_factory=list)
    filed: list[FiledRow] = field(default_factory=list)
    complaints: list[str] = field(default_factory=list)  # order ids
    handoffs: int = 0
    failures: list[str] = field(default_factory=list)
    fallbacks: list[tuple[int, str]] = field(default_factory=list)  # turn, response
    handed_off_at: int | None = None
    not_given: list[str] = field(default_factory=list)  # filed values the buyer never gave

    @property
    def goal_reached(self) -> bool:
        """Every check on the database and the replies passed (fallbacks aside)."""
        return not self.failures

    @property
    def contained(self) -> bool:
        """The goal reached with no fallback, and no human unless the buyer asked for one."""
        unwanted_handoff = self.handed_off_at is not None and self.conversation.goal != "handed_off"
        return self.goal_reached and not self.fallbacks and not unwanted_handoff

    @property
    def turns(self) -> int:
        return len(self.conversation.turns)

    def transcript(self, width: int = 160) -> str:
        lines = [
            f"[{self.conversation.id}] buyer {self.conversation.buyer}, goal {self.conversation.goal}"
        ]
        for i, ex in enumerate(self.exchanges, 1):
            said = ex.said if len(ex.said) <= 60 else f"{ex.said[:30]}…({len(ex.said)} chars)"
            lines.append(f"  {i}. 买家：{said}")
            reply = ex.text.replace("\n", " ⏎ ")
            if ex.status != 200:
                reply = f"HTTP {ex.status}: {reply}"
            lines.append(f"     机器人：{reply[:width]}{'…' if len(reply) > width else ''}")
        for row in self.filed:
            lines.append(
                f"  filed {row.number} on {row.order_id}: problem={row.problem} "
                f"description={row.description!r} evidence={list(row.evidence)}"
            )
        return "\n".join(lines)

    def explain(self) -> str:
        problems = [*self.failures]
        problems += [f"turn {t}: fallback {name}" for t, name in self.fallbacks]
        if self.handed_off_at is not None and self.conversation.goal != "handed_off":
            problems.append(f"turn {self.handed_off_at}: handed to a human")
        return "\n".join([*(f"- {p}" for p in problems), self.transcript()])


def _missing(text: str, expect: tuple[tuple[str, ...], ...]) -> list[str]:
    body = folded(text)
    return ["/".join(alt) for alt in expect if not any(folded(a) in body for a in alt)]


def judge(result: Result, before: State, after: State) -> None:
    """Fill ``result``'s findings from the replies and the database before and after."""
    c = result.conversation
    for i, (turn, ex) in enumerate(zip(c.turns, result.exchanges, strict=True), 1):
        if ex.status != 200:
            result.failures.append(f"turn {i}: HTTP {ex.status}")
            continue
        if not ex.text.strip():
            result.failures.append(f"turn {i}: no reply")
        for missing in _missing(ex.text, turn.expect):
            result.failures.append(f"turn {i}: reply lacks {missing!r}")
        for word in turn.expect_not:
            if folded(word) in folded(ex.text):
                result.failures.append(f"turn {i}: reply says {word!r}")
        for m in ex.replies:
            name = response_name(str(m.get("text") or ""))
            if name in HANDOFF_RESPONSES and result.handed_off_at is None:
                result.handed_off_at = i
            elif name == "no_reply" or (name in FALLBACK_RESPONSES and not turn.fallback_ok):
                result.fallbacks.append((i, name or ""))

    result.filed = [r for n, r in after.interventions.items() if n not in before.interventions]
    result.complaints = [o or "" for n, o in after.complaints.items() if n not in before.complaints]
    result.handoffs = sum(1 for h in after.handoffs if h not in before.handoffs)

    # What was filed.
    if c.filed is None:
        for row in result.filed:
            result.failures.append(f"filed {row.number} on {row.order_id} though nothing should be")
    else:
        on_order = [r for r in result.filed if r.order_id == c.filed.order]
        others = [r for r in result.filed if r.order_id != c.filed.order]
        if len(on_order) != 1:
            result.failures.append(f"{len(on_order)} interventions filed on {c.filed.order}, not 1")
        for row in others:
            result.failures.append(f"filed {row.number} on another order, {row.order_id}")
        for row in on_order:
            for missing in _missing(row.description, c.filed.description):
                result.failures.append(f"filed description lacks {missing!r}: {row.description!r}")
            for word in c.filed.description_not:
                if folded(word) in folded(row.description):
                    result.failures.append(f"filed description holds {word!r}: {row.description!r}")
            kinds = tuple(sorted(k for k, _ in row.evidence))
            if c.filed.evidence is not None and kinds != c.filed.evidence:
                result.failures.append(
                    f"filed evidence {list(kinds)} is not {list(c.filed.evidence)}: {list(row.evidence)}"
                )
            if not any(ex.text and row.number in ex.text for ex in result.exchanges):
                result.failures.append(f"no reply tells the buyer the number {row.number}")
            for i, (turn, ex) in enumerate(zip(c.turns, result.exchanges, strict=True), 1):
                first = INTERVENTION_NUMBER.search(ex.text)
                if turn.filed_number_first and (first is None or first.group() != row.number):
                    said = first.group() if first else "none"
                    result.failures.append(
                        f"turn {i}: first intervention is {said}, not {row.number}"
                    )
    # Nothing filed that the buyer did not give.
    gave = {g: [t.text for t in c.turns if g in t.gives] for g in GIVES}
    for row in result.filed:
        if row.description and not description_given(row.description, gave["description"]):
            result.not_given.append(f"description {row.description!r}")
        for _, item in row.evidence:
            if not evidence_given(item, gave["evidence"]):
                result.not_given.append(f"evidence {item!r}")
    result.failures += [f"filed what the buyer did not give: {x}" for x in result.not_given]

    # Complaints and hand-offs.
    if c.complaint is None:
        result.failures += [f"a complaint was recorded on {o}" for o in result.complaints]
    elif result.complaints != [c.complaint]:
        result.failures.append(f"complaints recorded on {result.complaints}, not [{c.complaint}]")
    if c.handoff and not result.handoffs:
        result.failures.append("no hand-off was queued")
    if not c.handoff and result.handoffs:
        result.failures.append(f"{result.handoffs} hand-off(s) queued")


class Runner:
    """Plays conversations against the Rasa server at ``rasa_url`` (the app channel, tokens
    signed with ``secret``), with the action server on the SQLite database ``database_url``.

    ``start()`` keeps a copy of the database as it is and builds the demo database every
    conversation starts from; ``close()`` puts the kept copy back and empties the trackers
    of the buyers it talked as, so whatever runs next finds what it would have found.
    """

    def __init__(
        self,
        rasa_url: str,
        database_url: str,
        *,
        secret: str | None = None,
        rasa_token: str | None = None,
        orders: Path = DEMO_ORDERS,
        rebase_from: str | None = None,
        timeout: float = 60,
    ) -> None:
        self.rasa_url = rasa_url.rstrip("/")
        self.database_url = database_url
        self.live = sqlite_path(database_url)
        self.secret = secret
        self.params = {"token": rasa_token} if rasa_token else {}
        self.orders, self.rebase_from = orders, rebase_from
        self.client = httpx.Client(base_url=self.rasa_url, timeout=timeout)
        self._dir = tempfile.TemporaryDirectory(prefix="jieru-typed-")
        self.pristine = Path(self._dir.name) / "demo.db"
        self.kept = Path(self._dir.name) / "kept.db"
        self._buyers: set[str] = set()

    def start(self) -> Runner:
        copy_sqlite(self.live, self.kept)
        build_demo_database(self.pristine, self.orders, self.rebase_from)
        return self

    def close(self) -> None:
        try:
            copy_sqlite(self.kept, self.live)
            for buyer in sorted(self._buyers):
                self.reset_tracker(buyer)
        finally:
            self.client.close()
            db_session.dispose(self.database_url)
            self._dir.cleanup()

    def __enter__(self) -> Runner:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reset_tracker(self, buyer: str) -> None:
        """Empty the buyer's conversation: their next message starts a new session."""
        reply = self.client.put(
            f"/conversations/{buyer}/tracker/events", json=[], params=self.params
        )
        reply.raise_for_status()

    def run(self, conversation: Conversation) -> Result:
        """Play one conversation from the demo state and judge it."""
        copy_sqlite(self.pristine, self.live)
        self._buyers.add(conversation.buyer)
        self.reset_tracker(conversation.buyer)
        before = read_state(self.database_url)
        token = make_token(conversation.buyer, minutes=TOKEN_MINUTES, secret=self.secret)
        headers = {"Authorization": f"Bearer {token}"}
        result = Result(conversation)
        for turn in conversation.turns:
            reply = self.client.post(
                WEBHOOK, json={"message": turn.text, "metadata": {}}, headers=headers
            )
            body = reply.json() if reply.status_code == 200 else [{"text": reply.text}]
            result.exchanges.append(Exchange(turn.text, body, reply.status_code))
        judge(result, before, read_state(self.database_url))
        return result
