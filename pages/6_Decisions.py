"""Decisions: the log of officer and executive decisions, each record in full, and a form to record one."""
from __future__ import annotations

import streamlit as st

from review.decisions import log as decisions
from review.decisions.log import CALL_IN_LABELS
from review.platform.roles import Permission
from ui import data
from ui.decision_components import load_lookups, show_add_form, show_edit_form, show_log, show_record
from ui.page import setup_page

ctx = setup_page("decisions")
can_edit = ctx.actor.can(Permission.EDIT_DECISIONS)
st.title("Decisions")
st.caption("Officer key decisions and executive decisions with what regulation 13 requires: reasons, alternatives "
           "rejected, consultation, conflicts of interest, and the call-in period.")

names = ["Decision log", "Full record"] + (["Record a decision"] if can_edit else [])
tabs = dict(zip(names, st.tabs(names, key="decisions_tab", on_change="rerun"), strict=True))

with tabs["Decision log"]:
    c1, c2 = st.columns([2, 3])
    statuses = c1.multiselect("Status", list(CALL_IN_LABELS), format_func=CALL_IN_LABELS.get, key="log_status")
    text = c2.text_input("Search reference or title", key="log_text", placeholder="e.g. KIDS hubs")
    with data.reading() as session:
        log = decisions.decisions_frame(session, statuses, text)
    if log.empty:
        st.info("No decisions match." + (" Record one in the 'Record a decision' tab." if can_edit else ""),
                icon=":material/gavel:")
    else:
        show_log(log)

with tabs["Full record"]:
    with data.reading() as session:
        options = decisions.decision_options(session)
    if not options:
        st.info("No decisions recorded yet.", icon=":material/gavel:")
    else:
        if st.session_state.get("decision_choice") not in options:
            st.session_state.pop("decision_choice", None)
        chosen = st.selectbox("Decision", list(options), format_func=options.get, key="decision_choice")
        with data.reading() as session:
            record = decisions.decision_record(session, chosen)
        show_record(record)
        if can_edit:
            show_edit_form(ctx.actor, chosen, load_lookups())

if can_edit:
    with tabs["Record a decision"]:
        show_add_form(ctx.actor, load_lookups(), ctx.settings.call_in_working_days)
