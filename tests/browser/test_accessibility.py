"""WCAG 2.2 AA in a real browser (issue 13): axe-core finds no violation on any page for any role, in the states
users reach (tabs, expanders, a form with field errors, a confirmation popover, empty states); keyboard-only
journeys with a visible focus; no horizontal loss of content at 320 CSS px and at 200% zoom."""
from __future__ import annotations

import hashlib
import re

import pytest

from tests.browser.conftest import running_app, screenshot, sign_in_as, wait_for_heading, wait_idle

axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
# The role that may do everything and the role that may only read come first: most pages other roles see have the
# same structure as one of those two, and a page state already scanned is not scanned again (see `structure`).
ROLES = ["Administrator", "SEND Executive Group (viewer)", "Project team (editor)", "Commissioner"]
SIDEBAR_LINKS = "[data-testid='stSidebar'] a[data-testid='stPageLink-NavLink']"
_AXE = axe_module.Axe()


def violations(page, state: str) -> list[str]:
    """axe-core's violations for the tags above, one line per rule with the first offending elements.

    axe-core is put into the page once per page load (the library injects its 500 kB script on every run)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_AXE.axe_script)
    found = page.evaluate("(options) => axe.run(document, options)", AXE_OPTIONS)["violations"]
    return [f"{state}: {v['id']} ({v['impact']}) x{len(v['nodes'])}: "
            + " | ".join(n["html"][:120] for n in v["nodes"][:3]) for v in found]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """An app on a database of its own: the keyboard journeys record a KPI value and change a task, which the
    other browser tests' expected dates must not see."""
    with running_app(tmp_path_factory.mktemp("a11y") / "a11y.db") as url:
        yield url


def signed_in(page, app_url: str, role: str) -> None:
    """Demo one-click sign-in (`sign_in_as` waits for the demo data on the app's first run). It used to open the
    sign-in page twice, and a fresh load of the app costs Chromium about 4 s of CPU on a slow machine."""
    sign_in_as(page, app_url, role)


def settle(page) -> None:
    page.locator("h1").first.wait_for(timeout=30_000)
    wait_idle(page)


def open_expanders(page) -> None:
    """Open every closed, visible expander (st.expander is a <details>)."""
    summaries = page.locator("details:not([open]) > summary")
    opened = 0
    for i in range(summaries.count()):
        summary = summaries.nth(i)
        if summary.is_visible():
            summary.click()
            opened += 1
    if opened:
        wait_idle(page)


def scan_page_states(page, name: str) -> list[str]:
    """The page as opened with its expanders open, then each further tab with its expanders open."""
    open_expanders(page)
    found = violations(page, name)
    tabs = page.get_by_role("tab")
    for i in range(1, tabs.count()):
        tab = tabs.nth(i)
        if not tab.is_visible():
            continue
        label = tab.inner_text().strip()
        tab.click()
        wait_idle(page)
        open_expanders(page)
        found += violations(page, f"{name} / tab {label}")
    return found


# Every element of the main area as opened (closed expanders included: Streamlit draws their content; tabs that
# run only when opened are not, and a permission that changes one also changes the page as opened, today),
# as tag, test id, role, class, type, disabled, labelled and whether it holds text of its own. The words differ
# from role to role ("My tasks" of whoever signed in); what axe-core judges (names, roles, structure, styles from
# the classes) is the same when these are. Inside a data grid or a chart only the element itself counts: the grid
# draws its accessible rows as they scroll into view, at its own pace.
STRUCTURE = """() => {
  const main = document.querySelector("[data-testid='stMain']");
  const drawn = "[data-testid='stDataFrame'], [data-testid='stTable'], .js-plotly-plot";
  return [...main.querySelectorAll('*')].filter(el => !el.parentElement.closest(drawn)).map(el => [
    el.tagName, el.getAttribute('data-testid') || '', el.getAttribute('role') || '', el.getAttribute('class') || '',
    el.getAttribute('type') || '', el.hasAttribute('disabled') ? 'disabled' : '',
    el.hasAttribute('aria-label') ? 'labelled' : '',
    [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) ? 'text' : '',
  ].join('|')).join('\\n');
}"""
_SCANNED: dict[tuple[str, str], str] = {}  # (page, structure digest) -> the role whose scan covered it


def structure(page) -> str:
    """A digest of the main area's structure (see STRUCTURE)."""
    return hashlib.sha256(page.evaluate(STRUCTURE).encode()).hexdigest()


def sidebar_pages(page) -> list[str]:
    links = page.locator(SIDEBAR_LINKS)
    return [links.nth(i).get_attribute("href") for i in range(links.count())]


