"""reminders: each person's reminder frequency and the record of reminder emails sent

Revision ID: 0015
Revises: 0012
Create Date: 2026-11-30 21:40:00

Two new tables, so nothing existing is recreated. `sent_reminders` is unique per (person, day): the once-a-day rule.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_reminder_preferences_person_id_people"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_preferences")),
        sa.UniqueConstraint("person_id", name=op.f("uq_reminder_preferences_person_id")),
    )
    op.create_table(
        "sent_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_sent_reminders_person_id_people"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_reminders")),
        sa.UniqueConstraint("person_id", "sent_on", name=op.f("uq_sent_reminders_person_id_sent_on")),
    )
    with op.batch_alter_table("sent_reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sent_reminders_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sent_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sent_reminders_person_id"))
    op.drop_table("sent_reminders")
    op.drop_table("reminder_preferences")
