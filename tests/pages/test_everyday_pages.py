"""AppTest of everyday-use fixes: the audit log in words (labels, values as shown, references, each event in
full, filter by reference)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
import streamlit as st
from sqlalchemy import Engine, event, insert, select

from review.models import AuditEvent, Person, Task
from review.plan import tasks
from review.platform import db
from review.platform.config import get_settings
from review.platform.roles import SYSTEM, Role
from tests.pages.conftest import open_tab, texts

AUDIT = "pages/12_Audit_log.py"


def change_task(reference: str, **changes) -> tuple[str, str]:
    """Change a demo task's owner (and `changes`) through the service, as SYSTEM: (old owner, new owner)."""
    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:
        task = session.scalar(select(Task).where(Task.reference == reference))
        person = session.scalar(select(Person).where(Person.id != task.owner_id).order_by(Person.id))
        old = session.get(Person, task.owner_id).name
        tasks.update_task(session, SYSTEM, task.id, task.version, owner_id=person.id, **changes)
        found = old, person.name
    engine.dispose()
    return found


@pytest.mark.both_engines
def test_audit_log_reads_in_words_and_filters_by_reference(open_page):
    old, new = change_task("EXP-15", status="done")
    at = open_page(AUDIT, Role.ADMIN)
    assert not at.exception
    at.text_input(key="audit_record").input("exp-15").run()
    frame = at.dataframe[0].value
    assert set(frame["Record"]) == {"EXP-15"}  # the reference, not the internal id
    newest = frame.iloc[0]
    assert newest["Record type"] == "Task" and newest["Action"] == "Changed" and newest["Who"] == "system"
    assert "Status: In progress → Done" in newest["Changes"]
    assert f"Owner: {old} → {new}" in newest["Changes"]
    assert "None" not in " ".join(frame["Changes"]) and "_id" not in " ".join(frame["Changes"])
    assert "GMT" in newest["When"] or "BST" in newest["When"]  # local time, said so
    # the event opens in full: every field with before and after, nothing cut short
    changes = at.dataframe[1].value
    assert list(changes.columns) == ["Field", "Before", "After"]
    assert {"Status", "Owner"} <= set(changes["Field"])
    assert any(t.value == "Record: EXP-15" for t in at.text)
    # the page no longer offers an unrelated task download
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download these events (CSV)"]


def _statements_of_a_run(open_page, page: str) -> int:
    """Statements a new session's run of the page issues, with the shared caches empty."""
    st.cache_data.clear()
    seen = []

    def count(*args) -> None:
        seen.append(args[2])

    event.listen(Engine, "before_cursor_execute", count)
    try:
        at = open_page(page, Role.ADMIN)
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert not at.exception
    return len(seen)


@pytest.mark.both_engines
def test_audit_log_issues_the_same_statements_whatever_record_types_its_events_touch(open_page):
    open_page(AUDIT, Role.ADMIN)  # the first run opens the engine (the schema check's statements)
    demo = _statements_of_a_run(open_page, AUDIT)  # the demo's newest events touch a dozen record types
    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:  # now the newest 500 events are all about tasks
        task = session.scalar(select(Task).where(Task.reference == "EXP-15"))
        session.execute(insert(AuditEvent), [
            {"occurred_at": datetime.now(UTC), "username": "bulk", "entity": "task", "record_id": str(task.id),
             "action": "update", "changes": {"status": {"before": "not_started", "after": "in_progress"}},
             "record_version": 2, "summary": "Bulk event"} for _ in range(600)])
    engine.dispose()
    assert _statements_of_a_run(open_page, AUDIT) == demo
    at = open_page(AUDIT, Role.ADMIN)
    newest = at.dataframe[0].value.iloc[0]
    assert (newest["Record"], newest["Changes"]) == ("EXP-15", "Status: Not started → In progress")


def test_audit_log_reference_that_matches_nothing_says_so(open_page):
    at = open_page(AUDIT, Role.ADMIN)
    at.text_input(key="audit_record").input("ZZZ-99").run()
    assert not at.exception
    assert "No audit events match these filters. Check the reference, or clear it." in texts(at)


def test_dashboard_says_days_late_as_home_does(open_page):
    at = open_page("pages/1_Executive_dashboard.py", Role.VIEWER)
    assert not at.exception
    deadlines = next(df.value for df in at.dataframe if "Days remaining" in df.value.columns)
    assert "16 days overdue" in list(deadlines["Days remaining"])
    assert not any(str(v).startswith("-") for v in deadlines["Days remaining"])


def _shown_cells(at) -> list[str]:
    return [str(v) for df in at.dataframe for col in df.value.columns for v in df.value[col].tolist()]


# The RAID log shows missing scores blank through ui.tables.show (display placeholders, the values stay numbers
# so they sort): tests/pages/test_everyday_small.py checks what it shows.
@pytest.mark.parametrize(("page", "role"), [("pages/7_Engagement.py", Role.EDITOR),
                                            ("pages/1_Executive_dashboard.py", Role.VIEWER)])
def test_no_none_in_tables(open_page, page, role):
    at = open_page(page, role)
    assert not at.exception
    cells = _shown_cells(at)
    assert cells and not [c for c in cells if c in ("None", "nan", "<NA>", "NaN")], page




