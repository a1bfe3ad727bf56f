"""Engagement: record activities with parents, what they said and what was done (project team, admins)."""
from __future__ import annotations

import streamlit as st

from review import engagement
from ui import data
from ui.engagement_admin_components import show_import, show_lists, show_retention
from ui.engagement_components import show_activities, show_inputs, show_responses
from ui.page import setup_page

ctx = setup_page("engagement")
st.title("Engagement")
st.caption("Engagement with parents and carers: activities, what each participant said, and what was done about "
           "it. Participants are recorded by pseudonym (P-001), never by name; free text is checked for names, "
           "contact details and NHS numbers before it is saved.")

with data.reading() as session:
    activities = engagement.activities_frame(session, ctx.actor)
    partners = engagement.partners(session)
    themes = engagement.themes(session)
    responses = engagement.responses_frame(session, ctx.actor)

tabs = st.tabs(["Activities", "What parents said", "You said, we did", "Import a survey", "Retention and erasure",
                "Themes and partners"], key="engagement_tab", on_change="rerun")
with tabs[0]:
    show_activities(ctx.actor, activities, partners)
with tabs[1]:
    show_inputs(ctx.actor, activities, themes)
with tabs[2]:
    show_responses(ctx.actor, responses, themes)
with tabs[3]:
    show_import(ctx.actor, activities)
with tabs[4]:
    show_retention(ctx.actor)
with tabs[5]:
    show_lists(ctx.actor)
