"""Contract charts: a KPI's reported values over time against its target (title, axis labels with units)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ui import palette
from ui.charts import RAG_COLOURS, finish

LINE_COLOUR = palette.NAVY
TARGET_COLOUR = palette.DARK_GREY
RATING_COLOURS = {"Green": RAG_COLOURS["Green"], "Amber": RAG_COLOURS["Amber"], "Red": RAG_COLOURS["Red"],
                  "Not rated": palette.GREY}
RATING_SYMBOLS = {"Green": "circle", "Amber": "triangle-up", "Red": "square", "Not rated": "x"}  # not colour alone
RATING_MEANING = {"Green": "target met", "Amber": "within 10% of the target", "Red": "further from the target",
                  "Not rated": "no target"}


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def kpi_trend_chart(values: pd.DataFrame, name: str, unit: str, target: float | None,
                    higher_is_better: bool) -> go.Figure:
    """One KPI's values (columns "Period end", "Value", "Rating") as a line with each point coloured by its
    rating, and the target as a dashed line."""
    shown = values.sort_values("Period end").assign(
        _when=lambda f: pd.to_datetime(f["Period end"]),
        _label=lambda f: [f"{d:%d %b %Y}" for d in f["Period end"]],
        _value=lambda f: [_number(v) for v in f["Value"]])
    suffix = f" {unit}" if unit else ""
    fig = go.Figure(go.Scatter(x=shown["_when"], y=shown["Value"], mode="lines", name="Reported value",
                               line={"color": LINE_COLOUR, "width": 2}, hoverinfo="skip"))
    for rating, colour in RATING_COLOURS.items():
        group = shown[shown["Rating"] == rating]
        if group.empty:
            continue
        fig.add_trace(go.Scatter(
            x=group["_when"], y=group["Value"], mode="markers", name=f"{rating}: {RATING_MEANING[rating]}",
            marker={"color": colour, "size": 11, "symbol": RATING_SYMBOLS[rating],
                    "line": {"color": "white", "width": 1}},
            customdata=list(zip(group["_label"], group["_value"], strict=True)),
            hovertemplate=f"Period ending %{{customdata[0]}}: %{{customdata[1]}}{suffix} ({rating})<extra></extra>"))
    points = list(shown["Value"])
    if target is not None:
        # The line spans the chart; its legend entry (a trace with no points) says what it is without an
        # annotation that the values' line could cross.
        better = "higher" if higher_is_better else "lower"
        fig.add_hline(y=target, line_dash="dash", line_color=TARGET_COLOUR, line_width=2)
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", hoverinfo="skip",
                                 name=f"Target: {_number(target)}{suffix} ({better} is better)",
                                 line={"color": TARGET_COLOUR, "dash": "dash", "width": 2}))
        points.append(target)
    if points:
        low, high = min(points), max(points)
        pad = max((high - low) * 0.2, abs(high) * 0.05, 1)
        fig.update_yaxes(range=[max(low - pad, 0) if low >= 0 else low - pad, high + pad])
    fig.update_xaxes(type="date", tickformat="%b %Y", tickvals=list(shown["_when"]))
    fig.update_layout(legend={"orientation": "h", "y": -0.3}, hovermode="closest")
    return finish(fig, f"{name}: reported values against the target", "End of the reporting period (month and year)",
                  unit or "Value (no unit recorded)", 380)


def kpi_trend_table(values: pd.DataFrame, target: float | None) -> pd.DataFrame:
    """The KPI chart's data for its text alternative: each period's value, rating and the target."""
    shown = values.sort_values("Period end")
    return pd.DataFrame({"Period end": [f"{d:%d %b %Y}" for d in shown["Period end"]],
                         "Value": [_number(v) for v in shown["Value"]], "Rating": list(shown["Rating"]),
                         "Target": ["" if target is None else _number(target)] * len(shown)})


def kpi_trend_summary(values: pd.DataFrame, name: str, target: float | None) -> str:
    """One sentence: how many values, the latest with its rating, and the target."""
    if values.empty:
        return f"{name}: no values recorded yet."
    latest = values.sort_values("Period end").iloc[-1]
    aim = f"; target {_number(target)}" if target is not None else "; no target"
    return (f"{name}: {len(values)} reported value(s); the latest, for the period ending "
            f"{latest['Period end']:%d %b %Y}, is {_number(latest['Value'])} ({latest['Rating']}){aim}.")
