"""Audit log: who changed what and when (administrators)."""
from __future__ import annotations

import streamlit as st

from review.plan import tasks
from review.platform import audit, exports
from review.platform.roles import Permission, require
from ui import data
from ui.page import setup_page

ctx = setup_page("audit")
require(ctx.actor, Permission.READ_AUDIT)
st.title("Audit log")
st.caption("Every change made through the app or the command line, with before and after values. Newest first.")

with data.reading() as session:
    usernames, entities = audit.audit_filter_options(session)
c1, c2, c3, c4, c5 = st.columns([3, 3, 2, 2, 2])
who = c1.selectbox("User", [None, *usernames], format_func=lambda v: "Anyone" if v is None else v)
entity = c2.selectbox("Record type", [None, *entities], format_func=lambda v: "Any" if v is None else v)
start = c3.date_input("From", None, format="DD/MM/YYYY")
end = c4.date_input("To", None, format="DD/MM/YYYY")
limit = c5.selectbox("Show the newest", [500, 2000, 10000], format_func=lambda n: f"{n:,} events")
if start and end and end < start:
    st.error("'To' is before 'From'; showing nothing until the dates are put right.")
    st.stop()

with data.reading() as session:
    events = audit.events_frame(session, who, entity, start, end, limit=limit)
if events.empty:
    st.info("No audit events match these filters.", icon=":material/filter_alt_off:")
else:
    st.caption(f"{len(events):,} event(s) shown (the newest {limit:,} at most; narrow the filters to go further back).")
    st.dataframe(events, hide_index=True, column_config={"Changes": st.column_config.TextColumn(width="large")})
c1, c2 = st.columns(2)
c1.download_button("Download these events (CSV)", exports.to_csv_bytes(events), "audit-log.csv", "text/csv",
                   icon=":material/download:", disabled=events.empty)


def all_tasks_csv() -> bytes:
    with data.reading() as session:
        return tasks.tasks_csv(session)


c2.download_button("Download all tasks (CSV)", all_tasks_csv, "tasks.csv", "text/csv", icon=":material/download:")
