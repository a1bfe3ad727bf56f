"""The app's idea of today: the real date, or the demo data's 'as at' date in demo mode."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from review.platform.config import get_settings


def today() -> date:
    """Today for date rules (overdue, days remaining): REVIEW_TODAY, the demo date, or the real date."""
    as_of = get_settings().as_of
    return as_of if as_of is not None else date.today()


def now_utc() -> datetime:
    """Timestamps (audit, comments) are always real time, in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp as an aware UTC datetime (SQLite returns them without a zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


COUNCIL_TIMEZONE = ZoneInfo("Europe/London")


def local(moment: datetime) -> datetime:
    """A stored timestamp in the council's local time (Europe/London, GMT or BST); naive ones are UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(COUNCIL_TIMEZONE)


def local_time(moment: datetime | None) -> str:
    """A timestamp as people in the council read it: '15 Nov 2019 14:03 GMT' (blank when there is none)."""
    return "" if moment is None else f"{local(moment):%d %b %Y %H:%M %Z}"


def days_text(days: int | None) -> str:
    """Days to a date as people say it, the same everywhere: '16 days overdue', 'due today', 'in 3 days'."""
    if days is None or pd_isna(days):
        return ""
    days = int(days)
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} overdue"
    if days == 0:
        return "due today"
    return f"in {days} day{'s' if days != 1 else ''}"


def pd_isna(value: object) -> bool:
    """True for None and for pandas' and numpy's missing values (NaN, NaT, NA)."""
    try:
        return bool(value != value)  # NaN is not equal to itself
    except TypeError:
        return True  # pandas' NA cannot be compared at all
