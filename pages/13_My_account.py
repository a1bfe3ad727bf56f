"""My account: change your password, sign out everywhere."""
from __future__ import annotations

import streamlit as st

from ui import sign_in_components
from ui.page import setup_page

ctx = setup_page("account")
st.title("My account")
st.text(f"Signed in as {ctx.actor.display_name} ({ctx.actor.username}), {ctx.actor.role.label}.")
sign_in_components.show_account(ctx.actor)
