"""Deep links survive sign-in: a page opened signed out (say /Tasks) is where the user lands after signing in.

The page is remembered by its key from ui.navigation (never a URL a user typed), in the session and in the
sign-in link's query string (`/?next=tasks`), so it also survives a reload of the sign-in page.
"""
from __future__ import annotations

import streamlit as st

from review.platform.roles import Actor
from ui.navigation import PAGE_BY_KEY, PageSpec

NEXT_PARAM = "next"
_NEXT_KEY = "_next_page"


def remember(key: str) -> None:
    """Note that a signed-out visitor wanted page `key`, and link to the sign-in page carrying it."""
    st.session_state[_NEXT_KEY] = key
    st.page_link("app.py", label="Go to sign-in", icon=":material/login:", query_params={NEXT_PARAM: key})


def wanted_page() -> PageSpec | None:
    """The page a visitor asked for before signing in, if it is one of the app's own pages (not home)."""
    key = st.query_params.get(NEXT_PARAM) or st.session_state.get(_NEXT_KEY)
    spec = PAGE_BY_KEY.get(key) if isinstance(key, str) else None
    return spec if spec is not None and spec.key != "home" else None


def go_to_wanted_page(actor: Actor | None) -> None:
    """After sign-in: switch to the page asked for, if the new role may open it (otherwise stay, and forget it)."""
    spec = wanted_page()
    st.session_state.pop(_NEXT_KEY, None)
    if NEXT_PARAM in st.query_params:
        del st.query_params[NEXT_PARAM]
    if spec is not None and actor is not None and actor.can(spec.permission):
        st.switch_page(spec.path)
