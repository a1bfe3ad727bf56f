"""decision from paper: a decision-log entry links to the paper (submission) it was taken on

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 21:55:00

`decisions.submission_id` is nullable, unique (one log entry per paper) and set to NULL if the paper is deleted.

On SQLite, batch mode recreates `decisions` (copy, drop, rename). Foreign keys are enforced there and
PRAGMA foreign_keys cannot be switched off inside the migration's transaction, so dropping the old table
would delete every decision's alternatives, consultees and links (ON DELETE CASCADE) and unlink its contract
extensions (SET NULL). The rows that refer to `decisions` are therefore copied first and put back after.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _referring_tables(inspector: sa.Inspector, table: str) -> list[str]:
    return [name for name in inspector.get_table_names()
            if any(fk["referred_table"] == table for fk in inspector.get_foreign_keys(name))]


@contextmanager
def _keeping_rows_that_refer_to(table: str) -> Iterator[None]:
    """On SQLite, keep a copy of the rows of every table that refers to `table` and restore them afterwards."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    inspector = sa.inspect(bind)
    children = _referring_tables(inspector, table)
    for child in children:
        if _referring_tables(inspector, child):  # deleting and re-adding its rows would cascade further
            raise RuntimeError(f"Table {child} refers to {table} and is itself referred to; this migration "
                               f"would have to keep those rows too.")
        op.execute(f'CREATE TEMP TABLE "keep_{child}" AS SELECT * FROM "{child}"')
    yield
    for child in children:
        op.execute(f'DELETE FROM "{child}"')
        op.execute(f'INSERT INTO "{child}" SELECT * FROM "keep_{child}"')
        op.execute(f'DROP TABLE "keep_{child}"')


def upgrade() -> None:
    with _keeping_rows_that_refer_to("decisions"), op.batch_alter_table("decisions") as batch_op:
        batch_op.add_column(sa.Column("submission_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_decisions_submission_id"), ["submission_id"], unique=True)
        batch_op.create_foreign_key(batch_op.f("fk_decisions_submission_id_submissions"), "submissions",
                                    ["submission_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    with _keeping_rows_that_refer_to("decisions"), op.batch_alter_table("decisions") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_decisions_submission_id_submissions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_decisions_submission_id"))
        batch_op.drop_column("submission_id")
