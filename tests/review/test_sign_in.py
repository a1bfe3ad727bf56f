"""Sign-in protection (throttling, lockout and its expiry, equal work for unknown names, audit), password policy,
sessions (idle timeout, lifetime, ending on password change, deactivation, sign out everywhere) and single
sign-on accounts. The clock is injected (`now=`), so nothing here waits."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from review.accounts import passwords, sessions, sso, throttle, users
from review.models import AuditEvent, User
from review.models.sign_in import SignInSession
from review.platform.errors import AuthenticationFailed, ValidationFailed
from review.platform.roles import SYSTEM, Role

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PASSWORD = "river otter lantern"
WRONG = "not the password at all"
ISSUER = "https://login.microsoftonline.com/tenant-id/v2.0"


@pytest.fixture
def alice(session, admin) -> User:
    user = users.create_user(session, admin, "alice", "editor", PASSWORD, "Alice Smith")
    session.commit()
    return user


def attempt(session, username, password, client="10.0.0.1", now=T0):
    return users.sign_in_with_password(session, username, password, client, now=now)


def events(session, action):
    return session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


# --- password policy -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("password", "words"), [
    ("short pw 1", "at least 12"),
    ("password1234", "commonly used"),
    ("administrator", "commonly used"),
    ("aaaaaaaaaaaaaa", "commonly used"),
    ("carol-is-the-best", "username or name"),
])
def test_weak_passwords_are_refused(session, admin, password, words):
    with pytest.raises(ValidationFailed, match=words) as info:
        users.create_user(session, admin, "carol", "editor", password)
    assert "password" in info.value.errors


def test_the_common_password_list_ships_with_the_app():
    common = passwords.common_passwords()
    assert len(common) > 10_000 and {"123456", "password", "qwerty"} <= common
    assert passwords.password_problem(PASSWORD) is None


# --- throttling and lockout ------------------------------------------------------------------------------------

def test_right_password_signs_in_and_is_audited_without_the_password(session, alice):
    outcome = attempt(session, "Alice", PASSWORD)
    assert outcome.actor is not None and outcome.actor.username == "alice"
    event = events(session, "sign-in")[-1]
    assert event.username == "alice" and "password" in event.summary and "10.0.0.1" in event.summary
    assert PASSWORD not in str(event.changes) + (event.summary or "")


def test_failures_are_audited_with_the_reason_never_the_password(session, alice):
    attempt(session, "alice", WRONG)
    attempt(session, "nobody-here", WRONG)
    failed = events(session, "sign-in-failed")
    assert [e.summary.split(" (")[0] for e in failed] == ["wrong password", "unknown username"]
    assert failed[0].username == "alice" and failed[0].record_id == str(alice.id)
    assert failed[1].username == "unknown"  # a mistyped password in the name field is never written down
    assert all(WRONG not in (e.summary or "") + str(e.changes) and "nobody-here" not in e.summary for e in failed)


def test_five_failures_lock_the_account_until_the_lockout_ends(session, alice):
    for i in range(throttle.ACCOUNT_FAILURES - 1):
        assert attempt(session, "alice", WRONG, now=T0 + timedelta(seconds=i)).message == users.NOT_RECOGNISED
    locked = attempt(session, "alice", WRONG, now=T0 + timedelta(seconds=10))
    assert "Too many failed sign-ins" in locked.message
    # the right password is refused while the lock lasts, from any client
    during = attempt(session, "alice", PASSWORD, client="10.9.9.9", now=T0 + timedelta(minutes=14))
    assert during.actor is None and "Too many failed sign-ins" in during.message
    assert "locked out" in events(session, "sign-in-failed")[-1].summary
    after = attempt(session, "alice", PASSWORD, now=T0 + timedelta(seconds=10) + throttle.LOCKOUT)
    assert after.actor is not None


def test_failures_spread_beyond_the_window_do_not_lock(session, alice):
    for i in range(throttle.ACCOUNT_FAILURES * 2):
        assert attempt(session, "alice", WRONG, now=T0 + i * (throttle.WINDOW / 3)).message == users.NOT_RECOGNISED


def test_a_correct_sign_in_clears_the_count(session, alice):
    for i in range(throttle.ACCOUNT_FAILURES - 1):
        attempt(session, "alice", WRONG, now=T0 + timedelta(seconds=i))
    assert attempt(session, "alice", PASSWORD, now=T0 + timedelta(seconds=5)).actor is not None
    assert attempt(session, "alice", WRONG, now=T0 + timedelta(seconds=6)).message == users.NOT_RECOGNISED


def test_unknown_names_lock_exactly_like_real_ones(session, alice):
    real = [attempt(session, "alice", WRONG, client="a").message for _ in range(throttle.ACCOUNT_FAILURES + 1)]
    fake = [attempt(session, "alicia", WRONG, client="b").message for _ in range(throttle.ACCOUNT_FAILURES + 1)]
    assert real == fake


def test_one_client_trying_many_names_is_locked_out(session, alice):
    for i in range(throttle.CLIENT_FAILURES):
        attempt(session, f"guess{i}", WRONG, client="203.0.113.7", now=T0 + timedelta(seconds=i))
    refused = attempt(session, "alice", PASSWORD, client="203.0.113.7", now=T0 + timedelta(minutes=1))
    assert refused.actor is None and "Too many" in refused.message
    assert attempt(session, "alice", PASSWORD, client="198.51.100.1", now=T0 + timedelta(minutes=1)).actor


def test_every_path_verifies_one_argon2_hash(session, alice, admin, monkeypatch):
    """Equal work for unknown, inactive, single sign-on and locked names (timings: benchmarks/sign_in_timing.py)."""
    sso_user = User(username="sam", display_name="Sam", role="viewer", password_hash="", sign_in_method="sso",
                    oidc_issuer=ISSUER, oidc_subject="sam-sub")
    session.add(sso_user)
    bob = users.create_user(session, admin, "bob", "viewer", PASSWORD)
    users.update_user(session, admin, bob.id, bob.version, active=False)
    calls = []
    real = passwords._hasher

    class Counting:
        def verify(self, password_hash, password):
            calls.append(password_hash)
            return real.verify(password_hash, password)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(passwords, "_hasher", Counting())
    for name in ("alice", "nobody", "bob", "sam"):
        attempt(session, name, WRONG)
    assert len(calls) == 4 and all(h.startswith("$argon2id$") for h in calls)
    assert calls[1] == calls[3] != calls[0]  # the dummy hash stands in where there is no real one


def test_authenticate_raises_for_the_command_line(session, alice):
    assert users.authenticate(session, "alice", PASSWORD).username == "alice"
    with pytest.raises(AuthenticationFailed):
        users.authenticate(session, "alice", WRONG)


# --- sessions ------------------------------------------------------------------------------------------------

def test_only_the_token_hash_is_stored_and_a_forged_token_fails(session, alice):
    token = sessions.start_session(session, alice.id, "local", now=T0)
    assert token not in str(session.scalars(select(SignInSession.token_hash)).all())
    assert sessions.check_session(session, token, now=T0).user.id == alice.id
    assert sessions.check_session(session, "forged", now=T0).user is None


def test_idle_timeout_ends_a_session_and_activity_keeps_it(session, alice, monkeypatch):
    monkeypatch.setenv("REVIEW_IDLE_TIMEOUT_MINUTES", "30")
    token = sessions.start_session(session, alice.id, "local", now=T0)
    for minutes in (20, 40, 60):  # a click every 20 minutes keeps it alive
        assert sessions.check_session(session, token, now=T0 + timedelta(minutes=minutes)).user is not None
    check = sessions.check_session(session, token, now=T0 + timedelta(minutes=91))
    assert check.user is None and "30 minutes without activity" in check.ended_because
    assert session.scalar(select(SignInSession.id)) is None


def test_the_absolute_lifetime_ends_an_active_session(session, alice, monkeypatch):
    monkeypatch.setenv("REVIEW_SESSION_HOURS", "2")
    token = sessions.start_session(session, alice.id, "local", now=T0)
    for minutes in range(10, 120, 10):
        assert sessions.check_session(session, token, now=T0 + timedelta(minutes=minutes)).user is not None
    check = sessions.check_session(session, token, now=T0 + timedelta(minutes=120))
    assert check.user is None and "2 hours" in check.ended_because


def test_a_password_change_ends_the_other_sessions_only(session, alice):
    actor = users.actor_for(alice)
    here, elsewhere = (sessions.start_session(session, alice.id, "local") for _ in range(2))
    with pytest.raises(ValidationFailed, match="not your current password"):
        users.change_own_password(session, actor, WRONG, "a brand new passphrase", keep_token=here)
    with pytest.raises(ValidationFailed, match="commonly used"):
        users.change_own_password(session, actor, PASSWORD, "temppassword", keep_token=here)
    assert sessions.check_session(session, elsewhere).user is not None
    users.change_own_password(session, actor, PASSWORD, "a brand new passphrase", keep_token=here)
    assert sessions.check_session(session, here).user is not None
    assert sessions.check_session(session, elsewhere).user is None
    assert attempt(session, "alice", "a brand new passphrase").actor is not None
    event = events(session, "password-change")[-1]
    assert "passphrase" not in str(event.changes) and "1 other session" in event.summary


def test_an_admin_reset_and_a_deactivation_end_every_session(session, admin, alice):
    token = sessions.start_session(session, alice.id, "local")
    users.update_user(session, admin, alice.id, alice.version, password="reset by the admin 7")
    assert sessions.check_session(session, token).user is None
    token = sessions.start_session(session, alice.id, "local")
    users.update_user(session, admin, alice.id, alice.version, active=False)
    check = sessions.check_session(session, token)
    assert check.user is None
    assert sessions.live_sessions(session, alice.id) == 0


def test_sign_out_everywhere(session, alice):
    tokens = [sessions.start_session(session, alice.id, "local") for _ in range(3)]
    assert users.sign_out_everywhere(session, users.actor_for(alice)) == 3
    assert all(sessions.check_session(session, t).user is None for t in tokens)
    assert events(session, "sign-out-everywhere")[-1].summary == "3 session(s) ended"


def test_admin_sees_method_last_sign_in_failures_and_lock(session, admin, alice):
    attempt(session, "alice", PASSWORD, now=T0)
    for i in range(2):
        attempt(session, "alice", WRONG, now=T0 + timedelta(minutes=1, seconds=i))
    row = users.users_frame(session, admin, now=T0 + timedelta(minutes=2)).set_index("Username").loc["alice"]
    assert (row["Sign-in method"], row["Last sign-in"], row["Failed attempts"], row["Locked until"]) == (
        "Password", "30 Nov 2026 09:00 GMT", 2, "")
    for i in range(3):
        attempt(session, "alice", WRONG, now=T0 + timedelta(minutes=3, seconds=i))
    row = users.users_frame(session, admin, now=T0 + timedelta(minutes=4)).set_index("Username").loc["alice"]
    assert row["Locked until"] == "30 Nov 2026 09:18 GMT"
    users.unlock(session, admin, alice.id)
    assert attempt(session, "alice", PASSWORD, now=T0 + timedelta(minutes=5)).actor is not None


# --- single sign-on ------------------------------------------------------------------------------------------

def claims(sub="oid-1", **extra):
    return {"iss": ISSUER, "sub": sub, "name": "Pat Officer", "email": "pat@council.example",
            "preferred_username": "pat@council.example", "iat": int(T0.timestamp()), **extra}


def test_role_map_parsing():
    assert sso.parse_role_map("g-1=editor, g-2 = viewer") == {"g-1": Role.EDITOR, "g-2": Role.VIEWER}
    with pytest.raises(ValueError, match="role must be"):
        sso.parse_role_map("g-1=superuser")
    with pytest.raises(ValueError, match="claim-value=role"):
        sso.parse_role_map("editor")


def test_an_unknown_person_waits_for_an_administrator(session, admin):
    outcome = sso.sso_sign_in(session, claims(), role_map={})
    assert outcome.actor is None and outcome.waiting and "waiting for an administrator" in outcome.message
    user = session.scalar(select(User).where(User.oidc_subject == "oid-1"))
    assert (user.username, user.role, user.sign_in_method, user.password_hash) == ("pat", "", "sso", "")
    frame = users.users_frame(session, admin)
    assert frame.set_index("Username").loc["pat", "Role"] == users.WAITING_LABEL
    users.update_user(session, admin, user.id, user.version, role="viewer")
    again = sso.sso_sign_in(session, claims(), role_map={})
    assert again.actor is not None and again.actor.role == Role.VIEWER
    assert [e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.record_id == str(user.id)))] == [
        "create", "sign-in-waiting", "update", "sign-in"]


def test_a_mapped_group_gives_the_role_and_the_highest_wins(session):
    role_map = sso.parse_role_map("g-editors=editor,g-exec=viewer")
    outcome = sso.sso_sign_in(session, claims(groups=["g-exec", "g-editors"]), role_map=role_map)
    assert outcome.actor.role == Role.EDITOR
    later = sso.sso_sign_in(session, claims(groups=["g-exec"]), role_map=role_map)
    assert later.actor.role == Role.VIEWER  # the provider's groups rule while they map
    entra_roles = sso.sso_sign_in(session, claims("oid-2", roles=["Review.Admin"]),
                                  role_map={"Review.Admin": Role.ADMIN})
    assert entra_roles.actor.role == Role.ADMIN


def test_accounts_are_matched_by_issuer_and_subject_not_email(session):
    first = sso.sso_sign_in(session, claims("oid-1", groups=["g"]), role_map={"g": Role.EDITOR}).actor
    same_email = sso.sso_sign_in(session, claims("oid-other"), role_map={})
    assert same_email.waiting and first.user_id != session.scalar(
        select(User.id).where(User.oidc_subject == "oid-other"))
    other_issuer = sso.sso_sign_in(session, {**claims("oid-1"), "iss": "https://evil.example"}, role_map={})
    assert other_issuer.waiting
    assert session.scalar(select(User).where(User.username == "pat-3")).oidc_issuer == "https://evil.example"


def test_single_sign_on_is_refused_after_deactivation_or_signing_out_everywhere(session, admin):
    actor = sso.sso_sign_in(session, claims(groups=["g"]), role_map={"g": Role.EDITOR}).actor
    users.sign_out_everywhere(session, actor)
    stale = sso.sso_sign_in(session, claims(groups=["g"]), role_map={"g": Role.EDITOR})
    assert stale.actor is None and stale.end_provider_session
    fresh_token = claims(groups=["g"], iat=int((datetime.now(UTC) + timedelta(seconds=5)).timestamp()))
    assert sso.sso_sign_in(session, fresh_token, role_map={"g": Role.EDITOR}).actor is not None
    user = session.get(User, actor.user_id)
    users.update_user(session, admin, user.id, user.version, active=False)
    refused = sso.sso_sign_in(session, fresh_token, role_map={"g": Role.EDITOR})
    assert refused.actor is None and "switched off" in refused.message


def test_local_accounts_can_be_switched_off_only_with_single_sign_on_for_an_admin(session, admin, alice):
    with pytest.raises(ValidationFailed, match="not configured"):
        users.set_local_sign_in(session, admin, False, sso_configured=False)
    with pytest.raises(ValidationFailed, match="lock every administrator out"):
        users.set_local_sign_in(session, admin, False, sso_configured=True)
    sso.sso_sign_in(session, claims(groups=["admins"]), role_map={"admins": Role.ADMIN})
    users.set_local_sign_in(session, admin, False, sso_configured=True)
    assert not users.local_sign_in_enabled(session)
    refused = attempt(session, "alice", PASSWORD)
    assert refused.actor is None and "switched off" in refused.message
    assert events(session, "update")[-1].changes == {"local_sign_in": {"before": "on", "after": "off"}}
    users.set_local_sign_in(session, admin, True, sso_configured=True)
    assert attempt(session, "alice", PASSWORD).actor is not None


def test_sso_accounts_have_no_password_to_reset(session, admin):
    actor = sso.sso_sign_in(session, claims(groups=["g"]), role_map={"g": Role.EDITOR}).actor
    user = session.get(User, actor.user_id)
    with pytest.raises(ValidationFailed, match="single sign-on"):
        users.update_user(session, admin, user.id, user.version, password="another long passphrase")
    assert attempt(session, user.username, "").actor is None


def test_command_line_unlocks_an_account_and_switches_passwords_back_on(tmp_path, monkeypatch):
    from review import cli
    from review.platform import db as platform_db

    monkeypatch.setenv("REVIEW_SQLITE_PATH", str(tmp_path / "cli.db"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    engine = platform_db.upgraded_engine()
    with platform_db.unit_of_work(engine) as s:
        users.create_user(s, SYSTEM, "admin-sam", "admin", PASSWORD)
        sso.sso_sign_in(s, claims(groups=["a"]), role_map={"a": Role.ADMIN})
        users.set_local_sign_in(s, SYSTEM, False, sso_configured=True)
        for _ in range(throttle.ACCOUNT_FAILURES):
            users.sign_in_with_password(s, "admin-sam", WRONG, "x")
    assert cli.main(["unlock-user", "--username", "admin-sam"]) == 0
    assert cli.main(["unlock-user", "--username", "nobody"]) == 2
    assert cli.main(["local-sign-in", "on"]) == 0
    with platform_db.unit_of_work(engine) as s:
        assert users.sign_in_with_password(s, "admin-sam", PASSWORD, "x").actor is not None
    engine.dispose()
