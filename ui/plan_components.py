"""Plan page components: the timeline with its filters, baselines and slippage, the consultation template."""
from __future__ import annotations

from datetime import timedelta

import streamlit as st
from sqlalchemy.orm import Session

from review.plan import organisation, schedule
from review.plan import timeline as plan
from review.platform import clock
from review.platform.config import get_settings
from review.platform.errors import ValidationFailed
from review.platform.roles import Actor, Permission
from ui import charts, data, plan_charts, tables
from ui.feedback import field_error, write
from ui.forms import confirm_button, kept, within
from ui.text import plain

DATE_FORMAT = "DD MMM YYYY"


def lookups() -> dict[str, dict[int, str]]:
    return data.cached(organisation.lookups)


# ------------------------------------------------------------------ timeline

def show_timeline(lookups: dict[str, dict[int, str]]) -> None:
    c1, c2, c3 = st.columns([2, 2, 1])
    # Kept while another tab is open (the tab runs only when open; Streamlit forgets a widget it did not draw).
    phases = kept(c1.multiselect, "Phase", list(lookups["phase"]), format_func=lookups["phase"].get,
                  key="plan_phase", valid=within(lookups["phase"]))
    streams = kept(c2.multiselect, "Workstream", list(lookups["workstream"]), format_func=lookups["workstream"].get,
                   key="plan_ws", valid=within(lookups["workstream"]))
    critical_only = kept(c3.toggle, "Critical path only", key="plan_critical")
    # The timeline draws a page of tasks at a time; a new choice of filters starts again at the first page.
    page_key = "plan_page_" + "_".join(map(str, [*sorted(phases), "ws", *sorted(streams), critical_only]))
    # The critical path is stored whenever the plan changes; the page reads it with the tasks it shows.
    view = plan.combine(data.cached(plan.plan_network),
                        data.cached(plan.plan_page, sorted(phases), sorted(streams), critical_only,
                                    int(st.session_state.get(page_key, 1))))
    if view.total_tasks == 0:
        st.info("No tasks yet. The project team adds them on the Tasks page, or inserts the formal consultation "
                "template in the last tab.", icon=":material/info:")
        return
    if view.tasks.empty:
        st.info("No dated tasks match these filters.", icon=":material/filter_alt_off:")
        return
    st.caption(timeline_note(view) + " Bars run from start to due date; diamonds are milestones; arrows are "
               "dependencies (the successor waits for the predecessor to finish).")
    if view.pages > 1:
        if st.session_state.get(page_key, 1) != view.page:
            st.session_state[page_key] = view.page  # the plan shrank since this page was chosen
        st.number_input(f"Timeline page (of {view.pages}; {view.page_size} tasks a page)", 1, view.pages,
                        key=page_key, help="Pages follow the timeline's order: phase, then workstream, then start "
                                           "date. Filter by phase or workstream to go straight to a part of the plan.")
    charts.show(plan_charts.timeline(view.tasks, view.links, clock.today()), key="plan_timeline",
                data=plan_charts.timeline_table(view), summary=plan_charts.timeline_summary(view))
    with st.container(border=True):
        st.markdown(f"**Critical path**: {view.critical_length:,} days of planned work from the first task to the "
                    "last. Critical tasks have no float: if one finishes late, the end date moves.")
        if view.chains:
            for chain in view.chains:
                st.markdown(" → ".join(plain(step) for step in chain))
            if len(view.chains) > 1:
                st.caption(f"{len(view.chains)} chains tie for the longest; every task on them is critical.")
        st.caption("Worked out from each task's planned duration (calendar days from start to due date; a one-day "
                   "milestone takes none) and its dependencies, ignoring the gaps between them (critical path "
                   "method).")
    # Read only when opened (few readers open it, and at thousands of tasks it is a long list).
    listed = st.expander(f"Tasks on the critical path ({view.critical_count:,})", key="plan_critical_list",
                         on_change="rerun")
    if listed.open:
        with listed:
            if view.critical_count > plan.CRITICAL_TASKS_LISTED:
                st.caption(f"The first {plan.CRITICAL_TASKS_LISTED} in order of their earliest start. Filter the "
                           "timeline with 'Critical path only' to page through them all.")
            tables.show(data.cached(plan.critical_tasks_frame), hide_index=True, column_config={
                "Start": st.column_config.DateColumn(format=DATE_FORMAT),
                "Due": st.column_config.DateColumn(format=DATE_FORMAT)})


