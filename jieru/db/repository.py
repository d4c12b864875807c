"""Everything the service layer reads from or writes to the order database.

Keyword-only functions over a caller-owned session; callers wrap each operation in one
short transaction (``with get_sessionmaker().begin() as session:``). Every write adds an
audit row. The bot changes no status here: it files new interventions (``submitted``);
statuses otherwise arrive with the platform's own records (``jieru.importer``, see the README).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any, cast, overload

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from jieru.config import now
from jieru.db.models import (
    AfterSale,
    AuditLog,
    Complaint,
    EvidenceItem,
    Handoff,
    HandoffNote,
    Intervention,
    Order,
)
from jieru.rules.facts import AfterSaleFacts, InterventionFacts, OrderFacts
from jieru.rules.transitions import (
    HANDOFF_STATUSES,
    OPEN_INTERVENTION_STATUSES,
    HandoffConflict,
    InvalidTransition,
    allowed_transitions,
)


class AlreadyInIntervention(Exception):
    """The service order already has an open intervention.

    ``.intervention`` is a snapshot (``InterventionFacts``), readable after the rollback."""

    def __init__(self, intervention: Intervention) -> None:
        self.aftersale_id = intervention.aftersale_id
        self.intervention = intervention_facts(intervention)
        super().__init__(
            f"service order {self.aftersale_id} already has open intervention "
            f"{intervention.number} ({intervention.status})"
        )


class NotFound(LookupError):
    """The row a write names does not exist."""


def _order_tree():
    return (
        selectinload(Order.shop),
        selectinload(Order.aftersales).selectinload(AfterSale.interventions),
        selectinload(Order.aftersales).selectinload(AfterSale.dispute),
    )


def get_order(session: Session, *, buyer_id: str, order_id: str) -> Order | None:
    """The buyer's order with its shop, service orders and interventions loaded; None when
    it does not exist or belongs to someone else."""
    stmt = (
        select(Order)
        .where(Order.id == order_id, Order.buyer_id == buyer_id)
        .options(*_order_tree())
    )
    return session.scalars(stmt).one_or_none()


def list_orders(session: Session, *, buyer_id: str) -> list[Order]:
    """The buyer's orders, newest first, with shops, service orders and interventions loaded."""
    stmt = (
        select(Order)
        .where(Order.buyer_id == buyer_id)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .options(*_order_tree())
    )
    return list(session.scalars(stmt))


def get_aftersale(session: Session, *, buyer_id: str, aftersale_id: str) -> AfterSale | None:
    """The buyer's service order; None when it does not exist or belongs to someone else."""
    stmt = (
        select(AfterSale)
        .join(AfterSale.order)
        .where(AfterSale.id == aftersale_id, Order.buyer_id == buyer_id)
        .options(selectinload(AfterSale.interventions), selectinload(AfterSale.order))
    )
    return session.scalars(stmt).one_or_none()


def get_intervention(session: Session, *, buyer_id: str, number: str) -> Intervention | None:
    """The buyer's intervention by number, with its evidence; None when it is not theirs."""
    stmt = (
        select(Intervention)
        .join(Intervention.aftersale)
        .join(AfterSale.order)
        .where(Intervention.number == number, Order.buyer_id == buyer_id)
        .options(selectinload(Intervention.evidence), selectinload(Intervention.aftersale))
    )
    return session.scalars(stmt).one_or_none()


def find_open_intervention(session: Session, *, aftersale_id: str) -> Intervention | None:
    """The service order's open (submitted/evidence/review) intervention, if any."""
    stmt = select(Intervention).where(
        Intervention.aftersale_id == aftersale_id,
        Intervention.status.in_(OPEN_INTERVENTION_STATUSES),
    )
    return session.scalars(stmt).one_or_none()


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditLog:
    """Record one write in the audit log."""
    row = AuditLog(
        at=at or now(),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        detail=detail or {},
    )
    session.add(row)
    return row


