"""Sensitivity (tornado) and Monte Carlo ranges."""
from __future__ import annotations

import numpy as np
import pytest

from review.costing import (
    SENSITIVITY_DRIVERS,
    CostingInputError,
    ScenarioInputs,
    driver_range,
    evaluate_scenario,
    monte_carlo,
    sensitivity,
)


def test_sensitivity_moves_each_driver_alone():
    inputs = ScenarioInputs()
    table = sensitivity(inputs)
    assert set(table["driver"]) == set(SENSITIVITY_DRIVERS)
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)
    base = evaluate_scenario(inputs).summary["average_annual_cost"]
    assert (table["base_result"] == base).all()
    calls = table.set_index("driver").loc["annual_calls"]
    assert calls["low_value"] == pytest.approx(0.75 * inputs.annual_calls)
    assert calls["low_result"] < base < calls["high_result"]
    salary = table.set_index("driver").loc["adviser_salary"]
    assert salary["high_result"] - base == pytest.approx(
        evaluate_scenario(inputs.with_changes(adviser_salary=inputs.adviser_salary * 1.1)).summary[
            "average_annual_cost"] - base)


def test_driver_ranges_stay_valid():
    inputs = ScenarioInputs(shrinkage=0.93, target_service_level=0.95, min_staff_on_duty=0)
    assert driver_range(inputs, "shrinkage") == (pytest.approx(0.88), 0.95)
    assert driver_range(inputs, "target_service_level")[1] == 0.999
    assert driver_range(inputs, "min_staff_on_duty") == (0.0, 1.0)
    sensitivity(inputs, drivers=("shrinkage", "target_service_level", "min_staff_on_duty"))


def test_sensitivity_unknown_metric():
    with pytest.raises(CostingInputError):
        sensitivity(ScenarioInputs(), metric="happiness")


def test_monte_carlo_is_reproducible_with_the_seed():
    inputs = ScenarioInputs()
    a = monte_carlo(inputs, draws=5000, seed=42)
    b = monte_carlo(inputs, draws=5000, seed=42)
    c = monte_carlo(inputs, draws=5000, seed=43)
    assert np.array_equal(a.annual_cost, b.annual_cost)
    assert np.array_equal(a.service_level, b.service_level)
    assert a.percentiles().equals(b.percentiles())
    assert not np.array_equal(a.annual_cost, c.annual_cost)


def test_monte_carlo_percentiles_are_ordered_and_sensible():
    inputs = ScenarioInputs()
    mc = monte_carlo(inputs, draws=20000)
    p = mc.percentiles().set_index("measure")
    for _, row in p.iterrows():
        assert row["P10"] <= row["P50"] <= row["P90"]
    cost = p.iloc[0]
    assert cost["P10"] < mc.base_annual_cost < cost["P90"]
    assert ((mc.service_level >= 0) & (mc.service_level <= 1)).all()
    assert mc.volume_factor.min() >= 0.7 and mc.volume_factor.max() <= 1.4


def test_grid_matches_exact_model():
    inputs = ScenarioInputs()
    grid = monte_carlo(inputs, draws=1500, seed=7)
    exact = monte_carlo(inputs, draws=1500, seed=7, method="exact")
    assert np.array_equal(grid.volume_factor, exact.volume_factor)
    pg = grid.percentiles().iloc[:, 1:4].to_numpy()
    pe = exact.percentiles().iloc[:, 1:4].to_numpy()
    assert np.allclose(pg[0], pe[0], rtol=0.01)  # cost percentiles within 1%
    assert np.allclose(pg[1], pe[1], atol=0.005)  # service level within half a point
    assert np.abs(grid.service_level - exact.service_level).max() < 0.005


def test_fixed_ranges_give_the_central_case():
    inputs = ScenarioInputs()
    mc = monte_carlo(inputs, draws=100, volume=(1, 1, 1), handling=(1, 1, 1))
    assert np.allclose(mc.annual_cost, mc.base_annual_cost)
    assert np.allclose(mc.service_level, mc.base_service_level)


def test_bad_ranges_are_refused():
    with pytest.raises(CostingInputError):
        monte_carlo(ScenarioInputs(), volume=(1.2, 1.0, 1.4))
    with pytest.raises(CostingInputError):
        monte_carlo(ScenarioInputs(), draws=0)


def test_100000_draws():
    """Timing is reported by benchmarks/costing.py (tests never assert timings)."""
    mc = monte_carlo(ScenarioInputs(), draws=100_000)
    assert mc.annual_cost.shape == mc.service_level.shape == (100_000,)
    assert np.isfinite(mc.annual_cost).all() and np.isfinite(mc.service_level).all()
