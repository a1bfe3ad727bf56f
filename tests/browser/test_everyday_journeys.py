"""Everyday journeys in a real browser at 1366 px (a common laptop width): the page keeps its tab across a
save and its messages, and the personal-data check offers its choices right under the form that was checked."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, sign_in_as, wait_for_heading, wait_idle

WIDTH = 1366


@pytest.fixture
def laptop(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(60_000)  # the first page of a run loads the demo data; the machine is shared
    yield pg
    context.close()


def selected_tab(page) -> str:
    return page.locator("[role='tab'][aria-selected='true']").first.inner_text().strip()


def open_tab(page, app_url: str, link: str, heading: str, tab: str, role: str = "Project team (editor)") -> None:
    """Sign in (as an editor unless told), open a page from the menu and pick one of its tabs."""
    sign_in_as(page, app_url, role)
    page.get_by_role("link", name=link).first.click()
    wait_for_heading(page, heading)
    page.get_by_role("tab", name=tab).click()
    wait_idle(page)


def test_privacy_check_keeps_the_tab_and_offers_its_choices_beside_the_form(laptop, app_url):
    page = laptop
    open_tab(page, app_url, "Engagement", "Engagement", "What parents said")
    add = page.get_by_text("Add an input", exact=True)
    form = page.locator("[data-testid='stForm']").filter(has=page.get_by_role("button", name="Add input"))
    # The expander starts open only for an activity without inputs; the tests share one database, so read its state.
    expander = page.locator("[data-testid='stExpander'] details").filter(has=add)
    if expander.get_attribute("open") is None:
        add.click()
    form.wait_for(state="visible")
    form.get_by_label("Need raised", exact=True).fill("Wants a call back about school transport.")
    form.get_by_label("Verbatim quote", exact=True).fill("Ring Jo on 07700 900123 after school.")
    form.get_by_role("button", name="Add input").click()
    wait_idle(page)

    check = page.get_by_text("Nothing was saved yet: some text looks like personal data.")
    check.wait_for()
    assert selected_tab(page) == "What parents said"  # the page did not jump back to Activities
    redact = page.get_by_role("button", name="Redact and save")
    assert redact.is_visible() and page.get_by_role("button", name="Save as written (not personal data)").is_visible()
    # The choices sit right under the form's button, not at the top of the page or on another tab.
    submit_box = form.get_by_role("button", name="Add input").bounding_box()
    redact_box = redact.bounding_box()
    assert 0 < redact_box["y"] - submit_box["y"] < 400, (submit_box, redact_box)
    assert redact_box["x"] + redact_box["width"] <= WIDTH
    assert page.get_by_text("07700 900123").first.is_visible()
    screenshot(page, "engagement-privacy-check-1366")

    redact.click()
    wait_idle(page)
    page.get_by_text("Input recorded").first.wait_for()
    assert selected_tab(page) == "What parents said"
    assert page.get_by_role("button", name="Redact and save").count() == 0
    screenshot(page, "engagement-after-redaction-1366")


def test_tab_is_kept_after_a_response_is_recorded(laptop, app_url):
    page = laptop
    open_tab(page, app_url, "Engagement", "Engagement", "You said, we did")
    page.get_by_text("Record a response", exact=True).click()
    form = page.locator("[data-testid='stForm']").filter(has=page.get_by_role("button", name="Add response"))
    form.get_by_label("You said *", exact=True).fill("The phone line closes too early for working parents.")
    form.get_by_label("We did *", exact=True).fill("Evening opening on Thursdays is in the specification.")
    form.get_by_role("button", name="Add response").click()
    wait_idle(page)
    page.get_by_text("Response recorded.").wait_for()
    assert selected_tab(page) == "You said, we did"


def test_compare_scenarios_fits_1366_with_the_recommended_one_marked(laptop, app_url):
    page = laptop
    open_tab(page, app_url, "Phone-line costs", "Phone-line costs", "Compare scenarios", "Commissioner")
    table = page.locator("[data-testid='stTable']")
    table.wait_for()
    header = table.locator("th")
    texts = [t.strip() for t in header.all_inner_texts()]
    assert any(t.startswith("★ Office-hours SEND line run in house (recommended)") for t in texts), texts
    assert sum(1 for t in texts if "SEND line" in t) == 3  # every chosen scenario has its column
    box = table.bounding_box()
    assert box["x"] + box["width"] <= WIDTH
    for th in header.all():
        cell = th.bounding_box()
        assert cell["x"] + cell["width"] <= WIDTH + 1
    screenshot(page, "compare-scenarios-1366")






def test_sign_in_buttons_and_the_tasks_table_fit_1366(laptop, app_url):
    page = laptop
    page.goto(app_url)
    for role in ("Project team (editor)", "SEND Executive Group (viewer)", "Commissioner", "Administrator"):
        button = page.get_by_role("button", name=f"Sign in as {role}")
        button.wait_for()
        text = button.locator("p").first
        # the label is not cut: its text is as wide as it needs to be inside the button
        assert text.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), role
    screenshot(page, "sign-in-1366")
    sign_in_as(page, app_url, "Project team (editor)")
    page.get_by_role("link", name="Tasks").first.click()
    wait_for_heading(page, "Tasks")
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    box = grid.bounding_box()
    assert box["x"] + box["width"] <= WIDTH  # the table fits the window; Status, Due, Owner come first in it
    screenshot(page, "tasks-1366")
