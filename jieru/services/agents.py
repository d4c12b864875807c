"""Human agents' side of a hand-off: the queue, taking a conversation (atomically),
replying, notes, closing it or handing it back to the bot.

The database holds the hand-off (who holds it, its summary, notes); the Rasa tracker
holds every message of both sides (``jieru.services.rasa_client``). Writes that also
speak to Rasa do so inside the database transaction, after the conditional update: if
Rasa refuses, the status change is rolled back and the agent may try again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from jieru import config
from jieru.db import repository
from jieru.db.models import Handoff
from jieru.identity import AGENT_METADATA_KEY
from jieru.kb import faq, load_yaml
from jieru.rules.agent_hours import QueuePlace, WorkingHours, queue_place
from jieru.rules.facts import Decision, OrderFacts
from jieru.services import rasa_client, transaction
from jieru.services.errors import HandoffConflict, HandoffNotFound

__all__ = [
    "HandoffView",
    "QueuePlace",
    "add_note",
    "assist",
    "case_details",
    "close",
    "get",
    "hand_back",
    "pending_messages",
    "place_in_queue",
    "queue",
    "reply",
    "take",
    "transcript",
]

MAX_TEXT = 2000  # characters of one agent message or note
QUEUE_STATUSES = ("open", "taken")  # what the console lists; closed ones are done


@dataclass(frozen=True)
class HandoffView:
    """A hand-off as the console shows it; ``waiting`` is since it was queued."""

    id: int
    conversation_id: str
    buyer_id: str | None
    reason: str
    summary: str
    details: dict[str, Any]
    status: str
    created_at: datetime
    waiting: timedelta
    taken_by: str | None = None
    taken_at: datetime | None = None
    closed_at: datetime | None = None
    notes: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, row: Handoff, *, now: datetime) -> HandoffView:
        end = row.taken_at or row.closed_at or now
        return cls(
            id=row.id,
            conversation_id=row.conversation_id,
            buyer_id=row.buyer_id,
            reason=row.reason,
            summary=row.summary,
            details=dict(row.details or {}),
            status=row.status,
            created_at=row.created_at,
            waiting=end - row.created_at,
            taken_by=row.taken_by,
            taken_at=row.taken_at,
            closed_at=row.closed_at,
            notes=tuple(
                {
                    "author": n.author,
                    "text": n.text,
                    # In local time whatever zone the database hands back (PostgreSQL: UTC).
                    "at": n.created_at.astimezone(config.settings().timezone).isoformat(),
                }
                for n in row.notes
            ),
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: times in ISO 8601, the wait in whole seconds."""

        def iso(t: datetime | None) -> str | None:
            return t.isoformat() if t else None

        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "buyer_id": self.buyer_id,
            "reason": self.reason,
            "summary": self.summary,
            "details": self.details,
            "status": self.status,
            "created_at": iso(self.created_at),
            "waiting_seconds": int(self.waiting.total_seconds()),
            "taken_by": self.taken_by,
            "taken_at": iso(self.taken_at),
            "closed_at": iso(self.closed_at),
            "notes": list(self.notes),
        }