def timeline_note(view: plan.PlanView) -> str:
    """What the timeline shows: everything that matches, or which page of it, why, and how to see the rest."""
    shown = len(view.tasks)
    if view.pages == 1:
        return f"{shown} task(s) shown of {view.total_tasks}."
    return (f"Showing tasks {view.first + 1:,} to {view.first + shown:,} of the {view.matching:,} that match "
            f"({view.total_tasks:,} in the plan): the timeline draws {view.page_size} tasks at a time so that it "
            "stays readable and quick. Choose another page below, or filter by phase or workstream, to see the "
            "rest.")


# ------------------------------------------------------------------ baselines and slippage

def _save_baseline(actor: Actor, form: str) -> None:
    name, note = st.session_state.get("bl_name", ""), st.session_state.get("bl_note", "")
    if write(lambda session: plan.save_baseline(session, actor, name, note).name,
             lambda saved: f"Baseline '{saved}' saved: slippage is now measured against it.", form=form,
             invalid="The baseline was not saved. Please correct the fields marked below.", refusal_kind="error"):
        st.session_state["bl_name"] = ""
        st.session_state["bl_note"] = ""
        st.session_state.pop("bl_choice", None)


def _delete_baseline(actor: Actor, baseline_id: int) -> None:
    if write(lambda session: plan.delete_baseline(session, actor, baseline_id),
             "Baseline deleted. The audit log keeps a record."):
        st.session_state.pop("bl_choice", None)
        st.session_state.pop("bl_confirm", None)


def show_baselines(actor: Actor) -> None:
    baselines = data.cached(plan.baselines_frame)
    can_edit = actor.can(Permission.EDIT_PLAN)
    if baselines.empty:
        st.info("No baseline saved yet. Save one to measure how far the plan has moved since.",
                icon=":material/flag:")
    else:
        names = dict(zip(baselines["id"], baselines["Baseline"], strict=True))
        choice = st.selectbox("Compare with baseline", list(names), format_func=names.get, key="bl_choice",
                              help="The newest baseline is the one the dashboard's RAG uses.")
        row = baselines.set_index("id").loc[choice]
        st.caption(f"Taken on {row['Taken on']:%d %b %Y} by {plain(row['Saved by'])} ({row['Tasks']} tasks). "
                   f"{plain(row['Note'])}")
        by_ws = data.cached(plan.slippage_summary, "workstream", int(choice))
        by_phase = data.cached(plan.slippage_summary, "phase", int(choice))
        per_task = data.cached(plan.slippage_frame, int(choice), False, 500)
        st.caption("Slippage is the number of days a task's finish (its completed date when done, otherwise its "
                   "due date) is later than its due date in the baseline; negative means early.")
        left, right = st.columns(2)
        charts.show(plan_charts.slippage_bars(by_ws, "Workstream", names[choice]), key="slip_ws", where=left)
        charts.show(plan_charts.slippage_bars(by_phase, "Phase", names[choice]), key="slip_phase", where=right)
        st.markdown("**Slippage by workstream**")
        tables.show(by_ws, hide_index=True)
        st.markdown("**Slippage by phase**")
        tables.show(by_phase, hide_index=True)
        st.markdown("**Slippage by task** (worst first)")
        only = st.toggle("Only tasks that have slipped", value=True, key="bl_only")
        shown = per_task[per_task["Slippage (days)"].fillna(0) > 0] if only else per_task
        if shown.empty:
            st.success("No task has slipped against this baseline.", icon=":material/check_circle:")
        else:
            tables.show(shown.drop(columns=["task_id"]), hide_index=True, column_config={
                c: st.column_config.DateColumn(format=DATE_FORMAT)
                for c in ("Baseline start", "Baseline due", "Start", "Due or completed")})
        if can_edit:
            confirm_button("bl_confirm", choice, ask="Delete this baseline...",
                           question=f"Delete the baseline **{plain(names[choice])}**? Slippage against it can no "
                                    "longer be shown.",
                           yes="Yes, delete this baseline", on_yes=_delete_baseline, args=(actor, int(choice)),
                           widgets="bl_delete")
    if can_edit:
        form = "save_baseline"
        with st.form(form):
            st.markdown("**Save a baseline of the planned dates as they are now**")
            st.text_input("Name *", key="bl_name", max_chars=plan.BASELINE_NAME_MAX,
                          placeholder="e.g. Plan agreed by SEND Executive, December 2019")
            field_error(form, "name")
            st.text_input("Note", key="bl_note", placeholder="Why this baseline (optional)")
            st.form_submit_button("Save baseline", type="primary", icon=":material/save:", on_click=_save_baseline,
                                  args=(actor, form))


# ------------------------------------------------------------------ formal consultation template

