"""Initial schema: buyers, shops, orders, service orders, disputes, interventions,
evidence, complaints, handoffs and the audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Values are frozen here on purpose: a migration describes the schema as it was then.
TIME = sa.DateTime(timezone=True)
ID = sa.String(length=64)
OPEN_INTERVENTION = sa.text("status IN ('evidence', 'review', 'submitted')")


def choice(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True,
                   length=max(map(len, values)))


def pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def fk(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}"))


def index(table: str, column: str) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "buyers",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=True),
        pk("buyers"),
    )
    op.create_table(
        "shops",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("platform", choice("platform", "jd", "taobao", "tmall", "pdd", "xianyu"), nullable=False),
        sa.Column("self_operated", sa.Boolean(), nullable=False),
        pk("shops"),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("buyer_id", ID, nullable=False),
        sa.Column("shop_id", ID, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("goods_type", choice("goods_type", "physical", "virtual"), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("payment_method", choice("payment_method", "online", "cod", "other"), nullable=False),
        sa.Column("status", choice(
            "order_status", "awaiting_payment", "awaiting_shipment", "shipped", "delivered",
            "completed", "cancelled", "closed"), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("paid_at", TIME, nullable=True),
        sa.Column("shipped_at", TIME, nullable=True),
        sa.Column("delivered_at", TIME, nullable=True),
        sa.Column("completed_at", TIME, nullable=True),
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_orders_amount_fen_not_negative")),
        sa.CheckConstraint("length(id) BETWEEN 8 AND 20", name=op.f("ck_orders_id_length")),
        fk("orders", "buyer_id", "buyers"),
        fk("orders", "shop_id", "shops"),
        pk("orders"),
    )
    index("orders", "buyer_id")
    index("orders", "shop_id")
    op.create_table(
        "aftersales",
        sa.Column("id", ID, nullable=False),
        sa.Column("order_id", sa.String(length=20), nullable=False),
        sa.Column("type", choice("aftersale_type", "refund", "return_refund", "exchange"), nullable=False),
        sa.Column("status", choice(
            "aftersale_status", "requested", "merchant_rejected", "merchant_agreed", "buyer_shipped",
            "merchant_received", "refunded", "reshipped", "closed", "cancelled"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("requested_at", TIME, nullable=False),
        sa.Column("buyer_modified_at", TIME, nullable=True),
        sa.Column("merchant_rejected_at", TIME, nullable=True),
        sa.Column("merchant_agreed_at", TIME, nullable=True),
        sa.Column("buyer_shipped_at", TIME, nullable=True),
        sa.Column("merchant_received_at", TIME, nullable=True),
        sa.Column("refunded_at", TIME, nullable=True),
        sa.Column("reshipped_at", TIME, nullable=True),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.CheckConstraint("amount_fen IS NULL OR amount_fen >= 0",
                           name=op.f("ck_aftersales_amount_fen_not_negative")),
        fk("aftersales", "order_id", "orders"),
        pk("aftersales"),
    )
    index("aftersales", "order_id")
    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("aftersale_id", ID, nullable=False),
        sa.Column("opened_at", TIME, nullable=False),
        sa.Column("status", choice("dispute_status", "open", "resolved", "closed"), nullable=False),
        fk("disputes", "aftersale_id", "aftersales"),
        pk("disputes"),
        sa.UniqueConstraint("aftersale_id", name=op.f("uq_disputes_aftersale_id")),
    )
    op.create_table(
        "interventions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", ID, nullable=False),
        sa.Column("aftersale_id", ID, nullable=False),
        sa.Column("status", choice(
            "intervention_status", "submitted", "evidence", "review", "decided", "withdrawn"), nullable=False),
        sa.Column("problem", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("opened_at", TIME, nullable=False),
        sa.Column("evidence_due_at", TIME, nullable=True),
        sa.Column("decision_due_at", TIME, nullable=True),
        sa.Column("decided_at", TIME, nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("source", choice("source", "import", "bot"), nullable=False),
        fk("interventions", "aftersale_id", "aftersales"),
        pk("interventions"),
        sa.UniqueConstraint("number", name=op.f("uq_interventions_number")),
    )
    index("interventions", "aftersale_id")
    # At most one open intervention per service order.
    op.create_index(
        "uq_interventions_one_open_per_aftersale", "interventions", ["aftersale_id"], unique=True,
        sqlite_where=OPEN_INTERVENTION, postgresql_where=OPEN_INTERVENTION,
    )
    op.create_table(
        "evidence_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intervention_id", sa.Integer(), nullable=False),
        sa.Column("kind", choice("evidence_kind", "chat_record", "photo", "logistics", "video", "other"),
                  nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("added_at", TIME, nullable=False),
        fk("evidence_items", "intervention_id", "interventions"),
        pk("evidence_items"),
    )
    index("evidence_items", "intervention_id")
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", ID, nullable=False),
        sa.Column("buyer_id", ID, nullable=False),
        sa.Column("order_id", sa.String(length=20), nullable=True),
        sa.Column("shop_id", ID, nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("status", choice("complaint_status", "submitted", "processing", "resolved", "closed"),
                  nullable=False),
        fk("complaints", "buyer_id", "buyers"),
        fk("complaints", "order_id", "orders"),
        fk("complaints", "shop_id", "shops"),
        pk("complaints"),
        sa.UniqueConstraint("number", name=op.f("uq_complaints_number")),
    )
    index("complaints", "buyer_id")
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("buyer_id", ID, nullable=True),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("status", choice("handoff_status", "open", "taken", "closed"), nullable=False),
        pk("handoffs"),
    )
    index("handoffs", "conversation_id")
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        pk("audit_log"),
    )
    index("audit_log", "at")


def downgrade() -> None:
    for table in ("audit_log", "handoffs", "complaints", "evidence_items", "interventions",
                  "disputes", "aftersales", "orders", "shops", "buyers"):
        op.drop_table(table)
