"""Accounts: argon2 hashes, sign-in, validation, admin-only management, demo sign-in rules."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from review.accounts import users
from review.models import AuditEvent, User
from review.platform import database_settings
from review.platform.errors import AuthenticationFailed, PermissionDenied, ValidationFailed
from review.platform.roles import Role


def test_password_is_hashed_with_argon2_and_sign_in_works(session, admin):
    user = users.create_user(session, admin, "Alice", "editor", "correct horse battery", "Alice Smith")
    session.commit()
    assert user.username == "alice"
    assert user.password_hash.startswith("$argon2") and "correct horse" not in user.password_hash
    actor = users.authenticate(session, "alice", "correct horse battery")
    assert (actor.username, actor.role) == ("alice", Role.EDITOR)
    with pytest.raises(AuthenticationFailed):
        users.authenticate(session, "alice", "wrong password")
    with pytest.raises(AuthenticationFailed):
        users.authenticate(session, "nobody", "correct horse battery")


def test_inactive_account_cannot_sign_in(session, admin):
    user = users.create_user(session, admin, "bob", "viewer", "long enough pw")
    users.update_user(session, admin, user.id, user.version, active=False)
    with pytest.raises(AuthenticationFailed):
        users.authenticate(session, "bob", "long enough pw")


@pytest.mark.parametrize(("username", "role", "password", "field"), [
    ("x", "editor", "long enough pw", "username"),
    ("bad name!", "editor", "long enough pw", "username"),
    ("carol", "superuser", "long enough pw", "role"),
    ("carol", "editor", "short", "password"),
])
def test_account_validation(session, admin, username, role, password, field):
    with pytest.raises(ValidationFailed) as info:
        users.create_user(session, admin, username, role, password)
    assert field in info.value.errors


def test_duplicate_username_refused(session, admin):
    users.create_user(session, admin, "dave", "editor", "long enough pw")
    with pytest.raises(ValidationFailed, match="already taken"):
        users.create_user(session, admin, "DAVE", "viewer", "long enough pw")


def test_only_admins_manage_accounts(session, admin, editor, viewer):
    for actor in (editor, viewer):
        with pytest.raises(PermissionDenied, match="manage user accounts"):
            users.create_user(session, actor, "eve", "admin", "long enough pw")
        with pytest.raises(PermissionDenied):
            users.users_frame(session, actor)
    assert session.scalar(select(User).where(User.username == "eve")) is None


def test_role_change_is_audited_without_password(session, admin):
    user = users.create_user(session, admin, "frank", "viewer", "long enough pw")
    users.update_user(session, admin, user.id, user.version, role="editor", password="another long pw")
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "update")).one()
    assert event.changes["role"] == {"before": "viewer", "after": "editor"}
    assert "another" not in str(event.changes)


def test_demo_sign_in_only_in_demo_mode(session, admin, monkeypatch):
    users.create_user(session, admin, "demo-viewer", "viewer", "demo-password-2019", is_demo=True)
    with pytest.raises(AuthenticationFailed, match="switched off"):  # not a demo database
        users.demo_sign_in(session, Role.VIEWER)
    database_settings.mark_demo_database(session)
    assert users.demo_sign_in(session, Role.VIEWER).username == "demo-viewer"
    monkeypatch.setenv("REVIEW_DEMO", "0")
    with pytest.raises(AuthenticationFailed, match="switched off"):
        users.demo_sign_in(session, Role.VIEWER)
    monkeypatch.delenv("REVIEW_DEMO")
    monkeypatch.setenv("DATABASE_URL", "postgresql://example/db")
    with pytest.raises(AuthenticationFailed):
        users.demo_sign_in(session, Role.VIEWER)


def test_sign_ins_do_not_move_the_data_version(session, admin):
    from review.platform import audit
    user = users.create_user(session, admin, "ivan", "viewer", "long enough pw")
    before = audit.data_version(session)
    assert before > 0
    users.authenticate(session, "ivan", "long enough pw")
    assert audit.data_version(session) == before  # a sign-in changes no data, so caches stay valid
    users.update_user(session, admin, user.id, user.version, display_name="Ivan")
    assert audit.data_version(session) > before
