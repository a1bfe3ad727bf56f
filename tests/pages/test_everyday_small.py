"""Issue 16, the small things: no "None" where people read, one way of saying days late, deep links that survive
sign-in, field errors named by their label, tables that fit a 1366 px screen."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from review.platform.roles import Role
from tests.pages.conftest import APP, TIMEOUT, texts

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
    assert beside.type == "markdown" and "Initial password: Use at least" in beside.value
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
    assert "Account new.officer created." in [s.value for s in at.success]
    assert "new.officer" in set(at.dataframe[0].value["Username"])
    assert at.text_input(key="add_user_username").value == ""
