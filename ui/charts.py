"""Chart helpers: every chart gets a title, axis labels with units and the app's colours."""
from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from ui import palette

# Chart builders are cached for all sessions, keyed by the data they draw: building a plotly figure costs 30 to 200 ms
# of CPU, more than a page's reads, and the same data draws the same chart for every Executive member. The figure is
# shared, not copied (a copy re-validates it, which costs a third of a build), so callers hand it straight to
# st.plotly_chart and never change it. It holds only the data passed in, which the caller's role may already see.
cached_chart = st.cache_resource(show_spinner=False, max_entries=64)


STATUS_COLOURS = {
    "Not started": palette.GREY,
    "In progress": palette.NAVY,
    "Blocked": palette.RED,
    "Done": palette.GREEN,
    "Cancelled": palette.LIGHT_GREY,
    "Overdue": palette.ORANGE,
}
RAG_COLOURS = palette.RAG


def finish(fig: go.Figure, title: str, x_title: str | None, y_title: str | None, height: int = 320) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0}, height=height, margin={"l": 10, "r": 10, "t": 50, "b": 10},
                      xaxis_title=x_title, yaxis_title=y_title, legend_title_text="")
    return fig


@cached_chart
def phase_progress(frame: pd.DataFrame) -> go.Figure:
    """Horizontal bars: share of each phase's tasks done (cancelled tasks excluded)."""
    shown = frame.assign(**{"% done": (frame["Share done"] * 100).round(0)})
    fig = px.bar(shown, x="% done", y="Phase", orientation="h", text="% done",
                 hover_data={"Tasks": True, "Done": True}, color_discrete_sequence=[palette.NAVY])
    fig.update_traces(texttemplate="%{text:.0f}%", textposition="outside", cliponaxis=False)
    fig.update_xaxes(range=[0, 110], ticksuffix="%")
    fig.update_yaxes(autorange="reversed")
    return finish(fig, "Progress of the review by phase", "Tasks done (% of live tasks)", None, 260)


@cached_chart
def status_bar(counts: dict[str, int]) -> go.Figure:
    """Bars: number of tasks in each status."""
    frame = pd.DataFrame({"Status": list(counts), "Tasks": list(counts.values())})
    fig = px.bar(frame, x="Status", y="Tasks", color="Status", color_discrete_map=STATUS_COLOURS, text="Tasks")
    fig.update_traces(textposition="outside", cliponaxis=False, textangle=0)
    fig.update_layout(showlegend=False)
    return finish(fig, "Tasks by status", "Status", "Number of tasks", 300)
