"""Cost build-up with hand-computed figures."""
from __future__ import annotations

import pytest

from review.costing import COST_COLUMNS, ScenarioInputs, cost_build_up, evaluate_scenario, yearly_costs

INPUTS = ScenarioInputs(
    adviser_salary=30000, team_leader_salary=40000, span_of_control=10,
    employer_ni_rate=0.15, ni_threshold=5000, pension_rate=0.19,
    telephony_licence_per_seat=480, crm_licence_per_seat=360,
    recruitment_cost_per_hire=1500, training_cost_per_hire=2500, setup_cost=20000,
    staff_turnover=0.15, overhead_rate=0.12, other_annual_costs=5000,
    pay_inflation=0.03, non_pay_inflation=0.02, contract_years=3, discount_rate=0.035,
)


def test_year_one_by_hand():
    r = cost_build_up(INPUTS, adviser_fte=5.0, annual_calls=10000, annual_opening_hours=2000)
    y1 = r.yearly.iloc[0]
    assert y1["team_leaders"] == 1  # ceil(5 / 10)
    assert y1["adviser_pay"] == pytest.approx(150000)
    assert y1["team_leader_pay"] == pytest.approx(40000)
    assert y1["employer_ni"] == pytest.approx(5 * 0.15 * 25000 + 0.15 * 35000)  # 18,750 + 5,250
    assert y1["employer_pension"] == pytest.approx(0.19 * 190000)  # 36,100
    assert y1["staff_costs"] == pytest.approx(250100)
    assert y1["licences"] == pytest.approx(6 * 840)  # 5 advisers + 1 team leader
    assert y1["setup_and_recruitment"] == pytest.approx(20000 + 6 * 4000)
    assert y1["overheads"] == pytest.approx(0.12 * 250100 + 5000)
    assert y1["total"] == pytest.approx(334152)
    assert y1["discount_factor"] == 1.0
    assert r.seats == 6 and r.team_leaders == 1
    assert r.running_cost_year_1 == pytest.approx(334152 - 44000)


def test_later_years_inflation_turnover_and_npv_by_hand():
    r = cost_build_up(INPUTS, adviser_fte=5.0, annual_calls=10000, annual_opening_hours=2000)
    y2 = r.yearly.iloc[1]
    adv, tl = 30000 * 1.03, 40000 * 1.03
    staff2 = 5 * adv + tl + 0.15 * (5 * (adv - 5000) + (tl - 5000)) + 0.19 * (5 * adv + tl)
    assert y2["staff_costs"] == pytest.approx(staff2)
    assert y2["licences"] == pytest.approx(6 * 840 * 1.02)
    assert y2["setup_and_recruitment"] == pytest.approx(0.15 * 6 * 4000 * 1.02)
    total2 = staff2 + 6 * 840 * 1.02 + 0.15 * 6 * 4000 * 1.02 + 0.12 * staff2 + 5000 * 1.02
    assert y2["total"] == pytest.approx(total2)
    totals = list(r.yearly["total"])
    assert r.whole_life_cost == pytest.approx(sum(totals))
    assert r.npv == pytest.approx(totals[0] + totals[1] / 1.035 + totals[2] / 1.035**2)
    assert r.average_annual_cost == pytest.approx(sum(totals) / 3)
    assert r.cost_per_call == pytest.approx(sum(totals) / 30000)
    assert r.cost_per_opening_hour == pytest.approx(sum(totals) / 6000)
    assert list(r.yearly.columns) == list(COST_COLUMNS)


def test_team_leaders_and_seats_round_up():
    parts = yearly_costs(INPUTS, [0.0, 0.5, 10.0, 10.4, 21.0])
    assert list(parts["team_leaders"][:, 0]) == [0, 1, 1, 2, 3]
    r = cost_build_up(INPUTS, adviser_fte=10.4, annual_calls=1, annual_opening_hours=1)
    assert r.seats == 11 + 2


def test_ni_only_above_threshold():
    low_pay = INPUTS.with_changes(adviser_salary=4000, team_leader_salary=4000)
    y1 = cost_build_up(low_pay, 3.0, 1, 1).yearly.iloc[0]
    assert y1["employer_ni"] == 0


def test_evaluate_scenario_joins_demand_and_cost():
    r = evaluate_scenario(ScenarioInputs())
    s = r.summary
    assert s["whole_life_cost"] == pytest.approx(r.cost.yearly["total"].sum())
    assert s["total_fte"] == pytest.approx(s["adviser_fte"] + s["team_leaders"])
    assert s["cost_per_call"] == pytest.approx(s["whole_life_cost"] / (s["annual_calls"] * 3))
    assert s["npv"] < s["whole_life_cost"]
    # a dict works too, and longer opening hours cost more
    longer = evaluate_scenario({"opening_hours": [[8, 20]] * 5 + [[9, 13]] + [[0, 0]]})
    assert longer.summary["average_annual_cost"] > s["average_annual_cost"]
