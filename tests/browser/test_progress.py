"""Words on screen while an action runs (issue 16), in a real browser at 1366 px. The app runs with
REVIEW_TEST_SLOW_WRITES (every `ui.feedback.write` waits that long first), so the progress can be seen; then the
success message follows and the progress words are gone."""
from __future__ import annotations

import time

import pytest

from deploy.cluster import free_port
from tests.browser.conftest import running_app, screenshot, sign_in_as, wait_for_heading, wait_idle
from tests.browser.test_task_journey import edit_form, open_task_in_full
from ui.progress import SAVING, SLOW_WRITES_ENV

WIDTH, HEIGHT = 1366, 768
SLOW_SECONDS = 4


@pytest.fixture(scope="module")
def slow_app(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("progress") / "progress_slow.db"
    with running_app(db_path, {SLOW_WRITES_ENV: str(SLOW_SECONDS)}, port=free_port()) as url:
        yield url


@pytest.fixture
def laptop(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(60_000)  # the first page of a run loads the demo data; the machine is shared
    yield pg
    context.close()


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= HEIGHT and box["x"] >= 0 \
        and box["x"] + box["width"] <= WIDTH


def test_a_save_says_saving_in_view_while_it_runs_then_the_outcome(laptop, slow_app):
    page = laptop
    sign_in_as(page, slow_app, "Project team (editor)")
    open_task_in_full(page, "SUB-04")
    save = page.get_by_role("button", name="Save task")
    save.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 0 or in_view(page, save)
    edit_form(page).get_by_label("Status", exact=True).click()
    page.get_by_role("option", name="In progress", exact=True).click()
    started = time.monotonic()
    save.click()

    saving = page.get_by_text(SAVING, exact=True)
    saving.wait_for(timeout=SLOW_SECONDS * 1000)
    assert time.monotonic() - started < SLOW_SECONDS  # seen while the save was still running
    assert in_view(page, saving)  # pinned in the window, not at the top of a page scrolled away
    screenshot(page, "progress-saving-1366")

    page.get_by_text("Task saved.").wait_for()
    wait_idle(page)
    assert page.get_by_text(SAVING, exact=True).count() == 0
    screenshot(page, "progress-saved-1366")


def test_pack_generation_shows_its_status_and_not_the_last_message(laptop, slow_app):
    page = laptop
    sign_in_as(page, slow_app, "Project team (editor)")
    page.get_by_role("link", name="Submission pack").first.click()
    wait_for_heading(page, "Submission pack")
    generate = page.get_by_role("button", name="Generate the pack from live data")
    generate.click()
    page.get_by_text("Pack 1 generated from live data").wait_for()
    wait_idle(page)

    generate.click()
    page.get_by_text("Generating the pack from live data...").wait_for(timeout=SLOW_SECONDS * 1000)
    assert page.get_by_text("Pack 1 generated from live data").count() == 0  # the last run's message is gone
    page.get_by_text("Pack 2 generated from live data").wait_for()
