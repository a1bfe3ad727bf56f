"""One call to cost a scenario, and a side-by-side comparison of several."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from review.costing.cost import CostResult, cost_build_up
from review.costing.defaults import REFERENCE_COST_PER_CALL
from review.costing.demand import DemandResult, compute_demand
from review.costing.inputs import ScenarioInputs

__all__ = ["ScenarioResult", "evaluate_scenario", "compare_scenarios", "SUMMARY_LABELS"]

#: Summary measures, in display order, with labels and units.
SUMMARY_LABELS = {
    "annual_calls": "Calls a year",
    "weekly_open_hours": "Opening hours a week",
    "max_on_duty": "Most advisers on duty at once",
    "adviser_fte": "Adviser FTE",
    "team_leaders": "Team leader FTE",
    "total_fte": "Total FTE",
    "service_level": "Service level achieved (share of calls answered in target time)",
    "first_year_cost": "Year 1 cost (GBP)",
    "running_cost_year_1": "Year 1 running cost, without set-up (GBP)",
    "average_annual_cost": "Average annual cost (GBP)",
    "whole_life_cost": "Whole-life cost (GBP)",
    "npv": "Net present value of cost at the discount rate (GBP)",
    "cost_per_call": "Cost per call (GBP)",
    "cost_per_opening_hour": "Cost per opening hour (GBP)",
    "contract_years": "Contract length (years)",
}


@dataclass(frozen=True)
class ScenarioResult:
    inputs: ScenarioInputs
    demand: DemandResult
    cost: CostResult

    @property
    def summary(self) -> dict[str, Any]:
        d, c = self.demand, self.cost
        return {
            "annual_calls": d.annual_calls,
            "weekly_open_hours": d.weekly_open_hours,
            "max_on_duty": d.max_on_duty,
            "adviser_fte": d.adviser_fte,
            "team_leaders": c.team_leaders,
            "total_fte": d.adviser_fte + c.team_leaders,
            "service_level": d.service_level,
            "first_year_cost": c.first_year_cost,
            "running_cost_year_1": c.running_cost_year_1,
            "average_annual_cost": c.average_annual_cost,
            "whole_life_cost": c.whole_life_cost,
            "npv": c.npv,
            "cost_per_call": c.cost_per_call,
            "cost_per_opening_hour": c.cost_per_opening_hour,
            "contract_years": int(self.inputs.contract_years),
        }

    @property
    def cost_per_call_vs_reference(self) -> float:
        """Cost per call as a multiple of the UK average (ContactBabel 2024, GBP 5.58)."""
        return self.cost.cost_per_call / REFERENCE_COST_PER_CALL


def evaluate_scenario(inputs: ScenarioInputs | dict) -> ScenarioResult:
    """Demand, staffing and cost for one scenario. Raises CostingInputError on invalid input."""
    if not isinstance(inputs, ScenarioInputs):
        inputs = ScenarioInputs.from_dict(inputs)
    demand = compute_demand(inputs)
    cost = cost_build_up(inputs, demand.adviser_fte, demand.annual_calls, demand.annual_opening_hours)
    return ScenarioResult(inputs, demand, cost)


def compare_scenarios(named: Iterable[tuple[str, ScenarioInputs | ScenarioResult]]) -> pd.DataFrame:
    """One row a scenario, one column a summary measure (``SUMMARY_LABELS`` keys)."""
    rows = []
    for name, item in named:
        result = item if isinstance(item, ScenarioResult) else evaluate_scenario(item)
        rows.append({"scenario": name, **result.summary})
    return pd.DataFrame(rows, columns=["scenario", *SUMMARY_LABELS])
