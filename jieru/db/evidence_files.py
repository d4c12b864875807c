"""What the evidence upload reads and writes: the buyer's intervention (locked while a file
is added, so that two uploads cannot both take the ninth place) and the file rows.

Same conventions as ``jieru.db.repository``: keyword-only functions over a caller-owned
session, every write audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from jieru.db import repository
from jieru.db.models import AfterSale, EvidenceItem, Intervention, Order
from jieru.rules.transitions import OPEN_INTERVENTION_STATUSES


def _buyers_interventions(buyer_id: str) -> Select[tuple[Intervention]]:
    return (
        select(Intervention)
        .join(Intervention.aftersale)
        .join(AfterSale.order)
        .where(Order.buyer_id == buyer_id)
        .options(
            selectinload(Intervention.aftersale)
            .selectinload(AfterSale.order)
            .selectinload(Order.shop),
        )
    )


def buyer_intervention(
    session: Session, *, buyer_id: str, number: str | None, lock: bool = False
) -> Intervention | None:
    """The buyer's intervention ``number``, or (``number`` None) their latest open one;
    None when there is none or it is someone else's. ``lock`` holds the row until the
    transaction ends (PostgreSQL; SQLite's writer lock already serialises writers)."""
    stmt = _buyers_interventions(buyer_id)
    if number is None:
        stmt = stmt.where(Intervention.status.in_(sorted(OPEN_INTERVENTION_STATUSES)))
    else:
        stmt = stmt.where(Intervention.number == number)
    stmt = stmt.order_by(Intervention.opened_at.desc(), Intervention.id.desc()).limit(1)
    if lock:
        stmt = stmt.with_for_update(of=Intervention)
    return session.scalars(stmt).first()


def count_files(session: Session, *, intervention_id: int) -> int:
    """How many uploaded files the intervention has."""
    return (
        session.scalar(
            select(func.count())
            .select_from(EvidenceItem)
            .where(
                EvidenceItem.intervention_id == intervention_id, EvidenceItem.file_key.is_not(None)
            )
        )
        or 0
    )


def ticked_items(session: Session, *, intervention_id: int) -> set[str]:
    """The checklist items the intervention's uploaded files tick."""
    return set(
        session.scalars(
            select(EvidenceItem.checklist_item).where(
                EvidenceItem.intervention_id == intervention_id,
                EvidenceItem.checklist_item.is_not(None),
            )
        )
    )


def add_file(
    session: Session,
    *,
    number: str,
    kind: str,
    description: str,
    file_key: str,
    media_type: str,
    size_bytes: int,
    sha256: str,
    checklist_item: str | None,
    actor: str,
    added_at: datetime,
) -> EvidenceItem:
    """One uploaded file as a piece of evidence of intervention ``number`` (audited)."""
    item = repository.add_evidence(
        session,
        number=number,
        kind=kind,
        description=description,
        actor=actor,
        added_at=added_at,
    )
    item.file_key, item.media_type, item.size_bytes = file_key, media_type, size_bytes
    item.sha256, item.checklist_item = sha256, checklist_item
    session.flush()
    return item


def buyer_file(session: Session, *, buyer_id: str, evidence_id: int) -> EvidenceItem | None:
    """An uploaded file of one of the buyer's interventions; None when it is not theirs."""
    stmt = (
        select(EvidenceItem)
        .join(EvidenceItem.intervention)
        .join(Intervention.aftersale)
        .join(AfterSale.order)
        .where(
            EvidenceItem.id == evidence_id,
            EvidenceItem.file_key.is_not(None),
            Order.buyer_id == buyer_id,
        )
        .options(
            selectinload(EvidenceItem.intervention)
            .selectinload(Intervention.aftersale)
            .selectinload(AfterSale.order)
            .selectinload(Order.shop),
        )
    )
    return session.scalars(stmt).one_or_none()
