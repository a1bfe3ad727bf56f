"""Contracts: the register of the KIDS hubs contracts (and any others), each contract's detail, and the dates
that need attention."""
from __future__ import annotations

import streamlit as st

from review.contracts import register as contracts
from review.platform.roles import Permission
from ui import attention_components, data
from ui.contract_components import load_lookups, show_add_form, show_detail, show_register
from ui.page import setup_page

ctx = setup_page("contracts")
can_edit = ctx.actor.can(Permission.EDIT_CONTRACTS)
st.title("Contracts")
st.caption("Dates, extensions used and left, notice deadlines, values and KPIs, and the decision that authorised "
           "each extension.")

names = ["Register", "Contract detail", "What needs attention"] + (["Add a contract"] if can_edit else [])
# Keyed and tracked, so a form's message (shown above the tabs) does not send the user back to the first tab. Only
# the open tab runs (choosing another reruns the page), and the register is read once per data version for everyone.
tabs = dict(zip(names, st.tabs(names, key="contracts_tab", on_change="rerun"), strict=True))

if tabs["Register"].open or tabs["Contract detail"].open:
    register = data.cached(contracts.contracts_frame)

if tabs["Register"].open:
    with tabs["Register"]:
        if register.empty:
            st.info("No contracts in the register yet." + (" Add one in the 'Add a contract' tab." if can_edit else ""),
                    icon=":material/description:")
        else:
            show_register(register, data.cached(contracts.register_csv))

if tabs["Contract detail"].open:
    with tabs["Contract detail"]:
        if register.empty:
            st.info("No contract to show.", icon=":material/description:")
        else:
            show_detail(ctx.actor, register, can_edit, load_lookups())

if tabs["What needs attention"].open:
    with tabs["What needs attention"]:
        attention_components.show_attention()

if can_edit and tabs["Add a contract"].open:
    with tabs["Add a contract"]:
        show_add_form(ctx.actor, load_lookups()["owner"])
