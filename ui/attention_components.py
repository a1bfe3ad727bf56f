"""'What needs attention': the dates coming up, as a table with days remaining and an .ics download."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from review.platform import clock
from review.platform.wording import days_to_go
from review.reports import attention, calendar_export
from ui import data, download, tables

DATE_FORMAT = "DD MMM YYYY"
HORIZON_CHOICES = {30: "Next 30 days", 90: "Next 3 months", 180: "Next 6 months", 365: "Next 12 months",
                   730: "Next 2 years"}
TABLE_COLUMNS = ["Date", "Days remaining", "What", "Record", "Detail"]


def load(horizon_days: int = attention.DEFAULT_HORIZON_DAYS) -> pd.DataFrame:
    with data.reading() as session:
        return attention.upcoming_dates(session, horizon_days=horizon_days)


def show_table(frame: pd.DataFrame, height: int | None = None) -> None:
    shown = frame[TABLE_COLUMNS].assign(**{"Days remaining": frame["Days remaining"].map(days_to_go)})
    tables.show(shown, hide_index=True, height=height or "auto", column_config={
        "Date": st.column_config.DateColumn("Date", format=DATE_FORMAT, width=100),
        "Days remaining": st.column_config.TextColumn("Days remaining", width=125),
        "What": st.column_config.TextColumn("What", width=140),
        "Record": st.column_config.TextColumn("Contract or decision", width=230),
        "Detail": st.column_config.TextColumn("Detail", width=300),  # all five fit a 1366 px screen
    })


def download_button(frame: pd.DataFrame, key: str) -> None:
    download.button("Add these dates to your calendar (.ics)", lambda: calendar_export.attention_calendar(frame),
                    file_name="send-iag-review-dates.ics", mime="text/calendar", icon=":material/event:",
                    key=key, disabled=frame.empty,
                    help="An iCalendar file for Outlook or any calendar: one all-day event per date, "
                    "each with a reminder a week before.")


def show_attention(key: str = "attention") -> None:
    """The full list with a horizon choice (Contracts page)."""
    horizon = st.selectbox("Period to show", list(HORIZON_CHOICES), index=3, format_func=HORIZON_CHOICES.get,
                           key=f"{key}_horizon")
    frame = load(horizon)
    if frame.empty:
        st.success("Nothing needs attention in this period.", icon=":material/check_circle:")
    else:
        overdue = int((frame["Days remaining"] < 0).sum())
        note = f" ({overdue} overdue)" if overdue else ""
        st.caption(f"{len(frame)} date(s) as at {clock.today():%d %b %Y}{note}: contract ends, notice deadlines, "
                   "call-in deadlines and KPI returns due, soonest first.")
        show_table(frame)
    download_button(frame, f"{key}_ics")


def show_summary(limit: int = 6) -> None:
    """The first few dates (home page), with a link to the full list and the calendar download."""
    st.subheader("What needs attention")
    frame = load()
    if frame.empty:
        st.success("No contract, decision or KPI dates in the next 12 months.", icon=":material/check_circle:")
        return
    soon = frame.head(limit)
    more = f" Showing the first {limit} of {len(frame)}." if len(frame) > limit else ""
    st.caption(f"Dates in the next 12 months, soonest first.{more}")
    show_table(soon)
    left, right = st.columns([1, 1])
    with left:
        st.page_link("pages/5_Contracts.py", label="All dates, contracts and KPIs", icon=":material/description:")
    with right:
        download_button(frame, "home_attention_ics")
