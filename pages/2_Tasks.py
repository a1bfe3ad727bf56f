"""Tasks: the project team's tracker (editors and admins)."""
from __future__ import annotations

import streamlit as st

from review.plan import tasks
from ui import data, download, tables
from ui.page import setup_page
from ui.task_components import (
    TABLE_COLUMNS,
    TASK_DATES,
    load_lookups,
    show_add_form,
    show_edit_form,
    show_filters,
    show_task_list,
)

ctx = setup_page("tasks")
st.title("Tasks")
lookups = load_lookups()
all_tab, mine_tab, add_tab, edit_tab = st.tabs(["All tasks", "My tasks", "Add a task", "Edit a task in full"],
                                               key="tasks_tab", on_change="rerun")
# Reads are cached per data version and shared by every session. Only the open tab runs (choosing another reruns
# the page): the table reads one page of tasks; the add and edit tabs' pickers list every task.


def all_tasks_csv() -> bytes:
    with data.reading() as session:
        return tasks.tasks_csv(session)


if all_tab.open:
    with all_tab:
        show_task_list(ctx.actor, lookups, show_filters(lookups))
        download.built_on_click("Download all tasks (CSV)", all_tasks_csv, "tasks.csv", "text/csv",
                                key="all_tasks_csv", preparing="Writing every task to a CSV file...",
                                icon=":material/download:")

if mine_tab.open:
    with mine_tab:
        mine = data.cached(tasks.tasks_frame, tasks.my_tasks_filter(ctx.actor))
        if ctx.actor.person_id is None:
            st.info("Your account is not linked to a person in the people list, so no tasks are assigned to you.")
        elif mine.empty:
            st.success("You have no open tasks.", icon=":material/check_circle:")
        else:
            tables.show(mine[[c for c in TABLE_COLUMNS if c != "Owner"]], hide_index=True, column_config=TASK_DATES)

if add_tab.open:
    with add_tab:
        show_add_form(ctx.actor, lookups, data.cached(tasks.tasks_frame))

if edit_tab.open:
    with edit_tab:
        show_edit_form(ctx.actor, data.cached(tasks.tasks_frame), lookups)
