"""Words on screen while an action runs (issue 16): each slow action runs inside a spinner that says what it does.

AppTest does not keep spinners (they are transient), so `st.spinner` is replaced by a recorder that notes each
text and whether the service under test was called while it showed."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import pytest
import streamlit as st
from sqlalchemy import select

from review.costing import scenarios
from review.models import Task
from review.operations import check
from review.plan import tasks
from review.platform import db
from review.platform.config import get_settings
from review.platform.roles import SYSTEM, Role
from tests.pages.conftest import open_tab, texts
from ui import download, engagement_admin_components, feedback, progress
from ui.feedback import Written


class Spinners:
    """Stands in for `st.spinner`: `shown` lists every text, `during(f)` wraps `f` to note the texts showing
    when it is called."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.showing: list[str] = []
        self.calls: list[tuple[str, list[str]]] = []

    @contextmanager
    def __call__(self, text: str = "In progress...", **_options) -> Iterator[None]:
        self.shown.append(text)
        self.showing.append(text)
        try:
            yield
        finally:
            self.showing.pop()

    def during(self, name: str, function):
        def noted(*args, **kwargs):
            self.calls.append((name, list(self.showing)))
            return function(*args, **kwargs)
        return noted

    def showing_at(self, name: str) -> list[str]:
        return next(showing for called, showing in self.calls if called == name)


@pytest.fixture
def spinners(monkeypatch) -> Spinners:
    recorder = Spinners()
    monkeypatch.setattr(st, "spinner", recorder)
    return recorder


def test_a_form_save_shows_saving_while_the_service_runs(open_page, spinners, monkeypatch):
    monkeypatch.setattr(tasks, "update_task", spinners.during("update_task", tasks.update_task))
    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:
        task_id = session.scalar(select(Task.id).where(Task.reference == "SUB-04"))
    engine.dispose()
    at = open_tab(open_page("pages/2_Tasks.py", Role.EDITOR), "tasks_tab", "Edit a task in full")
    at.selectbox(key="edit_task_choice").set_value(task_id).run()
    next(b for b in at.button if b.label == "Save task").click().run()
    assert not at.exception
    assert "Task saved." in texts(at)
    assert spinners.showing_at("update_task") == [progress.SAVING]


def test_a_scenario_save_says_so_while_it_runs(open_page, spinners, monkeypatch):
    monkeypatch.setattr(scenarios, "create_scenario", spinners.during("create_scenario", scenarios.create_scenario))
    at = open_page("pages/9_Phone_line_costs.py", Role.COMMISSIONER)
    at.selectbox(key="cost_choice").set_value("new").run()
    at.text_input(key="cost_name_new").input("Timed scenario")
    at.button(key="cost_save_new").click().run()
    assert not at.exception
    assert "Saved new scenario" in texts(at)
    assert spinners.showing_at("create_scenario") == ["Saving the scenario..."]


def test_the_health_check_runs_inside_its_spinner(open_page, spinners, monkeypatch):
    monkeypatch.setattr(check, "run", spinners.during("check", check.run))
    at = open_page("pages/15_Operations.py", Role.ADMIN)
    assert not at.exception
    assert "Health check:" in texts(at)
    assert spinners.showing_at("check") == ["Running the health check..."]


def test_downloads_built_on_click_say_what_they_prepare(open_page, monkeypatch):
    offered: dict[str, str] = {}
    real = download.built_on_click

    def noting(label, build, file_name, mime, *, key, preparing, **options):
        offered[label] = preparing
        real(label, build, file_name, mime, key=key, preparing=preparing, **options)

    monkeypatch.setattr(download, "built_on_click", noting)
    open_page("pages/15_Operations.py", Role.ADMIN)
    open_page("pages/1_Executive_dashboard.py", Role.VIEWER)
    open_page("pages/10_Submission.py", Role.VIEWER)
    assert offered == {"Download a backup now": "Writing the backup of every table...",
                       "Download the highlight report": "Writing the highlight report...",
                       "Download a draft from live data (Word)": "Building the draft pack from live data..."}


def test_the_workbook_import_says_how_many_rows_it_imports(monkeypatch):
    """The import callback names the rows and the file in its progress words (the file name made inert)."""
    asked = {}

    def fake_write(action, success, **options):
        asked.update(options)
        return Written(False)

    monkeypatch.setattr(engagement_admin_components, "write", fake_write)
    engagement_admin_components._import(SYSTEM, pd.DataFrame(), {}, 1, False, False, "survey_*2019*.xlsx", 1240)
    assert asked["progress_text"] == r"Importing 1,240 row(s) from survey\_\*2019\*\.xlsx..."


def test_pack_generation_shows_its_status_not_a_second_spinner(open_page, spinners):
    at = open_page("pages/10_Submission.py", Role.EDITOR)
    next(b for b in at.button if b.label == "Generate the pack from live data").click().run()
    assert not at.exception
    assert "Pack 1 generated from live data" in texts(at)
    assert progress.SAVING not in spinners.shown


def test_slow_writes_hook_is_off_unless_set(monkeypatch):
    slept = []
    monkeypatch.setattr(progress.time, "sleep", slept.append)
    monkeypatch.delenv(progress.SLOW_WRITES_ENV, raising=False)
    progress.test_delay()
    monkeypatch.setenv(progress.SLOW_WRITES_ENV, "1.5")
    progress.test_delay()
    assert slept == [1.5]
    assert feedback.write.__kwdefaults__["progress_text"] == progress.SAVING


DOWNLOAD_PAGES = [("app.py", Role.EDITOR), ("pages/1_Executive_dashboard.py", Role.VIEWER),
                  ("pages/2_Tasks.py", Role.EDITOR), ("pages/4_RAID_log.py", Role.EDITOR),
                  ("pages/5_Contracts.py", Role.VIEWER), ("pages/6_Decisions.py", Role.VIEWER),
                  ("pages/10_Submission.py", Role.VIEWER), ("pages/12_Audit_log.py", Role.ADMIN),
                  ("pages/15_Operations.py", Role.ADMIN)]


def test_no_download_click_reruns_the_page(open_page):
    """Every download button is drawn with `ignore_rerun`. A click that also reruns the page can lose a file built
    on click: the rerun drops the session's file references, and a run ending meanwhile makes Streamlit forget the
    function ("Deferred file ... not found"; seen in the browser tests under load)."""
    found: dict[str, bool] = {}
    for script, role in DOWNLOAD_PAGES:
        at = open_page(script, role)
        assert not at.exception, script
        found.update({button.proto.label: button.proto.ignore_rerun for button in at.get("download_button")})
    assert {"Download the highlight report", "Download all tasks (CSV)", "Download a backup now",
            "Download a draft from live data (Word)", "Download these events (CSV)"} <= set(found)
    assert [label for label, ignored in found.items() if not ignored] == []


def test_every_download_in_the_code_is_drawn_by_ui_download():
    """The same rule over the source, for buttons no page test above opens: `ui.download` is the only caller of
    `st.download_button` in `ui/`, `pages/` and `app.py`, and it passes `on_click="ignore"`."""
    import ast

    from review.platform.config import PROJECT_ROOT

    calls = []
    for path in [*(PROJECT_ROOT / "ui").glob("*.py"), *(PROJECT_ROOT / "pages").glob("*.py"), PROJECT_ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "st.download_button":
                calls.append((path.name, node))
    assert [name for name, _ in calls] == ["download.py"]
    assert any(k.arg == "on_click" and isinstance(k.value, ast.Constant) and k.value.value == "ignore"
               for k in calls[0][1].keywords)
