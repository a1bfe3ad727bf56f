"""The project team's core journey in a real browser: sign in, change a task's status, reload, see it kept."""
from __future__ import annotations

from tests.browser.conftest import screenshot, sign_in_as, wait_for_heading, wait_idle


def edit_form(page):
    return page.locator("[data-testid='stForm']").filter(
        has=page.get_by_role("button", name="Save task", exact=True))


def open_task_in_full(page, ref: str) -> None:
    page.get_by_role("link", name="Tasks").first.click()
    wait_for_heading(page, "Tasks")
    wait_idle(page)
    page.get_by_role("tab", name="Edit a task in full").click()
    wait_idle(page)  # the tab runs when opened
    page.get_by_label("Task to edit").click()
    page.keyboard.type(ref)
    page.get_by_role("option", name=ref).first.click()
    wait_idle(page)


def test_editor_changes_status_and_it_persists_after_reload(page, app_url):
    sign_in_as(page, app_url, "Project team (editor)")
    page.get_by_text("The review at a glance").wait_for()
    screenshot(page, "home-editor")
    open_task_in_full(page, "SUB-04")
    status = edit_form(page).get_by_label("Status", exact=True)
    status.click()
    page.get_by_role("option", name="In progress", exact=True).click()
    page.get_by_role("button", name="Save task").click()
    page.get_by_text("Task saved.").wait_for()
    screenshot(page, "task-saved")

    page.reload()  # a new Streamlit session: the sign-in cookie keeps the editor signed in
    wait_idle(page)
    wait_for_heading(page, "Tasks")
    open_task_in_full(page, "SUB-04")
    assert edit_form(page).get_by_label("Status", exact=True).input_value() == "In progress"


def test_sign_out_survives_a_reload(page, app_url):
    sign_in_as(page, app_url, "SEND Executive Group (viewer)")
    wait_for_heading(page, "SEND Executive dashboard")  # the viewers' landing page
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in", exact=True).wait_for()
    wait_idle(page)
    page.reload()
    wait_idle(page)
    page.get_by_role("button", name="Sign in", exact=True).wait_for()
    assert page.get_by_text("The review at a glance").count() == 0
