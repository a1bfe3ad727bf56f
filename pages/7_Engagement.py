"""Engagement: record activities with parents, what they said and what was done (project team, admins)."""
from __future__ import annotations

import streamlit as st

from review import engagement
from ui import data
from ui.engagement_admin_components import show_import, show_lists, show_retention
from ui.engagement_components import show_activities, show_inputs, show_responses
from ui.page import run_open_tab, setup_page

ctx = setup_page("engagement")
st.title("Engagement")
st.caption("Engagement with parents and carers: activities, what each participant said, and what was done about "
           "it. Participants are recorded by pseudonym (P-001), never by name; free text is checked for names, "
           "contact details and NHS numbers before it is saved.")



def activities():  # the records hold personal data: read for this person, not shared through the cache
    return data.read(engagement.activities_frame, ctx.actor)


run_open_tab({
    "Activities": lambda: show_activities(ctx.actor, activities(), data.read(engagement.partners)),
    "What parents said": lambda: show_inputs(ctx.actor, activities(), data.read(engagement.themes)),
    "You said, we did": lambda: show_responses(ctx.actor, data.read(engagement.responses_frame, ctx.actor),
                                               data.read(engagement.themes)),
    "Import a survey": lambda: show_import(ctx.actor, activities()),
    "Retention and erasure": lambda: show_retention(ctx.actor),
    "Themes and partners": lambda: show_lists(ctx.actor),
}, "engagement_tab")
