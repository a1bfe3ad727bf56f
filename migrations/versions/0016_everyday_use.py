"""everyday use: a recommended cost scenario is locked; a generated pack can be marked issued

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 21:45:00

`cost_scenarios.is_locked` (not null, false by default; set for the scenario that is already recommended):
a locked scenario cannot be changed, unrecommended or deleted until its owner or an administrator unlocks it
with a reason. `submission_packs.issued_at` / `issued_by` (nullable): when an editor marked the pack issued to
SEND Executive; viewers download the latest issued pack. Adding columns does not recreate the tables on SQLite
(no rows referring to them are touched).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("cost_scenarios", sa.Column("is_locked", sa.Boolean(), nullable=False,
                                              server_default=sa.false()))
    op.execute("UPDATE cost_scenarios SET is_locked = is_recommended")
    op.add_column("submission_packs", sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("submission_packs", sa.Column("issued_by", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submission_packs") as batch_op:
        batch_op.drop_column("issued_by")
        batch_op.drop_column("issued_at")
    with op.batch_alter_table("cost_scenarios") as batch_op:
        batch_op.drop_column("is_locked")
