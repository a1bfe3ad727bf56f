"""Charts for the plan, the RAID log and the dashboard: titled, with labelled axes and units."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go

from review.plan.raid import IMPACT_WORDS, LIKELIHOOD_WORDS
from review.plan.timeline import PlanView
from ui import palette
from ui.charts import RAG_COLOURS, cached_chart, finish

CRITICAL_COLOUR = palette.RED
LINK_COLOUR = palette.SLATE
MILESTONE_COLOUR = palette.INK
TODAY_COLOUR = palette.ORANGE
# Qualitative colours for workstreams (colour-blind safe where possible; Okabe-Ito first).
WORKSTREAM_COLOURS = palette.QUALITATIVE
CRITICAL_MARK = "★"  # critical tasks are marked by a symbol and a hatched bar, not only by the red outline
ROW_HEIGHT = 26
LABEL_CHARS = 46


def _label(ref: str, title: str) -> str:
    text = f"{ref} {title}".strip()
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


@cached_chart
def timeline(tasks: pd.DataFrame, links: pd.DataFrame, today: date) -> go.Figure:
    """Gantt chart of a page of the plan (`PlanView.tasks` and `.links`, the only parts it is keyed by): a bar per
    task from start to due (inclusive) grouped by phase and workstream, milestones as diamonds, dependency arrows
    (critical ones in red), critical tasks outlined in red and a line for today."""
    frame = tasks.reset_index(drop=True)
    fig = go.Figure()
    # One header row per phase (its name in bold), then its tasks: y positions count down the chart.
    pos: list[int] = []
    tickvals: list[int] = []
    ticktext: list[str] = []
    bands: list[tuple[int, int]] = []
    row = 0
    for phase, rows in frame.groupby("Phase", sort=False).groups.items():
        tickvals.append(row)
        ticktext.append(f"<b>{_label('', str(phase))}</b>")
        first = row
        row += 1
        for i in rows:
            pos.append(row)
            tickvals.append(row)
            mark = f"{CRITICAL_MARK} " if frame.loc[i, "Critical"] else ""
            ticktext.append(mark + _label(frame.loc[i, "Ref"], frame.loc[i, "Task"]))
            row += 1
        bands.append((first, row - 1))
    n = row
    frame["y"] = pos if len(frame) else []
    ends = [d + timedelta(days=1) for d in frame["Due"]]  # bars run to the end of the due day
    workstreams = list(dict.fromkeys(frame["Workstream"]))
    colours = {ws: WORKSTREAM_COLOURS[i % len(WORKSTREAM_COLOURS)] for i, ws in enumerate(workstreams)}
    for ws in workstreams:
        point = frame["Milestone"] & (frame["Start"] == frame["Due"])  # a one-day milestone is just a diamond
        rows = frame.index[(frame["Workstream"] == ws) & ~point].tolist()
        if not rows:
            continue
        sub = frame.loc[rows]
        fig.add_trace(go.Bar(
            orientation="h", name=ws, legendgroup=ws, showlegend=False, width=0.62,
            y=sub["y"].tolist(), base=[d.isoformat() for d in sub["Start"]],
            x=[(ends[i] - frame.loc[i, "Start"]).days * 86_400_000 for i in rows],
            marker={"color": colours[ws],
                    "opacity": [0.45 if s == "done" else 0.95 for s in sub["status"]],
                    "line": {"color": [CRITICAL_COLOUR if c else colours[ws] for c in sub["Critical"]],
                             "width": [3 if c else 0 for c in sub["Critical"]]},
                    "pattern": {"shape": ["/" if c else "" for c in sub["Critical"]], "fgcolor": "white",
                                "solidity": 0.3}},
            customdata=list(zip(sub["Ref"], sub["Task"], sub["Status"], sub["Owner"], sub["Start"].astype(str),
                                sub["Due"].astype(str), sub["% complete"], sub["Float (days)"], strict=True)),
            hovertemplate=("<b>%{customdata[0]} %{customdata[1]}</b><br>%{customdata[2]}, %{customdata[6]}% "
                           "complete<br>%{customdata[4]} to %{customdata[5]}<br>Owner: %{customdata[3]}<br>"
                           "Float: %{customdata[7]} days<extra>" + ws + "</extra>"),
        ))
    for ws in workstreams:  # legend entries without the critical outline
        fig.add_trace(go.Bar(orientation="h", name=ws, legendgroup=ws, legendgrouptitle_text="Workstream"
                             if ws == workstreams[0] else None, x=[None], y=[None], marker_color=colours[ws]))
    if frame["Critical"].any():
        fig.add_trace(go.Bar(orientation="h", name=f"{CRITICAL_MARK} Critical task (hatched)", x=[None], y=[None],
                             legendgroup="key", legendgrouptitle_text="Key",
                             marker={"color": "#7b8794", "line": {"color": CRITICAL_COLOUR, "width": 3},
                                     "pattern": {"shape": "/", "fgcolor": "white", "solidity": 0.3}}))
    milestones = frame[frame["Milestone"]]
    if len(milestones):
        fig.add_trace(go.Scatter(
            x=[d.isoformat() for d in milestones["Due"]], y=milestones["y"].tolist(), mode="markers",
            name="Milestone", legendgroup="key",
            marker={"symbol": "diamond", "size": 14, "color": MILESTONE_COLOUR,
                    "line": {"color": [CRITICAL_COLOUR if c else "white" for c in milestones["Critical"]],
                             "width": [3 if c else 1 for c in milestones["Critical"]]}},
            customdata=list(zip(milestones["Ref"], milestones["Task"], milestones["Status"], strict=True)),
            hovertemplate="<b>%{customdata[0]} %{customdata[1]}</b><br>Milestone on %{x|%d %b %Y}<br>"
                          "%{customdata[2]}<extra></extra>"))
    position = dict(zip(frame["id"].astype(int), frame["y"], strict=True))
    starts = dict(zip(frame["id"], frame["Start"], strict=True))
    point = frame["Milestone"] & (frame["Start"] == frame["Due"])
    finishes = {int(t): frame.loc[i, "Due"] if point[i] else ends[i] for i, t in enumerate(frame["id"])}
    for critical, name, colour in ((False, "Dependency", LINK_COLOUR), (True, "Critical path", CRITICAL_COLOUR)):
        xs: list = []
        ys: list = []
        sizes: list = []
        for link in links[links["Critical"] == critical].itertuples(index=False):
            a, b = int(link.predecessor_id), int(link.successor_id)
            x0, x1 = finishes[a].isoformat(), starts[b].isoformat()
            xs += [x0, x0, x1, None]
            ys += [position[a], position[b], position[b], None]
            sizes += [0, 0, 9, 0]
        if xs:
            fig.add_trace(go.Scatter(
                x=xs, y=ys, mode="lines+markers", name="Critical dependency" if critical else name,
                legendgroup="key", hoverinfo="skip",
                line={"color": colour, "width": 2 if critical else 1, "dash": "solid" if critical else "dot"},
                marker={"symbol": "arrow", "angleref": "previous", "size": sizes, "color": colour}))
    for k, (first, last) in enumerate(bands):
        if k % 2 == 0:
            fig.add_shape(type="rect", xref="paper", x0=0, x1=1, y0=first - 0.5, y1=last + 0.5,
                          fillcolor=palette.SHADE, line_width=0, layer="below")
    fig.add_shape(type="line", x0=today.isoformat(), x1=today.isoformat(), yref="paper", y0=0, y1=1,
                  line={"color": TODAY_COLOUR, "width": 2, "dash": "dash"})
    fig.add_annotation(x=today.isoformat(), yref="paper", y=1, yanchor="bottom", showarrow=False,
                       text=f"Today {today:%d %b %Y}", font={"color": TODAY_COLOUR})
    fig.update_yaxes(tickmode="array", tickvals=tickvals, ticktext=ticktext, showgrid=False,
                     range=[n - 0.5, -0.5])
    fig.update_xaxes(type="date", showgrid=True, gridcolor=palette.GRID, tickformat="%b %Y")
    fig.update_layout(barmode="overlay", bargap=0.35, legend={"orientation": "v", "x": 1.01, "y": 1},
                      hoverlabel={"align": "left"})
    title = f"Plan timeline by phase and workstream (critical path: {CRITICAL_MARK}, hatched, outlined in red)"
    finish(fig, title, "Date (bars run from start to due date)", None, max(360, ROW_HEIGHT * n + 140))
    fig.update_layout(margin={"l": 10, "r": 10, "t": 70, "b": 10})
    return fig


def timeline_table(view: PlanView) -> pd.DataFrame:
    """The timeline's data for its text alternative: one row per task in the order drawn."""
    frame = view.tasks
    return pd.DataFrame({
        "Ref": frame["Ref"], "Task": frame["Task"], "Phase": frame["Phase"], "Workstream": frame["Workstream"],
        "Start": [f"{d:%d %b %Y}" for d in frame["Start"]], "Due": [f"{d:%d %b %Y}" for d in frame["Due"]],
        "Status": frame["Status"], "Milestone": ["Yes" if m else "No" for m in frame["Milestone"]],
        "Critical path": ["Yes" if c else "No" for c in frame["Critical"]]})