def _insert_template(actor: Actor, form: str) -> None:
    s = st.session_state

    def insert(session: Session) -> str:
        created = plan.insert_consultation_template(
            session, actor, s.get("tpl_start"), s.get("tpl_phase"), workstream_id=s.get("tpl_ws"),
            owner_id=s.get("tpl_owner"), consultation_weeks=s.get("tpl_weeks"), prefix=s.get("tpl_prefix", ""),
            after_task_id=s.get("tpl_after"))
        return f"{created[0].reference} to {created[-1].reference}"

    write(insert, lambda refs: f"Formal consultation inserted as tasks {refs}, with their dependencies. They are on "
                               "the timeline and the Tasks page.",
          form=form, invalid="The template was not inserted. Please correct the fields marked below.",
          refusal_kind="error")


def show_template(actor: Actor, lookups: dict[str, dict[int, str]]) -> None:
    st.markdown("The standard steps of a formal consultation, with durations and dependencies, scheduled from a "
                "start date on working days (weekends and bank holidays in England and Wales skipped).")
    form = "consultation_template"
    c1, c2 = st.columns(2)
    start = c1.date_input("Start date *", clock.today() + timedelta(days=7), key="tpl_start", format="DD/MM/YYYY")
    with c1:
        field_error(form, "start")
    weeks = c2.slider("Consultation live for (weeks)", schedule.CONSULTATION_WEEKS_MIN,
                      schedule.CONSULTATION_WEEKS_MAX, schedule.CONSULTATION_WEEKS_DEFAULT, key="tpl_weeks",
                      help="Councils typically consult for 8 to 12 weeks; allow longer across school holidays.")
    with c2:
        field_error(form, "consultation_weeks")
    try:
        preview = plan.consultation_preview(start, weeks)
    except ValidationFailed as exc:
        st.error(" ".join(exc.errors.values()), icon=":material/error:")
        return
    tables.show(preview.drop(columns=["key"]), hide_index=True, column_config={
        "Starts": st.column_config.DateColumn(format="ddd DD MMM YYYY"),
        "Ends": st.column_config.DateColumn(format="ddd DD MMM YYYY")})
    live = preview.set_index("key").loc["live"]
    holidays = schedule.school_holidays_crossed(live["Starts"], live["Ends"])
    if holidays:
        st.warning(f"The consultation runs across the {' and '.join(holidays)} school holidays: parents may need "
                   "longer to respond; consider the longest period or a later start.", icon=":material/event:")
    call_in = get_settings().call_in_working_days
    st.caption(f"Forward plan: a key decision is taken no sooner than {schedule.FORWARD_PLAN_CLEAR_DAYS} clear days "
               f"after its entry is published. Call-in: {call_in} working days after the decision. Notice: at least "
               f"{schedule.PROVIDER_NOTICE_MONTHS} months to a voluntary or community provider before funding is "
               "reduced or ended (Best Value statutory guidance).")
    if not actor.can(Permission.EDIT_PLAN) or not actor.can(Permission.EDIT_TASKS):
        st.caption("The project team inserts these steps into the plan.")
        return
    if not lookups["phase"]:
        st.info("Add the review's phases before inserting the template.")
        return
    with st.container(border=True):
        st.markdown("**Insert the steps as tasks**")
        c1, c2, c3 = st.columns(3)
        phase_ids = list(lookups["phase"])
        c1.selectbox("Phase *", phase_ids, index=len(phase_ids) - 1, format_func=lookups["phase"].get,
                     key="tpl_phase")
        c2.selectbox("Workstream", [None, *lookups["workstream"]], key="tpl_ws",
                     format_func=lambda i: "(none)" if i is None else lookups["workstream"][i])
        c3.selectbox("Owner", [None, *lookups["owner"]], key="tpl_owner",
                     format_func=lambda i: "(none)" if i is None else lookups["owner"][i])
        c1, c2 = st.columns([1, 3])
        c1.text_input("Reference prefix *", "CON", key="tpl_prefix", max_chars=plan.REFERENCE_PREFIX_MAX,
                      help="Tasks get references PREFIX-01 to PREFIX-09.")
        with c1:
            field_error(form, "prefix")
        options = data.cached(plan.open_task_options)
        c2.selectbox("Starts after (optional)", [None, *options], key="tpl_after",
                     format_func=lambda i: "(nothing: starts on the start date)" if i is None else options[i],
                     help="The legal check waits for this task to finish.")
        with c2:
            field_error(form, "after_task_id")
        st.button("Insert the consultation steps", type="primary", icon=":material/playlist_add:",
                  key="tpl_insert", on_click=_insert_template, args=(actor, form))
