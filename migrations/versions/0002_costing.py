"""costing: phone-line cost scenarios

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 19:26:52
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cost_scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("delivery_model", sa.String(length=120), nullable=True),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("is_illustrative", sa.Boolean(), nullable=False),
        sa.Column("is_recommended", sa.Boolean(), nullable=False),
        sa.Column("owner_username", sa.String(length=60), nullable=False),
        sa.Column("owner_name", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_scenarios")),
        sa.UniqueConstraint("name", name=op.f("uq_cost_scenarios_name")),
    )
    # At most one recommended scenario: a partial unique index on both engines.
    with op.batch_alter_table("cost_scenarios", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cost_scenarios_one_recommended",
            ["is_recommended"],
            unique=True,
            sqlite_where=sa.text("is_recommended = 1"),
            postgresql_where=sa.text("is_recommended = true"),
        )


def downgrade() -> None:
    with op.batch_alter_table("cost_scenarios", schema=None) as batch_op:
        batch_op.drop_index("ix_cost_scenarios_one_recommended")
    op.drop_table("cost_scenarios")
