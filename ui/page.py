"""The one call every page makes first: page config, signed-in user, role-aware menu, role gate."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from review import clock
from review.config import Settings, get_settings
from review.models import User
from review.roles import Actor
from review.users import actor_for
from ui import data
from ui.feedback import show_flash
from ui.navigation import PAGE_BY_KEY, draw_menu

APP_NAME = "SEND IAG Review Tracker"
ACTOR_KEY = "actor"


@dataclass(frozen=True)
class PageContext:
    actor: Actor | None
    settings: Settings


def current_actor() -> Actor | None:
    """The signed-in actor, refreshed from the database so a changed role or deactivation applies at once."""
    actor: Actor | None = st.session_state.get(ACTOR_KEY)
    if actor is None or actor.user_id is None:
        return actor
    with data.reading() as session:
        user = session.get(User, actor.user_id)
        fresh = actor_for(user) if user is not None and user.active else None
    if fresh != actor:
        st.session_state[ACTOR_KEY] = fresh
    return fresh


def sign_in(actor: Actor) -> None:
    st.session_state[ACTOR_KEY] = actor


def sign_out() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


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
    actor = current_actor()
    _sidebar(actor, settings)
    show_flash()
    if actor is None and key != "home":
        st.info("Please sign in to use this page.", icon=":material/login:")
        st.page_link("app.py", label="Go to sign-in", icon=":material/login:")
        st.stop()
    if actor is not None and not actor.can(spec.permission):
        st.error(f"Your role ({actor.role.label}) cannot use the {spec.label} page. "
                 "Ask an administrator if you need access.", icon=":material/block:")
        st.page_link("app.py", label="Back to the home page", icon=":material/home:")
        st.stop()
    return PageContext(actor, settings)
