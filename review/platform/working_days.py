"""Working days in England and Wales: weekdays that are not bank holidays.

Bank holidays come from the `holidays` package (GB, subdivision ENG, which England and Wales share),
including Good Friday, Easter Monday, Christmas, Boxing Day and the substitute ("observed") days
when a holiday falls at a weekend.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

# England and Wales share one list of bank holidays; the package files them under subdivision ENG.
BANK_HOLIDAY_COUNTRY = "GB"
BANK_HOLIDAY_SUBDIVISION = "ENG"
SATURDAY = 5


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(BANK_HOLIDAY_COUNTRY, subdiv=BANK_HOLIDAY_SUBDIVISION, years=year))


def bank_holiday_name(day: date) -> str | None:
    """The bank holiday's name (e.g. "Easter Monday"), or None if the day is not one."""
    if day not in _bank_holidays(day.year):
        return None
    return holidays.country_holidays(BANK_HOLIDAY_COUNTRY, subdiv=BANK_HOLIDAY_SUBDIVISION, years=day.year).get(day)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales."""
    return day.weekday() < SATURDAY and day not in _bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (`start` itself is not counted); 0 gives `start`."""
    if days < 0:
        raise ValueError("days must be 0 or more")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
