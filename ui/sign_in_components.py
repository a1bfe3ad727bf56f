"""The sign-in panel (single sign-on button, password form, demo buttons) and the "My account" forms."""
from __future__ import annotations

import os

import streamlit as st

from review.accounts import users
from review.platform import database_settings
from review.platform.config import Settings
from review.platform.errors import DomainError
from review.platform.roles import Actor, Role
from ui import data
from ui.feedback import field_error, flash, guarded, write
from ui.page import (
    LANDING_KEY,
    TOKEN_KEY,
    WAITING_KEY,
    client_id,
    sign_in,
    sign_out,
    sign_out_everywhere,
    sso_providers,
)

DEMO_ROLES = [Role.EDITOR, Role.VIEWER, Role.COMMISSIONER, Role.ADMIN]


def provider_label(name: str) -> str:
    """What the single sign-on button says: REVIEW_SSO_LABEL, else the provider's name from secrets.toml."""
    label = os.environ.get("REVIEW_SSO_LABEL", "").strip()
    return label or ("your organisation's account" if name == "default" else name.replace("-", " ").title())


def show_waiting() -> bool:
    """The message for a single sign-on account without a role yet; True when it was shown."""
    message = st.session_state.get(WAITING_KEY)
    if not message:
        return False
    st.info(message + " Reload this page once they have done so.", icon=":material/hourglass_top:")
    if st.button("Sign out", key="_waiting_sign_out"):
        sign_out()
    return True


def show_single_sign_on() -> None:
    for name in sso_providers():
        label = provider_label(name)
        if st.button(f"Sign in with {label}", key=f"sso_{name}", type="primary", icon=":material/key:"):
            st.login() if name == "default" else st.login(name)


PASSWORD_ERROR_KEY = "_sign_in_error"  # the callback's refusal, shown in the form on the run that follows


def _password_sign_in() -> None:
    """The password form's callback: check the name and password, then let the run that follows go straight to the
    landing page (as the demo buttons do), so the sign-in page is not drawn once more for nothing. A refusal is kept
    for the form to show; the password is cleared either way (it stays in no session state)."""
    username = st.session_state.get("sign_in_username", "")
    password = st.session_state.get("sign_in_password", "")
    st.session_state["sign_in_password"] = ""
    try:
        with data.writing() as session:  # committed whatever the outcome: failures are counted and audited
            outcome = users.sign_in_with_password(session, username, password, client_id())
            if outcome.actor is not None:
                sign_in(session, outcome.actor, "local")
    except DomainError as exc:  # e.g. two attempts for one name at the same moment
        st.session_state[PASSWORD_ERROR_KEY] = str(exc)
        return
    if outcome.actor is None:
        st.session_state[PASSWORD_ERROR_KEY] = outcome.message
    else:
        st.session_state[LANDING_KEY] = True


def show_password_form() -> None:
    with st.form("sign_in"):
        st.subheader("Sign in")
        st.text_input("Username", autocomplete="username", key="sign_in_username")
        st.text_input("Password", type="password", autocomplete="current-password", key="sign_in_password")
        refused = st.session_state.pop(PASSWORD_ERROR_KEY, None)
        if refused:
            st.error(refused, icon=":material/error:")
        st.form_submit_button("Sign in", type="primary", on_click=_password_sign_in)


def _demo_sign_in(role: Role) -> None:
    """The one-click button's callback: sign in, then let the run that follows go straight to the landing page
    (`ui.page.LANDING_KEY`), so the sign-in page is not drawn once more for nothing."""
    signed_in = False
    with guarded(), data.writing() as session:
        sign_in(session, users.demo_sign_in(session, role), "demo")
        signed_in = True
    if signed_in:
        flash(f"Signed in as the demo {role.label}.")
        st.session_state[LANDING_KEY] = True


def show_demo_buttons() -> None:
    st.info("This copy is running on **fictional demo data**. Sign in with one click as any role to "
            "look around; nothing here is real.", icon=":material/science:")
    cols = st.columns(2) + st.columns(2)  # two a row, so each full role name fits on a 1366 px screen
    for col, role in zip(cols, DEMO_ROLES, strict=True):
        col.button(f"Sign in as {role.label}", key=f"demo_{role.value}", width="stretch", on_click=_demo_sign_in,
                   args=(role,))


def show_sign_in(settings: Settings) -> None:
    """Every way in this deployment offers: single sign-on, demo one-click, a password (unless switched off)."""
    if show_waiting():
        return
    show_single_sign_on()
    with data.reading() as session:
        demo = database_settings.demo_accounts_enabled(session)  # demo mode on, and a demo database
        local = users.local_sign_in_enabled(session)
    if demo:
        show_demo_buttons()
    if local or not sso_providers():
        show_password_form()


def show_change_password(actor: Actor) -> None:
    form = "change_password"
    with st.form(form, clear_on_submit=True):
        st.subheader("Change your password")
        current = st.text_input("Current password", type="password", autocomplete="current-password")
        field_error(form, "current_password")
        new = st.text_input("New password", type="password", autocomplete="new-password",
                            help=f"At least {users.MIN_PASSWORD_LENGTH} characters, not a commonly used password.")
        field_error(form, "new_password")
        if st.form_submit_button("Change password", type="primary"):
            write(lambda s: users.change_own_password(s, actor, current, new, st.session_state.get(TOKEN_KEY)),
                  "Password changed. Your other sign-ins have ended.", form=form)
            st.rerun()


def show_sign_out_everywhere(actor: Actor) -> None:
    st.subheader("Sign out everywhere")
    st.caption("Ends your sign-in on every browser and device, this one included (for example after using a "
               "shared computer).")
    if st.button("Sign out everywhere", icon=":material/logout:"):
        try:
            sign_out_everywhere(actor)
        except DomainError as exc:
            st.error(str(exc))
        else:
            st.switch_page("app.py")


def show_account(actor: Actor) -> None:
    """The person's own account: password (local accounts) and sign out everywhere."""
    with data.reading() as session:
        user = users.get_user(session, actor.user_id) if actor.user_id is not None else None
    if user is not None and user.sign_in_method == "local":
        show_change_password(actor)
    elif user is not None:
        st.info("You sign in with single sign-on; your password is managed by your organisation.",
                icon=":material/key:")
    show_sign_out_everywhere(actor)
