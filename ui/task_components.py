"""Task page components: filters, the editable table, the add form and the full edit form."""
from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from review.plan import organisation, tasks
from review.plan.tasks import PRIORITY_LABELS, STATUS_LABELS, TaskFilter
from review.platform.errors import DomainError, EditConflict, ValidationFailed
from review.platform.roles import Actor
from review.platform.wording import BLANK, local_time_text
from ui import data, progress
from ui.feedback import field_error, flash, refusal_text, write
from ui.forms import confirm_button, kept, loaded_version, read_fields, within
from ui.text import plain

STATUS_CODES = {label: code for code, label in STATUS_LABELS.items()}
PRIORITY_CODES = {label: code for code, label in PRIORITY_LABELS.items()}
# Table column -> service field; only these can be edited inline.
TABLE_EDITABLE = {"Task": "title", "Owner": "owner_id", "Status": "status", "Priority": "priority",
                  "Start": "start_date", "Due": "due_date", "% complete": "percent_complete",
                  "Milestone": "is_milestone"}
# The editable table shows this many tasks at a time (filters narrow it; pages step through the rest).
TABLE_PAGE_SIZE = 200
PAGE_KEY = "task_page"
# Status, owner and due date first, so they are in view without scrolling on a 1366 px screen.
# Start and due dates as the rest of the app shows them (30 Oct 2019), in the editable table and in My tasks.
TASK_DATES = {"Start": st.column_config.DateColumn("Start", format="DD MMM YYYY"),
              "Due": st.column_config.DateColumn("Due", format="DD MMM YYYY")}
TABLE_COLUMNS = ["Ref", "Task", "Status", "Owner", "Due", "% complete", "Priority", "Start", "Phase", "Workstream",
                 "Milestone", "Overdue"]


def load_lookups() -> dict[str, dict[int, str]]:
    return data.cached(organisation.lookups)


def show_filters(lookups: dict[str, dict[int, str]]) -> TaskFilter:
    """Filter widgets above the table; returns what to show. They are kept while another tab is open (the tab runs
    only when open, and Streamlit forgets a widget it did not draw)."""
    c1, c2, c3, c4 = st.columns(4)

    def pick(where: Any, label: str, options: dict[Any, str], key: str) -> list:
        return kept(where.multiselect, label, list(options), format_func=options.get, key=key, valid=within(options))

    phases = pick(c1, "Phase", lookups["phase"], "f_phase")
    streams = pick(c2, "Workstream", lookups["workstream"], "f_ws")
    owners = pick(c3, "Owner", lookups["owner"], "f_owner")
    statuses = pick(c4, "Status", STATUS_LABELS, "f_status")
    c5, c6 = st.columns([3, 1])
    text = kept(c5.text_input, "Search title or reference", key="f_text", placeholder="e.g. consultation or SUB-03")
    overdue = kept(c6.toggle, "Overdue only", key="f_overdue")
    return TaskFilter(phases, streams, owners, statuses, overdue, text)


# ------------------------------------------------------------------ editable table

def _to_change(column: str, value: Any, owner_ids: dict[str, int]) -> tuple[str, Any]:
    field = TABLE_EDITABLE[column]
    if column == "Owner":
        return field, owner_ids.get(value) if value else None
    if column == "Status":
        return field, STATUS_CODES.get(value, value)
    if column == "Priority":
        return field, PRIORITY_CODES.get(value, value)
    return field, value


def edits_from_editor(rows: list[tuple[int, int]], edited_rows: dict, owner_ids: dict[str, int]
                      ) -> dict[int, tuple[int, dict[str, Any]]]:
    """Map the editor's {row position: {column: value}} onto {task id: (loaded version, changes)}."""
    edits: dict[int, tuple[int, dict[str, Any]]] = {}
    for position, cells in edited_rows.items():
        task_id, version = rows[int(position)]
        changes = dict(_to_change(col, val, owner_ids) for col, val in cells.items() if col in TABLE_EDITABLE)
        if changes:
            edits[task_id] = (version, changes)
    return edits