def test_signed_out_pages_have_no_violations(page, app_url):
    page.goto(app_url)
    page.get_by_role("button", name="Sign in", exact=True).wait_for(timeout=90_000)
    wait_idle(page)
    found = violations(page, "sign-in")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password", exact=True).fill("wrong password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("alert").first.wait_for()
    wait_idle(page)
    found += violations(page, "sign-in refused")
    hrefs = sidebar_pages(page)
    assert any(h.rstrip("/").endswith("Accessibility") for h in hrefs), hrefs  # the statement is open to visitors
    page.get_by_role("link", name="Accessibility statement").first.click()
    wait_for_heading(page, "Accessibility statement for the SEND IAG Review Tracker")
    for heading in ("Compliance status", "Non-accessible content", "Reporting accessibility problems with this service",
                    "Enforcement procedure"):
        assert page.get_by_role("heading", name=heading).count() == 1
    assert page.get_by_text("Equality and Human Rights Commission").count() >= 1
    found += violations(page, "accessibility statement (signed out)")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_no_violations_for_the_role(page, app_url, role):
    signed_in(page, app_url, role)
    hrefs = sidebar_pages(page)
    assert any(h.rstrip("/").endswith("Accessibility") for h in hrefs), hrefs
    found: list[str] = []
    scanned = 0
    for number, href in enumerate(hrefs):
        if number == 0:
            page.goto(href if href.startswith("http") else f"{app_url}/{href.lstrip('/')}")
        else:  # through the sidebar, as people do: the app stays loaded in the browser (quicker than a reload)
            page.locator(f"{SIDEBAR_LINKS}[href='{href}']").click()
            page.wait_for_url(re.compile(re.escape(href.rstrip("/").rsplit("/", 1)[-1]) + "/?$"))
        settle(page)
        assert page.get_by_role("button", name="Sign in", exact=True).count() == 0, href  # still signed in
        name = href.rsplit("/", 1)[-1] or "Home"
        key = (name, structure(page))
        if number and key in _SCANNED:  # the first page is always scanned: it covers this role's sidebar
            print(f"{role} {name}: same structure as {_SCANNED[key]}'s, scanned then")
            continue
        _SCANNED.setdefault(key, role)
        found += scan_page_states(page, f"{role} {name}")
        scanned += 1
    assert scanned, "no page was scanned"
    assert not found, "\n".join(found)


def test_form_with_field_errors_and_confirmation_have_no_violations(page, app_url):
    signed_in(page, app_url, "Administrator")
    page.get_by_role("link", name="Tasks").first.click()
    wait_for_heading(page, "Tasks")
    page.get_by_role("tab", name="Add a task").click()
    wait_idle(page)
    page.get_by_role("button", name="Add task").click()
    page.get_by_text("The task was not added").first.wait_for()
    wait_idle(page)
    found = violations(page, "add task with field errors")
    screenshot(page, "a11y-field-errors")

    page.get_by_role("link", name="Phone-line costs").first.click()
    wait_for_heading(page, "Phone-line costs")
    delete = page.get_by_role("button", name=re.compile("Delete this scenario"))
    if delete.count():
        delete.first.click()
        page.locator("[data-testid='stPopoverBody']").wait_for()
        found += violations(page, "delete scenario confirmation")
    assert not found, "\n".join(found)


# ------------------------------------------------------------------ keyboard only

FOCUS_RING = """() => {
  let el = document.activeElement;
  for (let i = 0; el && i < 4; i++, el = el.parentElement) {
    const s = getComputedStyle(el);
    if ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || (s.boxShadow && s.boxShadow !== 'none'))
      return true;
  }
  return false;
}"""


def tab_to(page, locator, limit: int = 250) -> None:
    """Press Tab until `locator` has the focus, and check the focus is visible there."""
    target = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => el === document.activeElement || el.contains(document.activeElement)", target):
            assert page.evaluate(FOCUS_RING), "no visible focus indicator"
            return
    pytest.fail(f"Tab never reached {locator}")


def keyboard_sign_in(page, app_url: str) -> None:
    page.goto(app_url)
    page.get_by_role("button", name="Sign in", exact=True).wait_for(timeout=90_000)
    wait_idle(page)
    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type("demo-editor")
    tab_to(page, page.get_by_label("Password", exact=True))
    page.keyboard.type("demo-password-2019")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Sign out").wait_for()
    wait_idle(page)


FOCUSED_TAB = """() => {
  const el = document.activeElement;
  return el && el.getAttribute('role') === 'tab' && el.getAttribute('aria-selected') === 'true'
    ? el.innerText.trim() : `focus on ${el ? el.tagName : 'nothing'}`;
}"""


def arrow_to_tab(page, key: str, name: str) -> None:
    """Press an arrow key on a tab list, as a person would: one key, then wait for the tab to open (each tab change
    reruns the page), and check the focus is still on the tab that opened, so the next key works."""
    from playwright.sync_api import expect

    page.keyboard.press(key)
    expect(page.get_by_role("tab", name=name, exact=True)).to_have_attribute("aria-selected", "true")
    wait_idle(page)
    assert page.evaluate(FOCUSED_TAB) == name


