"""Decisions: the log of officer and executive decisions, each record in full, and a form to record one."""
from __future__ import annotations

import streamlit as st

from review.decisions import log as decisions
from review.decisions.log import CALL_IN_LABELS
from review.platform.roles import Permission
from ui import data, forms
from ui.decision_components import load_lookups, show_add_form, show_edit_form, show_log, show_record
from ui.page import setup_page

ctx = setup_page("decisions")
can_edit = ctx.actor.can(Permission.EDIT_DECISIONS)
st.title("Decisions")
st.caption("Officer key decisions and executive decisions with what regulation 13 requires: reasons, alternatives "
           "rejected, consultation, conflicts of interest, and the call-in period.")

names = ["Decision log", "Full record"] + (["Record a decision"] if can_edit else [])
# Only the open tab runs (choosing another reruns the page); reads are cached per data version for everyone, and the
# log's filters and the chosen record are kept while another tab is open.
tabs = dict(zip(names, st.tabs(names, key="decisions_tab", on_change="rerun"), strict=True))

if tabs["Decision log"].open:
    with tabs["Decision log"]:
        c1, c2 = st.columns([2, 3])
        statuses = forms.kept(c1.multiselect, "Status", list(CALL_IN_LABELS), format_func=CALL_IN_LABELS.get,
                              key="log_status", valid=forms.within(CALL_IN_LABELS))
        text = forms.kept(c2.text_input, "Search reference or title", key="log_text", placeholder="e.g. KIDS hubs")
        log = data.cached(decisions.decisions_frame, statuses, text)
        if log.empty:
            st.info("No decisions match." + (" Record one in the 'Record a decision' tab." if can_edit else ""),
                    icon=":material/gavel:")
        else:
            show_log(log)

if tabs["Full record"].open:
    with tabs["Full record"]:
        options = data.cached(decisions.decision_options)
        if not options:
            st.info("No decisions recorded yet.", icon=":material/gavel:")
        else:
            chosen = forms.kept(st.selectbox, "Decision", list(options), format_func=options.get,
                                key="decision_choice", choices=options)
            show_record(data.cached(decisions.decision_record, chosen))
            if can_edit:
                show_edit_form(ctx.actor, chosen, load_lookups())

if can_edit and tabs["Record a decision"].open:
    with tabs["Record a decision"]:
        show_add_form(ctx.actor, load_lookups(), ctx.settings.call_in_working_days)