def _save_table(actor: Actor, editor_key: str, owner_ids: dict[str, int]) -> None:
    rows = st.session_state.get(f"{editor_key}_rows", [])
    state = st.session_state.get(editor_key) or {}
    edits = edits_from_editor(rows, state.get("edited_rows", {}), owner_ids)
    if not edits:
        flash("No changes to save.", "info")
        return
    try:
        with progress.working(f"Saving {len(edits)} task{'s' if len(edits) != 1 else ''}..."):
            progress.test_delay()
            changed = data.run_writing(lambda session: tasks.apply_task_edits(session, actor, edits))
    except ValidationFailed as exc:
        flash("Nothing was saved. " + " ".join(f"{k}: {v}" for k, v in exc.errors.items()), "error")
        return
    except EditConflict as exc:
        yours = "; ".join(f"{k} -> {v!r}" for _, (_, ch) in edits.items() for k, v in ch.items())
        flash(f"{exc}\n\nYour unsaved changes were: {yours}", "warning")
    except DomainError as exc:
        flash(str(exc), "error")
        return
    else:
        flash(f"Saved {changed} task{'s' if changed != 1 else ''}.")
    st.session_state["table_nonce"] = st.session_state.get("table_nonce", 0) + 1


def show_task_list(actor: Actor, lookups: dict[str, dict[int, str]], filters: TaskFilter) -> None:
    """The tasks matching the filters, a page at a time: the count and one page read in SQL (two statements,
    cached per data version), so a first run costs about the same for 30 tasks as for 5,000."""
    view = data.cached(tasks.task_page, filters, int(st.session_state.get(PAGE_KEY, 1)), TABLE_PAGE_SIZE)
    if view.matching == 0:
        st.info("No tasks match these filters. Clear a filter, or add a task in the 'Add a task' tab.",
                icon=":material/filter_alt_off:")
        return
    shown = (f"{view.matching} task(s)." if view.pages == 1 else
             f"{view.matching} task(s); this page shows {view.first + 1} to {view.first + len(view.tasks)}.")
    st.caption(f"{shown} Edit cells, then press **Save table changes**; open a task in full in the last tab for "
               "dependencies and comments.")
    show_table(actor, view, lookups, filters)


def show_table(actor: Actor, view: tasks.TaskPage, lookups: dict[str, dict[int, str]], filters: TaskFilter) -> None:
    """One page of tasks as an editable table in a form; saved in one transaction with version checks."""
    owner_ids = {label: pid for pid, label in lookups["owner"].items()}
    frame, page = view.tasks, view.page
    if view.pages > 1:
        if st.session_state.get(PAGE_KEY, 1) != page:
            st.session_state[PAGE_KEY] = page  # fewer pages than when this one was chosen
        st.number_input(f"Page (of {view.pages}; {view.page_size} tasks a page)", 1, view.pages, key=PAGE_KEY)
    nonce = st.session_state.get("table_nonce", 0)
    editor_key = f"task_table_{nonce}_{page}_{abs(hash(repr(filters))) % 10**8}"
    st.session_state["task_table_key"] = editor_key
    st.session_state[f"{editor_key}_rows"] = list(zip(frame["id"].tolist(), frame["version"].tolist(), strict=True))
    with st.form("task_table_form", border=False):
        st.data_editor(
            frame[TABLE_COLUMNS], key=editor_key, hide_index=True, num_rows="fixed", placeholder=BLANK,
            disabled=[c for c in TABLE_COLUMNS if c not in TABLE_EDITABLE],
            column_config={
                "Ref": st.column_config.TextColumn("Ref", width="small"),
                "Task": st.column_config.TextColumn("Task", width=300, required=True, max_chars=200),
                "Owner": st.column_config.SelectboxColumn("Owner", options=sorted(owner_ids)),
                "Status": st.column_config.SelectboxColumn("Status", options=list(STATUS_CODES), required=True),
                "Priority": st.column_config.SelectboxColumn("Priority", options=list(PRIORITY_CODES),
                                                             required=True),
                **TASK_DATES,
                "% complete": st.column_config.NumberColumn("% complete", min_value=0, max_value=100, step=1),
                "Milestone": st.column_config.CheckboxColumn("Milestone"),
                "Overdue": st.column_config.CheckboxColumn("Overdue"),
            },
        )
        st.form_submit_button("Save table changes", type="primary", icon=":material/save:",
                              on_click=_save_table, args=(actor, editor_key, owner_ids))


# ------------------------------------------------------------------ add and edit forms

