"""AppTest of the home, tasks, users and audit pages for every role."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from review.accounts import users
from review.models import AuditEvent, Task
from review.models.sign_in import SignInSession
from review.platform import db
from review.platform.config import get_settings
from review.platform.roles import SYSTEM, Role
from tests.pages.conftest import open_tab, texts

ALL_ROLES = list(Role)
FOUNDATION_PAGES = {
    "pages/2_Tasks.py": {Role.ADMIN, Role.EDITOR},
    "pages/11_Users.py": {Role.ADMIN},
    "pages/12_Audit_log.py": {Role.ADMIN},
}


def task_by_ref(ref: str) -> Task:
    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:
        task = session.scalar(select(Task).where(Task.reference == ref))
        session.expunge(task)
    engine.dispose()
    return task


def test_sign_in_page_offers_one_click_demo_roles(open_page, page_engine):
    if page_engine != "sqlite":
        pytest.skip("demo mode is for the embedded database: a shared (PostgreSQL) one never offers it")
    at = open_page("app.py", None)
    assert not at.exception
    assert "fictional demo data" in texts(at)
    at.button(key="demo_viewer").click().run()
    assert not at.exception
    assert at.session_state["actor"].role == Role.VIEWER
    assert "SEND Executive dashboard" in texts(at)  # viewers land on the executive dashboard
    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:  # the sign-in was committed, with its audit event and session
        assert session.scalar(select(AuditEvent.username).where(AuditEvent.action == "sign-in")) == "demo-viewer"
        assert session.scalar(select(SignInSession.user_id)) == at.session_state["actor"].user_id


@pytest.mark.both_engines
def test_password_sign_in_and_wrong_password(open_page, page_engine):
    # Demo accounts sign in only on a demo database in demo mode; a shared (PostgreSQL) database never is in demo
    # mode, so there the demo account is refused with the same words as a wrong password and a real one is used.
    username = "demo-editor"
    if page_engine != "sqlite":
        engine = db.make_engine(get_settings().database_url)
        with db.unit_of_work(engine) as session:
            users.create_user(session, SYSTEM, "jo", "editor", "demo-password-2019")
        engine.dispose()
        username = "jo"
    at = open_page("app.py", None)
    at.text_input[0].input(username)
    at.text_input[1].input("wrong")
    at.button[-1].click().run()
    assert "not recognised" in texts(at)
    at.text_input[1].input("demo-password-2019")
    at.button[-1].click().run()
    assert at.session_state["actor"].username == username
    if page_engine != "sqlite":
        at.button(key="_sign_out").click().run()
        at.text_input[0].input("demo-editor")
        at.text_input[1].input("demo-password-2019")
        at.button[-1].click().run()
        assert "not recognised" in texts(at) and "actor" not in at.session_state


@pytest.mark.both_engines
def test_no_demo_sign_in_when_demo_mode_is_off(open_page, monkeypatch):
    monkeypatch.setenv("REVIEW_DEMO", "0")  # on PostgreSQL (a shared database) demo mode is off whatever this says
    at = open_page("app.py", None)
    assert not [b for b in at.button if b.key and b.key.startswith("demo_")]
    assert "fictional demo data" not in texts(at)


@pytest.mark.both_engines
@pytest.mark.parametrize("role", ALL_ROLES)
def test_home_page_for_every_role(open_page, role):
    at = open_page("app.py", role)
    assert not at.exception
    page = texts(at)
    assert "The review at a glance" in page and "Overdue tasks" in page and "Next milestones" in page
    assert len(at.get("plotly_chart")) == 2


@pytest.mark.both_engines
@pytest.mark.parametrize("page", list(FOUNDATION_PAGES))
@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_page_for_each_role(open_page, page, role):
    at = open_page(page, role)
    assert not at.exception
    if role in FOUNDATION_PAGES[page]:
        assert not at.error, [e.value for e in at.error]
    else:
        assert any("cannot use" in e.value for e in at.error)
        assert not at.get("data_editor") and not at.text_input and not at.get("form")


def test_signed_out_visit_is_sent_to_sign_in(open_page):
    at = open_page("pages/2_Tasks.py", None)
    assert "Please sign in" in texts(at)
    assert not at.get("data_editor")


@pytest.mark.both_engines
def test_editor_saves_a_table_edit(open_page):
    at = open_page("pages/2_Tasks.py", Role.EDITOR)
    before = task_by_ref("SUB-04")
    editor_key = at.session_state["task_table_key"]
    rows = at.session_state[f"{editor_key}_rows"]
    position = [task_id for task_id, _ in rows].index(before.id)
    at.session_state[editor_key] = {"edited_rows": {position: {"Status": "In progress", "% complete": 10}},
                                    "added_rows": [], "deleted_rows": []}
    next(b for b in at.button if b.label == "Save table changes").click().run()
    assert not at.exception
    assert "Saved 1 task" in texts(at)
    after = task_by_ref("SUB-04")
    assert (after.status, after.percent_complete, after.version) == ("in_progress", 10, before.version + 1)


@pytest.mark.both_engines
def test_editor_adds_a_task_and_sees_field_errors(open_page):
    at = open_tab(open_page("pages/2_Tasks.py", Role.EDITOR), "tasks_tab", "Add a task")
    form_buttons = [b for b in at.button if b.label == "Add task"]
    at.text_input(key="add_0_title").input("")
    form_buttons[0].click().run()
    assert "Enter a title" in texts(at)
    at.text_input(key="add_0_title").input("Brief the Executive Member")
    next(b for b in at.button if b.label == "Add task").click().run()
    assert "Added task" in texts(at)
    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:
        assert session.scalar(select(Task.id).where(Task.title == "Brief the Executive Member"))


def test_my_tasks_show_dates_as_the_rest_of_the_app(open_page):
    """My tasks showed 2019-11-08 where every other table shows 08 Nov 2019."""
    import json

    at = open_tab(open_page("pages/2_Tasks.py", Role.EDITOR), "tasks_tab", "My tasks")
    assert not at.exception
    [table] = at.dataframe
    assert len(table.value) > 0  # the demo project team member owns open tasks
    columns = json.loads(table.proto.columns)
    assert {name: columns[name].get("type_config", {}).get("format") for name in ("Start", "Due")} == \
        {"Start": "DD MMM YYYY", "Due": "DD MMM YYYY"}


def test_delete_asks_for_confirmation(open_page):
    at = open_tab(open_page("pages/2_Tasks.py", Role.EDITOR), "tasks_tab", "Edit a task in full")
    at.button(key="delete_task").click().run()
    assert "Yes, delete this task" in [b.label for b in at.button]
    at.button(key="confirm_delete_no").click().run()
    assert "Yes, delete this task" not in [b.label for b in at.button]


@pytest.mark.both_engines
def test_admin_filters_the_audit_log(open_page):
    at = open_page("pages/12_Audit_log.py", Role.ADMIN)
    assert not at.exception
    assert "event(s) shown" in texts(at)
    at.selectbox(key="audit_entity").select("task").run()
    frame = at.dataframe[0].value
    assert set(frame["Record type"]) == {"Task"}


@pytest.mark.both_engines
def test_long_task_lists_are_paged(open_page, monkeypatch):
    import ui.task_components as components

    monkeypatch.setattr(components, "TABLE_PAGE_SIZE", 10)
    at = open_page("pages/2_Tasks.py", Role.EDITOR)
    assert len(at.session_state[f"{at.session_state['task_table_key']}_rows"]) == 10
    assert "31 task(s); this page shows 1 to 10." in texts(at)
    seen = set()
    for page in (2, 3, 4):
        seen |= {task_id for task_id, _ in at.session_state[f"{at.session_state['task_table_key']}_rows"]}
        at.number_input(key="task_page").set_value(page).run()
    rows = at.session_state[f"{at.session_state['task_table_key']}_rows"]
    assert len(rows) == 1  # 31 demo tasks: pages of 10, 10, 10 and 1
    assert "31 task(s); this page shows 31 to 31." in texts(at)
    seen |= {task_id for task_id, _ in rows}
    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:
        every = set(session.scalars(select(Task.id)))
    engine.dispose()
    assert seen == every  # the pages reach every task
    at.multiselect(key="f_status").select("done").run()  # fewer tasks match than page 4 needs: the last page
    assert not at.exception, at.exception
    assert "task(s)" in texts(at)