def open_intervention(
    session: Session,
    *,
    aftersale_id: str,
    number: str,
    problem: str,
    description: str,
    evidence: Iterable[tuple[str, str]],
    opened_at: datetime,
    evidence_due_at: datetime | None,
    decision_due_at: datetime | None,
    actor: str,
) -> Intervention:
    """File a submitted intervention, lock its service order, store the evidence and audit it.

    Raises ``AlreadyInIntervention`` (carrying the open one) when the service order already
    has an open intervention, ``NotFound`` when the service order does not exist.
    """
    aftersale = session.get(AfterSale, aftersale_id)
    if aftersale is None:
        raise NotFound(f"service order {aftersale_id!r} does not exist")
    existing = find_open_intervention(session, aftersale_id=aftersale_id)
    if existing is not None:
        raise AlreadyInIntervention(existing)
    try:
        # A savepoint, so that losing a race to a concurrent filing leaves the caller's
        # transaction usable for reading the winner.
        with session.begin_nested():
            intervention = Intervention(
                number=number,
                aftersale=aftersale,
                status="submitted",
                problem=problem,
                description=description,
                opened_at=opened_at,
                evidence_due_at=evidence_due_at,
                decision_due_at=decision_due_at,
                source="bot",
                evidence=[
                    EvidenceItem(kind=k, description=d, added_at=opened_at) for k, d in evidence
                ],
            )
            session.add(intervention)
            aftersale.locked = True
    except IntegrityError:
        existing = find_open_intervention(session, aftersale_id=aftersale_id)
        if existing is None:
            raise
        raise AlreadyInIntervention(existing) from None
    audit(
        session,
        actor=actor,
        action="open_intervention",
        entity="interventions",
        entity_id=number,
        at=opened_at,
        detail={
            "aftersale_id": aftersale_id,
            "problem": problem,
            "evidence": len(intervention.evidence),
        },
    )
    return intervention


def add_evidence(
    session: Session,
    *,
    number: str,
    kind: str,
    description: str,
    actor: str,
    added_at: datetime | None = None,
) -> EvidenceItem:
    """Attach one piece of evidence to an intervention and audit it."""
    intervention = _one(
        session, Intervention, Intervention.number == number, f"intervention {number!r}"
    )
    item = EvidenceItem(kind=kind, description=description, added_at=added_at or now())
    intervention.evidence.append(item)
    audit(
        session,
        actor=actor,
        action="add_evidence",
        entity="interventions",
        entity_id=number,
        detail={"kind": kind},
        at=item.added_at,
    )
    return item


def create_complaint(
    session: Session,
    *,
    number: str,
    buyer_id: str,
    shop_id: str,
    category: str,
    description: str,
    actor: str,
    order_id: str | None = None,
    created_at: datetime | None = None,
) -> Complaint:
    """File a complaint (投诉) against a shop and audit it."""
    complaint = Complaint(
        number=number,
        buyer_id=buyer_id,
        shop_id=shop_id,
        order_id=order_id,
        category=category,
        description=description,
        created_at=created_at or now(),
        status="submitted",
    )
    session.add(complaint)
    session.flush()
    audit(
        session,
        actor=actor,
        action="create_complaint",
        entity="complaints",
        entity_id=number,
        at=complaint.created_at,
        detail={"shop_id": shop_id, "order_id": order_id, "category": category},
    )
    return complaint


def create_handoff(
    session: Session,
    *,
    conversation_id: str,
    reason: str,
    summary: str,
    actor: str,
    buyer_id: str | None = None,
    created_at: datetime | None = None,
    details: dict[str, Any] | None = None,
) -> Handoff:
    """Queue the conversation for a human agent and audit it."""
    at = created_at or now()
    handoff = Handoff(
        conversation_id=conversation_id,
        buyer_id=buyer_id,
        reason=reason,
        summary=summary,
        details=details or {},
        created_at=at,
        updated_at=at,
        status="open",
    )
    session.add(handoff)
    session.flush()
    audit(
        session,
        actor=actor,
        action="create_handoff",
        entity="handoffs",
        entity_id=str(handoff.id),
        at=handoff.created_at,
        detail={"conversation_id": conversation_id, "reason": reason},
    )
    return handoff


def get_handoff(session: Session, *, handoff_id: int) -> Handoff | None:
    """The hand-off with its notes; None when it does not exist."""
    stmt = select(Handoff).where(Handoff.id == handoff_id).options(selectinload(Handoff.notes))
    return session.scalars(stmt).one_or_none()


def list_handoffs(session: Session, *, statuses: Iterable[str]) -> list[Handoff]:
    """Hand-offs in ``statuses``, oldest first (the queue order)."""
    stmt = (
        select(Handoff)
        .where(Handoff.status.in_(list(statuses)))
        .order_by(Handoff.created_at, Handoff.id)
        .options(selectinload(Handoff.notes))
    )
    return list(session.scalars(stmt))