def test_keyboard_only_sign_in_and_change_a_task_status(page, app_url):
    keyboard_sign_in(page, app_url)
    tab_to(page, page.locator(SIDEBAR_LINKS).filter(has_text="Tasks").first)
    page.keyboard.press("Enter")
    wait_for_heading(page, "Tasks")
    tab_to(page, page.get_by_role("tab", name="All tasks"))
    for name in ("My tasks", "Add a task", "Edit a task in full"):  # the tab list moves with the arrow keys
        arrow_to_tab(page, "ArrowRight", name)
    tab_to(page, page.get_by_label("Task to edit"))
    page.keyboard.type("SUB-03")
    page.keyboard.press("Enter")
    wait_idle(page)
    form = page.locator("[data-testid='stForm']").filter(has=page.get_by_role("button", name="Save task"))
    status = form.get_by_label("Status", exact=True)
    tab_to(page, status)
    page.keyboard.type("Blocked")
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Save task"))
    page.keyboard.press("Enter")
    page.get_by_text("Task saved.").wait_for()
    wait_idle(page)
    assert form.get_by_label("Status", exact=True).input_value() == "Blocked"


def test_keyboard_only_record_a_kpi_value(page, app_url):
    keyboard_sign_in(page, app_url)
    tab_to(page, page.locator(SIDEBAR_LINKS).filter(has_text="Contracts").first)
    page.keyboard.press("Enter")
    wait_for_heading(page, "Contracts")
    tab_to(page, page.get_by_role("tab", name="Register"))
    arrow_to_tab(page, "ArrowRight", "Contract detail")
    form = page.locator("[data-testid='stForm']").filter(has=page.get_by_role("button", name="Record value"))
    tab_to(page, form.get_by_role("spinbutton", name="day, Period ending *"))
    page.keyboard.type("31122019")  # the next quarter end; day, month, year: each segment moves on when full
    tab_to(page, form.get_by_label("Value *"))
    page.keyboard.type("42")
    tab_to(page, form.get_by_role("button", name="Record value"))
    page.keyboard.press("Enter")
    wait_idle(page)
    screenshot(page, "a11y-kpi-keyboard")
    page.get_by_text("KPI value recorded").wait_for()


def test_arrow_keys_keep_the_focus_on_the_tabs_while_the_page_reruns(page, app_url):
    """Each tab change reruns the page (only the open tab runs), and the redraw could drop the focus from the tab
    list to the page, so the next arrow key did nothing. Walk the Tasks tabs there and back, twice, at a person's
    pace: the focus stays on each tab that opens."""
    keyboard_sign_in(page, app_url)
    tab_to(page, page.locator(SIDEBAR_LINKS).filter(has_text="Tasks").first)
    page.keyboard.press("Enter")
    wait_for_heading(page, "Tasks")
    tab_to(page, page.get_by_role("tab", name="All tasks"))
    names = ["All tasks", "My tasks", "Add a task", "Edit a task in full"]
    for _ in range(2):
        for name in names[1:]:
            arrow_to_tab(page, "ArrowRight", name)
        for name in reversed(names[:-1]):
            arrow_to_tab(page, "ArrowLeft", name)


def test_keyboard_only_download_the_highlight_report(page, app_url, tmp_path):
    keyboard_sign_in(page, app_url)
    tab_to(page, page.locator(SIDEBAR_LINKS).filter(has_text="Executive dashboard").first)
    page.keyboard.press("Enter")
    wait_for_heading(page, "SEND Executive dashboard")
    tab_to(page, page.get_by_role("button", name="Download the highlight report"))
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(str(path))
    assert "<html lang='en-GB'>" in path.read_text()


# ------------------------------------------------------------------ reflow (WCAG 1.4.10) and zoom (1.4.4)

OVERFLOW = """() => {
  const doc = document.documentElement;
  const main = document.querySelector('[data-testid="stMain"]') || doc;
  return [doc.scrollWidth - doc.clientWidth, main.scrollWidth - main.clientWidth];
}"""


@pytest.mark.parametrize(("width", "height", "scale"), [(320, 640, 1), (700, 500, 2)], ids=["320px", "200pc-zoom"])
def test_pages_reflow_without_horizontal_scrolling(browser, app_url, width, height, scale):
    """320 CSS px is 1280 px at 400%; 700 CSS px at device scale 2 is a 1400 px window zoomed to 200%."""
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        signed_in(page, app_url, "Project team (editor)")
        for name in ("", "Executive_dashboard", "Tasks", "Plan", "Contracts", "Accessibility"):
            page.goto(f"{app_url}/{name}")
            settle(page)
            page_over, main_over = page.evaluate(OVERFLOW)
            assert page_over <= 1 and main_over <= 1, f"{name or 'Home'} scrolls sideways at {width}px x{scale}"
            assert page.locator("h1").first.is_visible()
        screenshot(page, f"a11y-reflow-{width}")
    finally:
        context.close()
