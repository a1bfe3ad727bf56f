"""Accounts: password hashing (argon2), sign-in, creating and changing users."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from review.models import User
from review.models.sign_in import SignInSession
from review.platform import audit
from review.platform import record_helpers as records
from review.platform.config import get_settings
from review.platform.errors import AuthenticationFailed
from review.platform.roles import Actor, Permission, Role, require
from review.platform.validation import Problems

_hasher = PasswordHasher()
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
# NCSC password guidance favours length over complexity rules.
MIN_PASSWORD_LENGTH = 10
USER_FIELDS = ("username", "display_name", "role", "active", "person_id")


def hash_password(password: str) -> str:
    """The Argon2 hash stored for a password (never the password itself)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the stored hash; a malformed hash counts as no match."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def actor_for(user: User) -> Actor:
    """The acting identity (id, name, role, linked person) that services check permissions against."""
    return Actor(user.id, user.username, user.display_name, Role(user.role), user.person_id)


def authenticate(session: Session, username: str, password: str) -> Actor:
    """The actor for valid, active credentials; one vague message otherwise (no account probing)."""
    user = session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    if user is None or not user.active or not verify_password(user.password_hash, password or ""):
        raise AuthenticationFailed("Username or password not recognised, or the account is inactive.")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(session, actor_for(user), "user", user.id, "sign-in")
    return actor_for(user)


def demo_sign_in(session: Session, role: Role) -> Actor:
    """One-click sign-in as the demo account for a role; only in demo mode."""
    if not get_settings().demo_mode:
        raise AuthenticationFailed("One-click demo sign-in is switched off on this deployment.")
    user = session.scalar(select(User).where(User.is_demo.is_(True), User.role == role.value, User.active.is_(True)))
    if user is None:
        raise AuthenticationFailed(f"There is no demo account for the {role.label} role.")
    audit.record(session, actor_for(user), "user", user.id, "sign-in", summary="demo one-click sign-in")
    return actor_for(user)


def _validate(session: Session, username: str, display_name: str, role: str, password: str | None,
              existing_id: int | None = None) -> Problems:
    problems = Problems()
    if not USERNAME_PATTERN.match(username):
        problems.add("username", "Use 2-60 lower-case letters, digits, dots, dashes or underscores.")
    elif session.scalar(select(User.id).where(User.username == username, User.id != (existing_id or -1))):
        problems.add("username", f"The username '{username}' is already taken.")
    if not display_name:
        problems.add("display_name", "Enter the name to show for this account.")
    if role not in {r.value for r in Role}:
        problems.add("role", f"Choose one of: {', '.join(r.value for r in Role)}.")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        problems.add("password", f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    return problems


def create_user(
    session: Session,
    actor: Actor,
    username: str,
    role: str,
    password: str,
    display_name: str | None = None,
    person_id: int | None = None,
    is_demo: bool = False,
) -> User:
    """Create an account (admins only)."""
    require(actor, Permission.MANAGE_USERS)
    username = (username or "").strip().lower()
    display_name = (display_name or username).strip()
    role = (role or "").strip().lower()
    _validate(session, username, display_name, role, password).raise_if_any()
    user = User(username=username, display_name=display_name, role=role, password_hash=hash_password(password),
                active=True, is_demo=is_demo, person_id=person_id)
    session.add(user)
    records.record_created(session, actor, "user", user, USER_FIELDS)
    return user


def update_user(session: Session, actor: Actor, user_id: int, expected_version: int, *,
                role: str | None = None, active: bool | None = None, display_name: str | None = None,
                password: str | None = None) -> User:
    """Change an account's role, name, active flag or password (admins only)."""
    require(actor, Permission.MANAGE_USERS)
    user = records.load_for_edit(session, User, "user", user_id, expected_version)
    before = audit.snapshot(user, USER_FIELDS)
    new_role = role if role is not None else user.role
    new_name = display_name.strip() if display_name is not None else user.display_name
    _validate(session, user.username, new_name, new_role, password, existing_id=user.id).raise_if_any()
    if user.id == actor.user_id and ((active is False) or new_role != Role.ADMIN.value):
        from review.platform.errors import ValidationFailed

        raise ValidationFailed({"role": "You cannot remove your own administrator access or deactivate yourself."})
    user.role, user.display_name = new_role, new_name
    if active is not None:
        user.active = active
    if password:
        user.password_hash = hash_password(password)
    changes = audit.diff(before, audit.snapshot(user, USER_FIELDS))
    if password:
        changes["password"] = {"before": "***", "after": "*** (changed)"}
    session.flush()
    audit.record(session, actor, "user", user.id, "update", changes, record_version=user.version)
    return user


def users_frame(session: Session, actor: Actor) -> pd.DataFrame:
    """All accounts for the admin page (no password hashes)."""
    require(actor, Permission.MANAGE_USERS)
    rows = [
        {"id": u.id, "Username": u.username, "Name": u.display_name, "Role": Role(u.role).label, "role": u.role,
         "Active": u.active, "Demo account": u.is_demo, "version": u.version}
        for u in session.scalars(select(User).order_by(User.username))
    ]
    return pd.DataFrame(rows, columns=["id", "Username", "Name", "Role", "Active", "Demo account", "version", "role"])


# A signed-in browser stays signed in for a working day, then asks again.
SIGN_IN_LIFETIME = timedelta(hours=10)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, actor: Actor) -> str:
    """A new random sign-in token for the actor (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(SignInSession(token_hash=_token_hash(token), user_id=actor.user_id,
                              expires_at=datetime.now(UTC) + SIGN_IN_LIFETIME))
    session.flush()
    return token


def resume_session(session: Session, token: str | None) -> Actor | None:
    """The actor for a live token of an active account, else None."""
    if not token:
        return None
    row = session.scalar(select(SignInSession).where(SignInSession.token_hash == _token_hash(token)))
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    user = session.get(User, row.user_id)
    if expires < datetime.now(UTC) or user is None or not user.active:
        session.delete(row)
        return None
    return actor_for(user)


def end_session(session: Session, token: str | None) -> None:
    """Sign out: forget the token."""
    if token:
        row = session.scalar(select(SignInSession).where(SignInSession.token_hash == _token_hash(token)))
        if row is not None:
            session.delete(row)