def latest_handoff(session: Session, *, conversation_id: str) -> Handoff | None:
    """The conversation's most recent hand-off, whatever its status."""
    stmt = (
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id)
        .order_by(Handoff.created_at.desc(), Handoff.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def count_open_before(session: Session, *, handoff: Handoff) -> int:
    """How many open hand-offs are ahead of ``handoff`` in the queue."""
    ahead = (Handoff.created_at < handoff.created_at) | (
        (Handoff.created_at == handoff.created_at) & (Handoff.id < handoff.id)
    )
    stmt = select(func.count()).select_from(Handoff).where(Handoff.status == "open", ahead)
    return session.scalar(stmt) or 0


def move_handoff(
    session: Session,
    *,
    handoff_id: int,
    status: str,
    agent: str,
    at: datetime | None = None,
) -> Handoff:
    """Move a hand-off through the state machine on behalf of ``agent``, atomically.

    ``taken``: only from ``open`` — one conditional UPDATE (``WHERE status = 'open'``), so
    of two agents racing exactly one changes the row; ``closed``/``handed_back``: only by
    the agent holding it (an open one may also be closed). Any other state raises
    ``HandoffConflict`` naming what the row holds now, and writes nothing; an unknown id
    raises ``NotFound``.
    """
    at = at or now()
    allowed_from = [s for s in HANDOFF_STATUSES if status in allowed_transitions("handoff", s)]
    if not allowed_from:
        raise InvalidTransition("handoff", "open", status)
    values: dict[str, Any] = {"status": status, "updated_at": at}
    if status == "taken":
        values |= {"taken_by": agent, "taken_at": at}
    else:
        values["closed_at"] = at
    condition = (Handoff.id == handoff_id) & Handoff.status.in_(allowed_from)
    if status != "taken":
        condition &= (Handoff.status == "open") | (Handoff.taken_by == agent)
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Handoff)
            .where(condition)
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    )
    handoff = session.get(Handoff, handoff_id, populate_existing=True)
    if handoff is None:
        raise NotFound(f"hand-off {handoff_id} does not exist")
    if result.rowcount != 1:
        raise HandoffConflict(
            handoff.id,
            status=handoff.status,
            taken_by=handoff.taken_by,
            taken_at=handoff.taken_at,
            wanted=status,
        )
    audit(
        session,
        actor=f"agent:{agent}",
        action="move_handoff",
        entity="handoffs",
        entity_id=str(handoff_id),
        at=at,
        detail={"to": status},
    )
    return handoff


def add_handoff_note(
    session: Session,
    *,
    handoff_id: int,
    author: str,
    text: str,
    at: datetime | None = None,
) -> HandoffNote:
    """Attach an agent's note to a hand-off and audit it."""
    handoff = _one(session, Handoff, Handoff.id == handoff_id, f"hand-off {handoff_id}")
    note = HandoffNote(author=author, text=text, created_at=at or now())
    handoff.notes.append(note)
    session.flush()
    audit(
        session,
        actor=f"agent:{author}",
        action="add_handoff_note",
        entity="handoffs",
        entity_id=str(handoff_id),
        at=note.created_at,
        detail={"note_id": note.id},
    )
    return note


def _one(session: Session, model: type, condition, label: str):
    row = session.scalars(select(model).where(condition)).one_or_none()
    if row is None:
        raise NotFound(f"{label} does not exist")
    return row


@overload
def yuan(fen: int) -> Decimal: ...


@overload
def yuan(fen: None) -> None: ...


def yuan(fen: int | None) -> Decimal | None:
    """Integer fen → Decimal yuan with two places (19900 → Decimal('199.00'))."""
    return None if fen is None else Decimal(fen).scaleb(-2)


def to_facts(order: Order) -> OrderFacts:
    """The pure facts the business rules reason over, from a loaded order row."""
    return OrderFacts(
        id=order.id,
        buyer_id=order.buyer_id,
        platform=order.shop.platform,
        shop_name=order.shop.name,
        self_operated=order.shop.self_operated,
        title=order.title,
        goods_type=order.goods_type,
        amount=yuan(order.amount_fen),
        payment_method=order.payment_method,
        status=order.status,
        created_at=order.created_at,
        paid_at=order.paid_at,
        shipped_at=order.shipped_at,
        delivered_at=order.delivered_at,
        completed_at=order.completed_at,
        aftersales=tuple(_aftersale_facts(a) for a in order.aftersales),
    )


def _aftersale_facts(a: AfterSale) -> AfterSaleFacts:
    return AfterSaleFacts(
        id=a.id,
        type=a.type,
        status=a.status,
        requested_at=a.requested_at,
        reason=a.reason,
        amount=yuan(a.amount_fen),
        buyer_modified_at=a.buyer_modified_at,
        merchant_rejected_at=a.merchant_rejected_at,
        merchant_agreed_at=a.merchant_agreed_at,
        buyer_shipped_at=a.buyer_shipped_at,
        merchant_received_at=a.merchant_received_at,
        refunded_at=a.refunded_at,
        reshipped_at=a.reshipped_at,
        dispute_opened_at=a.dispute.opened_at if a.dispute else None,
        interventions=tuple(intervention_facts(i) for i in a.interventions),
    )


def intervention_facts(i: Intervention) -> InterventionFacts:
    """The pure facts of one intervention row."""
    return InterventionFacts(
        number=i.number,
        status=i.status,
        opened_at=i.opened_at,
        evidence_due_at=i.evidence_due_at,
        decided_at=i.decided_at,
        decision=i.decision,
    )
