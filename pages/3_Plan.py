"""Plan and baselines: the timeline with dependencies and the critical path, slippage against a baseline, and the
formal consultation template (everyone reads; the project team saves baselines and inserts the template)."""
from __future__ import annotations

import streamlit as st

from review.platform import clock
from ui.page import setup_page
from ui.plan_components import lookups, show_baselines, show_template, show_timeline

ctx = setup_page("plan")
st.title("Plan and baselines")
st.caption(f"As at {clock.today():%A %d %B %Y}. The decision record's last step: the key steps to operationalise "
           "the phone line, the formal consultation and the timeframes.")
timeline_tab, baseline_tab, template_tab = st.tabs(["Timeline", "Baselines and slippage", "Formal consultation"],
                                                     key="plan_tab", on_change="rerun")
# Only the open tab runs: opening another reruns the page (the slippage charts and the template cost a run each).
if timeline_tab.open:
    with timeline_tab:
        show_timeline(lookups())
if baseline_tab.open:
    with baseline_tab:
        show_baselines(ctx.actor)
if template_tab.open:
    with template_tab:
        show_template(ctx.actor, lookups())
