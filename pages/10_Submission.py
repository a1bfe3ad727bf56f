"""Submission pack: the paper and PID for the SEND Executive, generated from live data (editors draft and
generate; everyone reads and downloads)."""
from __future__ import annotations

import streamlit as st

from review.platform.roles import Permission
from review.submission import papers as submissions
from ui import data
from ui.page import setup_page
from ui.submission_components import (
    choose_submission,
    load_submission,
    load_submissions,
    loaded_version,
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
content = data.cached(submissions.preview, submission.id)
names = ["Preview", "Changes since the last pack", "Pack history"]
if can_edit:
    names += ["Edit the paper", "Options", "Strategic alignment", "Decision and actions", "Start a new paper"]
tabs = dict(zip(names, st.tabs(names, key="submission_tab", on_change="rerun"), strict=True))
with tabs["Preview"]:
    show_preview(content)
with tabs["Changes since the last pack"]:
    show_changes(content)
with tabs["Pack history"]:
    show_history(submission.id)
if can_edit:
    with tabs["Edit the paper"]:
        show_paper_form(ctx.actor, submission, version)
    with tabs["Options"]:
        show_options(ctx.actor, submission.id, content)
    with tabs["Strategic alignment"]:
        show_alignment(ctx.actor, submission, version)
    with tabs["Decision and actions"]:
        show_decision(ctx.actor, submission, version)
    with tabs["Start a new paper"]:
        show_new_paper_form(ctx.actor)
