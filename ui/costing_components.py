"""Phone-line costs page components: inputs with units and sources, results, charts, downloads,
the save panel, comparison and uncertainty."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import time
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from review.costing import (
    DEFAULT_HANDLING_RANGE,
    DEFAULT_SEED,
    DEFAULT_VOLUME_RANGE,
    DEFAULTS,
    GROUPS,
    MONTHS,
    REFERENCE_COST_PER_CALL,
    REFERENCE_COST_PER_CALL_SOURCE,
    SUMMARY_LABELS,
    UNCERTAINTY_SOURCE,
    WEEKDAYS,
    CostingInputError,
    ScenarioInputs,
    ScenarioResult,
    downloads,
    evaluate_scenario,
    monte_carlo,
    scenarios,
    school_term_profile,
    sensitivity,
    source_of,
)
from review.costing.cost import COST_COLUMNS
from review.models.costing import CostScenario
from review.platform import exports
from review.platform.roles import Actor, Permission
from ui import charts, data, download, palette, progress
from ui.charts import cached_chart, finish
from ui.feedback import flash, guarded

NEW = "new"
CHOICE_KEY = "cost_choice"
PENDING_KEY = "_cost_pending_choice"
COMPONENTS = {  # cost table column -> chart label
    "staff_costs": "Staff (pay, NI, pension)",
    "licences": "Telephony and CRM licences",
    "setup_and_recruitment": "Set-up, recruitment, training",
    "overheads": "Overheads and other running costs",
}
COMPONENT_COLOURS = [palette.NAVY, palette.LIGHT_BLUE, palette.AMBER, palette.GREY]
SEQUENCE_INPUTS = {"monthly_profile", "monthly_calls", "opening_hours", "day_weights", "hour_weights",
                   "staffing_basis"}


# ------------------------------------------------------------------ formatting

def legend_below(fig: go.Figure, y: float = -0.22) -> go.Figure:
    """Horizontal legend under the x-axis title (lower it when tick labels wrap)."""
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": y, "x": 0})
    return fig


def wrap(label: str, width: int = 22) -> str:
    """Break a long category label over lines for chart axes."""
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def gbp(x: float, decimals: int = 0) -> str:
    return f"£{x:,.{decimals}f}"


def pct(x: float, decimals: int = 1) -> str:
    return f"{x * 100:.{decimals}f}%"


def _default_text(name: str) -> str:
    spec = DEFAULTS[name]
    value = spec.value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        shown = f"{value * 100:g}%" if spec.percent else f"{value:,g} {spec.unit}".strip()
        return f"Default {shown}. Source: {source_of(name)}"
    return f"Source: {source_of(name)}"


# ------------------------------------------------------------------ scenario choice

def load_scenarios() -> list[CostScenario]:
    with data.reading() as session:
        found = scenarios.list_scenarios(session)
        for s in found:
            session.expunge(s)
    return found


def choose_scenario(records: list[CostScenario], can_edit: bool) -> CostScenario | None:
    """The scenario selector; returns the stored scenario, or None for a new one from the defaults."""
    by_id = {s.id: s for s in records}
    pending = st.session_state.pop(PENDING_KEY, None)
    if pending is not None:
        st.session_state[CHOICE_KEY] = pending
    options = [s.id for s in records] + [NEW]
    if st.session_state.get(CHOICE_KEY) not in options:
        st.session_state.pop(CHOICE_KEY, None)

    def label(option: Any) -> str:
        if option == NEW:
            return "New scenario, from the sourced defaults" if can_edit else "Try the sourced defaults (not saved)"
        s = by_id[option]
        marks = [m for m, on in (("recommended", s.is_recommended), ("illustrative", s.is_illustrative)) if on]
        return s.name + (f"  ({', '.join(marks)})" if marks else "")

    choice = st.selectbox("Scenario", options, format_func=label, key=CHOICE_KEY,
                          help="Saved scenarios, the recommended one first.")
    return by_id.get(choice)


# ------------------------------------------------------------------ inputs

def _number(prefix: str, name: str, value: Any, disabled: bool = False) -> float | int:
    spec = DEFAULTS[name]
    label = f"{spec.label} ({'%' if spec.percent else spec.unit})"
    if spec.percent:
        shown = round(float(value) * 100, 6)
        lo = None if spec.minimum is None else float(spec.minimum) * 100
        hi = None if spec.maximum is None else float(spec.maximum) * 100
        got = st.number_input(label, min_value=lo, max_value=hi, value=shown, step=0.5, format="%.1f",
                              key=prefix + name, help=spec.help or None, disabled=disabled)
        result = float(got) / 100
    elif spec.integer:
        got = st.number_input(label, min_value=int(spec.minimum), max_value=int(spec.maximum), value=int(value),
                              step=1, key=prefix + name, help=spec.help or None, disabled=disabled)
        result = int(got)
    else:
        step = 1000.0 if "GBP" in spec.unit and float(value) >= 1000 else (10.0 if "seconds" in spec.unit else 1.0)
        got = st.number_input(label, min_value=float(spec.minimum), max_value=float(spec.maximum),
                              value=float(value), step=step, format="%.2f" if spec.unit == "hours/week" else "%.0f",
                              key=prefix + name, help=spec.help or None, disabled=disabled)
        result = float(got)
    st.caption(_default_text(name))
    return result


def _as_time(hour: float) -> time:
    """17.5 -> 17:30; 24 (closing at midnight) -> 00:00."""
    minutes = round(float(hour) * 60) % (24 * 60)
    return time(minutes // 60, minutes % 60)


def _as_hour(value: time | None, closing: bool = False) -> float:
    """A typed time as hours; a closing time of 00:00 means midnight (24)."""
    if value is None:
        return 0.0
    hour = value.hour + value.minute / 60
    return 24.0 if closing and hour == 0 else hour


def _hours_table(prefix: str, inputs: ScenarioInputs) -> tuple[tuple, tuple]:
    frame = pd.DataFrame({
        "Day": WEEKDAYS,
        "Open": [c > o for o, c in inputs.opening_hours],
        "Opens at": [_as_time(o) for o, _ in inputs.opening_hours],
        "Closes at": [_as_time(c) for _, c in inputs.opening_hours],
        "Calls (relative weight)": list(inputs.day_weights),
    })
    edited = st.data_editor(
        frame, key=prefix + "opening_times", hide_index=True, num_rows="fixed", disabled=["Day"],
        column_config={
            "Opens at": st.column_config.TimeColumn(format="HH:mm", step=900, help="Type a time, e.g. 09:00"),
            "Closes at": st.column_config.TimeColumn(format="HH:mm", step=900,
                                                     help="Type a time, e.g. 17:30; 00:00 means midnight"),
            "Calls (relative weight)": st.column_config.NumberColumn(min_value=0.0, step=0.05, format="%.2f"),
        },
    )
    hours = tuple((_as_hour(r["Opens at"]), _as_hour(r["Closes at"], closing=True)) if r["Open"] else (0.0, 0.0)
                  for _, r in edited.iterrows())
    st.caption(f"Open now: {downloads.input_text('opening_hours', hours)}.")
    st.caption(f"Default: {source_of('opening_hours')}. Day weights: {source_of('day_weights')}")
    weights = tuple(float(x or 0) for x in edited["Calls (relative weight)"])
    return hours, weights


def _hour_weights(prefix: str, inputs: ScenarioInputs) -> tuple:
    frame = pd.DataFrame({"Hour starting": [f"{h:02d}:00" for h in range(24)],
                          "Calls (relative weight)": list(inputs.hour_weights)})
    edited = st.data_editor(frame, key=prefix + "hour_weights", hide_index=True, num_rows="fixed",
                            disabled=["Hour starting"], height=300,
                            column_config={"Calls (relative weight)": st.column_config.NumberColumn(
                                min_value=0.0, step=0.05, format="%.2f")})
    st.caption(f"Source: {source_of('hour_weights')}")
    return tuple(float(x or 0) for x in edited["Calls (relative weight)"])


def _reset_profile(nonce_key: str) -> None:
    st.session_state[nonce_key] = st.session_state.get(nonce_key, 0) + 1


def _months(prefix: str, inputs: ScenarioInputs) -> tuple[tuple, tuple | None]:
    by_month = st.toggle("Enter calls by month instead of calls a year", value=inputs.monthly_calls is not None,
                         key=prefix + "use_monthly_calls")
    nonce_key = prefix + "profile_nonce"
    nonce = st.session_state.get(nonce_key, 0)
    profile = list(school_term_profile() if nonce else inputs.monthly_profile)
    total = sum(profile) or 1.0
    if by_month:
        calls = inputs.monthly_calls or tuple(inputs.annual_calls * p / total for p in profile)
        frame = pd.DataFrame({"Month": MONTHS, "Calls": [round(c) for c in calls]})
        edited = st.data_editor(
            frame, key=prefix + "monthly_calls", hide_index=True, num_rows="fixed", disabled=["Month"],
            height=35 * 13 + 3,
            column_config={"Calls": st.column_config.NumberColumn(min_value=0, step=1, format="%d")})
        st.caption(source_of("monthly_calls"))
        return tuple(profile), tuple(float(x or 0) for x in edited["Calls"])
    column = "Share of the year's calls (%)"
    frame = pd.DataFrame({"Month": MONTHS, column: [round(p / total * 100, 2) for p in profile]})
    edited = st.data_editor(
        frame, key=f"{prefix}monthly_profile_{nonce}", hide_index=True, num_rows="fixed", disabled=["Month"],
        height=35 * 13 + 3,
        column_config={column: st.column_config.NumberColumn(min_value=0.0, step=0.1, format="%.2f")})
    st.caption(f"Shares are rescaled to 100%. Source: {source_of('monthly_profile')}")
    st.button("Reset to the school-term profile", key=prefix + "reset_profile", on_click=_reset_profile,
              args=(nonce_key,))
    return tuple(float(x or 0) for x in edited[column]), None


def input_panel(prefix: str, inputs: ScenarioInputs) -> tuple[ScenarioInputs | None, dict[str, str]]:
    """All inputs grouped by theme, each with its unit and source. Returns (inputs, errors)."""
    raw: dict[str, Any] = {}
    by_group: dict[str, list[str]] = {g: [] for g in GROUPS}
    for name, spec in DEFAULTS.items():
        if name not in SEQUENCE_INPUTS:
            by_group[spec.group].append(name)
    for group in GROUPS:
        with st.expander(group, expanded=group in ("Demand", "Handling and service level")):
            if group == "Demand":
                profile, monthly = _months(prefix, inputs)
                raw["monthly_profile"], raw["monthly_calls"] = profile, monthly
                names = by_group[group]
                for name in names:
                    raw[name] = _number(prefix, name, getattr(inputs, name), disabled=monthly is not None
                                        and name == "annual_calls")
                continue
            if group == "Opening hours and call pattern":
                raw["opening_hours"], raw["day_weights"] = _hours_table(prefix, inputs)
                with st.popover("Calls by hour of day"):
                    raw["hour_weights"] = _hour_weights(prefix, inputs)
            if group == "Staffing":
                basis = st.radio("Size permanent posts to", ["peak", "average"],
                                 index=["peak", "average"].index(inputs.staffing_basis), horizontal=True,
                                 format_func={"peak": "the busiest month", "average": "the average month"}.get,
                                 key=prefix + "staffing_basis")
                st.caption(f"Source: {source_of('staffing_basis')}")
                raw["staffing_basis"] = basis
            for name in by_group[group]:
                raw[name] = _number(prefix, name, getattr(inputs, name))
    raw.setdefault("hour_weights", inputs.hour_weights)
    try:
        return ScenarioInputs.from_dict(raw), {}
    except CostingInputError as exc:
        return None, exc.errors


# ------------------------------------------------------------------ results

@st.cache_data(show_spinner=False, max_entries=64)
def _evaluate_cached(inputs_json: str) -> ScenarioResult:
    return evaluate_scenario(ScenarioInputs.from_dict(json.loads(inputs_json)))


def _inputs_key(inputs: ScenarioInputs) -> str:
    """The inputs as canonical JSON: the key of every cache of what they give (cheap to hash, unlike a result)."""
    return json.dumps(inputs.to_dict(), sort_keys=True)


def evaluate(inputs: ScenarioInputs) -> ScenarioResult:
    return _evaluate_cached(_inputs_key(inputs))


@cached_chart
def _result_charts(inputs_key: str) -> tuple[go.Figure, go.Figure]:
    """The cost-by-year and busiest-week charts of the inputs, built once and shared (`charts.cached_chart`)."""
    result = _evaluate_cached(inputs_key)
    return cost_year_chart(result), busiest_week_chart(result)


def cost_year_chart(result: ScenarioResult) -> go.Figure:
    yearly = result.cost.yearly
    fig = go.Figure()
    for (col, label), colour in zip(COMPONENTS.items(), COMPONENT_COLOURS, strict=True):
        fig.add_bar(x=[f"Year {y}" for y in yearly["year"]], y=yearly[col], name=label, marker_color=colour,
                    hovertemplate="%{x}: £%{y:,.0f}<extra>" + label + "</extra>")
    fig.update_layout(barmode="stack")
    fig.update_yaxes(tickprefix="£", separatethousands=True)
    return legend_below(finish(fig, "Cost by contract year", "Contract year", "Cost (GBP a year)", 400))


def busiest_week_chart(result: ScenarioResult) -> go.Figure:
    iv = result.demand.intervals
    x = iv["day"] + " " + iv["time"]
    fig = go.Figure()
    fig.add_bar(x=x, y=iv["scheduled"], name="Rostered (with shrinkage)", marker_color=palette.GREY)
    fig.add_bar(x=x, y=iv["on_duty"], name="On the phones", marker_color=palette.NAVY)
    fig.add_scatter(x=x, y=iv["calls"], name="Calls offered", mode="lines", yaxis="y2", line={"color": palette.ORANGE})
    fig.update_layout(barmode="overlay", yaxis2={"overlaying": "y", "side": "right", "title": "Calls per interval",
                                                 "showgrid": False, "rangemode": "tozero"})
    first_of_day = iv.drop_duplicates("day")
    fig.update_xaxes(tickvals=list(x[first_of_day.index]), ticktext=list(first_of_day["day"]), tickangle=0)
    fig = finish(fig, f"Advisers through a week in {result.demand.peak_month} (busiest month)",
                 "Opening interval (ticks mark the start of each day)", "Advisers (people)", 400)
    return legend_below(fig)


def yearly_table(result: ScenarioResult) -> pd.DataFrame:
    table = result.cost.yearly.rename(columns=COST_COLUMNS)
    return table


def monthly_table(result: ScenarioResult) -> pd.DataFrame:
    m = result.demand.monthly
    return pd.DataFrame({
        "Month": m["month"],
        "Calls": m["calls"].round(0),
        "Calls a week": m["calls_per_week"].round(1),
        "Busiest interval (calls)": m["busiest_interval_calls"].round(1),
        "Most advisers on duty": m["max_on_duty"],
        "Rostered hours a week": m["scheduled_hours_per_week"].round(1),
        "Adviser FTE needed": m["fte"].round(2),
        "Service level achieved": (m["service_level"] * 100).round(1),
    })


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


Tables = list[downloads.Table] | Callable[[], list[downloads.Table]]


def download_pair(tables: Tables, stem: str, what: str, key: str) -> None:
    """A CSV and an Excel download of the same tables, side by side (rounded, units in the column names). `tables`
    may be a function that makes them, called only when a button is clicked."""
    d1, d2 = st.columns(2)
    # Built when a button is clicked (Streamlit calls the function then), not on every rerun as inputs change.
    with d1:
        download.built_on_click(f"Download {what} (CSV)", partial(_tables_csv_bytes, tables), f"{stem}.csv",
                                "text/csv", key=f"{key}_csv", preparing=f"Preparing the {what} (CSV)...",
                                icon=":material/download:", width="stretch")
    with d2:
        download.built_on_click(f"Download {what} (Excel)", partial(_tables_excel_bytes, tables),
                                f"{stem}.xlsx", XLSX, key=f"{key}_xlsx", preparing=f"Preparing the {what} (Excel)...",
                                icon=":material/table:", width="stretch")


def _tables(tables: Tables) -> list[downloads.Table]:
    return tables() if callable(tables) else tables


def _tables_csv_bytes(tables: Tables) -> bytes:
    return exports.to_csv_bytes(downloads.tables_csv(_tables(tables)))


def _tables_excel_bytes(tables: Tables) -> bytes:
    return downloads.tables_excel(_tables(tables))


def _file_stem(name: str) -> str:
    stem = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")
    return "-".join(p for p in stem.split("-") if p)[:60] or "scenario"


def headline_metrics(result: ScenarioResult) -> None:
    """The scenario's headline results, two rows of five."""
    s = result.summary
    years = s["contract_years"]
    basis = "busiest month" if result.inputs.staffing_basis == "peak" else "average month"
    row1 = st.columns(5)
    row1[0].metric("Adviser FTE", f"{s['adviser_fte']:.1f}",
                   help=f"Full-time equivalent advisers to employ, sized to the {basis}.")
    row1[1].metric("Total FTE (with team leaders)", f"{s['total_fte']:.1f}")
    row1[2].metric("Most advisers on duty at once", f"{s['max_on_duty']:,}")
    row1[3].metric("Service level achieved", pct(s["service_level"]),
                   help=f"Share of calls answered within {result.inputs.target_answer_seconds:g} seconds over the "
                        f"year (target {result.inputs.target_service_level:.0%}).")
    row1[4].metric("Calls a year", f"{s['annual_calls']:,.0f}")
    row2 = st.columns(5)
    row2[0].metric("Average annual cost", gbp(s["average_annual_cost"]))
    row2[1].metric(f"Whole-life cost ({years} years)", gbp(s["whole_life_cost"]))
    row2[2].metric("Net present value of cost", gbp(s["npv"]),
                   help=f"Discounted at {result.inputs.discount_rate:.1%} a year ({source_of('discount_rate')}); "
                        "the first contract year is not discounted.")
    row2[3].metric("Cost per call", gbp(s["cost_per_call"], 2),
                   delta=f"{gbp(s['cost_per_call'] - REFERENCE_COST_PER_CALL, 2)} vs UK average",
                   delta_color="inverse", help=REFERENCE_COST_PER_CALL_SOURCE)
    row2[4].metric("Cost per opening hour", gbp(s["cost_per_opening_hour"], 2))
    st.caption(f"Cost per call compared with {REFERENCE_COST_PER_CALL_SOURCE}. Advice calls are longer than the "
               "average contact-centre call, so a higher figure is expected.")


