"""Reminders in the database ("tell me when I may apply"): written by the bot, fired by the
web service. Same conventions as ``jieru.db.repository``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from jieru.db import repository
from jieru.db.models import Reminder


def schedule(
    session: Session,
    *,
    buyer_id: str,
    conversation_id: str,
    order_id: str,
    aftersale_id: str | None,
    due_at: datetime,
    actor: str,
    now: datetime,
) -> Reminder:
    """A pending reminder for the order at ``due_at``; asking again for the same order
    moves the pending one instead of adding a second."""
    row = session.scalars(
        select(Reminder).where(
            Reminder.buyer_id == buyer_id,
            Reminder.order_id == order_id,
            Reminder.status == "pending",
        )
    ).first()
    if row is None:
        row = Reminder(
            buyer_id=buyer_id,
            conversation_id=conversation_id,
            order_id=order_id,
            created_at=now,
            status="pending",
            attempts=0,
        )
        session.add(row)
    row.conversation_id, row.aftersale_id, row.due_at = conversation_id, aftersale_id, due_at
    session.flush()
    repository.audit(
        session,
        actor=actor,
        action="schedule_reminder",
        entity="reminders",
        entity_id=str(row.id),
        at=now,
        detail={"order_id": order_id, "due_at": due_at.isoformat()},
    )
    return row


def cancel_for_intervention(
    session: Session,
    *,
    buyer_id: str,
    order_id: str,
    aftersale_id: str,
    number: str,
    actor: str,
    now: datetime,
) -> list[int]:
    """Cancel the buyer's pending reminders for the service order ``aftersale_id`` of
    ``order_id`` (and those of the order that name no service order), on which
    intervention ``number`` was just filed: nothing is left to wait for. Each gets an
    audit row; returns the ids cancelled. Reminders already fired stay as they are."""
    rows = list(
        session.scalars(
            select(Reminder)
            .where(
                Reminder.buyer_id == buyer_id,
                Reminder.order_id == order_id,
                Reminder.status == "pending",
                or_(Reminder.aftersale_id.is_(None), Reminder.aftersale_id == aftersale_id),
            )
            .order_by(Reminder.id)
            # PostgreSQL: a poller claiming one of them waits, then finds it cancelled.
            .with_for_update()
        )
    )
    for row in rows:
        row.status = "cancelled"
        repository.audit(
            session,
            actor=actor,
            action="cancel_reminder",
            entity="reminders",
            entity_id=str(row.id),
            at=now,
            detail={"order_id": order_id, "intervention": number},
        )
    session.flush()
    return [row.id for row in rows]


def due(session: Session, *, now: datetime, limit: int = 50) -> list[Reminder]:
    """Pending reminders whose time has come, oldest first."""
    stmt = (
        select(Reminder)
        .where(Reminder.status == "pending", Reminder.due_at <= now)
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def claim(session: Session, *, reminder_id: int, now: datetime) -> bool:
    """Mark a pending reminder fired; False when another poller already did."""
    result: CursorResult = session.execute(  # type: ignore[assignment]  # an UPDATE's result
        update(Reminder)
        .where(Reminder.id == reminder_id, Reminder.status == "pending")
        .values(status="fired", fired_at=now, attempts=Reminder.attempts + 1)
    )
    return result.rowcount == 1


def release(session: Session, *, reminder_id: int) -> None:
    """Put a claimed reminder back to pending (the bot could not be told); tried again later."""
    session.execute(
        update(Reminder).where(Reminder.id == reminder_id).values(status="pending", fired_at=None)
    )


def buyer_reminder(session: Session, *, buyer_id: str, reminder_id: int) -> Reminder | None:
    """The buyer's reminder; None when it is not theirs."""
    return session.scalars(
        select(Reminder).where(Reminder.id == reminder_id, Reminder.buyer_id == buyer_id)
    ).one_or_none()
