"""How sure are we? Sensitivity (tornado) and Monte Carlo ranges for one scenario.

Sensitivity: each driver in ``SENSITIVITY_DRIVERS`` is moved alone to its low and its high value
(relative drivers multiply the scenario's value, absolute ones add to it; the result is kept
inside the field's valid range) and the scenario is costed again.

Monte Carlo: calls a year and handling time are uncertain. Each draw takes a volume multiplier and
a handling-time multiplier from triangular distributions (low, most likely, high) with a fixed
seed. For every draw we report

* ``annual_cost``: the average annual cost of staffing the line to its target for that demand
  (what the budget would have to be), and
* ``service_level``: the share of calls answered within the target time with the staff planned
  for the central case (what callers would get if the budget is not changed).

Both depend on the draw only through the two multipliers, so they are computed exactly (full
demand, Erlang C and cost model) on a ``grid x grid`` lattice spanning the distributions' ranges
and read off for each draw by bilinear interpolation: 100,000 draws take well under a second.
``method="exact"`` runs the full model for every draw instead (slow; used to check the grid).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from review.costing.cost import yearly_costs
from review.costing.defaults import DEFAULTS, SENSITIVITY_DRIVERS
from review.costing.demand import compute_demand, plan_many
from review.costing.erlang import CostingInputError
from review.costing.inputs import ScenarioInputs
from review.costing.scenario import SUMMARY_LABELS, evaluate_scenario

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_VOLUME_RANGE",
    "DEFAULT_HANDLING_RANGE",
    "UNCERTAINTY_SOURCE",
    "MonteCarloResult",
    "monte_carlo",
    "sensitivity",
    "driver_range",
]

DEFAULT_SEED = 20190101
#: (low, most likely, high) multipliers. Illustrative: demand for a new line is hard to predict.
DEFAULT_VOLUME_RANGE = (0.7, 1.0, 1.4)
DEFAULT_HANDLING_RANGE = (0.8, 1.0, 1.25)
UNCERTAINTY_SOURCE = ("Illustrative: calls a year between 70% and 140% of the estimate, handling time between "
                      "80% and 125%, most likely as estimated (triangular distributions)")


def driver_range(inputs: ScenarioInputs, name: str) -> tuple[float, float]:
    """The (low, high) values of one sensitivity driver for this scenario, kept inside its valid range."""
    spec = DEFAULTS[name]
    base = float(getattr(inputs, name))
    assert spec.low is not None and spec.high is not None, f"{name} is not a sensitivity driver"
    if spec.swing == "relative":
        low, high = base * spec.low, base * spec.high
    else:
        low, high = base + spec.low, base + spec.high
    lo = spec.minimum if spec.minimum is not None else -np.inf
    hi = spec.maximum if spec.maximum is not None else np.inf
    if name == "shrinkage":
        hi = min(hi, 0.95)
    low, high = float(np.clip(low, lo, hi)), float(np.clip(high, lo, hi))
    if spec.integer:
        low, high = float(round(low)), float(round(high))
    return low, high


def sensitivity(
    inputs: ScenarioInputs, drivers=SENSITIVITY_DRIVERS, metric: str = "average_annual_cost"
) -> pd.DataFrame:
    """Tornado table: one row a driver, sorted by swing (largest first).

    Columns: driver, label, unit, base_value, low_value, high_value, base_result, low_result,
    high_result, swing (|high_result - low_result|).
    """
    if metric not in SUMMARY_LABELS:
        raise CostingInputError({"metric": f"Unknown result measure {metric!r}."})
    base_result = evaluate_scenario(inputs)
    base = base_result.summary[metric]
    rows = []
    for name in drivers:
        spec = DEFAULTS[name]
        low, high = driver_range(inputs, name)  # a sensitivity driver: spec.low and spec.high are set
        assert spec.low is not None and spec.high is not None
        value = getattr(inputs, name)
        if inputs.monthly_calls is not None and name == "annual_calls":
            # calls by month override calls a year: scale the months instead
            res = [evaluate_scenario(inputs.with_changes(monthly_calls=tuple(x * f for x in inputs.monthly_calls)))
                   for f in (spec.low, spec.high)]
            value = float(sum(inputs.monthly_calls))
            low, high = value * spec.low, value * spec.high
        else:
            res = [evaluate_scenario(inputs.with_changes(**{name: x})) for x in (low, high)]
        lr, hr = res[0].summary[metric], res[1].summary[metric]
        rows.append({
            "driver": name,
            "label": spec.label,
            "unit": "%" if spec.percent else spec.unit,
            "base_value": value,
            "low_value": low,
            "high_value": high,
            "base_result": base,
            "low_result": lr,
            "high_result": hr,
            "swing": abs(hr - lr),
        })
    table = pd.DataFrame(rows)
    return table.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class MonteCarloResult:
    draws: int
    seed: int
    volume_factor: np.ndarray
    handling_factor: np.ndarray
    annual_cost: np.ndarray  # average annual cost of staffing to target, per draw (GBP)
    service_level: np.ndarray  # achieved with the central plan's staff, per draw
    base_annual_cost: float
    base_service_level: float
    method: str

    def percentiles(self) -> pd.DataFrame:
        """P10, P50 and P90 of annual cost and achieved service level (plus the central case)."""
        q = [10, 50, 90]
        cost = np.percentile(self.annual_cost, q)
        sl = np.percentile(self.service_level, q)
        return pd.DataFrame(
            {
                "measure": ["Average annual cost to meet the target (GBP)",
                            "Service level achieved with the planned staff"],
                "P10": [cost[0], sl[0]],
                "P50": [cost[1], sl[1]],
                "P90": [cost[2], sl[2]],
                "central_case": [self.base_annual_cost, self.base_service_level],
            }
        )


def _check_range(name: str, rng) -> tuple[float, float, float]:
    try:
        low, mode, high = (float(x) for x in rng)
    except (TypeError, ValueError):
        raise CostingInputError({name: "Give three numbers: low, most likely, high."}) from None
    if not (0 < low <= mode <= high) or not np.isfinite(high):
        raise CostingInputError({name: "Need 0 < low <= most likely <= high."})
    return low, mode, high


def _draw(rng: np.random.Generator, low: float, mode: float, high: float, n: int) -> np.ndarray:
    if high == low:
        return np.full(n, low)
    return rng.triangular(low, mode, high, n)


def _interp2(xs: np.ndarray, ys: np.ndarray, z: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear interpolation on a regular grid z[i, j] = f(xs[i], ys[j])."""

    def locate(grid, v):
        if len(grid) == 1:
            return np.zeros(len(v), dtype=np.int64), np.zeros(len(v)), 0
        pos = (v - grid[0]) / (grid[1] - grid[0])
        i0 = np.clip(np.floor(pos).astype(np.int64), 0, len(grid) - 2)
        return i0, np.clip(pos - i0, 0.0, 1.0), 1

    i, tx, sx = locate(xs, x)
    j, ty, sy = locate(ys, y)
    z00 = z[i, j]
    z10 = z[i + sx, j]
    z01 = z[i, j + sy]
    z11 = z[i + sx, j + sy]
    return (1 - tx) * ((1 - ty) * z00 + ty * z01) + tx * ((1 - ty) * z10 + ty * z11)