def results_panel(name: str, result: ScenarioResult) -> None:
    """Charts, tables and downloads for one scenario."""
    by_year, busiest_week = _result_charts(_inputs_key(result.inputs))
    charts.show(by_year, key="cost_year_chart")
    charts.show(busiest_week, key="busiest_week_chart")
    with st.expander("Cost by year (table)", expanded=False):
        table = yearly_table(result)
        st.dataframe(table, hide_index=True, column_config={
            c: st.column_config.NumberColumn(format="£%,.0f" if "GBP" in c else "%.2f") for c in table.columns
            if c != "Year"})
    with st.expander("Staffing by month (table)", expanded=False):
        st.dataframe(monthly_table(result), hide_index=True)
    download_pair(partial(downloads.result_tables, name, result), _file_stem(name), "results", "download")


# ------------------------------------------------------------------ saving

def _write(action, message: str, choose: Any | None = None, doing: str = "Saving the scenario...") -> None:
    done = False
    with guarded("cost_save"), progress.working(doing), data.writing() as session:
        progress.test_delay()
        outcome = action(session)
        done = True
        if choose == "result" and outcome is not None:
            choose = outcome.id
    if done:
        if choose is not None:
            st.session_state[PENDING_KEY] = choose
        flash(message)
        st.rerun()


