"""Audit log: who changed what and when, in words (administrators)."""
from __future__ import annotations

import streamlit as st

from review.platform import exports
from review.platform.roles import Permission, require
from review.reports import audit_log
from ui import data, download
from ui.page import setup_page

ctx = setup_page("audit")
require(ctx.actor, Permission.READ_AUDIT)
st.title("Audit log")
st.caption("Every change made through the app or the command line, with before and after values as the app shows "
           "them. Newest first; times are UK time (GMT or BST). Open an event below to read it in full.")

with data.reading() as session:
    usernames, entities = audit_log.filter_options(session)
c1, c2, c3 = st.columns([2, 2, 2])
record = c1.text_input("Record reference or name", key="audit_record", placeholder="e.g. EXP-15, R-03")
who = c2.selectbox("User", [None, *usernames], format_func=lambda v: "Anyone" if v is None else v, key="audit_who")
entity = c3.selectbox("Record type", [None, *entities], format_func=lambda v: "Any" if v is None else entities[v],
                      key="audit_entity")
c4, c5, c6 = st.columns([2, 2, 2])
start = c4.date_input("From", None, format="DD/MM/YYYY", key="audit_from")
end = c5.date_input("To", None, format="DD/MM/YYYY", key="audit_to")
limit = c6.selectbox("Show the newest", [500, 2000, 10000], format_func=lambda n: f"{n:,} events", key="audit_limit")
if start and end and end < start:
    st.error("'To' is before 'From'; showing nothing until the dates are put right.")
    st.stop()

with data.reading() as session:
    found = audit_log.find_events(session, who, entity, start, end, record, limit=limit)
    events = audit_log.events_in_words(session, found)
if events.empty:
    st.info("No audit events match these filters." + (" Check the reference, or clear it." if record else ""),
            icon=":material/filter_alt_off:")
    st.stop()
st.caption(f"{len(events):,} event(s) shown (the newest {limit:,} at most; narrow the filters to go further back).")
st.dataframe(events, hide_index=True, key="audit_table",
             column_config={"Changes": st.column_config.TextColumn(width="large")})
download.button("Download these events (CSV)", lambda: exports.to_csv_bytes(events), "audit-log.csv", "text/csv",
                icon=":material/download:")

st.subheader("An event in full")
labels = dict(zip(events.index.astype(int), "Event " + events.index.astype(str) + " · " + events["When"] + " · "
                  + events["Who"] + " · " + events["Action"] + " · "
                  + events["Record"], strict=True))
chosen = st.selectbox("Event", list(labels), format_func=labels.get,
                      key=f"audit_event_{hash((record, who, entity, start, end, limit))}")
with data.reading() as session:
    facts, changes = audit_log.event_in_full(session, chosen)
left, right = st.columns([1, 2])
with left:
    for label, value in facts.items():
        if value:
            st.text(f"{label}: {value}")
with right:
    if changes.empty:
        st.caption("This event changed no recorded fields.")
    else:
        st.dataframe(changes, hide_index=True, key="audit_event_changes",
                     column_config={c: st.column_config.TextColumn(width="large") for c in ("Before", "After")})
