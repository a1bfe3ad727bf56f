"""Server-side sign-in sessions: a random token per browser, checked on every page run.

A session ends at its absolute lifetime, after the idle timeout, when its person signs out everywhere, changes
their password or is switched off, so another open tab is signed out at its next action, not at its next reload.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from review.models import User
from review.models.sign_in import SignInSession
from review.platform import clock, database_settings
from review.platform.clock import as_utc
from review.platform.config import get_settings

# Writing "last seen" on every click would be a write per page run; once a minute is precise enough for a
# timeout counted in tens of minutes.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionCheck:
    """The user of a live session, or why there is none (shown to the person who was signed out)."""

    user: User | None
    ended_because: str | None = None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idle_timeout() -> timedelta:
    """How long a session may go unused before it ends (the idle_timeout_minutes setting)."""
    return timedelta(minutes=get_settings().idle_timeout_minutes)


def lifetime() -> timedelta:
    """How long a session lasts from sign-in however active it is (the session_lifetime_hours setting)."""
    return timedelta(hours=get_settings().session_lifetime_hours)


def start_session(session: Session, user_id: int, method: str, now: datetime | None = None) -> str:
    """A new random sign-in token for the user (only its hash is stored)."""
    now = now or clock.now_utc()
    token = secrets.token_urlsafe(32)
    session.add(SignInSession(token_hash=_token_hash(token), user_id=user_id, created_at=now,
                              expires_at=now + lifetime(), last_seen_at=now, method=method))
    session.flush()
    return token


def check_session(session: Session, token: str | None, now: datetime | None = None) -> SessionCheck:
    """The user of a live token, touching its idle clock; a dead token is deleted and the reason given."""
    if not token:
        return SessionCheck(None, "not signed in")
    now = now or clock.now_utc()
    row = session.scalar(select(SignInSession).where(SignInSession.token_hash == _token_hash(token)))
    if row is None:
        return SessionCheck(None, "Your sign-in has ended (signed out everywhere, a password change or a change "
                                  "to your account). Please sign in again.")
    user = session.get(User, row.user_id)
    last_seen = as_utc(row.last_seen_at or row.created_at)
    reason = None
    if user is None or not user.active:
        reason = "Your account has been switched off."
    elif user.is_demo and not database_settings.demo_accounts_enabled(session):
        reason = "Demo accounts are switched off on this database."
    elif as_utc(row.expires_at) <= now:
        reason = f"You were signed out after {get_settings().session_lifetime_hours} hours. Please sign in again."
    elif now - last_seen >= idle_timeout():
        reason = (f"You were signed out after {get_settings().idle_timeout_minutes} minutes without activity. "
                  "Please sign in again.")
    if reason is not None:
        session.delete(row)
        session.flush()
        return SessionCheck(None, reason)
    if now - last_seen >= TOUCH_EVERY:
        row.last_seen_at = now
    return SessionCheck(user)


def end_session(session: Session, token: str | None) -> None:
    """Sign out this browser: forget its token."""
    if token:
        session.execute(delete(SignInSession).where(SignInSession.token_hash == _token_hash(token)))


def end_all_sessions(session: Session, user_id: int, *, keep_token: str | None = None,
                     now: datetime | None = None) -> int:
    """End the user's sessions (all but `keep_token`'s); single sign-on tokens issued before now stop working too.

    Returns how many sessions were ended.
    """
    statement = delete(SignInSession).where(SignInSession.user_id == user_id)
    if keep_token:
        statement = statement.where(SignInSession.token_hash != _token_hash(keep_token))
    # A DELETE gives a CursorResult (with its rowcount); SQLAlchemy types Session.execute as returning any Result.
    ended = cast(CursorResult[Any], session.execute(statement)).rowcount or 0
    user = session.get(User, user_id)
    if user is not None:
        user.sessions_revoked_at = now or clock.now_utc()
    session.flush()
    return ended


def live_sessions(session: Session, user_id: int) -> int:
    """How many sign-in sessions the user has open (none left after signing out everywhere)."""
    return len(session.scalars(select(SignInSession.id).where(SignInSession.user_id == user_id)).all())
