"""User accounts: who can sign in, with which role, and how (local password or single sign-on)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from review.models.base import Base, Versioned, utcnow


class User(Versioned, Base):
    __tablename__ = "users"
    # A single sign-on account is the provider's stable subject id at that issuer (never the email alone).
    __table_args__ = (Index("ix_users_oidc_identity", "oidc_issuer", "oidc_subject", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    # "" while a single sign-on account waits for an administrator to give it a role
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))  # "" for single sign-on accounts
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sign_in_method: Mapped[str] = mapped_column(String(10), default="local", server_default="local")
    oidc_issuer: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    # Sessions (and single sign-on identity tokens) issued before this are no longer accepted.
    sessions_revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
