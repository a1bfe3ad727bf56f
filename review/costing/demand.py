"""Demand model: from calls a year (or by month) to advisers on duty and FTE.

1. Calls by month: ``monthly_calls`` if given, else ``annual_calls x monthly_profile`` (the
   profile carries school terms and holidays).
2. A week in month m has ``calls_m / (days_in_month / 7)`` calls, spread over the opening
   intervals in proportion to ``day_weights[day] x hour_weights[hour]`` (closed times get none).
3. Each opening interval is staffed by Erlang C (handling time = talk + after-call work), then
   raised to ``min_staff_on_duty``; scheduled staff = ``ceil(on duty / (1 - shrinkage))``.
4. Weekly scheduled hours / contracted hours a week = FTE for that month. Permanent posts are
   sized to the busiest month (``staffing_basis="peak"``) or the weighted average.

Bank-holiday closures reduce the opening hours a year; their calls are assumed to move to other
days, so calls a year are unchanged. Every year of the contract has the same demand.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from review.costing.defaults import DAYS_IN_MONTH, MONTHS, WEEKDAYS
from review.costing.erlang import erlang_c_metrics, offered_load, scheduled_staff, staffing_arrays
from review.costing.inputs import ScenarioInputs

__all__ = ["DemandResult", "compute_demand", "monthly_calls", "opening_slots", "plan_many"]

WEEKS_IN_MONTH = np.array(DAYS_IN_MONTH, dtype=float) / 7.0
_EPS = 1e-9


def monthly_calls(inputs: ScenarioInputs) -> np.ndarray:
    """Calls offered in each month, January to December."""
    if inputs.monthly_calls is not None:
        return np.asarray(inputs.monthly_calls, dtype=float)
    profile = np.asarray(inputs.monthly_profile, dtype=float)
    return float(inputs.annual_calls) * profile / profile.sum()


def opening_slots(inputs: ScenarioInputs) -> pd.DataFrame:
    """The week's opening intervals: day, start hour, hours long and share of the week's calls."""
    step = inputs.interval_minutes / 60.0
    per_day = int(round(24 / step))
    rows = []
    for d, (open_h, close_h) in enumerate(inputs.opening_hours):
        for j in range(per_day):
            start = j * step
            if start >= open_h - _EPS and start + step <= close_h + _EPS:
                weight = inputs.day_weights[d] * inputs.hour_weights[min(int(start + _EPS), 23)] * step
                rows.append((d, WEEKDAYS[d], start, step, weight))
    weights = np.array([row[4] for row in rows], dtype=float)
    total = weights.sum()
    return pd.DataFrame({
        "day_index": [row[0] for row in rows], "day": [row[1] for row in rows],
        "start_hour": np.array([row[2] for row in rows], dtype=float), "hours": [row[3] for row in rows],
        "weight": weights, "share": weights / total if total > 0 else np.zeros(len(rows)),
        "time": [f"{int(h):02d}:{int(round((h % 1) * 60)):02d}" for _, _, h, _, _ in rows],
    })  # made whole: a column at a time costs more than the rest of the function


@dataclass(frozen=True)
class _Plan:
    """Unique-interval arrays shared by the base evaluation and the uncertainty runs."""

    unique_calls: np.ndarray  # (U,) calls in an interval (a week of month m)
    inverse: np.ndarray  # (12, S) index into unique_calls
    month_counts: np.ndarray  # (12, U) how many intervals of the week have each value
    call_weight: np.ndarray  # (U,) calls a year falling in intervals with that value
    slot_hours: float


def _plan(inputs: ScenarioInputs, slots: pd.DataFrame, month_totals: np.ndarray) -> _Plan:
    weekly = month_totals / WEEKS_IN_MONTH  # (12,)
    per_slot = weekly[:, None] * slots["share"].to_numpy()[None, :]  # (12, S)
    unique, inverse = np.unique(per_slot, return_inverse=True)
    inverse = inverse.reshape(per_slot.shape)
    u = len(unique)
    counts = np.zeros((12, u))
    for m in range(12):
        counts[m] = np.bincount(inverse[m], minlength=u)
    # calls a year in each unique value: per-week calls x weeks in the month
    call_weight = np.bincount(inverse.ravel(), weights=(per_slot * WEEKS_IN_MONTH[:, None]).ravel(), minlength=u)
    return _Plan(unique, inverse, counts, call_weight, inputs.interval_minutes / 60.0)


def plan_many(inputs: ScenarioInputs, volume_factors, handling_factors, planned_on_duty=None) -> dict[str, np.ndarray]:
    """Staffing for P (volume, handling-time) multipliers at once, vectorised.

    Returns arrays: ``adviser_fte`` (P,), ``monthly_fte`` (P, 12), ``service_level`` (P,) achieved
    with the staff each point plans for; and, when ``planned_on_duty`` (U,) from the base plan is
    given, ``planned_service_level`` (P,) achieved with those staff instead.
    """
    v = np.atleast_1d(np.asarray(volume_factors, dtype=float))
    h = np.atleast_1d(np.asarray(handling_factors, dtype=float))
    v, h = np.broadcast_arrays(v, h)
    slots = opening_slots(inputs)
    plan = _plan(inputs, slots, monthly_calls(inputs))
    return _evaluate(inputs, plan, v, h, planned_on_duty)


def _evaluate(inputs, plan: _Plan, v, h, planned_on_duty=None):
    p, u = len(v), len(plan.unique_calls)
    calls = (v[:, None] * plan.unique_calls[None, :]).ravel()
    aht = np.repeat(h * inputs.handling_seconds, u)
    res = staffing_arrays(calls, inputs.interval_minutes, aht, inputs.target_service_level,
                          inputs.target_answer_seconds, 0.0, inputs.max_occupancy, validate=False)
    agents = res["agents"].reshape(p, u)
    on_duty = np.maximum(agents, int(inputs.min_staff_on_duty))
    sched = scheduled_staff(on_duty, inputs.shrinkage)
    weekly_hours = (sched.astype(float) @ plan.month_counts.T) * plan.slot_hours  # (P, 12)
    monthly_fte = weekly_hours / float(inputs.contracted_hours_per_week)
    if inputs.staffing_basis == "average":
        fte = monthly_fte @ WEEKS_IN_MONTH / WEEKS_IN_MONTH.sum()
    else:
        fte = monthly_fte.max(axis=1)
    weight = plan.call_weight
    wsum = weight.sum()

    load = offered_load(calls, inputs.interval_minutes, aht)

    def achieved(staff):
        m = erlang_c_metrics(load, staff.ravel(), aht, inputs.target_answer_seconds)
        sl = m["service_level"].reshape(p, u)
        return sl @ weight / wsum if wsum > 0 else np.ones(p)

    out = {
        "adviser_fte": fte,
        "monthly_fte": monthly_fte,
        "service_level": achieved(on_duty),
        "on_duty": on_duty,
        "agents": agents,
        "scheduled": sched,
    }
    if planned_on_duty is not None:
        planned = np.broadcast_to(np.asarray(planned_on_duty, dtype=np.int64)[None, :], (p, u))
        out["planned_service_level"] = achieved(planned)
    return out


@dataclass(frozen=True)
class DemandResult:
    """Demand and staffing for one scenario."""

    annual_calls: float
    adviser_fte: float  # advisers' FTE to employ (peak month or average, per staffing_basis)
    peak_month: str
    service_level: float  # call-weighted service level achieved over the year
    weekly_open_hours: float
    annual_opening_hours: float
    max_on_duty: int  # most advisers on the phones in any interval
    max_scheduled: int  # most advisers rostered in any interval (on duty + shrinkage)
    monthly: pd.DataFrame  # one row a month
    intervals: pd.DataFrame  # the busiest month's week, one row an opening interval
    unique_on_duty: np.ndarray  # (U,) for the uncertainty runs
    plan: _Plan


def compute_demand(inputs: ScenarioInputs) -> DemandResult:
    """Calls by month and by opening slot for the scenario's inputs (validated first)."""
    inputs.validate()
    slots = opening_slots(inputs)
    month_totals = monthly_calls(inputs)
    plan = _plan(inputs, slots, month_totals)
    out = _evaluate(inputs, plan, np.ones(1), np.ones(1))
    on_duty_u = out["on_duty"][0]
    agents_u = out["agents"][0]
    sched_u = out["scheduled"][0]
    monthly_fte = out["monthly_fte"][0]

    calls_u = plan.unique_calls
    metrics = erlang_c_metrics(offered_load(calls_u, inputs.interval_minutes, inputs.handling_seconds), on_duty_u,
                               inputs.handling_seconds, inputs.target_answer_seconds)
    sl_u = metrics["service_level"]
    inv = plan.inverse  # (12, S)
    weekly = month_totals / WEEKS_IN_MONTH
    per_slot_calls = calls_u[inv]
    with np.errstate(invalid="ignore", divide="ignore"):
        month_sl = np.where(per_slot_calls.sum(axis=1) > 0,
                            (per_slot_calls * sl_u[inv]).sum(axis=1) / per_slot_calls.sum(axis=1), 1.0)
    monthly = pd.DataFrame({
        "month": MONTHS,
        "calls": month_totals,
        "calls_per_week": weekly,
        "busiest_interval_calls": per_slot_calls.max(axis=1) if inv.size else 0.0,
        "max_on_duty": on_duty_u[inv].max(axis=1) if inv.size else 0,
        "scheduled_hours_per_week": sched_u[inv].sum(axis=1) * plan.slot_hours if inv.size else 0.0,
        "fte": monthly_fte,
        "service_level": month_sl,
    })
    peak = int(np.argmax(monthly_fte))
    intervals = pd.DataFrame({
        "day": slots["day"].to_numpy(), "time": slots["time"].to_numpy(), "hours": slots["hours"].to_numpy(),
        "calls": per_slot_calls[peak],
        "erlang_agents": agents_u[inv[peak]],
        "on_duty": on_duty_u[inv[peak]],
        "scheduled": sched_u[inv[peak]],
        "service_level": sl_u[inv[peak]],
        "occupancy": metrics["occupancy"][inv[peak]],
    }, index=slots.index)

    weekly_open = float(slots["hours"].sum())
    day_hours = slots.groupby("day_index")["hours"].sum()
    weekdays_open = day_hours[day_hours.index < 5]
    closed_day_hours = float(weekdays_open.mean()) if len(weekdays_open) else float(day_hours.mean())
    annual_open = max(weekly_open * 365.0 / 7.0 - inputs.closed_days_per_year * closed_day_hours, 0.0)
    return DemandResult(
        annual_calls=float(month_totals.sum()),
        adviser_fte=float(out["adviser_fte"][0]),
        peak_month=MONTHS[peak],
        service_level=float(out["service_level"][0]),
        weekly_open_hours=weekly_open,
        annual_opening_hours=annual_open,
        max_on_duty=int(on_duty_u.max()) if on_duty_u.size else 0,
        max_scheduled=int(sched_u.max()) if sched_u.size else 0,
        monthly=monthly,
        intervals=intervals,
        unique_on_duty=on_duty_u,
        plan=plan,
    )
