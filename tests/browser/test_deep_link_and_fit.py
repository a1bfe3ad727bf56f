"""Deep links survive sign-in, and the sign-in buttons and main tables fit a 1366 px laptop screen (issue 16)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, sign_in_as, wait_for_heading, wait_idle

LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture
def laptop(browser):
    context = browser.new_context(viewport=LAPTOP)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def test_opening_tasks_signed_out_then_signing_in_lands_on_tasks(laptop, app_url):
    laptop.goto(f"{app_url}/Tasks")
    wait_idle(laptop)
    laptop.get_by_text("Please sign in to use this page.").wait_for()
    laptop.get_by_role("link", name="Go to sign-in").click()
    laptop.get_by_role("button", name="Sign in as Project team (editor)").wait_for()
    wait_idle(laptop)
    assert "next=tasks" in laptop.url
    laptop.get_by_role("button", name="Sign in as Project team (editor)").click()
    wait_for_heading(laptop, "Tasks")
    assert laptop.url.rstrip("/").endswith("/Tasks")
    screenshot(laptop, "deep-link-tasks-1366")


def _overflowing_buttons(page) -> list[str]:
    """Labels of visible buttons whose text is cut (wider than the button shows)."""
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMain"] button')]
        .filter(b => b.offsetParent !== null)
        .filter(b => [...b.querySelectorAll('p, span, div')].some(e => e.scrollWidth > e.clientWidth + 1))
        .map(b => b.innerText)""")


def _table_overflow(page) -> list[int]:
    """For each table on screen: how many pixels its columns reach past its right edge (0 when they fit)."""
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid="stDataFrame"]')].map(t => {
        const scroller = t.querySelector('.dvn-scroller');
        return scroller ? Math.max(0, scroller.scrollWidth - scroller.clientWidth) : 0; })""")


def test_sign_in_buttons_and_main_tables_fit_1366_px(laptop, app_url):
    laptop.goto(app_url)
    laptop.get_by_role("button", name="Sign in as SEND Executive Group (viewer)").wait_for()
    wait_idle(laptop)
    assert _overflowing_buttons(laptop) == []
    laptop.get_by_role("button", name="Sign in as Project team (editor)").click()
    laptop.get_by_role("button", name="Sign out").wait_for()
    wait_idle(laptop)
    for path, heading in (("", "The review at a glance"), ("/Executive_dashboard", "SEND Executive dashboard"),
                          ("/RAID_log", "RAID log")):
        laptop.goto(f"{app_url}{path}")
        wait_for_heading(laptop, heading)
        laptop.wait_for_function("document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0")
        laptop.wait_for_timeout(1000)
        overflow = _table_overflow(laptop)
        assert overflow and all(px == 0 for px in overflow), (heading, overflow)
    laptop.goto(f"{app_url}/Tasks")
    wait_for_heading(laptop, "Tasks")
    screenshot(laptop, "tasks-1366")  # Status is the third column (see tests/pages/test_everyday_small.py)


def test_a_half_typed_form_asks_before_it_is_lost(browser, app_url):
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(app_url)
    page.get_by_role("button", name="Sign in as Administrator").click()
    page.get_by_role("button", name="Sign out").wait_for()
    wait_idle(page)
    page.get_by_role("link", name="Users").click()
    wait_for_heading(page, "Users")
    dialogs: list[tuple[str, str]] = []

    def answer(dialog) -> None:
        dialogs.append((dialog.type, dialog.message))
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.get_by_role("link", name="Home").first.click()  # nothing typed yet: no question
    wait_for_heading(page, "The review at a glance")
    assert dialogs == []
    page.get_by_role("link", name="Users").click()
    wait_for_heading(page, "Users")
    page.get_by_label("Display name *").fill("Half typed")
    page.get_by_role("link", name="Home").first.click()
    page.wait_for_timeout(500)
    assert dialogs and dialogs[0][0] == "confirm" and "unsaved changes" in dialogs[0][1]
    assert page.get_by_label("Display name *").input_value() == "Half typed"  # still here, input kept
    page.close(run_before_unload=True)  # closing the tab (as a reload would) asks too
    page.wait_for_timeout(1000)
    assert any(kind == "beforeunload" for kind, _ in dialogs)
    context.close()


def test_a_half_typed_form_asks_before_another_tab_drops_it(browser, app_url):
    """Pages run only the open tab, so another tab would drop what is typed in a form on this one: it asks."""
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in_as(page, app_url, "Project team (editor)")
    page.get_by_role("link", name="Engagement", exact=True).first.click()
    wait_for_heading(page, "Engagement")
    answers = ["dismiss"]
    dialogs: list[str] = []

    def answer(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss() if answers.pop(0) == "dismiss" else dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("tab", name="What parents said").click()  # nothing typed yet: no question
    wait_idle(page)
    assert dialogs == []
    need = page.get_by_role("textbox", name="Need raised").first
    need.fill("Wants one number to call about transport")
    page.get_by_role("tab", name="Activities").click()
    page.wait_for_timeout(500)
    wait_idle(page)
    assert len(dialogs) == 1 and "unsaved changes in a form on this tab" in dialogs[0]
    selected = page.get_by_role("tab", selected=True)
    assert selected.inner_text() == "What parents said"  # stayed, and kept what was typed
    assert need.input_value() == "Wants one number to call about transport"
    answers.append("accept")
    page.get_by_role("tab", name="Activities").click()
    wait_idle(page)
    assert len(dialogs) == 2 and page.get_by_role("tab", selected=True).inner_text() == "Activities"
    # From the keyboard: an arrow key on the tab list asks too.
    page.get_by_role("textbox", name="Title").first.fill("Drop-in at the Hertford hub")
    page.get_by_role("tab", selected=True).focus()
    answers.append("dismiss")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(500)
    wait_idle(page)
    assert len(dialogs) == 3 and page.get_by_role("tab", selected=True).inner_text() == "Activities"
    assert page.get_by_role("textbox", name="Title").first.input_value() == "Drop-in at the Hertford hub"
    context.close()
