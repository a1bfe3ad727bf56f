"""Stored text never renders as Markdown (no images, links or HTML), demo accounts follow demo mode, and a
database file that disappears under the running app gives a clear page."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from review.costing import scenarios
from review.models import Task
from review.models.costing import CostScenario
from review.plan import tasks
from review.platform import db
from review.platform.config import get_settings
from review.platform.roles import SYSTEM, Role
from tests.pages.conftest import open_tab, texts
from ui.text import plain

IMAGE = "![p](http://127.0.0.1:9/x.png)"
HOSTILE = f"{IMAGE} [click](http://evil.example) <img src=x onerror=alert(1)> **bold** :red[red] $x^2$"
RENDERER = MarkdownIt("commonmark", {"html": True}).enable("table")
ACTIVE = ("<img", "<a ", "<script", "<strong>bold")


def rendered(source: str) -> str:
    return RENDERER.render(source)


def markdown_sources(at: AppTest) -> list[str]:
    """Every string the page hands to a Markdown-rendering element or label."""
    sources = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error"):
        sources += [str(e.value) for e in getattr(at, kind)]
    for kind in ("button", "checkbox", "expander", "tabs", "metric", "toggle"):
        sources += [str(e.label) for e in getattr(at, kind)]
    return sources


def assert_inert(at: AppTest) -> None:
    assert not at.exception
    for source in markdown_sources(at):
        html = rendered(source)
        assert not any(tag in html for tag in ACTIVE), source


def with_session(fn):
    engine = db.make_engine(get_settings().database_url)
    try:
        with db.unit_of_work(engine) as session:
            return fn(session)
    finally:
        engine.dispose()


# ------------------------------------------------------------------ the helper, against a CommonMark renderer

@settings(max_examples=300, deadline=None)
@given(st.text())
def test_plain_text_renders_as_the_same_text_and_nothing_else(text):
    html = rendered(plain(text))
    assert "<img" not in html and "<a " not in html and "<em>" not in html and "<strong>" not in html
    # (An indented line may still become a code block: that shows text too.)
    assert "<h" not in html and "<li>" not in html and "<blockquote>" not in html and "<table>" not in html


@pytest.mark.parametrize("text", [HOSTILE, "# heading", "- item", "1. first", "a & b &amp; c", "<b>x</b>",
                                  "line one\nline two", "`code`", "> quote", "| a | b |\n|---|---|\n| 1 | 2 |"])
def test_plain_keeps_the_words_readers_typed(text):
    import html as html_lib
    import re
    shown = html_lib.unescape(re.sub(r"<[^>]+>", "", rendered(plain(text)))).replace("\u200b", "")
    assert " ".join(shown.split()) == " ".join(text.split())


# ------------------------------------------------------------------ pages with hostile stored text

def test_a_task_comment_and_title_show_as_plain_text(open_page):
    def plant(session):
        task = session.scalar(select(Task).order_by(Task.id).limit(1))
        tasks.add_comment(session, SYSTEM, task.id, HOSTILE)
        tasks.update_task(session, SYSTEM, task.id, task.version, title="**Bold** title ![t](http://127.0.0.1:9/t.png)")
        return task.id
    task_id = with_session(plant)
    at = open_tab(open_page("pages/2_Tasks.py", Role.EDITOR), "tasks_tab", "Edit a task in full")
    at.selectbox(key="edit_task_choice").set_value(task_id).run()
    assert_inert(at)
    assert IMAGE in texts(at)  # the reader sees what was typed, as text


def test_the_dashboard_shows_a_hostile_scenario_name_and_rag_reason_as_text(open_page):
    def plant(session):
        scenario = session.scalar(select(CostScenario).where(CostScenario.is_recommended.is_(True)))
        scenario = scenarios.unlock_scenario(session, SYSTEM, scenario.id, scenario.version, "testing hostile text")
        scenarios.update_scenario(session, SYSTEM, scenario.id, scenario.version, name=f"Line {IMAGE}",
                                  delivery_model="<img src=x onerror=alert(1)>")
    with_session(plant)
    at = open_page("pages/1_Executive_dashboard.py", Role.VIEWER)
    assert_inert(at)
    assert f"Line {IMAGE}" in texts(at)


def test_the_scenario_page_shows_a_hostile_description_as_text(open_page):
    def plant(session):
        scenario = session.scalar(select(CostScenario).order_by(CostScenario.id).limit(1))
        if scenario.is_locked:
            scenario = scenarios.unlock_scenario(session, SYSTEM, scenario.id, scenario.version, "testing")
        scenarios.update_scenario(session, SYSTEM, scenario.id, scenario.version, description=HOSTILE)
    with_session(plant)
    at = open_page("pages/9_Phone_line_costs.py", Role.COMMISSIONER)
    assert_inert(at)


# ------------------------------------------------------------------ demo accounts and a vanished database

def test_demo_accounts_cannot_sign_in_with_the_published_password_once_demo_mode_is_off(open_page, monkeypatch):
    monkeypatch.setenv("REVIEW_DEMO", "0")
    at = open_page("app.py", None)
    at.text_input[0].input("demo-admin")
    at.text_input[1].input("demo-password-2019")
    at.button[-1].click().run()
    assert "not recognised" in texts(at)
    assert "actor" not in at.session_state


def test_the_app_shows_a_clear_page_when_its_database_file_disappears(open_page, page_engine):
    if page_engine != "sqlite":
        pytest.skip("only the embedded database is a file")
    at = open_page("pages/2_Tasks.py", Role.EDITOR)
    assert not at.exception
    path = db.sqlite_path(get_settings().database_url)
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        name.unlink(missing_ok=True)
    at.run()
    assert "missing or was replaced" in texts(at)
    assert not path.exists()  # no new, empty database behind the running app
