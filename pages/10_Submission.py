"""Submission pack: the paper and PID for the SEND Executive, generated from live data (editors draft and
generate; everyone reads and downloads)."""
from __future__ import annotations

import streamlit as st

from review.platform.roles import Permission
from ui.page import run_open_tab, setup_page
from ui.submission_components import (
    choose_submission,
    load_submission,
    load_submissions,
    loaded_version,
    preview,
    show_alignment,
    show_changes,
    show_decision,
    show_history,
    show_new_paper_form,
    show_options,
    show_pack_bar,
    show_paper_form,
    show_preview,
)

ctx = setup_page("submission")
st.title("Submission pack")
st.caption("The paper to the SEND Executive Group with its project initiation document. Figures are pulled from "
           "the tracker when the pack is generated and stamped with the date and data version.")
can_edit = ctx.actor.can(Permission.EDIT_SUBMISSIONS)
papers = load_submissions()
if papers.empty:
    st.info("No paper has been started yet." + ("" if can_edit else " The project team starts it here."),
            icon=":material/article:")
    if can_edit:
        show_new_paper_form(ctx.actor)
    st.stop()

submission = load_submission(choose_submission(papers))
version = loaded_version(submission)
show_pack_bar(ctx.actor, submission, version, can_edit)
tabs = {"Preview": lambda: show_preview(preview(submission.id)),
        "Changes since the last pack": lambda: show_changes(submission.id),
        "Pack history": lambda: show_history(submission.id)}
if can_edit:
    tabs |= {"Edit the paper": lambda: show_paper_form(ctx.actor, submission, version),
             "Options": lambda: show_options(ctx.actor, submission.id, preview(submission.id)),
             "Strategic alignment": lambda: show_alignment(ctx.actor, submission, version),
             "Decision and actions": lambda: show_decision(ctx.actor, submission, version),
             "Start a new paper": lambda: show_new_paper_form(ctx.actor)}
run_open_tab(tabs, "submission_tab")  # readers do not pay for the editors' forms
