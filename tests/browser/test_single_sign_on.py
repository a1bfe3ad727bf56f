"""Single sign-on in a real browser through a real OpenID Connect provider on loopback (oidc-provider-mock):
a person whose group maps to a role is signed in with it; an unknown person gets an account that waits for an
administrator, who gives it a role on the Users page."""
from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from tests.browser.conftest import _need, free_port, running_app, wait_for_heading, wait_idle

PROVIDER_LABEL = "Council account"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    try:
        from oidc_provider_mock import User, run_server_in_thread
    except ImportError:
        _need(False, "oidc-provider-mock is not installed")
    people = [
        User(sub="officer-edith", claims={"name": "Edith Officer", "email": "edith@council.example",
                                          "groups": ["grp-send-project"]}),
        User(sub="newcomer-nina", claims={"name": "Nina Newcomer", "email": "nina@council.example",
                                          "groups": ["grp-unmapped"]}),
        User(sub="member-erin", claims={"name": "Erin Member", "email": "erin@council.example",
                                        "groups": ["grp-exec"]}),
    ]
    with run_server_in_thread(port=free_port(), user_claims=people) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def sso_app(provider, tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("sso")
    port = free_port()
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(f"""
[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "{secrets.token_hex(16)}"
client_id = "send-review-tracker"
client_secret = "{secrets.token_hex(16)}"
server_metadata_url = "{provider}/.well-known/openid-configuration"
""")
    env = {"REVIEW_OIDC_ROLE_MAP": "grp-send-project=editor,grp-exec=viewer", "REVIEW_SSO_LABEL": PROVIDER_LABEL}
    with running_app(folder / "sso.db", env, ["--secrets.files", str(secrets_file)], host="localhost",
                     port=port) as url:
        yield url


def sign_in_through_provider(page, app_url: str, subject: str) -> None:
    page.goto(app_url)
    # the first visit builds the demo database, which takes a while on a busy machine
    page.get_by_role("button", name=f"Sign in with {PROVIDER_LABEL}").click(timeout=90_000)
    page.get_by_role("heading", name="Authorize Client").wait_for()
    page.get_by_role("button", name=subject, exact=True).click()
    page.wait_for_url(f"{app_url}/**")
    wait_idle(page)


def test_a_mapped_group_signs_in_with_its_role(sso_app, page):
    sign_in_through_provider(page, sso_app, "officer-edith")
    wait_for_heading(page, "The review at a glance")
    sidebar = page.get_by_test_id("stSidebar")
    assert "Edith Officer" in sidebar.inner_text() and "Project team (editor)" in sidebar.inner_text()
    page.get_by_role("link", name="Tasks").click()  # an editor's page
    wait_for_heading(page, "Tasks")


def test_an_executive_member_lands_on_the_executive_dashboard(sso_app, browser):
    """As with a password: the SEND Executive Group's members come back from the provider to their dashboard."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        sign_in_through_provider(page, sso_app, "member-erin")
        wait_for_heading(page, "SEND Executive dashboard")
        assert "Erin Member" in page.get_by_test_id("stSidebar").inner_text()
        page.get_by_role("link", name="Home").click()  # the home page is not left again at once
        wait_for_heading(page, "The review at a glance")
    finally:
        context.close()


def test_an_unknown_person_waits_until_an_administrator_gives_a_role(sso_app, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        sign_in_through_provider(page, sso_app, "newcomer-nina")
        page.get_by_text("waiting for an administrator").wait_for()
        assert page.get_by_role("button", name="Sign out").count() >= 1
        assert "The review at a glance" not in page.inner_text("body")

        admin = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        admin.set_default_timeout(20_000)
        admin.goto(sso_app)
        admin.get_by_role("button", name="Sign in as Administrator").click()
        admin.get_by_role("button", name="Sign out").wait_for()
        admin.goto(f"{sso_app}/Users")
        wait_for_heading(admin, "Waiting for a role (1)")
        assert "Nina Newcomer (nina)" in admin.inner_text("body")
        admin.get_by_role("button", name="Give role").click()
        admin.get_by_text("nina can now sign in as SEND Executive Group (viewer).").wait_for()
        admin.context.close()

        page.reload()
        wait_idle(page)
        page.get_by_role("button", name="Sign out").wait_for()
        assert "Nina Newcomer" in page.get_by_test_id("stSidebar").inner_text()
    finally:
        context.close()


def test_signing_out_everywhere_ends_single_sign_on_in_another_browser(sso_app, browser):
    tabs = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        sign_in_through_provider(tab, sso_app, "officer-edith")
        wait_for_heading(tab, "The review at a glance")
        tabs.append(tab)
    first, second = tabs
    try:
        first.get_by_test_id("stSidebar").get_by_role("link", name="My account").click()
        wait_for_heading(first, "My account")
        first.get_by_role("button", name="Sign out everywhere").click()
        first.get_by_role("heading", name="End Session").wait_for()  # the provider is asked to end its session

        second.get_by_test_id("stSidebar").get_by_role("link", name="Contracts").click()
        second.get_by_role("heading", name="End Session").wait_for()  # its identity cookie was cleared too
        for tab in tabs:  # coming back does not resume silently: the person signs in again at the provider
            tab.goto(sso_app)
            tab.get_by_role("button", name=f"Sign in with {PROVIDER_LABEL}").wait_for()
            wait_idle(tab)
            assert tab.get_by_role("button", name="Sign out").count() == 0
    finally:
        for tab in tabs:
            tab.context.close()
