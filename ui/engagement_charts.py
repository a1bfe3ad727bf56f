"""Engagement charts: titles and axis labels on every one; a suppressed count ("fewer than 5", or "not shown"
where it is hidden so that a total cannot give a small one away) is drawn as an empty bar or cell labelled
with that text, never as a number."""
from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from review.platform.privacy import is_hidden
from ui import palette
from ui.charts import cached_chart, finish

BLUE = palette.NAVY
TEAL = palette.TEAL
GREY = palette.MUTED


def _numbers(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce")


def _label(value: Any) -> str:
    return value if is_hidden(value) else f"{int(value)}"


def _labels(series: pd.Series) -> list[str]:
    return [_label(v) for v in series]


@cached_chart
def theme_bar(frame: pd.DataFrame, value: str = "Mentions", title: str = "How often each theme was raised",
              x_title: str = "Mentions (inputs tagged with the theme)") -> go.Figure:
    """Horizontal bars, largest at the top; suppressed themes listed with an empty bar."""
    shown = frame.assign(_n=_numbers(frame[value]), _label=_labels(frame[value]))
    fig = px.bar(shown, x="_n", y="Theme", orientation="h", text="_label", color_discrete_sequence=[BLUE],
                 hover_data={"_n": False, "_label": False, value: True})
    fig.update_traces(textposition="outside", cliponaxis=False)
    hidden = shown.loc[shown["_n"].isna()]
    for theme, label in zip(hidden["Theme"], hidden["_label"], strict=True):  # no bar to label: say so by the axis
        fig.add_annotation(x=0, y=theme, text=label, showarrow=False, xanchor="left", xshift=4, font={"color": GREY})
    fig.update_yaxes(autorange="reversed")
    top = shown["_n"].max()
    fig.update_xaxes(range=[0, (top if pd.notna(top) else 5) * 1.25])
    return finish(fig, title, x_title, "Theme", 60 + 32 * max(len(frame), 3))


@cached_chart
def theme_heatmap(frame: pd.DataFrame, by: str) -> go.Figure:
    """Themes down, activity types or partners across; each cell the mentions (or its suppression label)."""
    themes = sorted(frame["Theme"].unique())
    groups = sorted(frame[by].unique())
    cells = frame.set_index(["Theme", by])["Mentions"]
    z = [[_numbers(pd.Series([cells.get((t, g))])).iloc[0] for g in groups] for t in themes]
    text = [["" if cells.get((t, g)) is None else _label(cells.get((t, g))) for g in groups] for t in themes]
    fig = go.Figure(go.Heatmap(z=z, x=groups, y=themes, text=text, texttemplate="%{text}", colorscale="Blues", zmin=0,
                               hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>", colorbar={"title": "Mentions"},
                               xgap=2, ygap=2))
    fig.update_yaxes(autorange="reversed")
    return finish(fig, f"Themes by {by.lower()}", by, "Theme", 120 + 34 * max(len(themes), 3))


@cached_chart
def coverage_chart(frame: pd.DataFrame) -> go.Figure:
    """Participants and inputs recorded per month of activity."""
    fig = go.Figure()
    for column, colour in (("Participants", BLUE), ("Inputs", TEAL)):
        fig.add_bar(x=frame["Month"], y=_numbers(frame[column]), name=column if column == "Participants"
                    else "Inputs recorded", marker_color=colour, text=_labels(frame[column]), textposition="outside",
                    cliponaxis=False)
    fig.update_layout(barmode="group")
    for row in frame.itertuples(index=False):  # a hidden bar still needs its label
        values = {"Participants": row.Participants, "Inputs": row.Inputs}
        hidden = {name: v for name, v in values.items() if is_hidden(v)}
        if hidden:
            visible = [v for v in values.values() if not is_hidden(v)]
            fig.add_annotation(x=row.Month, y=max(visible, default=0), yanchor="bottom", yshift=16, showarrow=False,
                               text="<br>".join(f"{name}: {v}" for name, v in hidden.items()),
                               font={"color": GREY, "size": 11})
    fig.update_xaxes(dtick="M1", tickformat="%b %Y")
    return finish(fig, "Engagement coverage by month", "Month of the activity", "Number of people or inputs", 340)


def shown_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """A counts table as shown to the reader: suppressed counts keep their words ("fewer than 5"), every
    cell is text so numbers and words share a column."""
    shown = frame.drop(columns=[c for c in frame.columns if c.endswith("_id") or c == "id"])
    def cell(v: Any) -> str:
        if isinstance(v, date):  # a month of activity
            return f"{v:%B %Y}"
        return f"{int(v)}" if isinstance(v, int | np.integer) and not is_hidden(v) else str(v)
    return shown.map(cell)


def ranking_summary(frame: pd.DataFrame, value: str, title: str) -> str:
    """One sentence: how many themes, and the most frequent one (suppressed counts are never named)."""
    numbers = frame.assign(_n=_numbers(frame[value])).dropna(subset=["_n"])
    if numbers.empty:
        return f"{title}: {len(frame)} theme(s), all with small counts that are not shown."
    top = numbers.sort_values("_n", ascending=False, kind="stable").iloc[0]
    return f"{title}: {len(frame)} theme(s); the most frequent is {top['Theme']} ({int(top['_n'])})."
