"""RAID log: risks, assumptions, issues and dependencies, with the risk heat map (everyone reads; the project team
edits)."""
from __future__ import annotations

import streamlit as st

from review.plan import raid
from review.platform.roles import Permission
from ui import data
from ui.page import setup_page
from ui.raid_components import KIND_HELP, show_add_form, show_edit_form, show_filters, show_heat_maps, show_log

ctx = setup_page("raid")
st.title("RAID log")
st.caption(" · ".join(f"**{kind}**: {meaning}" for kind, meaning in KIND_HELP.items()))
counts = data.cached(raid.raid_counts)
for col, (kind, n) in zip(st.columns(len(counts)), counts.items(), strict=True):
    col.metric(f"Open {raid.KIND_PLURALS[kind]}", n, help="Not closed (open or being monitored)")

can_edit = ctx.actor.can(Permission.EDIT_PLAN)
tabs = st.tabs(["Log", "Heat map", "Add an item", "Edit an item"] if can_edit else ["Log", "Heat map"],
               key="raid_tab", on_change="rerun")
with tabs[0]:
    kinds, statuses = show_filters()
    frame = data.cached(raid.raid_frame, kinds, statuses)
    show_log(frame)
with tabs[1]:
    show_heat_maps()
if can_edit:
    with tabs[2]:
        show_add_form(ctx.actor)
    with tabs[3]:
        show_edit_form(ctx.actor, frame)
