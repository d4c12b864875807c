"""Evidence files uploaded from the web widget (where the file is kept, what it is, the
checklist item it ticks) and the reminders table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Batch mode: SQLite rebuilds the table to add the unique constraint.
    with op.batch_alter_table("evidence_items") as batch:
        batch.add_column(sa.Column("file_key", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("media_type", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("size_bytes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("checklist_item", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(op.f("uq_evidence_items_file_key"), ["file_key"])
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("order_id", sa.String(length=20), nullable=False),
        sa.Column("aftersale_id", sa.String(length=64), nullable=True),
        sa.Column("due_at", TIME, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "fired",
                "cancelled",
                name="reminder_status",
                native_enum=False,
                create_constraint=True,
                length=9,
            ),
            nullable=False,
        ),
        sa.Column("fired_at", TIME, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_reminders_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["aftersale_id"], ["aftersales.id"], name=op.f("fk_reminders_aftersale_id_aftersales")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
    )
    op.create_index(op.f("ix_reminders_buyer_id"), "reminders", ["buyer_id"], unique=False)
    op.create_index(op.f("ix_reminders_due_at"), "reminders", ["due_at"], unique=False)


def downgrade() -> None:
    op.drop_table("reminders")
    with op.batch_alter_table("evidence_items") as batch:
        batch.drop_constraint(op.f("uq_evidence_items_file_key"), type_="unique")
        for column in ("checklist_item", "sha256", "size_bytes", "media_type", "file_key"):
            batch.drop_column(column)
