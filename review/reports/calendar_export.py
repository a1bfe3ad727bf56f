"""An iCalendar (.ics) file of the dates that need attention, for Outlook and other calendars."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pandas as pd
from icalendar import Alarm, Calendar, Event

from review.platform import clock

PRODUCT_ID = "-//SEND IAG Review Tracker//Dates needing attention//EN"
CALENDAR_NAME = "SEND IAG Review: dates needing attention"
UID_DOMAIN = "send-iag-review-tracker"
REMINDER_DAYS_BEFORE = 7  # an alarm a week ahead leaves time to act on a deadline


def _uid(row: pd.Series) -> str:
    """Stable across downloads, so importing again updates an event rather than duplicating it."""
    key = f"{row['kind']}|{row['record_type']}|{row['record_id']}|{row['Detail'][:60]}"
    return f"{row['kind']}-{row['record_type']}-{row['record_id']}-{hashlib.sha1(key.encode()).hexdigest()[:10]}" \
           f"@{UID_DOMAIN}"


def attention_calendar(frame: pd.DataFrame) -> bytes:
    """All-day events, one per row of `review.reports.attention.upcoming_dates`, each with a reminder a week before."""
    cal = Calendar()
    cal.add("prodid", PRODUCT_ID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", CALENDAR_NAME)
    stamp = clock.now_utc()
    for _, row in frame.iterrows():
        event = Event()
        event.add("uid", _uid(row))
        event.add("dtstamp", stamp)
        event.add("dtstart", row["Date"])
        event.add("dtend", row["Date"] + timedelta(days=1))
        event.add("summary", f"{row['What']}: {row['Record']}")
        event.add("description", row["Detail"])
        event.add("categories", ["SEND IAG review", row["What"]])
        event.add("transp", "TRANSPARENT")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"In {REMINDER_DAYS_BEFORE} days: {row['What']}: {row['Record']}")
        alarm.add("trigger", timedelta(days=-REMINDER_DAYS_BEFORE))
        event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()
