"""The order database: typed SQLAlchemy 2.0 models.

Field names and values follow ``shared/fixtures/orders.schema.json``. Money is integer
fen (分), never float. Every time is timezone-aware and stored as UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from jieru.config import PLATFORMS, now
from jieru.rules.transitions import (
    AFTERSALE_STATUSES,
    HANDOFF_STATUSES,
    INTERVENTION_STATUSES,
    OPEN_INTERVENTION_STATUSES,
)

ORDER_STATUSES = (
    "awaiting_payment",
    "awaiting_shipment",
    "shipped",
    "delivered",
    "completed",
    "cancelled",
    "closed",
)
GOODS_TYPES = ("physical", "virtual")
PAYMENT_METHODS = ("online", "cod", "other")
AFTERSALE_TYPES = ("refund", "return_refund", "exchange")
DISPUTE_STATUSES = ("open", "resolved", "closed")
EVIDENCE_KINDS = ("chat_record", "photo", "logistics", "video", "other")
COMPLAINT_STATUSES = ("submitted", "processing", "resolved", "closed")
SOURCES = ("import", "bot")

ID = String(64)


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that refuses naive values, stores UTC and always
    returns aware UTC datetimes (SQLite would otherwise drop the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: times must carry a timezone")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def choice(name: str, values: tuple[str, ...]) -> Enum:
    """A portable enumerated string column: VARCHAR plus a named CHECK constraint."""
    return Enum(
        *values,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(map(len, values)),
    )


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class Buyer(Base):
    __tablename__ = "buyers"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)

    orders: Mapped[list[Order]] = relationship(back_populates="buyer")


class Shop(Base):
    __tablename__ = "shops"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    platform: Mapped[str] = mapped_column(choice("platform", PLATFORMS))
    # JD 自营: sold by the platform itself rather than a third-party merchant.
    self_operated: Mapped[bool] = mapped_column(default=False)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("amount_fen >= 0", name="amount_fen_not_negative"),
        CheckConstraint("length(id) BETWEEN 8 AND 20", name="id_length"),
    )

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    buyer_id: Mapped[str] = mapped_column(ForeignKey("buyers.id"), index=True)
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    goods_type: Mapped[str] = mapped_column(choice("goods_type", GOODS_TYPES))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    payment_method: Mapped[str] = mapped_column(choice("payment_method", PAYMENT_METHODS))
    status: Mapped[str] = mapped_column(choice("order_status", ORDER_STATUSES))
    created_at: Mapped[datetime] = mapped_column(default=now)
    paid_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    buyer: Mapped[Buyer] = relationship(back_populates="orders")
    shop: Mapped[Shop] = relationship()
    aftersales: Mapped[list[AfterSale]] = relationship(
        back_populates="order", order_by="AfterSale.requested_at"
    )


class AfterSale(Base):
    """A service order (服务单): the buyer's refund, return or exchange request."""

    __tablename__ = "aftersales"
    __table_args__ = (
        CheckConstraint("amount_fen IS NULL OR amount_fen >= 0", name="amount_fen_not_negative"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    type: Mapped[str] = mapped_column(choice("aftersale_type", AFTERSALE_TYPES))
    status: Mapped[str] = mapped_column(choice("aftersale_status", AFTERSALE_STATUSES))
    reason: Mapped[str | None] = mapped_column(Text)
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    requested_at: Mapped[datetime] = mapped_column(default=now)
    buyer_modified_at: Mapped[datetime | None]
    merchant_rejected_at: Mapped[datetime | None]
    merchant_agreed_at: Mapped[datetime | None]
    buyer_shipped_at: Mapped[datetime | None]
    merchant_received_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]
    reshipped_at: Mapped[datetime | None]
    # JD: once an intervention is filed the merchant can only look; the service order
    # shows as locked (服务单显示为锁定状态). True while an intervention is open.
    locked: Mapped[bool] = mapped_column(default=False)

    order: Mapped[Order] = relationship(back_populates="aftersales")
    dispute: Mapped[Dispute | None] = relationship(back_populates="aftersale")
    interventions: Mapped[list[Intervention]] = relationship(
        back_populates="aftersale", order_by="Intervention.opened_at"
    )


class Dispute(Base):
    """A trade dispute (交易纠纷) the buyer opened on a service order."""

    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    aftersale_id: Mapped[str] = mapped_column(ForeignKey("aftersales.id"), unique=True)
    opened_at: Mapped[datetime] = mapped_column(default=now)
    status: Mapped[str] = mapped_column(choice("dispute_status", DISPUTE_STATUSES), default="open")

    aftersale: Mapped[AfterSale] = relationship(back_populates="dispute")


class Intervention(Base):
    """A platform intervention (介入单) on a service order."""

    __tablename__ = "interventions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(ID, unique=True)
    aftersale_id: Mapped[str] = mapped_column(ForeignKey("aftersales.id"), index=True)
    status: Mapped[str] = mapped_column(
        choice("intervention_status", INTERVENTION_STATUSES), default="submitted"
    )
    problem: Mapped[str | None] = mapped_column(
        String(64)
    )  # the intent, e.g. report_refund_refused
    description: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(default=now)
    evidence_due_at: Mapped[datetime | None]
    decision_due_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decision: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(choice("source", SOURCES), default="bot")

    aftersale: Mapped[AfterSale] = relationship(back_populates="interventions")
    evidence: Mapped[list[EvidenceItem]] = relationship(
        back_populates="intervention", order_by="EvidenceItem.id"
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_INTERVENTION_STATUSES


# At most one open intervention per service order, enforced by the database itself.
_open = Intervention.__table__.c.status.in_(sorted(OPEN_INTERVENTION_STATUSES))
Index(
    "uq_interventions_one_open_per_aftersale",
    Intervention.aftersale_id,
    unique=True,
    sqlite_where=_open,
    postgresql_where=_open,
)


class EvidenceItem(Base):
    __tablename__ = "evidence_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    intervention_id: Mapped[int] = mapped_column(ForeignKey("interventions.id"), index=True)
    kind: Mapped[str] = mapped_column(choice("evidence_kind", EVIDENCE_KINDS))
    description: Mapped[str] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(default=now)
    # --- widget: an uploaded file (issue 14); all None for evidence the buyer only named ---
    # Where jieru.storage keeps the file (never in the database), what it is, and the
    # kb/evidence.yml checklist item it ticks.
    file_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    media_type: Mapped[str | None] = mapped_column(String(32))
    size_bytes: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    checklist_item: Mapped[str | None] = mapped_column(String(64))
    # --- end widget ---

    intervention: Mapped[Intervention] = relationship(back_populates="evidence")


class Complaint(Base):
    """A complaint (投诉) about a shop, as opposed to an intervention on a service order."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(ID, unique=True)
    buyer_id: Mapped[str] = mapped_column(ForeignKey("buyers.id"), index=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"))
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id"))
    category: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
    status: Mapped[str] = mapped_column(
        choice("complaint_status", COMPLAINT_STATUSES), default="submitted"
    )


class Handoff(Base):
    """A conversation handed to a human agent."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    # No foreign key: a buyer who is not (yet) in the order database can still reach a human.
    buyer_id: Mapped[str | None] = mapped_column(ID)
    reason: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    # The bot's summary as data (buyer, order, problem, eligibility decision with its
    # rule, times and source, what the bot did, numbers filed): see jieru.services.agents.
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=now)
    status: Mapped[str] = mapped_column(choice("handoff_status", HANDOFF_STATUSES), default="open")
    taken_by: Mapped[str | None] = mapped_column(String(64))  # the agent's id (token ``sub``)
    taken_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # closed or handed back to the bot
    updated_at: Mapped[datetime] = mapped_column(default=now)

    notes: Mapped[list[HandoffNote]] = relationship(
        back_populates="handoff", order_by="HandoffNote.id"
    )


# The queue: open hand-offs, oldest first.
Index("ix_handoffs_status_created_at", Handoff.status, Handoff.created_at)


class HandoffNote(Base):
    """An agent's note on a hand-off (not shown to the buyer)."""

    __tablename__ = "handoff_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)

    handoff: Mapped[Handoff] = relationship(back_populates="notes")


class AuditLog(Base):
    """One row for every write: who did what to which row."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=now, index=True)
    actor: Mapped[str] = mapped_column(String(64))  # "bot", "import", "agent:<name>"
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


# --- widget: reminders (issue 14) ---
REMINDER_STATUSES = ("pending", "fired", "cancelled")


class Reminder(Base):
    """ "Remind me when I may apply": kept here so that it survives a restart of any server;
    the web service fires due ones through the Rasa server's HTTP API."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key to buyers, as for hand-offs: the conversation is what is reminded.
    buyer_id: Mapped[str] = mapped_column(ID, index=True)
    conversation_id: Mapped[str] = mapped_column(String(255))
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    aftersale_id: Mapped[str | None] = mapped_column(ForeignKey("aftersales.id"))
    due_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    status: Mapped[str] = mapped_column(
        choice("reminder_status", REMINDER_STATUSES), default="pending"
    )
    fired_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)


# --- end widget ---
