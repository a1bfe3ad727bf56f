"""The one call every page makes first: page config, signed-in user, role-aware menu, role gate."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy.orm import Session

from review.accounts import users
from review.accounts.users import actor_for
from review.models import User
from review.platform import clock
from review.platform.config import Settings, get_settings
from review.platform.roles import Actor
from ui import data
from ui.feedback import show_flash
from ui.navigation import PAGE_BY_KEY, draw_menu

APP_NAME = "SEND IAG Review Tracker"
ACTOR_KEY = "actor"
TOKEN_KEY = "_sign_in_token"
COOKIE = "review_session"
RETURN_TO = "_return_to"  # the page a signed-out visitor asked for, opened after they sign in
_COOKIE_SCRIPT = "_cookie_script"


@dataclass(frozen=True)
class PageContext:
    actor: Actor | None
    settings: Settings


def current_actor() -> Actor | None:
    """The signed-in actor, refreshed from the database so a changed role or deactivation applies at once.

    A new browser session (a reload) is resumed from the sign-in cookie if it is still valid.
    """
    actor: Actor | None = st.session_state.get(ACTOR_KEY)
    if actor is None:
        token = st.context.cookies.get(COOKIE) if st.context.cookies else None
        if token and not st.session_state.get("_signed_out"):
            with data.writing() as session:
                actor = users.resume_session(session, token)
            if actor is not None:
                st.session_state[ACTOR_KEY] = actor
                st.session_state[TOKEN_KEY] = token
        return actor
    if actor.user_id is None:
        return actor
    with data.reading() as session:
        user = session.get(User, actor.user_id)
        fresh = actor_for(user) if user is not None and user.active else None
    if fresh != actor:
        st.session_state[ACTOR_KEY] = fresh
    return fresh


def sign_in(session: Session, actor: Actor) -> None:
    """Remember the actor for this browser session and set the sign-in cookie for reloads."""
    token = users.start_session(session, actor)
    st.session_state[ACTOR_KEY] = actor
    st.session_state[TOKEN_KEY] = token
    st.session_state.pop("_signed_out", None)
    st.session_state[_COOKIE_SCRIPT] = (
        f"document.cookie = '{COOKIE}={token}; path=/; max-age={int(users.SIGN_IN_LIFETIME.total_seconds())}; "
        "SameSite=Strict';")


def page_after_sign_in(actor: Actor) -> str | None:
    """The page a visitor asked for before signing in (its path), if this actor may use it; forgotten once read."""
    spec = PAGE_BY_KEY.get(st.session_state.pop(RETURN_TO, None) or "")
    if spec is None or spec.key == "home" or not spec.exists or not actor.can(spec.permission):
        return None
    return spec.path


def sign_out() -> None:
    """Forget the sign-in here and on the server, and clear the cookie."""
    with data.writing() as session:
        users.end_session(session, st.session_state.get(TOKEN_KEY))
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state["_signed_out"] = True
    st.session_state[_COOKIE_SCRIPT] = f"document.cookie = '{COOKIE}=; path=/; max-age=0; SameSite=Strict';"


def _apply_cookie_script() -> None:
    script = st.session_state.pop(_COOKIE_SCRIPT, None)
    if script:
        st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)


_GUARD_KEY = "_unsaved_guard"
# Marks the page "dirty" when something is typed or changed in the main area, clears it when a button is pressed
# (a save, or any action that reruns with the input), and asks the browser to warn before the page is reloaded or
# closed while dirty. Installed once per browser session (the listeners stay on the window across reruns).
_UNSAVED_GUARD = """
if (!window.__reviewUnsavedGuard) {
  window.__reviewUnsavedGuard = true;
  window.__reviewDirty = false;
  const inMain = (el) => el && el.closest && el.closest('[data-testid="stMain"]');
  const mark = (e) => { if (inMain(e.target)) { window.__reviewDirty = true; } };
  document.addEventListener('input', mark, true);
  document.addEventListener('change', mark, true);
  document.addEventListener('click', (e) => {
    if (inMain(e.target) && e.target.closest('button')) { window.__reviewDirty = false; }
  }, true);
  window.addEventListener('beforeunload', (e) => {
    if (window.__reviewDirty) { e.preventDefault(); e.returnValue = ''; return ''; }
  });
}
"""


def _install_unsaved_guard() -> None:
    """Warn before a reload or close loses half-typed input (the browser's own 'Leave site?' prompt)."""
    if not st.session_state.get(_GUARD_KEY):
        st.session_state[_GUARD_KEY] = True
        st.html(f"<script>{_UNSAVED_GUARD}</script>", unsafe_allow_javascript=True)


def _sidebar(actor: Actor | None, settings: Settings) -> None:
    with st.sidebar:
        st.markdown(f"**{APP_NAME}**")
        if settings.demo_mode:
            as_of = f", dates as at {clock.today():%d %b %Y}" if settings.as_of else ""
            st.caption(f":material/science: Demo data (fictional){as_of}")
    draw_menu(actor)
    if actor is not None:
        with st.sidebar:
            st.divider()
            st.caption(f"Signed in as **{actor.display_name}**  \n{actor.role.label}")
            if st.button("Sign out", icon=":material/logout:", key="_sign_out"):
                sign_out()
                st.switch_page("app.py")


def setup_page(key: str) -> PageContext:
    """Set up a page and stop it, with a message, when nobody is signed in or the role may not use it."""
    spec = PAGE_BY_KEY[key]
    st.set_page_config(page_title=f"{spec.label} · {APP_NAME}", page_icon=":material/support_agent:",
                       layout="wide")
    settings = get_settings()
    data.engine()
    _apply_cookie_script()
    _install_unsaved_guard()
    actor = current_actor()
    _sidebar(actor, settings)
    show_flash()
    if actor is None and key != "home":
        st.session_state[RETURN_TO] = spec.key
        st.info(f"Please sign in to use this page; after signing in you come back to {spec.label}.",
                icon=":material/login:")
        st.page_link("app.py", label="Go to sign-in", icon=":material/login:")
        st.stop()
    if actor is not None and not actor.can(spec.permission):
        st.error(f"Your role ({actor.role.label}) cannot use the {spec.label} page. "
                 "Ask an administrator if you need access.", icon=":material/block:")
        st.page_link("app.py", label="Back to the home page", icon=":material/home:")
        st.stop()
    return PageContext(actor, settings)
