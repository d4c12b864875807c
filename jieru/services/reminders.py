"""Reminders for when intervention becomes possible.

When the engine says NOT_YET ("11月23日 14:00起可以申请"), the buyer can ask to be
reminded. The reminder is a database row (``jieru.db.reminders``), not Rasa's
``ReminderScheduled``: Rasa keeps scheduled reminders in its process (APScheduler in
memory), so they are lost whenever the Rasa server restarts, whatever tracker store is
used. The web service polls the table (``jieru.web.reminders``) and has the bot speak
through Rasa's HTTP API at the due time; a restart of any process loses nothing, a
reminder whose bot could not be reached is tried again at the next poll.

When it fires, the bot decides again (the facts may have changed since) and says
"现在可以申请介入了" with the button only when that is true now. A buyer who files
before it fires (new facts opened the window sooner, or the poller had not come round
yet) has nothing left to be reminded of: ``disputes.file_intervention`` cancels the
pending reminder for that service order in the transaction that files it
(``jieru.db.reminders``), so it never fires; one already fired stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from jieru import config
from jieru.db import reminders as store
from jieru.db import repository
from jieru.rules.facts import Decision, OrderFacts, Verdict
from jieru.services import disputes, transaction


class Outcome(str, Enum):
    SCHEDULED = "scheduled"
    ELIGIBLE_NOW = "eligible_now"  # nothing to wait for
    NOT_WAITING = "not_waiting"  # not a "not yet": no time to remind at
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Scheduling:
    outcome: Outcome
    order: OrderFacts | None = None
    decision: Decision | None = None
    due_at: datetime | None = None
    reminder_id: int | None = None


@dataclass(frozen=True)
class DueReminder:
    id: int
    conversation_id: str


@dataclass(frozen=True)
class Reminded:
    """A fired reminder as the bot tells it: the order and the engine's decision now."""

    order: OrderFacts
    decision: Decision


def schedule(*, buyer_id: str, conversation_id: str, order_id: str) -> Scheduling:
    """Remind the buyer when the order's intervention window opens (the engine's
    ``eligible_from``), if it is not open yet."""
    now = config.now()
    with transaction() as session:
        row = repository.get_order(session, buyer_id=buyer_id, order_id=order_id)
        if row is None:
            return Scheduling(Outcome.NOT_FOUND)
        order = repository.to_facts(row)
        decision = disputes.decide(order, now=now)
        if decision.verdict is Verdict.ELIGIBLE:
            return Scheduling(Outcome.ELIGIBLE_NOW, order, decision)
        if decision.verdict is not Verdict.NOT_YET or decision.eligible_from is None:
            return Scheduling(Outcome.NOT_WAITING, order, decision)
        reminder = store.schedule(
            session,
            buyer_id=buyer_id,
            conversation_id=conversation_id,
            order_id=order.id,
            aftersale_id=decision.aftersale_id,
            due_at=decision.eligible_from,
            actor=f"bot:{buyer_id}",
            now=now,
        )
        return Scheduling(Outcome.SCHEDULED, order, decision, decision.eligible_from, reminder.id)


def due_reminders(*, now: datetime | None = None) -> list[DueReminder]:
    """Pending reminders whose time has come."""
    with transaction() as session:
        return [
            DueReminder(r.id, r.conversation_id)
            for r in store.due(session, now=now or config.now())
        ]


def claim(reminder_id: int) -> bool:
    """Take a due reminder for firing; False when another poller has it."""
    with transaction() as session:
        return store.claim(session, reminder_id=reminder_id, now=config.now())


def release(reminder_id: int) -> None:
    """Give a claimed reminder back: firing failed, it is tried again later."""
    with transaction() as session:
        store.release(session, reminder_id=reminder_id)


def reminded(*, buyer_id: str, reminder_id: int) -> Reminded | None:
    """The buyer's reminder with the order and a fresh decision on it; None when the
    reminder is not theirs (a payload typed by hand names someone else's)."""
    now = config.now()
    with transaction() as session:
        reminder = store.buyer_reminder(session, buyer_id=buyer_id, reminder_id=reminder_id)
        if reminder is None:
            return None
        row = repository.get_order(session, buyer_id=buyer_id, order_id=reminder.order_id)
        if row is None:
            return None
        order = repository.to_facts(row)
    aftersale_ids = {a.id for a in order.aftersales}
    aftersale = reminder.aftersale_id if reminder.aftersale_id in aftersale_ids else None
    return Reminded(order, disputes.decide(order, now=now, aftersale_id=aftersale))
