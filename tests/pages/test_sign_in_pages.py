"""AppTest of sign-in protection as a person meets it: lockout through the form, idle timeout and a session ended
elsewhere signing this one out at its next run, My account, and the Users page's sign-in columns, waiting accounts
and switch."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from review.accounts import sso, users
from review.demo import DEMO_PASSWORD
from review.models import AuditEvent, User
from review.models.sign_in import SignInSession
from review.platform import clock, db
from review.platform.config import get_settings
from review.platform.roles import Role
from tests.pages.conftest import APP, TIMEOUT, texts

NEW_PASSWORD = "marmalade harbour kite"


@contextmanager
def database() -> Iterator[Session]:
    engine = db.make_engine(get_settings().database_url)
    try:
        with db.unit_of_work(engine) as session:
            yield session
    finally:
        engine.dispose()


def password_sign_in(username: str, password: str, at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    form = [t for t in at.text_input if t.label in ("Username", "Password")]
    form[0].input(username)
    form[1].input(password)
    at.button(key="FormSubmitter:sign_in-Sign in").click().run()
    return at


def test_five_wrong_passwords_lock_out_even_the_right_one(app_db):
    at = None
    for _ in range(4):
        at = password_sign_in("demo-editor", "wrong but long enough", at)
        assert "not recognised" in texts(at)
    at = password_sign_in("demo-editor", "wrong but long enough", at)
    assert "Too many failed sign-ins" in texts(at)
    at = password_sign_in("demo-editor", DEMO_PASSWORD, at)
    assert "Too many failed sign-ins" in texts(at) and "actor" not in at.session_state
    with database() as session:
        reasons = session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "sign-in-failed")).all()
    assert len(reasons) == 6 and reasons[4].startswith("wrong password; now locked out")
    assert reasons[5].startswith("locked out")


def test_an_idle_session_is_signed_out_at_the_next_run(app_db):
    at = password_sign_in("demo-editor", DEMO_PASSWORD)
    assert at.session_state["actor"].username == "demo-editor"
    with database() as session:
        session.execute(update(SignInSession).values(last_seen_at=clock.now_utc() - timedelta(minutes=31)))
    at.run()
    assert "30 minutes without activity" in texts(at)
    assert "actor" not in at.session_state and "The review at a glance" not in texts(at)


def test_signing_out_everywhere_elsewhere_ends_this_session_at_its_next_run(app_db):
    here = password_sign_in("demo-editor", DEMO_PASSWORD)
    elsewhere = password_sign_in("demo-editor", DEMO_PASSWORD)
    elsewhere.switch_page("pages/13_My_account.py").run()
    [b for b in elsewhere.button if b.label == "Sign out everywhere"][0].click().run()
    here.run()
    assert "Your sign-in has ended" in texts(here) and "actor" not in here.session_state


def test_my_account_changes_the_password_and_ends_other_sessions(app_db):
    other = password_sign_in("demo-editor", DEMO_PASSWORD)
    at = password_sign_in("demo-editor", DEMO_PASSWORD)
    at.switch_page("pages/13_My_account.py").run()
    assert "My account" in texts(at)
    fields = {t.label: t for t in at.text_input}
    fields["Current password"].input("not it at all")
    fields["New password"].input(NEW_PASSWORD)
    at.button(key="FormSubmitter:change_password-Change password").click().run()
    assert "That is not your current password." in texts(at)
    fields = {t.label: t for t in at.text_input}
    fields["Current password"].input(DEMO_PASSWORD)
    fields["New password"].input(NEW_PASSWORD)
    at.button(key="FormSubmitter:change_password-Change password").click().run()
    assert "Password changed" in texts(at) and at.session_state["actor"].username == "demo-editor"
    other.run()
    assert "Your sign-in has ended" in texts(other)
    assert password_sign_in("demo-editor", NEW_PASSWORD).session_state["actor"].username == "demo-editor"


def test_users_page_shows_sign_in_state_and_gives_a_waiting_account_a_role(open_page):
    with database() as session:
        sso.sso_sign_in(session, {"iss": "https://idp.example", "sub": "s-1", "name": "Wanda Waiting",
                                  "email": "wanda@council.example"}, role_map={})
    password_sign_in("demo-viewer", "wrong but long enough")
    at = open_page("pages/11_Users.py", Role.ADMIN)
    assert not at.exception
    frame = at.dataframe[0].value.set_index("Username")
    assert frame.loc["wanda", ["Role", "Sign-in method"]].tolist() == [users.WAITING_LABEL, "Single sign-on"]
    assert frame.loc["demo-viewer", "Failed attempts"] == 1 and frame.loc["demo-viewer", "Sign-in method"] == "Password"
    assert "Waiting for a role (1)" in texts(at)
    switch = [b for b in at.button if b.label == "Switch local accounts off"][0]
    assert switch.disabled  # no [auth] configured: passwords are the only way in
    [b for b in at.button if b.label == "Give role"][0].click().run()
    with database() as session:
        assert session.scalar(select(User.role).where(User.username == "wanda")) == Role.VIEWER.value
    assert "Waiting for a role" not in texts(at)
