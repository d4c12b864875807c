"""Agent queue: the hand-off's structured summary, who took it and when, the
handed_back status, and agents' notes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Values are frozen here on purpose: a migration describes the schema as it was then.
TIME = sa.DateTime(timezone=True)
OLD_STATUSES = ("open", "taken", "closed")
NEW_STATUSES = ("open", "taken", "closed", "handed_back")


def status_type(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name="handoff_status", native_enum=False, create_constraint=True,
                   length=max(map(len, values)))


def _set_statuses(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    # Batch mode: SQLite rebuilds the table, PostgreSQL alters it in place.
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_constraint(op.f("ck_handoffs_handoff_status"), type_="check")
        batch.alter_column("status", existing_type=sa.String(max(map(len, old))),
                           type_=sa.String(max(map(len, new))), existing_nullable=False)
        batch.create_check_constraint(
            "handoff_status", sa.column("status").in_(new)
        )


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("details", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("taken_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("taken_at", TIME, nullable=True))
        batch.add_column(sa.Column("closed_at", TIME, nullable=True))
        batch.add_column(sa.Column("updated_at", TIME, nullable=True))
    op.execute("UPDATE handoffs SET updated_at = created_at")
    with op.batch_alter_table("handoffs") as batch:
        # The defaults only filled existing rows; the models supply values from now on.
        batch.alter_column("details", server_default=None, existing_type=sa.JSON())
        batch.alter_column("updated_at", nullable=False, existing_type=TIME)
    _set_statuses(OLD_STATUSES, NEW_STATUSES)
    op.create_index(op.f("ix_handoffs_status_created_at"), "handoffs", ["status", "created_at"])
    op.create_table(
        "handoff_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"],
                                name=op.f("fk_handoff_notes_handoff_id_handoffs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_notes")),
    )
    op.create_index(op.f("ix_handoff_notes_handoff_id"), "handoff_notes", ["handoff_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_handoff_notes_handoff_id"), table_name="handoff_notes")
    op.drop_table("handoff_notes")
    op.drop_index(op.f("ix_handoffs_status_created_at"), table_name="handoffs")
    # A hand-back is a kind of closing in the old vocabulary.
    op.execute("UPDATE handoffs SET status = 'closed' WHERE status = 'handed_back'")
    _set_statuses(NEW_STATUSES, OLD_STATUSES)
    with op.batch_alter_table("handoffs") as batch:
        for column in ("updated_at", "closed_at", "taken_at", "taken_by", "details"):
            batch.drop_column(column)
