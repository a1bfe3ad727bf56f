"""reference counters: references for RAID items, tasks and actions handed out without collisions

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 21:45:00

`reference_counters` holds the last number given per series ("raid_items:R", "tasks:EXP"); the allocator also
looks at the highest reference already stored, so the table starts empty. `phases.reference_prefix` is the prefix
of new tasks in a phase: for an existing phase, the prefix most of its tasks' references already use (EXP, SUB,
PLN in the demo), else the first three letters of its name.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _prefix_from_name(name: str) -> str:
    return (re.sub(r"[^A-Za-z]", "", name)[:3] or "T").upper()


def upgrade() -> None:
    op.create_table(
        "reference_counters",
        sa.Column("series", sa.String(length=60), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", name=op.f("pk_reference_counters")),
    )
    # Adding a nullable column needs no table copy on SQLite (ALTER TABLE ADD COLUMN).
    op.add_column("phases", sa.Column("reference_prefix", sa.String(length=10), nullable=True))
    bind = op.get_bind()
    phases = bind.execute(sa.text("SELECT id, name FROM phases")).all()
    for phase_id, name in phases:
        refs = bind.execute(sa.text("SELECT reference FROM tasks WHERE phase_id = :p AND reference IS NOT NULL"),
                            {"p": phase_id}).scalars()
        used = Counter(m.group(1) for r in refs if (m := re.fullmatch(r"([A-Z]{1,10})-\d+", r)) and m.group(1) != "ACT")
        prefix = used.most_common(1)[0][0] if used else _prefix_from_name(name)
        bind.execute(sa.text("UPDATE phases SET reference_prefix = :x WHERE id = :p"), {"x": prefix, "p": phase_id})


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of `phases` would trip the tasks' foreign key.
    op.execute("ALTER TABLE phases DROP COLUMN reference_prefix")
    op.drop_table("reference_counters")
