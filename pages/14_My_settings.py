"""My settings: how often you get reminder emails; administrators also see who gets what."""
from __future__ import annotations

import streamlit as st

from review.platform.roles import Permission
from review.reminders import preferences
from ui import data
from ui.page import setup_page
from ui.reminder_components import show_my_reminders

ctx = setup_page("settings")
st.title("My settings")
st.subheader("Email reminders")
with data.reading() as session:
    mine = preferences.my_settings(session, ctx.actor)
show_my_reminders(ctx.actor, mine)

if ctx.actor.can(Permission.MANAGE_USERS):
    st.subheader("Who gets what")
    st.caption("Reminders go to people with an email address; the command python -m review send-reminders, run "
               "each morning by the council's scheduler, sends them.")
    with data.reading() as session:
        overview = preferences.overview(session, ctx.actor)
    if overview.empty:
        st.info("There is nobody in the people list yet.", icon=":material/group_off:")
    else:
        st.dataframe(overview.drop(columns=["person_id"]), hide_index=True, height=36 * (len(overview) + 1) + 3,
                     column_config={"Gets": st.column_config.TextColumn(width="large"),
                                    "Last sent": st.column_config.DateColumn(format="D MMM YYYY")})