def monte_carlo(
    inputs: ScenarioInputs,
    draws: int = 100_000,
    seed: int = DEFAULT_SEED,
    volume=DEFAULT_VOLUME_RANGE,
    handling=DEFAULT_HANDLING_RANGE,
    grid: int = 33,
    method: str = "grid",
) -> MonteCarloResult:
    """Monte Carlo ranges of annual cost and achieved service level (see the module docstring)."""
    if not isinstance(draws, (int, np.integer)) or draws < 1 or draws > 10_000_000:
        raise CostingInputError({"draws": "Number of draws must be a whole number from 1 to 10,000,000."})
    if method not in ("grid", "exact"):
        raise CostingInputError({"method": "method is 'grid' or 'exact'."})
    v_lo, v_mode, v_hi = _check_range("volume", volume)
    h_lo, h_mode, h_hi = _check_range("handling", handling)
    base = compute_demand(inputs)
    base_cost = float(yearly_costs(inputs, base.adviser_fte)["total"].mean())
    rng = np.random.default_rng(seed)
    v = _draw(rng, v_lo, v_mode, v_hi, draws)
    h = _draw(rng, h_lo, h_mode, h_hi, draws)

    if method == "exact":
        out = plan_many(inputs, v, h, planned_on_duty=base.unique_on_duty)
        cost = yearly_costs(inputs, out["adviser_fte"])["total"].mean(axis=1)
        sl = out["planned_service_level"]
    else:
        grid = max(int(grid), 2)
        vs = np.linspace(v_lo, v_hi, grid) if v_hi > v_lo else np.array([v_lo])
        hs = np.linspace(h_lo, h_hi, grid) if h_hi > h_lo else np.array([h_lo])
        vv, hh = np.meshgrid(vs, hs, indexing="ij")
        out = plan_many(inputs, vv.ravel(), hh.ravel(), planned_on_duty=base.unique_on_duty)
        cost_grid = yearly_costs(inputs, out["adviser_fte"])["total"].mean(axis=1).reshape(vv.shape)
        sl_grid = out["planned_service_level"].reshape(vv.shape)
        cost = _interp2(vs, hs, cost_grid, v, h)
        sl = np.clip(_interp2(vs, hs, sl_grid, v, h), 0.0, 1.0)
    return MonteCarloResult(
        draws=int(draws),
        seed=int(seed),
        volume_factor=v,
        handling_factor=h,
        annual_cost=np.asarray(cost, dtype=float),
        service_level=np.asarray(sl, dtype=float),
        base_annual_cost=base_cost,
        base_service_level=base.service_level,
        method=method,
    )
