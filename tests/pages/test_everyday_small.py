"""Issue 16, the small things: no "None" where people read, one way of saying days late, deep links that survive
sign-in, field errors named by their label, tables that fit a 1366 px screen."""
from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from review.platform.roles import Role
from tests.pages.conftest import APP, TIMEOUT, shown, texts

TASKS = "pages/2_Tasks.py"


def _sign_in_with_demo_button(at: AppTest, role_label: str) -> AppTest:
    next(b for b in at.button if b.label == f"Sign in as {role_label}").click()
    return at.run()


def test_a_page_opened_signed_out_is_where_sign_in_lands(app_db):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page(TASKS)
    at.run()
    assert "Please sign in" in texts(at)
    at.switch_page("app.py")
    at.run()
    _sign_in_with_demo_button(at, "Project team (editor)")
    assert not at.exception
    assert [t.value for t in at.title] == ["Tasks"]


def test_the_sign_in_link_carries_the_page_so_a_new_session_lands_there_too(app_db):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/4_RAID_log.py")
    at.run()
    link = next(e for e in at.get("page_link") if e.proto.label == "Go to sign-in")
    assert link.proto.query_string == "next=raid"
    fresh = AppTest.from_file(APP, default_timeout=TIMEOUT)  # the link opens the home page with ?next=raid
    fresh.query_params["next"] = "raid"
    fresh.run()
    _sign_in_with_demo_button(fresh, "Commissioner")
    assert [t.value for t in fresh.title] == ["RAID log"]


def test_only_known_pages_the_role_may_open_are_followed(app_db):
    for wanted, role_label, landing in (("https://example.org/phish", "Project team (editor)",
                                         "The review at a glance"),
                                        ("users", "Project team (editor)", "The review at a glance"),
                                        ("tasks", "SEND Executive Group (viewer)", "SEND Executive dashboard")):
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.query_params["next"] = wanted
        at.run()
        _sign_in_with_demo_button(at, role_label)
        assert not at.exception
        assert [t.value for t in at.title] == [landing], wanted
        assert "next" not in at.query_params


def test_a_one_click_sign_in_goes_straight_to_the_landing_page(app_db, monkeypatch):
    """The button signs in in its callback, so the run it starts lands at once instead of drawing the sign-in page
    again first (issue 17: the sign-in landing's server time)."""
    import ui.sign_in_components as components

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    drawn = []
    monkeypatch.setattr(components, "show_sign_in", lambda *args: drawn.append(args))
    _sign_in_with_demo_button(at, "SEND Executive Group (viewer)")
    assert not at.exception
    assert [t.value for t in at.title] == ["SEND Executive dashboard"]
    assert "Signed in as the demo SEND Executive Group (viewer)." in texts(at)
    assert drawn == []  # the sign-in page was not drawn on the way


def test_a_password_sign_in_goes_straight_to_the_landing_page_and_keeps_no_password(app_db, monkeypatch):
    """The form signs in in its callback, as the one-click buttons do: the run it starts lands at once; a refusal is
    shown in the form with the name kept; the password is cleared from the session either way."""
    import ui.sign_in_components as components
    from review.demo import DEMO_PASSWORD

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.text_input(key="sign_in_username").input("demo-viewer")
    at.text_input(key="sign_in_password").input("not the password at all")
    at.button(key="FormSubmitter:sign_in-Sign in").click().run()
    assert "Username or password not recognised" in texts(at) and "actor" not in at.session_state
    assert at.text_input(key="sign_in_username").value == "demo-viewer"
    assert at.text_input(key="sign_in_password").value == ""
    drawn = []
    monkeypatch.setattr(components, "show_sign_in", lambda *args: drawn.append(args))
    at.text_input(key="sign_in_password").input(DEMO_PASSWORD)
    at.button(key="FormSubmitter:sign_in-Sign in").click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["SEND Executive dashboard"]
    assert at.session_state["actor"].username == "demo-viewer"
    assert drawn == []  # the sign-in page was not drawn on the way
    assert at.session_state["sign_in_password"] == ""


USERS = "pages/11_Users.py"


def _form_children(at: AppTest, form_key: str) -> list:
    form = next(f for f in at.get("form") if f.proto.form.form_id == form_key)
    return list(form.children.values())


