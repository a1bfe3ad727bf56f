"""The one call every page makes first: page config, signed-in user, role-aware menu, role gate."""
from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.orm import Session
from streamlit.errors import StreamlitSecretNotFoundError

from review.accounts import sessions, sso, users
from review.accounts.users import actor_for
from review.models import User
from review.platform import clock, db
from review.platform.config import Settings, get_settings
from review.platform.errors import DatabaseUnavailable
from review.platform.roles import Actor
from ui import data, deep_link, progress, unsaved
from ui.feedback import flash, show_flash
from ui.navigation import PAGE_BY_KEY, draw_menu
from ui.text import plain

APP_NAME = "SEND IAG Review Tracker"
ACTOR_KEY = "actor"
TOKEN_KEY = "_sign_in_token"
WAITING_KEY = "_sso_waiting"
COOKIE = "review_session"
_COOKIE_SCRIPT = "_cookie_script"
_CLIENT_KEY = "_client_id"
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
# Keyboard focus, added to every page once:
# - the sidebar's content is focusable and named "Menu", so keyboard users can scroll it (axe
#   scrollable-region-focusable, WCAG 2.1.1);
# - a tab keeps the focus when a rerun redraws the tab list. Tabs that run only the open tab (on_change="rerun")
#   rerun the page when an arrow key selects a tab, and the redraw sometimes moves the tab buttons in the page,
#   which drops the focus to the page: the next arrow key then did nothing (WCAG 2.1.1, 2.4.3). When a tab loses
#   the focus to nothing, not after a click, the tab with that name gets it back (trying for up to a second, until
#   the focus holds, and giving up when a person clicks or something else takes the focus). Leaving a tab on purpose
#   is left alone: the Tab key moves the focus to something, a click is a click, and switching windows keeps the page's
#   focused element.
FOCUS_SCRIPT = """<script>
if (!window._sidebarFocus) {
  window._sidebarFocus = new MutationObserver(() => {
    const el = document.querySelector('[data-testid="stSidebarContent"]');
    if (el && el.tabIndex !== 0) { el.tabIndex = 0; el.setAttribute('aria-label', 'Menu'); }
  });
  window._sidebarFocus.observe(document.body, {childList: true, subtree: true});
}
if (!window._tabFocus) {
  window._tabFocus = true;
  let pointerAt = 0;
  document.addEventListener('pointerdown', () => { pointerAt = performance.now(); }, true);
  document.addEventListener('focusout', (event) => {
    const tab = event.target.closest && event.target.closest('[role="tab"]');
    if (!tab || event.relatedTarget || performance.now() - pointerAt < 500) return;
    const name = tab.innerText.trim();
    const lost = performance.now();
    let tries = 0;
    const restore = () => {  // the redraw can take a few frames: focus() does not hold until it is done
      const active = document.activeElement;
      if ((active && active !== document.body) || pointerAt > lost) return;
      const same = [...document.querySelectorAll('[role="tab"]')].filter((t) => t.innerText.trim() === name);
      const next = same.find((t) => t.getAttribute('aria-selected') === 'true') || same[0];
      if (next) next.focus();
      if (document.activeElement !== next && ++tries < 60) requestAnimationFrame(restore);
    };
    requestAnimationFrame(restore);
  }, true);
}
</script>"""


@dataclass(frozen=True)
class PageContext:
    actor: Actor | None
    settings: Settings
    signed_in_now: bool = False  # in this run (single sign-on): the home page sends the person on to their landing


# Set by every way in once it has signed someone in: the one-click and password callbacks (`app.py` checks it before
# drawing anything, so the sign-in page is not drawn once more for nothing) and single sign-on, which signs in inside
# `setup_page` (which takes the key off, so it never outlives the run: `PageContext.signed_in_now`).
LANDING_KEY = "_signed_in_landing"


def client_id() -> str:
    """Who is signing in, for throttling: the address the request came from, else this browser session.

    Behind a reverse proxy (REVIEW_BEHIND_PROXY=1) the address is the last X-Forwarded-For entry, the one the
    proxy added; otherwise that header is ignored, since a client can write anything in it.
    """
    forwarded = st.context.headers.get("X-Forwarded-For") if st.context.headers else None
    if forwarded and os.environ.get("REVIEW_BEHIND_PROXY", "").strip().lower() in {"1", "true", "yes", "on"}:
        return forwarded.split(",")[-1].strip()[:100]
    if st.context.ip_address:
        return st.context.ip_address
    return "session " + st.session_state.setdefault(_CLIENT_KEY, secrets.token_hex(8))


