"""Home page: sign-in, then the review at a glance for every role."""
from __future__ import annotations

import streamlit as st

from review.plan import tasks
from review.platform import clock
from review.platform.roles import Role
from review.platform.wording import days_late, days_to_go
from ui import attention_components, charts, data, deep_link, forms, sign_in_components, tables
from ui.navigation import PAGE_BY_KEY
from ui.page import LANDING_KEY, setup_page

HOME_OVERDUE = ["Ref", "Task", "Owner", "Status", "Due", "Late"]
HOME_OVERDUE_ROWS = 10  # the most overdue; a count says how many more the Tasks page lists
HOME_MILESTONES = ["Ref", "Task", "Owner", "Status", "Due", "Days to go"]
# Widths that keep every column in view on a 1366 px laptop screen (the task title takes what is left).
HOME_COLUMNS = {"Ref": st.column_config.TextColumn(width=70), "Task": st.column_config.TextColumn(width=300),
                "Owner": st.column_config.TextColumn(width=200), "Status": st.column_config.TextColumn(width=90),
                "Due": st.column_config.DateColumn(format="DD MMM YYYY", width=100),
                "Late": st.column_config.TextColumn(width=125), "Days to go": st.column_config.TextColumn(width=125)}


def go_to_landing_page(rerun: bool = True) -> None:
    """The page asked for before signing in, if any; otherwise viewers (the SEND Executive Group) land on the
    executive dashboard and everyone else on this page (rerun, unless this run has drawn nothing yet)."""
    actor = st.session_state.get("actor")
    deep_link.go_to_wanted_page(actor)
    dashboard = PAGE_BY_KEY["dashboard"]
    if actor is not None and actor.role == Role.VIEWER:
        st.switch_page(dashboard.path)
    if rerun:
        st.rerun()


def sign_in_form() -> None:
    st.title("SEND IAG Review Tracker")
    st.write("Tracks the county council's review of SEND information, advice and guidance: the tasks, "
             "the KIDS hubs contract, parent engagement, phone-line costs and the decisions.")
    sign_in_components.show_sign_in(ctx.settings)


def home() -> None:
    actor = ctx.actor
    st.title("The review at a glance")
    st.caption(f"As at {clock.today():%A %d %B %Y}. Welcome, {actor.display_name}.")
    st.page_link(PAGE_BY_KEY["dashboard"].path, icon=":material/dashboard:",
                 label="Open the SEND Executive dashboard: RAG status, milestones, risks, deadlines and the "
                       "printable highlight report")
    progress = data.cached(tasks.progress_by_phase)
    counts = data.cached(tasks.status_counts)
    overdue = data.cached(tasks.overdue_frame, HOME_OVERDUE_ROWS)
    milestones = data.cached(tasks.next_milestones)
    if progress["Tasks"].sum() == 0:
        st.info("No tasks yet. The project team adds them on the Tasks page.", icon=":material/info:")
        attention_components.show_summary()
        return
    metrics = st.columns(5)
    for col, label in zip(metrics, ["In progress", "Blocked", "Overdue", "Done", "Not started"], strict=True):
        col.metric(label, counts.get(label, 0))
    left, right = st.columns(2)
    charts.show(charts.phase_progress(progress), key="home_progress", where=left)
    charts.show(charts.status_bar({k: v for k, v in counts.items() if k != "Overdue"}), key="home_status",
                where=right)
    st.subheader("Overdue tasks")
    if overdue.empty:
        st.success("Nothing is overdue.", icon=":material/check_circle:")
    else:
        show_overdue(overdue, counts.get("Overdue", len(overdue)))
    st.subheader("Next milestones")
    if milestones.empty:
        st.info("No open milestones ahead.", icon=":material/flag:")
    else:
        tables.show(milestones.assign(**{"Days to go": milestones["Days to go"].map(days_to_go)})[HOME_MILESTONES],
                    column_config=HOME_COLUMNS)
    attention_components.show_summary()


def show_overdue(overdue, total: int) -> None:
    """The most overdue tasks; when there are more, how many and where the rest are."""
    more = total > len(overdue)
    if more:
        st.caption(f"The {len(overdue)} most overdue of {total:,} overdue tasks.")
    tables.show(overdue.assign(Late=overdue["Days late"].map(days_late))[HOME_OVERDUE], column_config=HOME_COLUMNS)
    tasks_page = PAGE_BY_KEY["tasks"]
    if more and ctx.actor.can(tasks_page.permission):
        if st.button(f"List all {total:,} overdue tasks on the Tasks page", icon=":material/checklist:"):
            forms.keep_value("f_overdue", True)  # the Tasks page opens with 'Overdue only' on
            st.switch_page(tasks_page.path)


if st.session_state.pop(LANDING_KEY, False):
    go_to_landing_page(rerun=False)  # signed in by a button's callback: nothing drawn yet, so no second run
ctx = setup_page("home")
if ctx.signed_in_now:  # back from single sign-on: on to the page asked for, or a viewer's dashboard
    go_to_landing_page(rerun=False)
if ctx.actor is None:
    sign_in_form()
else:
    home()