def timeline_summary(view: PlanView) -> str:
    """One sentence: how many tasks the timeline shows, its date span, milestones and critical tasks."""
    frame = view.tasks
    if frame.empty:
        return "Plan timeline: no tasks to show."
    return (f"Plan timeline: {len(frame)} task(s) from {min(frame['Start']):%d %b %Y} to {max(frame['Due']):%d %b %Y}, "
            f"{int(frame['Milestone'].sum())} milestone(s), {int(frame['Critical'].sum())} on the critical path "
            f"(marked {CRITICAL_MARK}).")


@cached_chart
def slippage_bars(summary: pd.DataFrame, group: str, baseline: str) -> go.Figure:
    """Horizontal bars: total days late per workstream or phase, with the worst task in the hover."""
    shown = summary.fillna({"Worst slippage (days)": 0})
    fig = go.Figure(go.Bar(
        orientation="h", y=shown[group], x=shown["Total days late"], name="Total days late",
        marker_color=palette.NAVY,
        text=[f"{t} days, {n} late" for t, n in zip(shown["Total days late"], shown["Tasks late"], strict=True)],
        textposition="outside", cliponaxis=False,
        customdata=list(zip(shown["Worst slippage (days)"], shown["Tasks in baseline"], strict=True)),
        hovertemplate="<b>%{y}</b><br>Total %{x} days late<br>Worst task: %{customdata[0]} days<br>"
                      "%{customdata[1]} tasks in the baseline<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[0, max(1, float(shown["Total days late"].max() or 0)) * 1.6])
    fig.update_layout(meta={"baseline": baseline})
    return finish(fig, f"Days late by {group.lower()}", "Total days late (calendar days)",
                  None, max(260, 36 * len(shown) + 110))


@cached_chart
def risk_heat_map(grid: pd.DataFrame, title: str) -> go.Figure:
    """5 x 5 risk matrix: cells coloured by score band (likelihood x impact), each showing how many risks."""
    impacts = list(grid.columns)
    likelihoods = list(grid.index)
    band = [[0 if lik * imp <= 4 else 1 if lik * imp <= 10 else 2 for imp in impacts] for lik in likelihoods]
    counts = [[str(int(grid.loc[lik, imp])) if grid.loc[lik, imp] else "" for imp in impacts] for lik in likelihoods]
    details = [[[lik * imp, int(grid.loc[lik, imp])] for imp in impacts] for lik in likelihoods]
    colours = [RAG_COLOURS["Green"], RAG_COLOURS["Amber"], RAG_COLOURS["Red"]]
    words = [[_band(lik * imp) for imp in impacts] for lik in likelihoods]
    counts = [[f"{words[r][c]}<br>{counts[r][c] or 0}" for c in range(len(impacts))] for r in range(len(likelihoods))]
    fig = go.Figure(go.Heatmap(
        z=band, x=[f"{i} {IMPACT_WORDS[i]}" for i in impacts], y=[f"{lik} {LIKELIHOOD_WORDS[lik]}" for lik in
                                                                   likelihoods],
        zmin=0, zmax=2, colorscale=[[0, colours[0]], [0.33, colours[0]], [0.34, colours[1]], [0.66, colours[1]],
                                    [0.67, colours[2]], [1, colours[2]]],
        showscale=False, text=counts, texttemplate="%{text}", textfont={"size": 13, "color": "white"},
        customdata=details, xgap=2, ygap=2,
        hovertemplate="Likelihood %{y}, impact %{x}<br>Score %{customdata[0]}<br>%{customdata[1]} risk(s)"
                      "<extra></extra>"))
    fig.update_traces(texttemplate=None, text=None)  # labels as annotations: dark text on amber, white elsewhere
    for r, lik in enumerate(likelihoods):
        for c, imp in enumerate(impacts):
            fig.add_annotation(x=f"{imp} {IMPACT_WORDS[imp]}", y=f"{lik} {LIKELIHOOD_WORDS[lik]}", text=counts[r][c],
                               showarrow=False, font={"size": 13, "color": "#0b0c0c" if band[r][c] == 1 else "white"})
    fig.update_yaxes(autorange="reversed")  # likelihood 5 at the top, as a risk matrix is drawn
    return finish(fig, title, "Impact (1 minimal to 5 severe)", "Likelihood (1 rare to 5 almost certain)", 380)


def _band(score: int) -> str:
    """The score band's word (the heat map's colours say the same, never alone)."""
    return "Low" if score <= 4 else "Medium" if score <= 10 else "High"


def risk_grid_table(grid: pd.DataFrame) -> pd.DataFrame:
    """A risk matrix's data for its text alternative: the cells holding risks, highest score first."""
    rows = [{"Likelihood": f"{lik} {LIKELIHOOD_WORDS[lik]}", "Impact": f"{imp} {IMPACT_WORDS[imp]}",
             "Score": lik * imp, "Band": _band(lik * imp), "Risks": int(grid.loc[lik, imp])}
            for lik in grid.index for imp in grid.columns if grid.loc[lik, imp]]
    frame = pd.DataFrame(rows, columns=["Likelihood", "Impact", "Score", "Band", "Risks"])
    return frame.sort_values("Score", ascending=False, kind="stable")


def risk_grid_summary(grid: pd.DataFrame, title: str) -> str:
    """One sentence: how many open risks fall in each score band."""
    table = risk_grid_table(grid)
    by_band = table.groupby("Band")["Risks"].sum()
    parts = ", ".join(f"{int(by_band.get(b, 0))} {b.lower()}" for b in ("High", "Medium", "Low"))
    return f"{title}: {int(table['Risks'].sum())} open risk(s) on a 5 by 5 likelihood and impact grid; {parts}."
