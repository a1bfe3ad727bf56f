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
