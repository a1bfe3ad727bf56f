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
_COOKIE_SCRIPT = "_cookie_script"
# WCAG 2.2 AA (issue 13): a focus ring that shows on every control reached by keyboard (2.4.7, 2.4.11, 2.4.13:
# 3 px, 3:1 against white and the grey sidebar), date-field segments at least 24 px square (2.5.8, target size),
# and page content that reflows at 320 CSS px (1.4.10).
ACCESSIBLE_CSS = """<style>
:focus-visible { outline: 3px solid #1d4f91 !important; outline-offset: 2px !important; }
[data-baseweb="input"]:focus-within, [data-baseweb="select"]:focus-within, [data-baseweb="textarea"]:focus-within,
[data-baseweb="checkbox"]:focus-within, [data-testid="stDateInput"] [data-baseweb="input"]:focus-within {
  outline: 3px solid #1d4f91 !important; outline-offset: 2px !important; }
[role="spinbutton"][data-type] { display: inline-flex; align-items: center; justify-content: center;
  min-width: 24px; min-height: 24px; }
.stMainBlockContainer { min-width: 0; }
.stMainBlockContainer img, .stMainBlockContainer svg { max-width: 100%; }
</style>"""
# A scrolling sidebar must be reachable by keyboard (axe scrollable-region-focusable, WCAG 2.1.1).
SIDEBAR_FOCUS_SCRIPT = """<script>
if (!window._sidebarFocus) {
  window._sidebarFocus = new MutationObserver(() => {
    const el = document.querySelector('[data-testid="stSidebarContent"]');
    if (el && el.tabIndex !== 0) { el.tabIndex = 0; el.setAttribute('aria-label', 'Menu'); }
  });
  window._sidebarFocus.observe(document.body, {childList: true, subtree: true});
}
</script>"""
_MARKDOWN_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>()#+-.!|~:$"})


def plain(text: str) -> str:
    """`text` escaped so st.markdown shows it as typed (stored or configured text is never markup)."""
    return text.translate(_MARKDOWN_SPECIALS)


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
    st.html(ACCESSIBLE_CSS)
    st.html(SIDEBAR_FOCUS_SCRIPT, unsafe_allow_javascript=True)
    _apply_cookie_script()
    actor = current_actor()
    _sidebar(actor, settings)
    show_flash()
    if actor is None and not spec.public:
        st.info("Please sign in to use this page.", icon=":material/login:")
        st.page_link("app.py", label="Go to sign-in", icon=":material/login:")
        st.stop()
    if actor is not None and not actor.can(spec.permission):
        st.error(f"Your role ({actor.role.label}) cannot use the {spec.label} page. "
                 "Ask an administrator if you need access.", icon=":material/block:")
        st.page_link("app.py", label="Back to the home page", icon=":material/home:")
        st.stop()
    return PageContext(actor, settings)
