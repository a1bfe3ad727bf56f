"""merge the capability branches (costing, contracts and decisions, engagement, plan, submissions, sign-in)

Each capability's first migration branched from the foundation (0001) so they could be written in
parallel; this revision joins them into one head. New migrations revise "0008".

Revision ID: 0008
Revises: 0002, 0003, 0004, 0005, 0006, 0007
Create Date: 2026-11-27 20:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

revision: str = "0008"
down_revision: str | Sequence[str] | None = ("0002", "0003", "0004", "0005", "0006", "0007")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
