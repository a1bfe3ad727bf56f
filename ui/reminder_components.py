"""My settings: the reminder frequency form and the administrators' "who gets what" table."""
from __future__ import annotations

import streamlit as st

from review.platform.roles import Actor
from review.reminders import preferences
from review.reminders.messages import ATTENTION_WINDOW_DAYS, TASK_WINDOW_DAYS
from review.reminders.preferences import Frequency, MySettings
from ui.feedback import field_error, write

FORM = "reminder_settings"


def _save(actor: Actor, mine: MySettings) -> None:
    frequency = st.session_state[f"{FORM}_frequency"]
    write(lambda session: preferences.set_frequency(session, actor, mine.person_id, frequency, mine.version),
          f"Saved: {Frequency(frequency).label}.", form=FORM)


def show_my_reminders(actor: Actor, mine: MySettings | None) -> None:
    """What the signed-in person gets by email and how often, with a form to change it."""
    if mine is None:
        st.info("Your account is not linked to a person in the people list, so no reminders are sent to you. "
                "Ask an administrator to link it.", icon=":material/link_off:")
        return
    gets = f"your overdue tasks and those due within {TASK_WINDOW_DAYS} days"
    if mine.gets_attention:
        gets += f", and the dates needing attention in the next {ATTENTION_WINDOW_DAYS} days (contract ends, " \
                "notice deadlines, call-in periods, KPI returns)"
    st.text(f"Reminders for {mine.person} bring {gets}, with the dates as a calendar file. A day with nothing "
            "overdue or coming up sends nothing.")
    if mine.email:
        st.text(f"They go to {mine.email}.")
    else:
        st.warning("There is no email address for you in the people list, so nothing can be sent until an "
                   "editor adds one.", icon=":material/mail_off:")
    with st.form(FORM):
        choices = [f.value for f in Frequency]
        st.radio("How often", choices, index=choices.index(mine.frequency.value), key=f"{FORM}_frequency",
                 format_func=lambda f: Frequency(f).label, horizontal=True)
        field_error(FORM, "frequency")
        st.form_submit_button("Save", type="primary", icon=":material/save:", on_click=_save, args=(actor, mine))
