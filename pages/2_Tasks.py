"""Tasks: the project team's tracker (editors and admins)."""
from __future__ import annotations

import streamlit as st

from review.plan import tasks
from ui import data, tables
from ui.page import setup_page
from ui.task_components import TABLE_COLUMNS, load_lookups, show_add_form, show_edit_form, show_filters, show_table

ctx = setup_page("tasks")
st.title("Tasks")
lookups = load_lookups()
all_tab, mine_tab, add_tab, edit_tab = st.tabs(["All tasks", "My tasks", "Add a task", "Edit a task in full"],
                                               key="tasks_tab", on_change="rerun")
# One query per data version, shared by every session; every view below filters this frame. Only the open tab runs
# (choosing another reruns the page): the add and edit tabs' pickers list every task.
everything = data.cached(tasks.tasks_frame)

if all_tab.open:
    with all_tab:
        filters = show_filters(lookups)
        frame = tasks.filter_tasks(everything, filters)
        if frame.empty:
            st.info("No tasks match these filters. Clear a filter, or add a task in the 'Add a task' tab.",
                    icon=":material/filter_alt_off:")
        else:
            st.caption(f"{len(frame)} task(s). Edit cells, then press **Save table changes**; "
                       "open a task in full in the last tab for dependencies and comments.")
            show_table(ctx.actor, frame, lookups, filters)
        st.download_button("Download all tasks (CSV)", lambda: tasks.tasks_csv(everything), "tasks.csv",
                           "text/csv", icon=":material/download:")

if mine_tab.open:
    with mine_tab:
        mine = tasks.my_tasks(everything, ctx.actor)
        if ctx.actor.person_id is None:
            st.info("Your account is not linked to a person in the people list, so no tasks are assigned to you.")
        elif mine.empty:
            st.success("You have no open tasks.", icon=":material/check_circle:")
        else:
            tables.show(mine[[c for c in TABLE_COLUMNS if c != "Owner"]], hide_index=True)

if add_tab.open:
    with add_tab:
        show_add_form(ctx.actor, lookups, everything)

if edit_tab.open:
    with edit_tab:
        show_edit_form(ctx.actor, everything, lookups)
