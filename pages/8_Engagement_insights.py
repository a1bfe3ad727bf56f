"""Engagement insights: what parents said, by theme, and what was done about it (every role)."""
from __future__ import annotations

from functools import partial

import streamlit as st

from review import engagement
from review.platform import privacy
from ui import data
from ui.engagement_insights_components import (
    show_coverage,
    show_headline,
    show_quotes,
    show_themes,
    show_you_said_we_did,
)
from ui.page import run_open_tab, setup_page

ctx = setup_page("insights")
st.title("Engagement insights")
# Every count is read once per data version for each role (what a role may see is the same for all its members),
# from one read of the engagement counts.
insights = data.cached_for_role(engagement.insights, ctx.actor)
figures = insights.headline
nothing_yet = not data.cached(engagement.any_activity)
st.caption("What parents and carers told the review, grouped by theme, and what was done about it.")
if figures["suppressed"]:
    st.caption(f":material/visibility_off: {privacy.SUPPRESSION_NOTE} Where a total shown beside them would let one "
               f"be worked out, another count is \"{privacy.NOT_SHOWN}\" as well.")
if nothing_yet:
    st.info("No engagement has been recorded yet. The project team records it on the Engagement page.",
            icon=":material/groups:")
    st.stop()
show_headline(figures)
tabs = {"Themes": show_themes, "You said, we did": show_you_said_we_did, "Quotes": show_quotes,
        "Coverage": show_coverage}
run_open_tab({label: partial(show, ctx.actor, insights) for label, show in tabs.items()}, "insights_tab")