def show_unsaved(current: CostScenario | None, inputs: ScenarioInputs | None) -> None:
    """Say which inputs on screen differ from the saved scenario (they are lost unless saved)."""
    if current is None or inputs is None:
        return
    changed = scenarios.changed_inputs(scenarios.scenario_inputs(current), inputs)
    if changed:
        st.warning(f"Unsaved changes to {len(changed)} input(s) since '{current.name}' was saved: "
                   + ", ".join(changed) + ". Save them, or they are lost when you leave the page.",
                   icon=":material/edit_note:")


def _unlock_panel(actor: Actor, current: CostScenario, column) -> None:
    with column.popover("Unlock to change...", icon=":material/lock_open:", width="stretch"):
        reason = st.text_input("Reason for unlocking *", key=f"cost_unlock_reason_{current.id}", max_chars=500,
                               placeholder="e.g. Finance revised the call volumes")
        if st.button("Unlock", type="primary", key="cost_unlock"):
            _write(lambda s: scenarios.unlock_scenario(s, actor, current.id, current.version, reason),
                   f"'{current.name}' is unlocked; the reason is in the audit log.",
                   doing="Unlocking the scenario...")


def save_panel(actor: Actor, current: CostScenario | None, inputs: ScenarioInputs | None) -> None:
    """Save, save as new, duplicate, recommend, lock and delete (commissioners and admins only).

    Only the owner or an administrator sees the buttons that change a saved scenario; a recommended scenario
    is locked until one of them unlocks it with a reason.
    """
    if not actor.can(Permission.EDIT_SCENARIOS):
        st.info(f"Your role ({actor.role.label}) can read scenarios and try changes here, but cannot save them. "
                "Nothing you change on this page is stored.", icon=":material/visibility:")
        return
    owns = current is not None and scenarios.may_change(actor, current)
    locked = current is not None and bool(current.is_locked)
    if current is not None and not owns:
        st.info(f"'{current.name}' belongs to {current.owner_name}: only they or an administrator can change, "
                "recommend or delete it. Save what you try here as a new scenario, or duplicate it.",
                icon=":material/person:")
    elif locked:
        st.info(f"'{current.name}' is the recommended scenario and is locked, so the paper's figures do not move "
                "by accident. Unlock it with a reason to change it; the reason is audited.", icon=":material/lock:")
    key = f"{current.id}_{current.version}" if current else NEW
    editable = current is None or (owns and not locked)
    c1, c2 = st.columns([2, 1])
    name = c1.text_input("Scenario name *", value=current.name if current else "", max_chars=120,
                         key=f"cost_name_{key}")
    delivery = c2.text_input("Delivery model", value=(current.delivery_model or "") if current else "",
                             max_chars=120, key=f"cost_delivery_{key}",
                             placeholder="e.g. In house, Customer Service Centre")
    description = st.text_area("Description and assumptions", value=(current.description or "") if current else "",
                               key=f"cost_description_{key}", height=90)
    illustrative = st.checkbox("Inputs are illustrative (not yet checked against the council's own figures)",
                               value=bool(current.is_illustrative) if current else False,
                               key=f"cost_illustrative_{key}")
    fields = {"name": name, "description": description, "delivery_model": delivery, "is_illustrative": illustrative}
    if inputs is None:
        st.warning("Correct the inputs marked above before saving.", icon=":material/error:")
    b1, b2 = st.columns(2)
    b3, b4, b5 = st.columns([1, 1.5, 1.5])
    if current is not None and editable:
        if b1.button("Save changes", type="primary", icon=":material/save:", key="cost_save",
                     disabled=inputs is None, width="stretch"):
            _write(lambda s: scenarios.update_scenario(s, actor, current.id, current.version, inputs=inputs,
                                                       **fields), f"Saved '{name.strip()}'.")
    if b2.button("Save as a new scenario", type="primary" if not editable or current is None else "secondary",
                 icon=":material/add:", key="cost_save_new", disabled=inputs is None, width="stretch"):
        _write(lambda s: scenarios.create_scenario(s, actor, inputs=inputs, **fields),
               f"Saved new scenario '{name.strip()}'.", choose="result")
    if current is None:
        return
    if b3.button("Duplicate", icon=":material/content_copy:", key="cost_duplicate", width="stretch",
                 help="A copy of the saved scenario, owned by you."):
        _write(lambda s: scenarios.duplicate_scenario(s, actor, current.id),
               f"Duplicated '{current.name}'.", choose="result", doing="Duplicating the scenario...")
    if not owns:
        return
    if locked:
        _unlock_panel(actor, current, b4)
        return
    if current.is_recommended:
        if b4.button("Lock again", icon=":material/lock:", key="cost_lock", width="stretch"):
            _write(lambda s: scenarios.lock_scenario(s, actor, current.id, current.version),
                   f"'{current.name}' is locked again.", doing="Locking the scenario...")
        if b5.button("Remove recommendation", icon=":material/star_outline:", key="cost_unrecommend",
                     width="stretch"):
            _write(lambda s: scenarios.set_recommended(s, actor, current.id, current.version, False),
                   f"'{current.name}' is no longer recommended.", doing="Removing the recommendation...")
        return
    if b4.button("Mark as recommended", icon=":material/star:", key="cost_recommend", width="stretch"):
        _write(lambda s: scenarios.set_recommended(s, actor, current.id, current.version),
               f"'{current.name}' is now the recommended scenario (locked).",
               doing="Marking the scenario as recommended...")
    with b5.popover("Delete this scenario", icon=":material/delete:", width="stretch"):
        st.write(f"Delete **{current.name}**? The audit log keeps what it held.")
        if st.button("Yes, delete", type="primary", key="cost_delete"):
            _write(lambda s: scenarios.delete_scenario(s, actor, current.id, current.version),
                   f"Deleted '{current.name}'.", choose=NEW, doing="Deleting the scenario...")