def test_the_tasks_page_runs_only_the_open_tab(open_page):
    """The first run draws the table only; the add and edit tabs (pickers listing every task) run when opened."""
    at = open_page("pages/2_Tasks.py", Role.EDITOR)
    assert at.get("arrow_data_frame") or at.session_state["task_table_key"]
    assert [b.label for b in at.button if b.label in ("Add task", "Save task")] == []
    with pytest.raises(KeyError):
        at.selectbox(key="edit_task_choice")
    open_tab(at, "tasks_tab", "Add a task")
    assert not at.exception and "Add task" in [b.label for b in at.button]
    open_tab(at, "tasks_tab", "Edit a task in full")
    assert not at.exception and at.selectbox(key="edit_task_choice").options


def test_add_task_takes_predecessors_and_opens_the_new_task(open_page):
    at = open_tab(open_page("pages/2_Tasks.py", Role.EDITOR), "tasks_tab", "Add a task")
    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:
        before = session.scalar(select(Task.id).where(Task.reference == "EXP-15"))
    at.text_input(key="add_0_title").input("Brief the Executive Member")
    at.multiselect(key="add_0_predecessors").select(before)
    next(b for b in at.button if b.label == "Add task").click().run()
    assert not at.exception
    assert "Added task" in texts(at) and "It is open below" in texts(at)
    with db.unit_of_work(engine) as session:
        new_id = session.scalar(select(Task.id).where(Task.title == "Brief the Executive Member"))
        assert tasks.predecessors_of(session, new_id) == [before]
    engine.dispose()
    assert at.selectbox(key="edit_task_choice").value == new_id  # the new task is open in full
    assert at.session_state["tasks_tab"] == "Edit a task in full"


def test_the_task_open_in_full_is_still_open_after_another_tab(open_page):
    """Only the open tab runs, and Streamlit forgets a widget it did not draw: the page keeps the chosen task."""
    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:
        chosen = session.scalar(select(Task.id).where(Task.reference == "SUB-03"))
    engine.dispose()
    at = open_tab(open_page("pages/2_Tasks.py", Role.EDITOR), "tasks_tab", "Edit a task in full")
    first = at.selectbox(key="edit_task_choice").value
    assert first != chosen
    at.selectbox(key="edit_task_choice").set_value(chosen).run()
    at = open_tab(open_tab(at, "tasks_tab", "All tasks"), "tasks_tab", "Edit a task in full")
    assert not at.exception
    assert at.selectbox(key="edit_task_choice").value == chosen


def test_the_task_filters_are_still_set_after_another_tab(open_page):
    at = open_page("pages/2_Tasks.py", Role.EDITOR)
    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:
        phase = session.scalar(select(Task.phase_id).where(Task.reference == "SUB-03"))
    engine.dispose()
    at.multiselect(key="f_phase").select(phase)
    at.text_input(key="f_text").input("consultation")
    at.toggle(key="f_overdue").set_value(True).run()
    shown = texts(at)
    at = open_tab(open_tab(at, "tasks_tab", "My tasks"), "tasks_tab", "All tasks")
    assert not at.exception
    assert at.multiselect(key="f_phase").value == [phase]
    assert at.text_input(key="f_text").value == "consultation" and at.toggle(key="f_overdue").value is True
    assert texts(at) == shown  # the table lists what it listed before


def test_full_view_lists_every_task_and_its_linked_risks(open_page):
    at = open_tab(open_page("pages/2_Tasks.py", Role.EDITOR), "tasks_tab", "Edit a task in full")
    picker = at.selectbox(key="edit_task_choice")
    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:
        total = session.query(Task).count()
        linked = session.scalar(select(Task.id).where(Task.reference == "SUB-03"))  # linked to R-01
    engine.dispose()
    assert len(picker.options) == total  # not only the rows the table's filters leave
    picker.set_value(linked).run()
    shown = [t.value for t in at.text]
    assert any(t.startswith("Risk: R-") for t in shown), shown


def test_task_comment_times_are_in_the_councils_local_time(open_page):
    """A comment stored at 08:00 UTC on 1 July reads 09:00 BST; one at 12:00 UTC on 2 December reads 12:00 GMT."""
    from datetime import UTC, datetime

    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:
        task = session.scalar(select(Task).where(Task.reference == "EXP-15"))
        summer = tasks.add_comment(session, SYSTEM, task.id, "Summer comment")
        winter = tasks.add_comment(session, SYSTEM, task.id, "Winter comment")
        summer.created_at = datetime(2019, 7, 1, 8, 0, tzinfo=UTC)
        winter.created_at = datetime(2019, 12, 2, 12, 0, tzinfo=UTC)
        task_id = task.id
    engine.dispose()
    at = open_tab(open_page("pages/2_Tasks.py", Role.EDITOR), "tasks_tab", "Edit a task in full")
    at.selectbox(key="edit_task_choice").set_value(task_id).run()
    shown_text = texts(at)
    assert "01 Jul 2019 09:00 BST" in shown_text and "02 Dec 2019 12:00 GMT" in shown_text
    assert "UTC" not in shown_text
