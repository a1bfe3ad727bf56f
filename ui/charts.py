"""Chart helpers: every chart gets a title, axis labels with units, the app's colours and a text alternative."""
from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from ui import palette
from ui.text import plain

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
    return finish(fig, "Progress of the review by phase", "Tasks done (% of live tasks)", "Phase", 260)


@cached_chart
def status_bar(counts: dict[str, int]) -> go.Figure:
    """Bars: number of tasks in each status."""
    frame = pd.DataFrame({"Status": list(counts), "Tasks": list(counts.values())})
    fig = px.bar(frame, x="Status", y="Tasks", color="Status", color_discrete_map=STATUS_COLOURS, text="Tasks")
    fig.update_traces(textposition="outside", cliponaxis=False, textangle=0)
    fig.update_layout(showlegend=False)
    return finish(fig, "Tasks by status", "Status", "Number of tasks", 300)


# ------------------------------------------------------------------ text alternative (WCAG 1.1.1, 1.4.1)

def _title(fig: go.Figure) -> str:
    return str(fig.layout.title.text or "Chart")


def _axis_title(axis: Any, fallback: str) -> str:
    return str(axis.title.text) if axis is not None and axis.title.text else fallback


def _values(seq: Any) -> list:
    return [] if seq is None else list(seq)


def figure_table(fig: go.Figure) -> pd.DataFrame:
    """The data drawn in a bar, line or heat-map figure as a table: one row per point (heat maps: per cell,
    showing the cell's text where it has one, e.g. "fewer than 5"). Traces without points (legend keys) are
    left out; the series name is a column only when there is more than one series."""
    x_title = _axis_title(fig.layout.xaxis, "X")
    y_title = _axis_title(fig.layout.yaxis, "Category")
    if x_title == y_title:
        y_title += " (vertical axis)"
    frames: list[pd.DataFrame] = []
    for trace in fig.data:
        if trace.type == "heatmap":
            z, text = _values(trace.z), _values(trace.text)
            xs, ys = _values(trace.x), _values(trace.y)
            rows = [{y_title: ys[i] if i < len(ys) else i, x_title: xs[j] if j < len(xs) else j,
                     "Value": text[i][j] if text and text[i][j] not in (None, "") else z[i][j]}
                    for i in range(len(z)) for j in range(len(z[i]))]
            frames.append(pd.DataFrame(rows))
        elif trace.type in ("bar", "scatter"):
            pairs = [(a, b) for a, b in zip(_values(trace.x), _values(trace.y), strict=False)
                     if a is not None and b is not None]
            if pairs:
                frames.append(pd.DataFrame({"Series": trace.name or "", x_title: [a for a, _ in pairs],
                                            y_title: [b for _, b in pairs]}))
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    if "Series" in table and (table["Series"].nunique() <= 1 or any(
            table["Series"].equals(table[c].astype(str)) for c in table.columns if c != "Series")):
        table = table.drop(columns="Series")
    numbers = list(table.select_dtypes("number").columns)
    return table[[c for c in table.columns if c not in numbers] + numbers]  # labels first, then the values


def _figure_table_once(fig: go.Figure) -> pd.DataFrame:
    """`figure_table(fig)`, worked out once per figure object and kept on it: a figure from a `cached_chart`
    builder is shared by every session and never changed, so its table is the same for every run that draws it."""
    table = getattr(fig, "_text_alternative", None)
    if table is None:
        table = figure_table(fig)
        fig._text_alternative = table  # plotly lets attributes starting with "_" be set
    return table


def describe(fig: go.Figure, table: pd.DataFrame) -> str:
    """A one-sentence summary: the chart's title, how many values it shows, the highest and the lowest."""
    title = _title(fig).rstrip(".")
    numbers = table.select_dtypes("number")
    labels = table.drop(columns=numbers.columns)
    if table.empty:
        return f"{title}: no data to show."
    if numbers.empty or labels.empty:
        return f"{title}: {len(table)} value(s), listed in the chart data table."
    value = numbers.columns[-1]
    ranked = table.sort_values(value, kind="stable")
    label = labels.columns[0]
    top, bottom = ranked.iloc[-1], ranked.iloc[0]
    return (f"{title}: {len(table)} value(s) of {value.lower()}; highest {top[label]} ({top[value]:,.4g}), "
            f"lowest {bottom[label]} ({bottom[value]:,.4g}).")


def show(fig: go.Figure, *, key: str | None = None, summary: str | None = None, data: pd.DataFrame | None = None,
         where: Any = None) -> None:
    """Draw a chart with its text alternative beneath it: a one-sentence summary and, in a "Chart data"
    expander, the data as a table a screen reader can reach. `data` replaces the table read from the figure
    (for charts whose points are not plain x/y pairs); `where` is a column or container (default: the page)."""
    target = where if where is not None else st
    table = data if data is not None else _figure_table_once(fig)
    target.plotly_chart(fig, key=key)
    target.caption(plain(summary or describe(fig, table)))
    with target.expander(f"Chart data: {_title(fig)}", icon=":material/table:"):
        if table.empty:
            st.write("No data.")
        else:
            st.dataframe(table, hide_index=True)