# ------------------------------------------------------------------ comparison

def _marked(record: CostScenario) -> str:
    return f"★ {record.name} (recommended)" if record.is_recommended else record.name


def comparison(records: list[CostScenario]) -> None:
    if len(records) < 2:
        st.info("Save at least two scenarios to compare them.", icon=":material/compare_arrows:")
        return
    names = {s.id: _marked(s) for s in records}
    default = [s.id for s in records][:3]
    chosen = st.multiselect("Scenarios to compare (2 to 6)", list(names), default=default, format_func=names.get,
                            max_selections=6, key="cost_compare")
    if len(chosen) < 2:
        st.info("Choose at least two scenarios.", icon=":material/compare_arrows:")
        return
    by_id = {s.id: s for s in records}
    results = {names[i]: evaluate(scenarios.scenario_inputs(by_id[i])) for i in chosen}
    with guarded():
        with data.reading() as session:
            table = scenarios.compare(session, chosen)
        recommended = {s.name for s in records if s.is_recommended}
        if recommended & set(table["scenario"]):
            st.caption("★ marks the recommended scenario (the one the paper to SEND Executive quotes).")
        marked = table.assign(scenario=[_marked(by_id[i]) for i in chosen]) if len(table) == len(chosen) else table
        st.table(comparison_table(marked))  # a static table wraps long names, so every scenario shows
        charts.show(compare_cost_chart(results), key="compare_cost_chart")
        charts.show(compare_fte_chart(results), key="compare_fte_chart")
        download_pair([downloads.comparison_download(table, recommended)], "phone-line-scenarios-comparison",
                      "comparison", "download_compare")


