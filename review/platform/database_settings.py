"""What a database says about itself: whether it is a demo database (set when the demo data is loaded).

Demo accounts sign in only while demo mode is on (REVIEW_DEMO, embedded database) *and* the database is a demo
database, so a real database never accepts the demo passwords printed in the README.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from review.models.database_settings import DatabaseSetting
from review.platform.config import get_settings

DEMO_DATABASE = "demo_database"


def get(session: Session, key: str) -> str | None:
    """The stored value of a database setting, or None when it was never set."""
    row = session.get(DatabaseSetting, key)
    return None if row is None else row.value


def put(session: Session, key: str, value: str) -> None:
    """Store a database setting, adding it or replacing its value."""
    row = session.get(DatabaseSetting, key)
    if row is None:
        session.add(DatabaseSetting(key=key, value=value))
    else:
        row.value = value
    session.flush()


def is_demo_database(session: Session) -> bool:
    """True when this database was marked as holding the demo data set."""
    return get(session, DEMO_DATABASE) == "true"


def mark_demo_database(session: Session, demo: bool = True) -> None:
    """Mark the database as a demo database (demo data loaded) or a real one (demo accounts removed)."""
    put(session, DEMO_DATABASE, "true" if demo else "false")


def demo_accounts_enabled(session: Session) -> bool:
    """True when demo accounts may sign in here: demo mode is on and this database holds the demo data."""
    return get_settings().demo_mode and is_demo_database(session)
