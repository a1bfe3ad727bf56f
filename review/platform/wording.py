"""How the app says things people read: days to a date or past it, and times in the council's local time.

One way of saying how late something is ("16 days overdue", never "-16 days to go"), used by the home page,
the executive dashboard, the highlight report and "What needs attention"; and one way of showing a moment in time
(Europe/London, with the zone named: "30 Nov 2019 14:05 GMT", "01 Jul 2019 09:30 BST").
"""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd

COUNCIL_TIME_ZONE = ZoneInfo("Europe/London")  # an English county council: GMT in winter, BST in summer
BLANK = ""  # what a missing value reads as in a table (never "None", "NaN" or "NaT")


def days_to_go(days: int) -> str:
    """Days from today to a date in words: '4 days', '1 day', 'today', '1 day overdue', '16 days overdue'."""
    if days == 0:
        return "today"
    count = abs(int(days))
    unit = "day" if count == 1 else "days"
    return f"{count} {unit}" if days > 0 else f"{count} {unit} overdue"


def days_late(days: int) -> str:
    """Days past a due date in words: '16 days overdue'; not late (0 or less, e.g. a blocked task): BLANK."""
    return days_to_go(-int(days)) if days > 0 else BLANK


def local_time(moment: datetime) -> datetime:
    """A moment in the council's local time (a naive datetime is taken as UTC, as the database stores it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(COUNCIL_TIME_ZONE)


def local_time_text(moment: datetime | None) -> str:
    """'30 Nov 2019 14:05 GMT': the council's local time with its zone named (BLANK when there is none)."""
    if moment is None:
        return BLANK
    local = local_time(moment)
    return f"{local:%d %b %Y %H:%M} {local.tzname()}"


def blank_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values in text columns as BLANK, so a table never shows "None" or "nan" (a copy when there is one to
    fill; the frame itself, unchanged, when there is none).

    Number and date columns keep their type (sorting stays right); tables show their gaps as BLANK through
    `placeholder` (ui.tables).
    """
    out = None  # copied only when a column has a gap to fill: most tables have none, and pages draw them every run
    for col in frame.columns:
        column = frame[col]
        if (column.dtype == object or pd.api.types.is_string_dtype(column.dtype)) and column.isna().any() \
                and column.dropna().map(lambda v: isinstance(v, str)).all():
            if out is None:
                out = frame.copy()
            out[col] = column.fillna(BLANK)
    return frame if out is None else out