def comparison_table(table: pd.DataFrame) -> pd.DataFrame:
    """Measures as rows, scenarios as columns, each value formatted with its unit."""
    def fmt(key: str, value: float) -> str:
        if key == "service_level":
            return pct(value)
        if "GBP" in SUMMARY_LABELS[key]:
            return gbp(value, 2 if "per" in key else 0)
        if key in ("adviser_fte", "total_fte"):
            return f"{value:.2f}"
        return f"{value:,.0f}"

    out = pd.DataFrame({row["scenario"]: [fmt(k, row[k]) for k in SUMMARY_LABELS] for _, row in table.iterrows()},
                       index=list(SUMMARY_LABELS.values()))
    out.index.name = "Measure"
    return out


def _bar_height(results: dict[str, ScenarioResult]) -> int:
    return 170 + 70 * len(results)


def compare_cost_chart(results: dict[str, ScenarioResult]) -> go.Figure:
    """Horizontal stacked bars: scenario names on the y axis never overlap, the key sits above the bars."""
    fig = go.Figure()
    names = [wrap(n, 40) for n in results]
    for (col, label), colour in zip(COMPONENTS.items(), COMPONENT_COLOURS, strict=True):
        fig.add_bar(y=names, x=[r.cost.yearly[col].mean() for r in results.values()], name=label, orientation="h",
                    marker_color=colour, hovertemplate="%{y}: £%{x:,.0f}<extra>" + label + "</extra>")
    fig.update_layout(barmode="stack", legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0})
    fig.update_xaxes(tickprefix="£", separatethousands=True)
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig = finish(fig, "Average annual cost by scenario", "Average annual cost (GBP a year)", None,
                 _bar_height(results))
    fig.update_layout(margin={"t": 90})
    return fig


