"""Executive dashboard: is the review on track? RAG from published rules, progress, milestones, what needs
attention, risks, deadlines, what parents said and the phone line's cost; a dated highlight report to print."""
from __future__ import annotations

import streamlit as st

from ui import data
from ui.dashboard_components import show_override_form, show_rag, show_report_download, show_tiles, view
from ui.page import setup_page

ctx = setup_page("dashboard")
v = data.cached_for_role(view, ctx.actor)  # the dashboard with its tables ready to draw
d = v.d
title, download = st.columns([5, 2], vertical_alignment="bottom")
title.title("SEND Executive dashboard")
with download:
    show_report_download(d)
st.caption(f"The SEND IAG review as at {d.as_of:%A %d %B %Y}.")
show_rag(v)
show_override_form(ctx.actor, d)
show_tiles(ctx.actor, v)
