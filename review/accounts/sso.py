"""Single sign-on (OpenID Connect): the identity provider's claims -> an account of this app.

An account is the pair (issuer, subject): the provider's stable id for the person (`sub`; Microsoft Entra ID also
sends `oid`, the same for every app of the tenant). Email is kept for display only: it can be reassigned.
A person seen for the first time gets an account with no role ("waiting for an administrator") unless one of
their group or role claims is mapped to a role (REVIEW_OIDC_ROLE_MAP). The streamlit side (st.login, st.user)
lives in ui/; this module only sees the claims.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review.accounts import throttle
from review.accounts.users import USER_FIELDS, WAITING, actor_for
from review.models import User
from review.platform import audit, clock
from review.platform import record_helpers as records
from review.platform.clock import as_utc
from review.platform.errors import AuthenticationFailed
from review.platform.roles import Actor, Role

# Who creates an account on first sign-in, in the audit log.
SSO_SYSTEM = Actor(user_id=None, username="single sign-on", display_name="Single sign-on", role=Role.ADMIN)
# When claims map to several roles, the one with most rights wins.
_RANK = [Role.ADMIN, Role.EDITOR, Role.COMMISSIONER, Role.VIEWER]


def parse_role_map(text: str) -> dict[str, Role]:
    """'group-id-1=editor, group-id-2=viewer' -> {claim value: role}; a bad entry raises ValueError."""
    mapping: dict[str, Role] = {}
    for entry in filter(None, (part.strip() for part in re.split(r"[,;\n]", text or ""))):
        value, sep, role = entry.rpartition("=")
        if not sep or not value.strip():
            raise ValueError(f"REVIEW_OIDC_ROLE_MAP entry '{entry}' is not claim-value=role.")
        try:
            mapping[value.strip()] = Role(role.strip().lower())
        except ValueError as exc:
            raise ValueError(f"REVIEW_OIDC_ROLE_MAP entry '{entry}': role must be one of "
                             f"{', '.join(r.value for r in Role)}.") from exc
    return mapping


def mapped_role(claims: Mapping[str, Any], role_map: Mapping[str, Role], claim_names: str) -> Role | None:
    """The role the person's group or role claims map to, if any."""
    found: set[Role] = set()
    for name in filter(None, (n.strip() for n in claim_names.split(","))):
        values = claims.get(name) or []
        for value in [values] if isinstance(values, str) else values:
            if str(value) in role_map:
                found.add(role_map[str(value)])
    return next((role for role in _RANK if role in found), None)


@dataclass(frozen=True)
class SsoOutcome:
    """actor when the person may use the app; otherwise `waiting` (no role yet) or a refusal `message`.

    `end_provider_session` asks the page to clear Streamlit's sign-in cookie (st.logout), e.g. after the person
    signed out everywhere.
    """

    actor: Actor | None
    waiting: bool = False
    message: str = ""
    end_provider_session: bool = False
    display_name: str = ""


def _username_for(session: Session, claims: Mapping[str, Any]) -> str:
    base = str(claims.get("preferred_username") or claims.get("email") or claims.get("sub") or "person")
    base = re.sub(r"[^a-z0-9._-]+", "-", base.split("@")[0].lower()).strip("-._")[:50] or "person"
    base = base if len(base) >= 2 else f"{base}-sso"
    candidate, n = base, 1
    while session.scalar(select(User.id).where(User.username == candidate)) is not None:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _issued_at(claims: Mapping[str, Any]) -> datetime | None:
    value = claims.get("iat")
    return datetime.fromtimestamp(int(value), UTC) if isinstance(value, int | float) else None


def sso_sign_in(session: Session, claims: Mapping[str, Any], *, role_map: Mapping[str, Role],
                claim_names: str = "groups,roles", now: datetime | None = None) -> SsoOutcome:
    """Find or create the account for verified identity-token claims (from st.user), and audit the sign-in."""
    now = now or clock.now_utc()
    issuer, subject = str(claims.get("iss") or ""), str(claims.get("sub") or "")
    if not issuer or not subject:
        raise AuthenticationFailed("The identity provider did not say who you are (no issuer or subject).")
    name = str(claims.get("name") or claims.get("preferred_username") or claims.get("email") or subject)[:120]
    email = str(claims.get("email") or "")[:255] or None
    role = mapped_role(claims, role_map, claim_names)
    user = session.scalar(select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject))
    if user is None:
        user = User(username=_username_for(session, claims), display_name=name, role=role.value if role else WAITING,
                    password_hash="", active=True, is_demo=False, sign_in_method="sso", oidc_issuer=issuer,
                    oidc_subject=subject, email=email)
        session.add(user)
        records.record_created(session, SSO_SYSTEM, "user", user, USER_FIELDS,
                               summary="first single sign-on" + ("" if role else "; waiting for a role"))
    else:
        if not user.active:
            audit.record(session, _who(user), "user", user.id, "sign-in-failed", summary="single sign-on: "
                         "account inactive")
            return SsoOutcome(None, message="Your account here has been switched off. Ask an administrator.",
                              end_provider_session=True)
        issued = _issued_at(claims)
        if user.sessions_revoked_at is not None and issued is not None and issued <= as_utc(user.sessions_revoked_at):
            return SsoOutcome(None, message="You signed out everywhere. Please sign in again.",
                              end_provider_session=True)
        changes: dict[str, dict[str, Any]] = {}
        if role is not None and user.role != role.value:  # the provider's groups rule while they map
            changes["role"] = {"before": user.role, "after": role.value}
            user.role = role.value
        if email and user.email != email:
            user.email = email
        if changes:
            session.flush()
            audit.record(session, SSO_SYSTEM, "user", user.id, "update", changes, record_version=user.version,
                         summary="role from the identity provider's group or role claims")
    session.flush()
    throttle.record_success(session, throttle.account_key(user.username), now)
    if not user.role:
        audit.record(session, _who(user), "user", user.id, "sign-in-waiting", summary="single sign-on; no role yet")
        return SsoOutcome(None, waiting=True, display_name=user.display_name,
                          message="Your account has been created and is waiting for an administrator to give it "
                                  "a role.")
    audit.record(session, actor_for(user), "user", user.id, "sign-in", summary="single sign-on")
    return SsoOutcome(actor_for(user), display_name=user.display_name)


def _who(user: User) -> Actor:
    return actor_for(user) if user.role else Actor(user.id, user.username, user.display_name, Role.VIEWER)