def test_an_account_form_error_sits_beside_its_field_named_by_its_label(open_page):
    at = open_page(USERS, Role.ADMIN)
    at.text_input(key="add_user_username").input("new.officer")
    at.text_input(key="add_user_display_name").input("New Officer")
    at.text_input(key="add_user_password").input("short")
    next(b for b in at.button if b.label == "Create account").click()
    at.run()
    assert not at.exception
    summary = " ".join(e.value for e in at.error)
    assert "Initial password" in summary and "password (" not in summary.replace("Initial password (", "")
    children = _form_children(at, "add_user")
    position = next(i for i, c in enumerate(children) if getattr(c, "key", None) == "add_user_password")
    beside = children[position + 1]
    assert beside.type == "markdown" and "Initial password: Use at least" in shown(beside.value)
    assert any(".st-key-add_user_password" in h.proto.body for h in at.get("html"))  # the input outlined
    assert at.text_input(key="add_user_username").value == "new.officer"  # what was typed is kept
    assert "new.officer" not in set(at.dataframe[0].value["Username"])


def test_a_valid_account_is_created_and_the_form_cleared(open_page):
    at = open_page(USERS, Role.ADMIN)
    at.text_input(key="add_user_username").input("new.officer")
    at.text_input(key="add_user_display_name").input("New Officer")
    at.text_input(key="add_user_password").input("a-long-enough-password")
    next(b for b in at.button if b.label == "Create account").click()
    at.run()
    assert "Account new.officer created." in [shown(s.value) for s in at.success]
    assert "new.officer" in set(at.dataframe[0].value["Username"])
    assert at.text_input(key="add_user_username").value == ""


# ------------------------------------------------------------------ no "None" where people read

READ_PAGES = ["app.py", "pages/1_Executive_dashboard.py", "pages/2_Tasks.py", "pages/3_Plan.py", "pages/4_RAID_log.py",
              "pages/5_Contracts.py", "pages/6_Decisions.py", "pages/7_Engagement.py",
              "pages/8_Engagement_insights.py", "pages/11_Users.py"]
MISSING_WORDS = {"None", "nan", "NaN", "NaT", "<NA>"}


# Pages whose tabs run only when opened: (the tabs' key, the other tabs), each checked in turn.
LAZY_TABS = {"pages/8_Engagement_insights.py": ("insights_tab", ["You said, we did", "Quotes", "Coverage"]),
             "pages/2_Tasks.py": ("tasks_tab", ["My tasks", "Add a task", "Edit a task in full"]),
             "pages/3_Plan.py": ("plan_tab", ["Baselines and slippage", "Formal consultation"]),
             "pages/5_Contracts.py": ("contracts_tab", ["Contract detail", "What needs attention", "Add a contract"]),
             "pages/6_Decisions.py": ("decisions_tab", ["Full record", "Record a decision"]),
             "pages/4_RAID_log.py": ("raid_tab", ["Heat map", "Add an item", "Edit an item"]),
             "pages/7_Engagement.py": ("engagement_tab", ["What parents said", "You said, we did", "Import a survey",
                                                          "Retention and erasure", "Themes and partners"])}


@pytest.mark.parametrize("page", READ_PAGES)
def test_no_none_in_the_page_text_or_its_tables(open_page, page):
    at = open_page(page, Role.ADMIN)
    key, other_tabs = LAZY_TABS.get(page, (None, []))
    for tab in [None, *other_tabs]:
        if tab is not None:
            at.session_state[key] = tab
            at.run()
        assert not at.exception
        assert "None" not in texts(at).replace("None of", "")
        for table in at.dataframe:
            assert table.proto.placeholder == "" or table.proto.editing_mode != 0, "a gap would read 'None'"
            frame = table.value
            text_columns = [c for c in frame.columns if frame[c].dtype == object or str(frame[c].dtype) == "str"]
            words = set(frame[text_columns].astype(str).to_numpy().ravel()) if text_columns else set()
            assert not words & MISSING_WORDS, (page, tab, list(frame.columns))


def test_raid_scores_and_engagement_end_dates_are_blank_when_missing(open_page):
    raid_log = open_page("pages/4_RAID_log.py", Role.EDITOR).dataframe[0]
    frame = raid_log.value.set_index("Ref")
    assert frame.loc["R-01", "Score"] == 16 and pd.isna(frame.loc["A-01", "Score"])  # an assumption has no score
    assert raid_log.proto.placeholder == ""  # ... and its gap shows blank, not "None"
    activities = open_page("pages/7_Engagement.py", Role.EDITOR).dataframe[0]
    assert activities.value["End"].isna().any() and activities.proto.placeholder == ""