def sso_providers() -> list[str]:
    """Single sign-on providers configured in `.streamlit/secrets.toml` ([auth]); "default" is `st.login()`."""
    try:
        auth = st.secrets.get("auth")
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return []
    if not auth or not auth.get("redirect_uri") or not auth.get("cookie_secret"):
        return []
    if auth.get("client_id"):
        return ["default"]
    return [name for name, value in auth.items() if isinstance(value, Mapping) and value.get("client_id")]


def _end_here(message: str | None = None) -> None:
    for key in list(st.session_state.keys()):
        if key != _CLIENT_KEY:
            del st.session_state[key]
    st.session_state[_COOKIE_SCRIPT] = f"document.cookie = '{COOKIE}=; path=/; max-age=0; SameSite=Strict';"
    if message:
        flash(message, "warning")


def _session_ended(reason: str | None) -> None:
    """Sign this browser out after its session ended; with single sign-on, clear Streamlit's identity cookie too,
    so the next sign-in goes back to the identity provider rather than resuming silently."""
    _end_here(reason)
    st.session_state["_signed_out"] = True
    if sso_providers() and st.user.get("is_logged_in"):
        st.logout()


def _from_single_sign_on() -> Actor | None:
    """Sign in the person Streamlit's st.login has verified (st.user), if single sign-on is configured."""
    if not sso_providers() or not st.user.get("is_logged_in") or st.session_state.get("_signed_out"):
        return None
    if st.session_state.get(WAITING_KEY):  # checked once per browser session; a reload checks again
        return None
    settings = get_settings()
    try:
        role_map = sso.parse_role_map(settings.oidc_role_map)
    except ValueError as exc:
        st.error(f"Single sign-on is misconfigured; tell your administrator: {exc}", icon=":material/error:")
        return None
    with data.writing() as session:
        outcome = sso.sso_sign_in(session, st.user.to_dict(), role_map=role_map,
                                  claim_names=settings.oidc_role_claims)
        if outcome.actor is not None:
            sign_in(session, outcome.actor, "sso")
    if outcome.end_provider_session:
        st.logout()
    st.session_state[WAITING_KEY] = outcome.message if outcome.waiting else None
    if outcome.actor is not None:
        st.session_state[LANDING_KEY] = True
    return outcome.actor


def current_actor() -> Actor | None:
    """The signed-in actor, checked against its session row on every run.

    A session ended elsewhere (sign out everywhere, a password change, deactivation), idle for too long or past
    its lifetime signs this browser out at once, with the reason. A new browser session (a reload) is resumed
    from the sign-in cookie, or from Streamlit's single sign-on cookie.
    """
    actor: Actor | None = st.session_state.get(ACTOR_KEY)
    token = st.session_state.get(TOKEN_KEY)
    if actor is None:
        token = st.context.cookies.get(COOKIE) if st.context.cookies else None
        if not token or st.session_state.get("_signed_out"):
            return _from_single_sign_on()
    if token:
        with data.writing() as session:
            check = sessions.check_session(session, token)
            fresh = actor_for(check.user) if check.user is not None and check.user.role else None
        if fresh is None:
            _session_ended(check.ended_because)
            return None
        st.session_state[TOKEN_KEY] = token
    else:  # an actor put in place without a session (page tests): still refreshed from the database
        with data.reading() as session:
            user = session.get(User, actor.user_id) if actor.user_id is not None else None
            fresh = actor_for(user) if user is not None and user.active and user.role else None
        if actor.user_id is None:
            fresh = actor
    if fresh != actor:
        st.session_state[ACTOR_KEY] = fresh
    return fresh


