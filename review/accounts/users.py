"""Accounts: sign-in with a password (throttled, audited), creating and changing users, own password changes."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from review.accounts import sessions, throttle
from review.accounts.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from review.models import User
from review.platform import audit, clock, database_settings
from review.platform import record_helpers as records
from review.platform.clock import as_utc
from review.platform.errors import AuthenticationFailed, ValidationFailed
from review.platform.roles import Actor, Permission, Role, require
from review.platform.validation import Problems
from review.platform.wording import local_time_text

__all__ = ["MIN_PASSWORD_LENGTH", "hash_password", "verify_password"]

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
USER_FIELDS = ("username", "display_name", "role", "active", "person_id")
# The role of a single sign-on account that waits for an administrator to give it one.
WAITING = ""
WAITING_LABEL = "Waiting for an administrator"
METHOD_LABELS = {"local": "Password", "sso": "Single sign-on"}
# The one answer to a refused sign-in, whatever the reason (no account probing).
NOT_RECOGNISED = SIGN_IN_REFUSED = "Username or password not recognised, or the account is inactive."
LOCAL_SIGN_IN_SETTING = "local_sign_in"


def actor_for(user: User) -> Actor:
    """The acting identity (id, name, role, linked person) that services check permissions against."""
    return Actor(user.id, user.username, user.display_name, Role(user.role), user.person_id)


def _anonymous(username: str) -> Actor:
    """Who a failed sign-in is recorded under: the account when the name is known, else "unknown"."""
    return Actor(None, username, username, Role.VIEWER)


@dataclass(frozen=True)
class SignInOutcome:
    """The actor when the sign-in worked; otherwise the message to show (never saying which part was wrong)."""

    actor: Actor | None
    message: str = ""


def local_sign_in_enabled(session: Session) -> bool:
    """False once an administrator has switched local accounts off (single sign-on only)."""
    return database_settings.get(session, LOCAL_SIGN_IN_SETTING) != "off"


def set_local_sign_in(session: Session, actor: Actor, enabled: bool, *, sso_configured: bool) -> None:
    """Switch local (password) sign-in on or off; off only when single sign-on works for an administrator."""
    require(actor, Permission.MANAGE_USERS)
    if not enabled:
        if not sso_configured:
            raise ValidationFailed({"local_sign_in": "Single sign-on is not configured, so local accounts are the "
                                                     "only way in; they stay on."})
        sso_admin = session.scalar(select(User.id).where(User.sign_in_method == "sso", User.active.is_(True),
                                                         User.role == Role.ADMIN.value).limit(1))
        if sso_admin is None:
            raise ValidationFailed({"local_sign_in": "No active administrator signs in with single sign-on yet; "
                                                     "switching local accounts off would lock every administrator "
                                                     "out."})
    before = "on" if local_sign_in_enabled(session) else "off"
    after = "on" if enabled else "off"
    database_settings.put(session, LOCAL_SIGN_IN_SETTING, after)
    if before != after:
        audit.record(session, actor, "setting", LOCAL_SIGN_IN_SETTING, "update",
                     {"local_sign_in": {"before": before, "after": after}})


def sign_in_with_password(session: Session, username: str, password: str, client: str,
                          now: datetime | None = None) -> SignInOutcome:
    """Check a username and password, throttled per account name and per client, and audit the attempt.

    The caller commits whatever the outcome, so failures are counted and recorded. Every path verifies one
    argon2 hash (a dummy one for unknown names), so the time taken does not tell whether a name exists.
    """
    now = now or clock.now_utc()
    name = (username or "").strip().lower()[:120]
    account_key, client_key = throttle.account_key(name), throttle.client_key(client or "unknown")
    user = session.scalar(select(User).where(User.username == name)) if name else None
    local = user is not None and user.sign_in_method == "local"
    matches = verify_password(user.password_hash if user is not None and local else None, password or "")
    locked = throttle.locked_until(session, client_key, now) or throttle.locked_until(session, account_key, now)
    reason = None
    if locked is not None:
        reason = "locked out"
    elif user is None:
        reason = "unknown username"
    elif not local:
        reason = "single sign-on account"
    elif not matches:
        reason = "wrong password"
    elif not user.active:
        reason = "account inactive"
    elif user.is_demo and not database_settings.demo_accounts_enabled(session):
        reason = "demo account outside demo mode"
    elif not local_sign_in_enabled(session) and not user.is_demo:
        reason = "local sign-in switched off"
    if reason is not None:
        if locked is None:
            now_locked = throttle.record_failure(session, account_key, throttle.ACCOUNT, now)
            now_locked = throttle.record_failure(session, client_key, throttle.CLIENT, now) or now_locked
            if now_locked:
                reason += "; now locked out"
                locked = now + throttle.LOCKOUT
        who = actor_for(user) if user is not None and user.role else _anonymous("unknown" if user is None else name)
        audit.record(session, who, "user", user.id if user is not None else "-", "sign-in-failed",
                     summary=f"{reason} (client {client})")
        if locked is not None:
            minutes = max(1, int((locked - now).total_seconds() // 60) + 1)
            return SignInOutcome(None, "Too many failed sign-ins from this account name or this place. "
                                       f"Try again in {minutes} minutes.")
        if reason == "local sign-in switched off":
            return SignInOutcome(None, "Sign-in with a password is switched off; use single sign-on.")
        return SignInOutcome(None, NOT_RECOGNISED)
    assert user is not None and user.password_hash is not None  # else a reason was found and returned above
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    throttle.record_success(session, account_key, now)
    audit.record(session, actor_for(user), "user", user.id, "sign-in", summary=f"password (client {client})")
    return SignInOutcome(actor_for(user))


def authenticate(session: Session, username: str, password: str, client: str = "command line") -> Actor:
    """The actor for valid credentials; AuthenticationFailed otherwise (see `sign_in_with_password`)."""
    outcome = sign_in_with_password(session, username, password, client)
    if outcome.actor is None:
        raise AuthenticationFailed(outcome.message)
    return outcome.actor


def demo_sign_in(session: Session, role: Role) -> Actor:
    """One-click sign-in as the demo account for a role; only in demo mode."""
    if not database_settings.demo_accounts_enabled(session):
        raise AuthenticationFailed("One-click demo sign-in is switched off on this deployment.")
    user = session.scalar(select(User).where(User.is_demo.is_(True), User.role == role.value, User.active.is_(True)))
    if user is None:
        raise AuthenticationFailed(f"There is no demo account for the {role.label} role.")
    throttle.record_success(session, throttle.account_key(user.username), clock.now_utc())
    audit.record(session, actor_for(user), "user", user.id, "sign-in", summary="demo one-click sign-in")
    return actor_for(user)


def _validate(session: Session, username: str, display_name: str, role: str, password: str | None,
              existing_id: int | None = None, allowed_roles: set[str] | None = None) -> Problems:
    problems = Problems()
    if not USERNAME_PATTERN.match(username):
        problems.add("username", "Use 2-60 lower-case letters, digits, dots, dashes or underscores.")
    elif session.scalar(select(User.id).where(User.username == username, User.id != (existing_id or -1))):
        problems.add("username", f"The username '{username}' is already taken.")
    if not display_name:
        problems.add("display_name", "Enter the name to show for this account.")
    if role not in (allowed_roles or {r.value for r in Role}):
        problems.add("role", f"Choose one of: {', '.join(r.value for r in Role)}.")
    if password is not None and (problem := password_problem(password, username=username,
                                                              display_name=display_name)):
        problems.add("password", problem)
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
    """Create a local account (admins only)."""
    require(actor, Permission.MANAGE_USERS)
    username = (username or "").strip().lower()
    display_name = (display_name or username).strip()
    role = (role or "").strip().lower()
    _validate(session, username, display_name, role, password).raise_if_any()
    user = User(username=username, display_name=display_name, role=role, password_hash=hash_password(password),
                active=True, is_demo=is_demo, person_id=person_id, sign_in_method="local")
    session.add(user)
    records.record_created(session, actor, "user", user, USER_FIELDS)
    return user


def update_user(session: Session, actor: Actor, user_id: int, expected_version: int, *,
                role: str | None = None, active: bool | None = None, display_name: str | None = None,
                password: str | None = None) -> User:
    """Change an account's role, name, active flag or password (admins only).

    A password reset or a deactivation ends every session of that person at their next action.
    """
    require(actor, Permission.MANAGE_USERS)
    user = records.load_for_edit(session, User, "user", user_id, expected_version)
    before = audit.snapshot(user, USER_FIELDS)
    new_role = role if role is not None else user.role
    new_name = display_name.strip() if display_name is not None else user.display_name
    if password and user.sign_in_method != "local":
        raise ValidationFailed({"password": "This account signs in with single sign-on; it has no password."})
    allowed = {r.value for r in Role} | ({WAITING} if new_role == user.role else set())
    _validate(session, user.username, new_name, new_role, password or None, existing_id=user.id,
              allowed_roles=allowed).raise_if_any()
    if user.id == actor.user_id and ((active is False) or new_role != Role.ADMIN.value):
        raise ValidationFailed({"role": "You cannot remove your own administrator access or deactivate yourself."})
    user.role, user.display_name = new_role, new_name
    if active is not None:
        user.active = active
    if password:
        user.password_hash = hash_password(password)
    changes = audit.diff(before, audit.snapshot(user, USER_FIELDS))
    if password:
        changes["password"] = {"before": "***", "after": "*** (reset by an administrator)"}
    if password or active is False:
        sessions.end_all_sessions(session, user.id)
    session.flush()
    audit.record(session, actor, "user", user.id, "update", changes, record_version=user.version)
    return user


def change_own_password(session: Session, actor: Actor, current_password: str, new_password: str,
                        keep_token: str | None = None) -> None:
    """The signed-in person changes their password; their other sessions end at their next action."""
    if actor is None or actor.user_id is None:
        raise AuthenticationFailed("Please sign in first.")
    user = get_user(session, actor.user_id)
    if user.sign_in_method != "local":
        raise ValidationFailed({"current_password": "You sign in with single sign-on; change your password "
                                                    "with your organisation."})
    if not verify_password(user.password_hash, current_password or ""):
        raise ValidationFailed({"current_password": "That is not your current password."})
    if new_password == current_password:
        raise ValidationFailed({"new_password": "Choose a password different from the current one."})
    if problem := password_problem(new_password or "", username=user.username, display_name=user.display_name):
        raise ValidationFailed({"new_password": problem})
    user.password_hash = hash_password(new_password)
    ended = sessions.end_all_sessions(session, user.id, keep_token=keep_token)
    session.flush()
    audit.record(session, actor, "user", user.id, "password-change", {"password": {"before": "***",
                                                                                    "after": "*** (changed)"}},
                 record_version=user.version, summary=f"{ended} other session(s) ended")


def sign_out_everywhere(session: Session, actor: Actor) -> int:
    """End every session of the signed-in person, this one included; returns how many ended."""
    if actor is None or actor.user_id is None:
        raise AuthenticationFailed("Please sign in first.")
    ended = sessions.end_all_sessions(session, actor.user_id)
    audit.record(session, actor, "user", actor.user_id, "sign-out-everywhere", summary=f"{ended} session(s) ended")
    return ended


def unlock(session: Session, actor: Actor, user_id: int) -> None:
    """An administrator lifts a temporary lockout of an account name."""
    require(actor, Permission.MANAGE_USERS)
    user = get_user(session, user_id)
    throttle.clear(session, throttle.account_key(user.username))
    audit.record(session, actor, "user", user.id, "unlock")


def get_user(session: Session, user_id: int) -> User:
    """The account with this id; NotFound when it was deleted meanwhile (e.g. by another administrator)."""
    return records.get_or_not_found(session, User, user_id, "That account no longer exists.")


def _when(moment: datetime | None) -> str:
    return local_time_text(moment)


def users_frame(session: Session, actor: Actor, now: datetime | None = None) -> pd.DataFrame:
    """All accounts for the admin page (no password hashes), with how each signs in and its lock state."""
    require(actor, Permission.MANAGE_USERS)
    now = now or clock.now_utc()
    accounts = list(session.scalars(select(User).order_by(User.username)))
    states = throttle.states(session, [throttle.account_key(u.username) for u in accounts])
    rows = []
    for u in accounts:
        state = states.get(throttle.account_key(u.username))
        lock = as_utc(state.locked_until) if state is not None and state.locked_until is not None else None
        rows.append({
            "id": u.id, "Username": u.username, "Name": u.display_name,
            "Role": Role(u.role).label if u.role else WAITING_LABEL, "role": u.role, "Active": u.active,
            "Sign-in method": METHOD_LABELS.get(u.sign_in_method, u.sign_in_method),
            "Last sign-in": _when(state.last_success_at if state is not None else None),
            "Failed attempts": state.failures if state is not None else 0,
            "Locked until": _when(lock) if lock is not None and lock > now else "",
            "Demo account": u.is_demo, "Email": u.email or "", "version": u.version,
        })
    return pd.DataFrame(rows, columns=["id", "Username", "Name", "Role", "Active", "Sign-in method", "Last sign-in",
                                       "Failed attempts", "Locked until", "Demo account", "Email", "version",
                                       "role"])


def remove_demo_accounts(session: Session, actor: Actor) -> list[str]:
    """Delete every demo account (admins only) and mark the database as no longer a demo database.

    Each deletion is audited; their sign-in sessions go with them. Returns the usernames removed.
    """
    require(actor, Permission.MANAGE_USERS)
    removed = []
    for user in session.scalars(select(User).where(User.is_demo.is_(True)).order_by(User.username)):
        before = audit.snapshot(user, USER_FIELDS)
        session.delete(user)
        session.flush()
        audit.record(session, actor, "user", user.id, "delete", audit.diff(before, {}),
                     summary=f"demo account {user.username} removed")
        removed.append(user.username)
    database_settings.mark_demo_database(session, False)
    return removed