# ------------------------------------------------------------------ one way of saying days late

def test_days_late_read_the_same_on_home_and_the_dashboard(open_page):
    home = open_page("app.py", Role.EDITOR)
    overdue = next(t.value for t in home.dataframe if "Late" in t.value.columns)
    assert overdue.set_index("Ref").loc["EXP-15", "Late"] == "15 days overdue"
    dashboard = open_page("pages/1_Executive_dashboard.py", Role.EDITOR)
    tables = [t.value for t in dashboard.dataframe]
    attention = next(t for t in tables if "Days late" in t.columns)
    assert attention.set_index("Ref").loc["EXP-15", "Days late"] == "15 days overdue"
    deadlines = next(t for t in tables if "Days remaining" in t.columns)
    assert "16 days overdue" in set(deadlines["Days remaining"])
    for frame in tables:
        for column in ("Days remaining", "Days to go", "Days late"):
            if column in frame.columns:
                assert not frame[column].astype(str).str.startswith("-").any(), column


# ------------------------------------------------------------------ 1366 px

def test_the_tasks_table_puts_status_owner_and_due_date_first(open_page):
    at = open_page(TASKS, Role.EDITOR)
    columns = list(at.data_editor[0].value.columns)
    assert columns[:5] == ["Ref", "Task", "Status", "Owner", "Due"]


def test_the_sign_in_buttons_are_two_a_row_so_their_labels_fit(app_db):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    labels = [b.label for b in at.button if b.label.startswith("Sign in as ")]
    assert "Sign in as SEND Executive Group (viewer)" in labels
    holding = [c for c in at.columns if any(getattr(e, "label", "").startswith("Sign in as ")
                                            for e in c.children.values())]
    assert len(holding) == 4 and {c.weight for c in holding} == {0.5}  # half the width each, not a quarter


# ------------------------------------------------------------------ the pack: progress, and the old message goes

def test_generating_the_pack_again_replaces_the_last_message(open_page):
    at = open_page("pages/10_Submission.py", Role.EDITOR)
    generate = next(b for b in at.button if b.label == "Generate the pack from live data")
    generate.click().run()
    assert [shown(s.value) for s in at.success if "generated" in s.value] == [
        "Pack 1 generated from live data. Download it below."]
    next(b for b in at.button if b.label == "Generate the pack from live data").click().run()
    messages = [shown(s.value) for s in at.success if "generated" in s.value]
    assert len(messages) == 1 and messages[0].startswith("Pack 2 generated")


# ------------------------------------------------------------------ home: the most overdue, and where the rest are

def test_home_lists_the_ten_most_overdue_and_opens_the_rest_on_the_tasks_page(app_db, open_page):
    from datetime import date, timedelta

    from sqlalchemy import select, update

    from review.models import Task
    from review.platform import db
    from review.platform.config import get_settings

    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:  # 15 more open tasks fell due a year ago, a day apart
        ids = session.scalars(select(Task.id).where(Task.status.in_(["not_started", "in_progress"]))
                              .order_by(Task.id).limit(15)).all()
        for n, task_id in enumerate(ids):
            session.execute(update(Task).where(Task.id == task_id).values(due_date=date(2018, 11, 1) + timedelta(n)))
    engine.dispose()
    home = open_page("app.py", Role.EDITOR)
    overdue = next(t.value for t in home.dataframe if "Late" in t.value.columns)
    total = int(home.metric[2].value)  # the "Overdue" figure above
    assert total > 15 and len(overdue) == 10
    assert f"The 10 most overdue of {total} overdue tasks." in texts(home)
    assert list(overdue["Due"]) == sorted(overdue["Due"])[:10] and overdue["Due"].iloc[0] == date(2018, 11, 1)
    next(b for b in home.button if b.label == f"List all {total} overdue tasks on the Tasks page").click()
    tasks_page = home.run()
    assert not tasks_page.exception and [t.value for t in tasks_page.title] == ["Tasks"]
    assert tasks_page.toggle(key="f_overdue").value is True
    assert f"{total} task" in texts(tasks_page)


def test_home_lists_every_overdue_task_when_there_are_few(open_page):
    home = open_page("app.py", Role.EDITOR)
    overdue = next(t.value for t in home.dataframe if "Late" in t.value.columns)
    assert len(overdue) == int(home.metric[2].value) <= 10
    assert "most overdue of" not in texts(home)
    assert not [b for b in home.button if b.label.startswith("List all")]