def sign_in(session: Session, actor: Actor, method: str = "local") -> None:
    """Remember the actor for this browser session and set the sign-in cookie for reloads.

    The cookie holds a random token whose hash is the server-side session; it is written by a script (Streamlit
    gives a page no way to send Set-Cookie), so it cannot be HttpOnly. It is kept a session cookie (gone when the
    browser closes), SameSite=Strict, path /, and Secure on HTTPS; the server checks it on every run.
    """
    token = sessions.start_session(session, actor.user_id, method)
    st.session_state[ACTOR_KEY] = actor
    st.session_state[TOKEN_KEY] = token
    st.session_state.pop("_signed_out", None)
    st.session_state.pop(WAITING_KEY, None)
    st.session_state[_COOKIE_SCRIPT] = (
        f"document.cookie = '{COOKIE}={token}; path=/; SameSite=Strict' + "
        "(location.protocol === 'https:' ? '; Secure' : '');")




def sign_out() -> None:
    """Forget the sign-in here and on the server, and clear the cookie (and single sign-on's)."""
    with data.writing() as session:
        sessions.end_session(session, st.session_state.get(TOKEN_KEY))
    _end_here()
    st.session_state["_signed_out"] = True
    if sso_providers() and st.user.get("is_logged_in"):
        st.logout()


def sign_out_everywhere(actor: Actor) -> None:
    """End every session of the signed-in person (other browsers at their next action), then this one."""
    with data.writing() as session:
        users.sign_out_everywhere(session, actor)
    sign_out()


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
            st.caption(f"Signed in as **{plain(actor.display_name)}**  \n{actor.role.label}")
            if st.button("Sign out", icon=":material/logout:", key="_sign_out"):
                sign_out()
                st.switch_page("app.py")


def _show_first_run_progress() -> None:
    """The first visit to a new install: the app's name and the demo data's progress, until it can sign in."""
    st.title(APP_NAME)
    st.write("This new copy of the tracker is setting up its database with the fictional demo data. It happens "
             "once, takes a few seconds, and the sign-in appears here by itself when it is ready.")

    @st.fragment(run_every=1)
    def setting_up() -> None:
        prepared = data.preparation()
        if prepared.done.is_set():
            st.rerun(scope="app")
        st.progress(min(max(prepared.share, 0.02), 1.0), text=f"Setting up: {prepared.step}...")

    setting_up()
    st.stop()


def setup_page(key: str) -> PageContext:
    """Set up a page and stop it, with a message, when nobody is signed in or the role may not use it."""
    spec = PAGE_BY_KEY[key]
    st.set_page_config(page_title=f"{spec.label} · {APP_NAME}", page_icon=":material/support_agent:",
                       layout="wide")
    settings = get_settings()
    try:
        prepared = data.preparation()
        if not prepared.done.is_set():
            _show_first_run_progress()
        db.check_database(data.engine())
        st.html(ACCESSIBLE_CSS)
        st.html(progress.CSS)
        st.html(FOCUS_SCRIPT, unsafe_allow_javascript=True)
        actor = current_actor()
        signed_in_now = bool(st.session_state.pop(LANDING_KEY, False))  # this run only, whatever follows
        _apply_cookie_script()
    except DatabaseUnavailable as exc:
        st.title(APP_NAME)
        st.error(plain(exc), icon=":material/database_off:")
        st.stop()
    _sidebar(actor, settings)
    unsaved.warn_before_leaving()
    show_flash()
    if actor is None and not spec.public:
        st.info("Please sign in to use this page.", icon=":material/login:")
        deep_link.remember(key)
        st.stop()
    if actor is not None and not actor.can(spec.permission):
        st.error(f"Your role ({actor.role.label}) cannot use the {spec.label} page. "
                 "Ask an administrator if you need access.", icon=":material/block:")
        st.page_link("app.py", label="Back to the home page", icon=":material/home:")
        st.stop()
    return PageContext(actor, settings, signed_in_now)


def run_open_tab(tabs: Mapping[str, Callable[[], None]], key: str) -> None:
    """Draw `st.tabs` with the labels of `tabs` (label -> what to draw) and run only the open one: choosing another
    reruns the page (`on_change="rerun"`), so a page does not pay for the tabs nobody is looking at. Widgets in a
    tab keep their values across visits to another through `ui.forms.kept`."""
    for tab, show in zip(st.tabs(list(tabs), key=key, on_change="rerun"), tabs.values(), strict=True):
        if tab.open:
            with tab:
                show()
