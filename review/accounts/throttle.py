"""Throttling of failed sign-ins: a temporary lockout per account name and per client (OWASP ASVS 2.2.1).

Names that match no account are counted like real ones, so a lockout message does not tell which names exist.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from review.models.sign_in import SignInThrottle
from review.platform.clock import as_utc

# Five wrong passwords in 15 minutes lock the account name for 15 minutes: a person who mistypes is barely
# slowed, a guesser gets at most 20 tries an hour (ASVS 2.2.1 allows no more than 100 an hour).
ACCOUNT_FAILURES = 5
# One client (address, or browser session when no address is known) may fail more often, as several people can
# share an office address, then is locked out too.
CLIENT_FAILURES = 20
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)


@dataclass(frozen=True)
class Limit:
    prefix: str
    failures: int


ACCOUNT = Limit("account", ACCOUNT_FAILURES)
CLIENT = Limit("client", CLIENT_FAILURES)


def account_key(username: str) -> str:
    """The throttle key counting failed sign-ins for an account name (cut to fit the key column)."""
    return f"account:{username[:180]}"


def client_key(client: str) -> str:
    """The throttle key counting failed sign-ins from one client (address, or browser session)."""
    return f"client:{client[:180]}"


def _row(session: Session, key: str) -> SignInThrottle | None:
    return session.scalar(select(SignInThrottle).where(SignInThrottle.key == key))


def locked_until(session: Session, key: str, now: datetime) -> datetime | None:
    """When the lock on `key` ends, or None when it is not locked."""
    row = _row(session, key)
    until = as_utc(row.locked_until) if row is not None and row.locked_until is not None else None
    return until if until is not None and until > now else None


def record_failure(session: Session, key: str, limit: Limit, now: datetime) -> bool:
    """Count a failure; lock the key when it reaches its limit within the window. True when it is now locked."""
    row = _row(session, key)
    if row is None:
        row = SignInThrottle(key=key, failures=0)
        session.add(row)
    started = as_utc(row.window_started_at) if row.window_started_at is not None else None
    if started is None or now - started > WINDOW:
        row.failures, row.window_started_at = 0, now
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= limit.failures:
        row.locked_until = now + LOCKOUT
        row.failures, row.window_started_at = 0, None
    session.flush()
    return locked_until(session, key, now) is not None


def record_success(session: Session, key: str, now: datetime) -> None:
    """A correct sign-in clears the account name's count of failures."""
    row = _row(session, key)
    if row is None:
        row = SignInThrottle(key=key, failures=0)
        session.add(row)
    row.failures, row.window_started_at, row.locked_until, row.last_success_at = 0, None, None, now
    session.flush()


def clear(session: Session, key: str) -> None:
    """Lift a lock (an administrator unlocks an account)."""
    row = _row(session, key)
    if row is not None:
        row.failures, row.window_started_at, row.locked_until = 0, None, None


def states(session: Session, keys: list[str]) -> dict[str, SignInThrottle]:
    """The throttle rows of the given keys, by key, so a list of accounts shows each lock state in one query."""
    return {row.key: row for row in session.scalars(select(SignInThrottle).where(SignInThrottle.key.in_(keys)))}
