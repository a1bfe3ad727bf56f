"""Accessibility statement (everyone, signed in or not): the GDS model statement for this service."""
from __future__ import annotations

import streamlit as st

from review.accessibility.statement import statement
from ui.page import setup_page
from ui.text import plain

ctx = setup_page("accessibility")
sections = statement(plain(ctx.settings.accessibility_contact))
st.title(sections[0].heading)
for number, section in enumerate(sections):
    if number:
        st.header(section.heading, divider=False)
    for paragraph in section.paragraphs:
        st.markdown(paragraph)
    if section.bullets:
        st.markdown("\n".join(f"- {item}" for item in section.bullets))
    for paragraph in section.after:
        st.markdown(paragraph)
