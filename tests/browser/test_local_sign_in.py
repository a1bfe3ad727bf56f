"""Local accounts in a real browser: repeated wrong passwords lock the account (the right one is then refused),
and "sign out everywhere" signs out another open tab at its next click, without a reload."""
from __future__ import annotations

from review.demo import DEMO_PASSWORD
from tests.browser.conftest import wait_for_heading, wait_idle


def password_sign_in(page, app_url: str, username: str, password: str) -> None:
    page.goto(app_url)
    form = page.get_by_test_id("stForm")
    form.get_by_role("textbox", name="Username").fill(username, timeout=90_000)  # first visit builds the demo data
    form.get_by_role("textbox", name="Password").fill(password)
    form.get_by_role("button", name="Sign in").click()
    wait_idle(page)


def test_repeated_wrong_passwords_lock_the_account(app_url, page):
    for _ in range(4):
        password_sign_in(page, app_url, "demo-viewer", "wrong password, guessed")
        page.get_by_text("Username or password not recognised").wait_for()
    password_sign_in(page, app_url, "demo-viewer", "wrong password, guessed")
    page.get_by_text("Too many failed sign-ins").wait_for()
    password_sign_in(page, app_url, "demo-viewer", DEMO_PASSWORD)
    page.get_by_text("Too many failed sign-ins").wait_for()
    assert page.get_by_role("button", name="Sign out").count() == 0


def test_sign_out_everywhere_ends_another_open_tab_at_its_next_click(app_url, browser):
    tabs = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        password_sign_in(tab, app_url, "demo-commissioner", DEMO_PASSWORD)
        tab.get_by_role("button", name="Sign out").wait_for()
        tabs.append(tab)
    first, second = tabs
    try:
        second.reload()  # the session cookie keeps a reloaded tab signed in
        wait_idle(second)
        second.get_by_role("button", name="Sign out").wait_for()
        first.get_by_test_id("stSidebar").get_by_role("link", name="My account").click()
        wait_for_heading(first, "My account")
        first.get_by_role("button", name="Sign out everywhere").click()
        first.get_by_role("button", name="Sign in", exact=True).wait_for()

        second.get_by_test_id("stSidebar").get_by_role("link", name="Contracts").click()
        second.get_by_text("Your sign-in has ended").wait_for()
        second.get_by_text("Please sign in to use this page.").wait_for()
        assert second.get_by_role("button", name="Sign out").count() == 0
    finally:
        for tab in tabs:
            tab.context.close()
