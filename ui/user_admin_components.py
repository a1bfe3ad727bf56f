"""Users page pieces: accounts waiting for a role, unlocking, and the local sign-in switch."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from review.accounts import users
from review.platform.roles import ROLE_LABELS, Actor, Role
from ui import data
from ui.feedback import write
from ui.page import sso_providers


def show_waiting_accounts(actor: Actor, frame: pd.DataFrame) -> None:
    """Single sign-on accounts without a role, each with a role to give it."""
    waiting = frame[frame["role"] == users.WAITING]
    if waiting.empty:
        return
    st.subheader(f"Waiting for a role ({len(waiting)})")
    st.caption("These people signed in with single sign-on for the first time; they see nothing until you give "
               "them a role.")
    for row in waiting.itertuples():
        left, middle, right = st.columns([3, 2, 1], vertical_alignment="bottom")
        left.text(f"{row.Name} ({row.Username}) {row.Email}".strip())
        role = middle.selectbox("Role", [r.value for r in Role], index=3, key=f"waiting_role_{row.id}",
                                format_func=lambda r: ROLE_LABELS[Role(r)])
        right.button("Give role", key=f"waiting_give_{row.id}", on_click=write, args=(
            lambda s, i=int(row.id), v=int(row.version), r=role: users.update_user(s, actor, i, v, role=r),
            f"{row.Username} can now sign in as {ROLE_LABELS[Role(role)]}."))


def show_unlock(actor: Actor, user_id: int, row: pd.Series) -> None:
    if row["Locked until"]:
        st.warning(f"Locked after repeated failed sign-ins until {row['Locked until']}.", icon=":material/lock:")
        st.button("Unlock now", key="unlock_user", on_click=write,
                  args=(lambda s: users.unlock(s, actor, user_id), "Account unlocked."))


def show_local_sign_in_switch(actor: Actor) -> None:
    st.subheader("Sign-in with a password")
    with data.reading() as session:
        enabled = users.local_sign_in_enabled(session)
    configured = bool(sso_providers())
    st.caption("Local accounts suit small deployments and the demo. Once single sign-on is configured and an "
               "administrator signs in with it, you can switch passwords off: everyone then signs in through the "
               "council's identity provider.")
    if enabled:
        st.button("Switch local accounts off", disabled=not configured, on_click=write, args=(
            lambda s: users.set_local_sign_in(s, actor, False, sso_configured=configured),
            "Local accounts are switched off; only single sign-on is offered."))
    else:
        st.info("Local accounts are switched off.", icon=":material/key_off:")
        st.button("Switch local accounts back on", on_click=write, args=(
            lambda s: users.set_local_sign_in(s, actor, True, sso_configured=configured),
            "Local accounts are switched on again."))
