"""Home page: sign-in, then the review at a glance for every role."""
from __future__ import annotations

import streamlit as st

from review.accounts import users
from review.plan import tasks
from review.platform import clock
from review.platform.errors import DomainError
from review.platform.roles import Role
from ui import attention_components, charts, data
from ui.feedback import flash, guarded
from ui.navigation import PAGE_BY_KEY
from ui.page import page_after_sign_in, setup_page, sign_in

ctx = setup_page("home")


def go_to_landing_page() -> None:
    """Viewers (the SEND Executive Group) land on the executive dashboard; everyone else on this page."""
    actor = st.session_state.get("actor")
    asked_for = page_after_sign_in(actor) if actor is not None else None
    if asked_for is not None:  # a deep link (/Tasks) opened while signed out
        st.switch_page(asked_for)
    dashboard = PAGE_BY_KEY["dashboard"]
    if actor is not None and actor.role == Role.VIEWER and dashboard.exists:
        st.switch_page(dashboard.path)
    st.rerun()


def sign_in_form() -> None:
    st.title("SEND IAG Review Tracker")
    st.write("Tracks the county council's review of SEND information, advice and guidance: the tasks, "
             "the KIDS hubs contract, parent engagement, phone-line costs and the decisions.")
    if ctx.settings.demo_mode:
        st.info("This copy is running on **fictional demo data**. Sign in with one click as any role to "
                "look around; nothing here is real.", icon=":material/science:")
        cols = [*st.columns(2), *st.columns(2)]  # two a row: the labels are never cut at 1366 px
        for col, role in zip(cols, [Role.EDITOR, Role.VIEWER, Role.COMMISSIONER, Role.ADMIN], strict=True):
            if col.button(f"Sign in as {role.label}", key=f"demo_{role.value}", width="stretch"):
                signed_in = False
                with guarded(), data.writing() as session:  # st.rerun() must stay outside: it would roll back
                    sign_in(session, users.demo_sign_in(session, role))
                    signed_in = True
                if signed_in:
                    flash(f"Signed in as the demo {role.label}.")
                    go_to_landing_page()
    with st.form("sign_in"):
        st.subheader("Sign in")
        username = st.text_input("Username", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        if st.form_submit_button("Sign in", type="primary"):
            try:
                with data.writing() as session:
                    sign_in(session, users.authenticate(session, username, password))
            except DomainError as exc:
                st.error(str(exc), icon=":material/error:")
            else:
                go_to_landing_page()


def home() -> None:
    actor = ctx.actor
    st.title("The review at a glance")
    st.caption(f"As at {clock.today():%A %d %B %Y}. Welcome, {actor.display_name}.")
    if PAGE_BY_KEY["dashboard"].exists:
        st.page_link(PAGE_BY_KEY["dashboard"].path, icon=":material/dashboard:",
                     label="Open the SEND Executive dashboard: RAG status, milestones, risks, deadlines and the "
                           "printable highlight report")
    with data.reading() as session:
        progress = tasks.progress_by_phase(session)
        counts = tasks.status_counts(session)
        overdue = tasks.overdue_frame(session)
        milestones = tasks.next_milestones(session)
    if progress["Tasks"].sum() == 0:
        st.info("No tasks yet. The project team adds them on the Tasks page.", icon=":material/info:")
        attention_components.show_summary()
        return
    metrics = st.columns(5)
    for col, label in zip(metrics, ["In progress", "Blocked", "Overdue", "Done", "Not started"], strict=True):
        col.metric(label, counts.get(label, 0))
    left, right = st.columns(2)
    left.plotly_chart(charts.phase_progress(progress))
    right.plotly_chart(charts.status_bar({k: v for k, v in counts.items() if k != "Overdue"}),
                       )
    left, right = st.columns(2)
    with left:
        st.subheader("Overdue tasks")
        if overdue.empty:
            st.success("Nothing is overdue.", icon=":material/check_circle:")
        else:
            st.dataframe(overdue[["Ref", "Task", "Owner", "Status", "Due", "Days late"]], hide_index=True)
    with right:
        st.subheader("Next milestones")
        if milestones.empty:
            st.info("No open milestones ahead.", icon=":material/flag:")
        else:
            st.dataframe(milestones[["Ref", "Task", "Due", "Days to go", "Status"]], hide_index=True)
    attention_components.show_summary()


if ctx.actor is None:
    sign_in_form()
else:
    home()
