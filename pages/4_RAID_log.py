"""RAID log: risks, assumptions, issues and dependencies, with the risk heat map (everyone reads; the project team
edits)."""
from __future__ import annotations

import streamlit as st

from review.plan import raid
from review.platform.roles import Permission
from ui import data
from ui.page import setup_page
from ui.raid_components import (
    KIND_HELP,
    chosen_filters,
    show_add_form,
    show_edit_form,
    show_filters,
    show_heat_maps,
    show_log,
)

ctx = setup_page("raid")
st.title("RAID log")
st.caption(" · ".join(f"**{kind}**: {meaning}" for kind, meaning in KIND_HELP.items()))
counts = data.cached(raid.raid_counts)
for col, (kind, n) in zip(st.columns(len(counts)), counts.items(), strict=True):
    col.metric(f"Open {raid.KIND_PLURALS[kind]}", n, help="Not closed (open or being monitored)")

can_edit = ctx.actor.can(Permission.EDIT_PLAN)
names = ["Log", "Heat map", "Add an item", "Edit an item"] if can_edit else ["Log", "Heat map"]
# Only the open tab runs (choosing another reruns the page); reads are cached per data version for everyone.
tabs = dict(zip(names, st.tabs(names, key="raid_tab", on_change="rerun"), strict=True))
if tabs["Log"].open:
    with tabs["Log"]:
        kinds, statuses = show_filters()
        show_log(data.cached(raid.raid_frame, kinds, statuses))
if tabs["Heat map"].open:
    with tabs["Heat map"]:
        show_heat_maps()
if can_edit and tabs["Add an item"].open:
    with tabs["Add an item"]:
        show_add_form(ctx.actor)
if can_edit and tabs["Edit an item"].open:
    with tabs["Edit an item"]:
        show_edit_form(ctx.actor, data.cached(raid.raid_frame, *chosen_filters()))