def case_details(
    *,
    buyer_id: str | None,
    order: OrderFacts | None,
    decision: Decision | None,
    problem: str | None,
    bot_did: tuple[str, ...] = (),
    filed: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The bot's summary as data: buyer, order, problem, the eligibility decision with its
    rule, times and source, what the bot already did, numbers it filed."""
    eligibility = None
    if decision is not None:
        eligibility = {
            "verdict": decision.verdict.value,
            "rule": decision.rule_id,
            "explanation": decision.explanation,
            "source": decision.source,
            "eligible_from": decision.eligible_from.isoformat() if decision.eligible_from else None,
            "aftersale_id": decision.aftersale_id,
            "intervention_number": decision.intervention_number,
            "stage": decision.stage,
            "deadlines": [
                {"label": label, "at": at.isoformat()} for label, at in decision.deadlines
            ],
            "alternatives": list(decision.alternatives),
        }
    return {
        "buyer": {"id": buyer_id},
        "order": None
        if order is None
        else {
            "id": order.id,
            "platform": order.platform,
            "shop": order.shop_name,
            "title": order.title,
            "status": order.status,
            "amount": None if order.amount is None else str(order.amount),
        },
        "problem": problem,
        "eligibility": eligibility,
        "bot_did": list(bot_did),
        "filed": list(filed),
    }


def _view(row: Handoff) -> HandoffView:
    return HandoffView.of(row, now=config.now())


@contextmanager
def _transaction(handoff_id: int) -> Iterator[Session]:
    """``transaction()`` for a write on hand-off ``handoff_id``: the repository's "no such
    row" comes out as the contract's ``HandoffNotFound``."""
    try:
        with transaction() as session:
            yield session
    except repository.NotFound as exc:
        raise HandoffNotFound(handoff_id) from exc


def _fetch(session: Session, handoff_id: int) -> Handoff:
    row = repository.get_handoff(session, handoff_id=handoff_id)
    if row is None:
        raise HandoffNotFound(handoff_id)
    return row


def _held(session: Session, handoff_id: int, agent: str, doing: str) -> Handoff:
    row = _fetch(session, handoff_id)
    if row.status != "taken" or row.taken_by != agent:
        raise HandoffConflict(
            row.id, status=row.status, taken_by=row.taken_by, taken_at=row.taken_at, wanted=doing
        )
    return row


def _text(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValueError(f"{what} is empty")
    if len(text) > MAX_TEXT:
        raise ValueError(f"{what} is longer than {MAX_TEXT} characters")
    return text


def queue() -> list[HandoffView]:
    """Open and taken hand-offs, oldest first, with summary and waiting time."""
    with transaction() as session:
        return [_view(r) for r in repository.list_handoffs(session, statuses=QUEUE_STATUSES)]


def get(handoff_id: int) -> HandoffView:
    """One hand-off with its notes; ``HandoffNotFound`` when there is none."""
    with transaction() as session:
        return _view(_fetch(session, handoff_id))


def take(handoff_id: int, *, agent: str) -> HandoffView:
    """Give the hand-off to ``agent``; of agents racing for it exactly one wins, the
    others get ``HandoffConflict`` naming the winner."""
    with _transaction(handoff_id) as session:
        repository.move_handoff(
            session, handoff_id=handoff_id, status="taken", agent=agent, at=config.now()
        )
        return _view(_fetch(session, handoff_id))


def reply(handoff_id: int, *, agent: str, text: str) -> None:
    """The holder's message to the buyer, delivered through Rasa and kept in its tracker."""
    text = _text(text, "reply")
    with transaction() as session:
        row = _held(session, handoff_id, agent, "replied to")
        conversation_id = row.conversation_id
    rasa_client.agent_says(conversation_id, agent=agent, text=text)


def add_note(handoff_id: int, *, agent: str, text: str) -> HandoffView:
    """An internal note on the hand-off (the buyer never sees it)."""
    text = _text(text, "note")
    with _transaction(handoff_id) as session:
        repository.add_handoff_note(
            session, handoff_id=handoff_id, author=agent, text=text, at=config.now()
        )
        return _view(_fetch(session, handoff_id))


def transcript(handoff_id: int) -> list[rasa_client.Line]:
    """Every message of the buyer, the bot and the agents in the hand-off's conversation."""
    conversation_id = get(handoff_id).conversation_id
    return rasa_client.transcript(rasa_client.tracker(conversation_id).get("events") or [])


def _problems() -> set[str]:
    return set(load_yaml("problems.yml")["problems"]) - {"any"}


def _finish(
    handoff_id: int,
    *,
    agent: str,
    status: str,
    slots: dict[str, Any],
    text: str,
    note: str | None = None,
) -> HandoffView:
    with _transaction(handoff_id) as session:
        row = repository.move_handoff(
            session, handoff_id=handoff_id, status=status, agent=agent, at=config.now()
        )
        if note:
            repository.add_handoff_note(
                session, handoff_id=handoff_id, author=agent, text=note, at=config.now()
            )
        # Inside the transaction: if Rasa refuses, the hand-off stays as it was.
        rasa_client.resume(row.conversation_id, slots=slots, text=text)
        return _view(_fetch(session, handoff_id))


def hand_back(
    handoff_id: int,
    *,
    agent: str,
    order_id: str | None = None,
    problem: str | None = None,
    note: str | None = None,
) -> HandoffView:
    """Give the conversation back to the bot, which resumes knowing what the agent set
    (the buyer's order, the problem as a report_* intent, a note for the buyer) and says
    so. ``ValueError`` for an order that is not the buyer's or an unknown problem."""
    note = _text(note, "note") if note else None
    current = get(handoff_id)
    slots: dict[str, Any] = {}
    lines = _templates()
    said = [lines["handed_back"]]
    if order_id:
        with transaction() as session:
            found = current.buyer_id and repository.get_order(
                session, buyer_id=current.buyer_id, order_id=order_id
            )
        if not found:
            raise ValueError(f"order {order_id!r} is not this buyer's")
        slots["order_id"] = order_id
        said.append(lines["order"].format(order_id=order_id))
    if problem:
        if problem not in _problems():
            raise ValueError(f"unknown problem {problem!r}; expected one of {sorted(_problems())}")
        slots["problem"] = problem
        said.append(lines["problem"].format(problem=problem_label(problem)))
    if note:
        slots["agent_note"] = note
        said.append(lines["note"].format(note=note))
    return _finish(
        handoff_id, agent=agent, status="handed_back", slots=slots, text="\n".join(said), note=note
    )


def close(handoff_id: int, *, agent: str) -> HandoffView:
    """End the human session; the bot answers the buyer's next message again."""
    return _finish(handoff_id, agent=agent, status="closed", slots={}, text=_templates()["closed"])


def problem_label(problem: str) -> str:
    """How the bot names a report_* problem to the buyer (kb/labels.yml ``intents``, as the
    actions do), else the key."""
    return str(load_yaml("labels.yml")["intents"].get(problem, problem))


def _templates() -> dict[str, str]:
    """The agents' lines of kb/labels.yml (their one owner)."""
    return load_yaml("labels.yml")["templates"]["agents"]


# The kb/ FAQ answers an agent is offered beside a case, in this order: where to click,
# the conditions and deadlines, what evidence to prepare, how long it takes.
ASSIST_KEYS = ("where_to_apply", "conditions", "evidence", "processing_time")


def assist(handoff_id: int) -> dict[str, Any]:
    """What the console shows beside the conversation: the eligibility decision with its
    rule and citation, the platform's click path and deadlines, and replies drawn from
    kb/ for this case (the decision's own explanation first), each ready to insert."""
    details = get(handoff_id).details
    platform = (details.get("order") or {}).get("platform")
    decision = details.get("eligibility")
    answers = {key: faq.answer(key, platform) for key in ASSIST_KEYS}
    replies = []
    if decision:
        replies.append(
            {
                "title": _templates()["decision_title"],
                "text": decision["explanation"],
                "sources": [decision["source"]],
            }
        )
    titles = {key: faq.keys_spec()[key]["topic"] for key in ASSIST_KEYS}
    replies += [
        {"title": titles[k], "text": a.text, "sources": a.sources}
        for k, a in answers.items()
        if a.known
    ]
    return {
        "platform": platform,
        "decision": decision,
        "click_path": {
            "text": answers["where_to_apply"].text,
            "sources": answers["where_to_apply"].sources,
        },
        "deadlines": (decision or {}).get("deadlines", []),
        "conditions": {
            "text": answers["conditions"].text,
            "sources": answers["conditions"].sources,
        },
        "replies": replies,
    }


def place_in_queue(handoff_id: int) -> QueuePlace:
    """The buyer's position among open hand-offs and when an agent is expected to reply
    (outside working hours: when agents are back), from the hours in the settings."""
    s = config.settings()
    hours = WorkingHours(
        opens=s.agent_hours[0], closes=s.agent_hours[1], weekdays=s.agent_weekdays, zone=s.timezone
    )
    with transaction() as session:
        ahead = repository.count_open_before(session, handoff=_fetch(session, handoff_id))
    return queue_place(
        ahead=ahead, now=config.now(), hours=hours, minutes_per_case=s.agent_minutes_per_case
    )


def pending_messages(buyer_id: str, *, since: float = 0.0) -> list[dict[str, Any]]:
    """Messages for a buyer of the app channel (whose conversation id is their buyer id)
    written outside their own requests — agents' replies and the bot's hand-back — after
    the Rasa timestamp ``since``; empty when the buyer was never handed to an agent."""
    with transaction() as session:
        if repository.latest_handoff(session, conversation_id=buyer_id) is None:
            return []
    events = rasa_client.tracker(buyer_id).get("events") or []
    messages = []
    for event in events:
        metadata = event.get("metadata") or {}
        if event.get("event") != rasa_client.BOT or float(event.get("timestamp") or 0) <= since:
            continue
        if AGENT_METADATA_KEY in metadata or rasa_client.HANDBACK_KEY in metadata:
            messages.append(
                {
                    "text": event.get("text"),
                    "timestamp": event.get("timestamp"),
                    "agent": metadata.get(AGENT_METADATA_KEY),
                }
            )
    return messages