def _task_fields(form: str, lookups: dict[str, dict[int, str]], values: dict[str, Any], prefix: str) -> dict:
    """Inputs for every task field, each followed by its validation message if any."""
    def opt(mapping: dict[int, str], current: int | None, label: str, field: str, allow_none: bool = True) -> Any:
        options = ([None] if allow_none else []) + list(mapping)
        index = options.index(current) if current in options else 0
        chosen = st.selectbox(label, options, index=index, key=f"{prefix}_{field}",
                              format_func=lambda i: "(none)" if i is None else mapping[i])
        field_error(form, field)
        return chosen

    out: dict[str, Any] = {}
    c1, c2 = st.columns([1, 4])
    out["reference"] = c1.text_input("Reference", values.get("reference") or "", key=f"{prefix}_reference",
                                     max_chars=20, help="Optional short code, e.g. PLN-10")
    with c1:
        field_error(form, "reference")
    out["title"] = c2.text_input("Title *", values.get("title") or "", key=f"{prefix}_title", max_chars=200)
    with c2:
        field_error(form, "title")
    out["description"] = st.text_area("Description", values.get("description") or "", key=f"{prefix}_description")
    c1, c2, c3 = st.columns(3)
    with c1:
        out["phase_id"] = opt(lookups["phase"], values.get("phase_id"), "Phase *", "phase_id", allow_none=False)
    with c2:
        out["workstream_id"] = opt(lookups["workstream"], values.get("workstream_id"), "Workstream", "workstream_id")
    with c3:
        out["owner_id"] = opt(lookups["owner"], values.get("owner_id"), "Owner", "owner_id")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        out["status"] = opt(STATUS_LABELS, values.get("status", "not_started"), "Status", "status", False)
    with c2:
        out["priority"] = opt(PRIORITY_LABELS, values.get("priority", "medium"), "Priority", "priority", False)
    with c3:
        out["percent_complete"] = st.number_input("% complete", 0, 100, int(values.get("percent_complete") or 0),
                                                  step=5, key=f"{prefix}_percent")
        field_error(form, "percent_complete")
    with c4:
        out["is_milestone"] = st.checkbox("Milestone", bool(values.get("is_milestone")), key=f"{prefix}_milestone")
    c1, c2, c3 = st.columns(3)
    for col, field, label in ((c1, "start_date", "Start date"), (c2, "due_date", "Due date"),
                              (c3, "completed_date", "Completed date")):
        with col:
            out[field] = st.date_input(label, values.get(field), key=f"{prefix}_{field}", format="DD/MM/YYYY",
                                       min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
            field_error(form, field)
    return out


def _read_form(prefix: str) -> dict[str, Any]:
    keys = {"reference": "reference", "title": "title", "description": "description", "phase_id": "phase_id",
            "workstream_id": "workstream_id", "owner_id": "owner_id", "status": "status", "priority": "priority",
            "percent_complete": "percent", "is_milestone": "milestone", "start_date": "start_date",
            "due_date": "due_date", "completed_date": "completed_date"}
    return read_fields(prefix, keys)


def _create(actor: Actor, form: str, prefix: str) -> None:
    values = _read_form(prefix)
    predecessors = st.session_state.get(f"{prefix}_predecessors") or []

    def create(session: Session) -> tuple[int, str]:
        task = tasks.create_task(session, actor, **values)
        tasks.set_predecessors(session, actor, task.id, predecessors)  # same transaction: all or nothing
        return task.id, task.reference or f"#{task.id}"

    done = write(create, lambda r: f"Added task {r[1]}: {values['title']}. It is open below to add comments.",
                 form=form, invalid="The task was not added. Please correct the fields marked below.",
                 refusal_kind="error", reason=refusal_text)
    if done:
        st.session_state["add_nonce"] = st.session_state.get("add_nonce", 0) + 1
        st.session_state["edit_task_choice"] = done.result[0]  # open the new task in full
        st.session_state["tasks_tab"] = "Edit a task in full"


def show_add_form(actor: Actor, lookups: dict[str, dict[int, str]], all_tasks: pd.DataFrame) -> None:
    form = "add_task"
    prefix = f"add_{st.session_state.get('add_nonce', 0)}"
    if not lookups["phase"]:
        st.info("There are no phases yet; an administrator loads them with `python -m review seed-demo` "
                "or adds them before tasks can be created.")
        return
    with st.form(form):
        _task_fields(form, lookups, {}, prefix)
        others = tasks.task_labels(all_tasks)
        st.multiselect("Depends on (predecessors)", list(others), format_func=others.get, key=f"{prefix}_predecessors",
                       help="This task cannot start until these are done.")
        field_error(form, "predecessor_id")
        st.form_submit_button("Add task", type="primary", icon=":material/add:", on_click=_create,
                              args=(actor, form, prefix))


def _update(actor: Actor, form: str, prefix: str, task_id: int, version: int) -> None:
    values = _read_form(prefix)
    if write(lambda session: tasks.update_task(session, actor, task_id, version, **values), "Task saved.",
             form=form):
        st.session_state.pop("edit_loaded", None)


def _save_predecessors(actor: Actor, task_id: int, version: int, key: str) -> None:
    chosen = st.session_state.get(key, [])
    if write(lambda session: tasks.set_predecessors(session, actor, task_id, chosen, version),
             "Dependencies saved.", refusal_kind="error", reason=refusal_text):
        st.session_state.pop("edit_loaded", None)  # the task moved on by this save: the form starts from it


def _add_comment(actor: Actor, task_id: int, key: str) -> None:
    body = st.session_state.get(key, "")
    if write(lambda session: tasks.add_comment(session, actor, task_id, body), "Comment added.",
             refusal_kind="error", reason=refusal_text):
        st.session_state[key] = ""


def _delete(actor: Actor, task_id: int, version: int) -> None:
    if write(lambda session: tasks.delete_task(session, actor, task_id, version),
             "Task deleted. The audit log keeps a copy of what it held."):
        st.session_state.pop("edit_loaded", None)
        st.session_state.pop("confirm_delete", None)
        st.session_state.pop("edit_task_choice", None)


def show_edit_form(actor: Actor, all_tasks: pd.DataFrame, lookups: dict[str, dict[int, str]]) -> None:
    """Edit one task in full: every field, its predecessors, linked risks and decisions, comments, and delete
    with confirmation. The picker lists every task (the table's filters do not apply here)."""
    if all_tasks.empty:
        st.info("No tasks yet. Add one in the 'Add a task' tab.")
        return
    labels = tasks.task_labels(all_tasks)
    # The tab runs only when open: come back to the same task.
    task_id = kept(st.selectbox, f"Task to edit (all {len(labels)} tasks; type a reference to find one)",
                   list(labels), format_func=labels.get, key="edit_task_choice", choices=labels)
    with data.reading() as session:
        task = tasks.get_task(session, task_id)
        values = {f: getattr(task, f) for f in tasks.EDITABLE_FIELDS}
        current_version = task.version
        predecessors = tasks.predecessors_of(session, task_id)
        comments = tasks.comments_of(session, task_id)
        linked = tasks.linked_records(session, task_id)
    version = loaded_version("edit_loaded", task_id, current_version, "task", reload_key="reload_task")
    form = f"edit_task_{task_id}"
    prefix = f"edit_{task_id}_{version}"
    with st.form(form):
        _task_fields(form, lookups, values, prefix)
        st.form_submit_button("Save task", type="primary", icon=":material/save:", on_click=_update,
                              args=(actor, form, prefix, task_id, version))

    st.markdown("**Depends on (predecessors)**")
    others = tasks.task_labels(all_tasks, exclude=task_id)
    pred_key = f"preds_{task_id}_{current_version}_{len(predecessors)}"
    with st.form(f"deps_{task_id}"):
        st.multiselect("This task cannot start until these are done", list(others), default=predecessors,
                       format_func=others.get, key=pred_key)
        st.form_submit_button("Save dependencies", icon=":material/account_tree:", on_click=_save_predecessors,
                              args=(actor, task_id, current_version, pred_key))

    st.markdown("**Linked risks, issues and decisions**")
    if not linked:
        st.caption("No RAID item or decision names this task.")
    for kind, text in linked:
        st.text(f"{kind}: {text}")

    st.markdown("**Comments**")
    if not comments:
        st.caption("No comments yet.")
    for c in comments:
        st.markdown(f"*{plain(c.author)}, {local_time_text(c.created_at)}*  \n{plain(c.body)}")
    comment_key = f"comment_{task_id}"
    with st.form(f"comment_form_{task_id}"):
        st.text_area("Add a comment", key=comment_key, max_chars=5000)
        st.form_submit_button("Add comment", icon=":material/comment:", on_click=_add_comment,
                              args=(actor, task_id, comment_key))

    st.markdown("**Delete**")
    confirm_button("confirm_delete", task_id, ask="Delete this task...",
                   question=f"Delete **{plain(labels[task_id])}**? Its dependencies and comments go too. "
                            "The audit log keeps a record.",
                   yes="Yes, delete this task", on_yes=_delete, args=(actor, task_id, version), widgets="delete_task",
                   answer_keys=("confirm_delete_yes", "confirm_delete_no"))