def compare_fte_chart(results: dict[str, ScenarioResult]) -> go.Figure:
    fig = go.Figure()
    names = [wrap(n, 40) for n in results]
    fig.add_bar(y=names, x=[r.demand.adviser_fte for r in results.values()], name="Advisers", marker_color=palette.NAVY,
                orientation="h")
    fig.add_bar(y=names, x=[r.cost.team_leaders for r in results.values()], name="Team leaders",
                marker_color=palette.AMBER, orientation="h")
    fig.update_layout(barmode="stack", legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0})
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig = finish(fig, "Staff needed by scenario", "Full-time equivalent staff (FTE)", None, _bar_height(results))
    fig.update_layout(margin={"t": 90})
    return fig


# ------------------------------------------------------------------ uncertainty

@st.cache_data(show_spinner="Moving each driver to its low and high value...", max_entries=32)
def _sensitivity_cached(inputs_json: str, metric: str) -> pd.DataFrame:
    return sensitivity(ScenarioInputs.from_dict(json.loads(inputs_json)), metric=metric)


@st.cache_data(show_spinner="Running the Monte Carlo draws...", max_entries=32)
def _monte_carlo_cached(inputs_json: str, draws: int, seed: int, volume: tuple, handling: tuple):
    mc = monte_carlo(ScenarioInputs.from_dict(json.loads(inputs_json)), draws=draws, seed=seed, volume=volume,
                     handling=handling)
    return mc.percentiles(), mc.annual_cost, mc.service_level


