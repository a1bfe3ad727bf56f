"""The app's idea of today: the real date, or the demo data's 'as at' date in demo mode."""
from __future__ import annotations

from datetime import UTC, date, datetime

from review.platform.config import get_settings


def today() -> date:
    """Today for date rules (overdue, days remaining): REVIEW_TODAY, the demo date, or the real date."""
    as_of = get_settings().as_of
    return as_of if as_of is not None else date.today()


def now_utc() -> datetime:
    """Timestamps (audit, comments) are always real time, stored in UTC; people read them through
    `review.platform.wording.local_time_text` (the council's local time)."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp as an aware UTC datetime (SQLite returns them without a zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
