"""council sign-in: single sign-on identities, sign-in throttling, idle sessions, settings in the database

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 21:40:00

Only columns, indexes and tables are added (no table is recreated on SQLite), so no rows need keeping.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("sign_in_method", sa.String(length=10), server_default="local",
                                      nullable=False))
        batch_op.add_column(sa.Column("oidc_issuer", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("email", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("sessions_revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_users_oidc_identity", ["oidc_issuer", "oidc_subject"], unique=True)
    with op.batch_alter_table("sign_in_sessions") as batch_op:
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("method", sa.String(length=10), nullable=True))
    op.create_table(
        "sign_in_throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_throttles")),
        sa.UniqueConstraint("key", name=op.f("uq_sign_in_throttles_key")),
    )


def downgrade() -> None:
    op.drop_table("sign_in_throttles")
    with op.batch_alter_table("sign_in_sessions") as batch_op:
        batch_op.drop_column("method")
        batch_op.drop_column("last_seen_at")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_index("ix_users_oidc_identity")
        batch_op.drop_column("sessions_revoked_at")
        batch_op.drop_column("email")
        batch_op.drop_column("oidc_subject")
        batch_op.drop_column("oidc_issuer")
        batch_op.drop_column("sign_in_method")
