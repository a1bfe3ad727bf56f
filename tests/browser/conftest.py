"""Real-browser fixtures: `streamlit run app.py` on a free port with a fresh embedded demo database,
driven by Playwright through Debian's Chromium. In CI (CI=true) a missing browser fails the run."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from review.platform.config import PROJECT_ROOT

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]
IN_CI = os.environ.get("CI", "").lower() == "true"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def _need(condition: bool, why: str) -> None:
    if not condition:
        if IN_CI:
            pytest.fail(f"Browser tests must run in CI: {why}")
        pytest.skip(why)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(db_path: Path, extra_env: dict[str, str] | None = None, extra_args: list[str] | None = None,
                host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """`streamlit run serve.py` (the app as users run it) on `port` (default a free one) with its own SQLite
    database; yields the app's URL."""
    port = port or free_port()
    env = {**os.environ, "REVIEW_SQLITE_PATH": str(db_path), "REVIEW_TODAY": "2019-11-15", **(extra_env or {})}
    env.pop("DATABASE_URL", None)
    log = open(db_path.with_suffix(".log"), "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port), "--server.headless", "true",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false", *(extra_args or [])],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://{host}:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.terminate()
        pytest.fail("The app did not start within 60 s; see " + str(db_path.with_suffix(".log")))
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> Iterator[str]:
    """URL of a running app on its own demo database (first run loads the demo data)."""
    with running_app(tmp_path_factory.mktemp("browser") / "browser.db") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    _need(Path(CHROMIUM).exists() or shutil.which("chromium") is not None, f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so a fixture can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


PAGE_STATE = """() => {
  const text = (sel) => Array.from(document.querySelectorAll(sel)).map(e => e.innerText.trim().slice(0, 160));
  return {
    url: location.href,
    script_state: document.querySelector("[data-testid='stApp']")?.getAttribute('data-test-script-state'),
    headings: text('h1, h2, h3'),
    selected_tabs: text("[role='tab'][aria-selected='true']"),
    alerts: text("[data-testid='stAlert'], [data-testid='stException']"),
    focused: document.activeElement ? document.activeElement.tagName + ' ' + (document.activeElement
      .getAttribute('aria-label') || document.activeElement.innerText || '').replace(/\\s+/g, ' ').slice(0, 80) : '',
    labels: text('label').slice(0, 40),
  };
}"""


def record_failure(page, request) -> None:
    """On a failed test, save a screenshot and add what the page showed to the report: CI keeps only the log."""
    report = getattr(request.node, "report_call", None)
    if report is None or not report.failed:
        return
    name = "failed-" + "".join(c if c.isalnum() else "-" for c in request.node.name)[:80]
    try:
        path = screenshot(page, name)
        state = page.evaluate(PAGE_STATE)
    except Exception as error:  # the page may be gone; the failure itself is what matters
        state, path = {"could not read the page": repr(error)}, None
    report.sections.append(("page when the test failed",
                            "\n".join([f"screenshot: {path}", *(f"{k}: {v}" for k, v in state.items())])))


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    record_failure(pg, request)
    context.close()


def wait_idle(page) -> None:
    """Wait until Streamlit has finished running the script, dropped the previous run's elements and drawn every
    element (an element whose code the browser is still fetching shows a skeleton meanwhile).

    The app's root element says whether a run is going on (`data-test-script-state`, which Streamlit's own browser
    tests read). The status widget does not: with the minimal toolbar it is never drawn, so waiting for it to go
    returned at once, and a test could click while the page was still running."""
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", state="attached",
                           timeout=30_000)
    page.wait_for_function("document.querySelectorAll('[data-stale=\"true\"], [data-testid=\"stSkeleton\"]')"
                           ".length === 0", timeout=30_000)
    page.wait_for_timeout(200)


def wait_for_heading(page, name: str) -> None:
    """Wait until the page shows exactly one heading ``name`` and Streamlit is idle.

    While a rerun replaces the page, the previous run's elements can sit beside the new ones for a moment,
    so a heading can briefly appear twice; waiting on the count avoids Playwright's strict-mode error.
    """
    from playwright.sync_api import expect

    heading = page.get_by_role("heading", name=name)
    expect(heading.first).to_be_visible(timeout=30_000)
    wait_idle(page)
    expect(heading).to_have_count(1, timeout=30_000)


def sign_in_as(page, app_url: str, role_label: str) -> None:
    """Open the app and use the one-click demo sign-in for a role, e.g. 'Project team (editor)'.

    Viewers land on the executive dashboard, everyone else on the home page.
    """
    page.goto(app_url)
    # On the first visit the demo data may still be loading (the page shows its progress): wait for it.
    page.get_by_role("button", name=f"Sign in as {role_label}").click(timeout=180_000)
    page.get_by_role("button", name="Sign out").wait_for()
    wait_idle(page)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
