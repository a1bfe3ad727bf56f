"""database settings: facts about the database itself, first whether it is a demo database

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 21:40:00

A database that already holds demo accounts was made by the demo loader, so it is marked as a demo database;
demo accounts sign in only on a demo database, and only while demo mode is on.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "database_settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_database_settings")),
    )
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM users WHERE is_demo = :yes LIMIT 1"), {"yes": True}).first():
        op.bulk_insert(table, [{"key": "demo_database", "value": "true", "updated_at": datetime.now(UTC)}])


def downgrade() -> None:
    op.drop_table("database_settings")