@cached_chart
def tornado_chart(table: pd.DataFrame, metric_label: str) -> go.Figure:
    rows = table[table["swing"] > 0].iloc[::-1]
    base = float(table["base_result"].iloc[0]) if len(table) else 0.0
    labels = [f"{r.label}: {_range_text(r)}" for r in rows.itertuples()]
    fig = go.Figure()
    fig.add_bar(y=labels, x=rows["low_result"] - base, base=base, orientation="h", name="Driver at its low value",
                marker_color=palette.LIGHT_BLUE, hovertemplate="£%{x:,.0f}<extra>low</extra>")
    fig.add_bar(y=labels, x=rows["high_result"] - base, base=base, orientation="h", name="Driver at its high value",
                marker_color=palette.RED, hovertemplate="£%{x:,.0f}<extra>high</extra>")
    fig.update_layout(barmode="overlay")
    fig.add_vline(x=base, line_dash="dot", line_color="#333")
    fig.update_xaxes(tickprefix="£", separatethousands=True)
    return finish(fig, f"Sensitivity: {metric_label} with each driver moved alone", f"{metric_label}", None,
                  max(320, 36 * len(rows) + 120))


def _range_text(row) -> str:
    spec = DEFAULTS[row.driver]
    if spec.percent:
        return f"{row.low_value * 100:g}% to {row.high_value * 100:g}%"
    def num(x: float) -> str:
        return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.4g}"

    return f"{num(row.low_value)} to {num(row.high_value)} {spec.unit}"


def uncertainty_panel(inputs: ScenarioInputs | None) -> None:
    if inputs is None:
        st.warning("Correct the inputs on the first tab to see the sensitivity and uncertainty.")
        return
    inputs_json = json.dumps(inputs.to_dict(), sort_keys=True)
    st.subheader("Sensitivity (tornado)")
    metric_labels = {"average_annual_cost": "Average annual cost (GBP)", "whole_life_cost": "Whole-life cost (GBP)",
                     "npv": "Net present value of cost (GBP)"}
    metric = st.selectbox("Result", list(metric_labels), format_func=metric_labels.get, key="cost_tornado_metric")
    table = _sensitivity_cached(inputs_json, metric)
    charts.show(tornado_chart(table, metric_labels[metric]), key="tornado_chart")
    st.caption("Each driver is moved alone to its low and high value; ranges are illustrative and scale with the "
               "scenario's own value (see the table).")
    low_high = [tuple(_range_text(r).split(" to ", 1)) for r in table.itertuples()]
    download_pair([downloads.sensitivity_table(table, metric_labels[metric], low_high)],
                  f"phone-line-sensitivity-{metric}", "sensitivity", "download_sensitivity")
    with st.expander("Sensitivity table"):
        shown = table.assign(**{"Low value": [lo for lo, _ in low_high], "High value": [hi for _, hi in low_high]})
        st.dataframe(shown[["label", "Low value", "High value", "low_result", "high_result", "swing"]].rename(
            columns={"label": "Driver", "low_result": "Result at low (GBP)", "high_result": "Result at high (GBP)",
                     "swing": "Swing (GBP)"}).round(0), hide_index=True)

    st.subheader("Monte Carlo ranges")
    st.caption(UNCERTAINTY_SOURCE + ". The annual cost is what staffing the line to its target would cost for "
               "each draw's demand; the service level is what callers would get with the staff planned here. "
               "Cost moves in steps because advisers are rostered as whole people in each interval.")
    c1, c2, c3 = st.columns(3)
    with c1:
        v_lo, v_hi = st.slider("Calls a year, range (% of the estimate)", 30, 250,
                               (int(DEFAULT_VOLUME_RANGE[0] * 100), int(DEFAULT_VOLUME_RANGE[2] * 100)), step=5,
                               key="cost_mc_volume")
    with c2:
        h_lo, h_hi = st.slider("Handling time, range (% of the estimate)", 30, 250,
                               (int(DEFAULT_HANDLING_RANGE[0] * 100), int(DEFAULT_HANDLING_RANGE[2] * 100)), step=5,
                               key="cost_mc_handling")
    with c3:
        draws = int(st.number_input("Draws", min_value=1000, max_value=1_000_000, value=100_000, step=10_000,
                                    key="cost_mc_draws"))
        seed = int(st.number_input("Random seed (same seed, same answer)", min_value=0, value=DEFAULT_SEED,
                                   step=1, key="cost_mc_seed"))
    volume = (v_lo / 100, min(max(1.0, v_lo / 100), v_hi / 100), v_hi / 100)
    handling = (h_lo / 100, min(max(1.0, h_lo / 100), h_hi / 100), h_hi / 100)
    with guarded():
        percentiles, costs, levels = _monte_carlo_cached(inputs_json, draws, seed, volume, handling)
        shown = percentiles.copy()
        for col in ("P10", "P50", "P90", "central_case"):
            shown[col] = [gbp(shown.loc[0, col]), pct(shown.loc[1, col])]
        st.dataframe(shown.rename(columns={"measure": "Measure", "central_case": "Central case"}), hide_index=True,
                     key="mc_table")
        download_pair([downloads.monte_carlo_table(percentiles, draws, seed)], "phone-line-monte-carlo",
                      "P10, P50 and P90", "download_mc")
        left, right = st.columns(2)
        for where, values, marks, title, x_title, money, key in (
                (left, costs, percentiles.iloc[0][["P10", "P50", "P90"]], "Average annual cost to meet the target",
                 "Average annual cost (GBP a year)", True, "mc_cost_chart"),
                (right, levels * 100, percentiles.iloc[1][["P10", "P50", "P90"]] * 100,
                 "Service level achieved with the planned staff", "Calls answered within the target time (%)", False,
                 "mc_sl_chart")):
            charts.show(histogram(values, marks, title, x_title, money=money), key=key, where=where,
                        data=histogram_table(values, marks, x_title),
                        summary=f"{title}: the spread of {len(values):,} simulated outcomes; P10 "
                                f"{marks['P10']:,.1f}, P50 {marks['P50']:,.1f}, P90 {marks['P90']:,.1f}.")


def histogram_table(values, marks: pd.Series, x_title: str) -> pd.DataFrame:
    """A histogram's data for its text alternative: the percentiles marked, then the draws in ten equal bands."""
    counts, edges = np.histogram(np.asarray(values, dtype=float), bins=10)
    bands = [f"{lo:,.1f} to {hi:,.1f}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    return pd.DataFrame({x_title: [*marks.index, *bands],
                         "Value or number of draws": [*(round(float(v), 1) for v in marks), *counts.tolist()]})


def histogram(values, marks: pd.Series, title: str, x_title: str, money: bool) -> go.Figure:
    """Histogram of the draws with the P10, P50 and P90 marked."""
    fig = go.Figure()
    fig.add_histogram(x=values, nbinsx=60, marker_color=palette.LIGHT_BLUE, name="Draws")
    for label, x in marks.items():
        fig.add_vline(x=float(x), line_dash="dash", line_color="#333",
                      annotation_text=label, annotation_position="top")
    if money:
        fig.update_xaxes(tickprefix="£", separatethousands=True)
    fig.update_layout(showlegend=False)
    return finish(fig, title, x_title, "Number of draws", 320)
