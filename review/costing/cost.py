"""Cost build-up over the contract years, from advisers' FTE to whole-life cost and NPV.

Per year y = 1 .. contract_years (i = y - 1):

* team leaders = ceil(adviser FTE / span of control) whole posts (none if there are no advisers);
* pay = FTE x salary x (1 + pay inflation)^i, for advisers and team leaders;
* employer NI = FTE x NI rate x max(0, salary_y - NI threshold) (the threshold is per employee;
  treating each FTE as one employee slightly overstates NI for part-timers);
* employer pension = pension rate x pay;
* seats (licences, starters) = ceil(adviser FTE) + team leaders;
* licences = seats x (telephony + CRM per seat) x (1 + non-pay inflation)^i;
* one-off set-up in year 1: set-up cost + seats x (recruitment + training per starter);
  later years: turnover x seats x (recruitment + training), with non-pay inflation;
* overheads = overhead rate x staff costs + other running costs (non-pay inflation);
* discounting follows the Green Book convention: the first contract year is year 0 (factor 1),
  year y is discounted by (1 + r)^-(y - 1).

Cost per call = whole-life cost / (calls a year x years); cost per opening hour likewise.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from review.costing.erlang import safe_ceil
from review.costing.inputs import ScenarioInputs

__all__ = ["CostResult", "COST_COLUMNS", "cost_build_up", "yearly_costs"]

#: Columns of the year-by-year table, in order, with labels.
COST_COLUMNS = {
    "year": "Year",
    "adviser_fte": "Adviser FTE",
    "team_leaders": "Team leader FTE",
    "adviser_pay": "Adviser pay (GBP)",
    "team_leader_pay": "Team leader pay (GBP)",
    "employer_ni": "Employer NI (GBP)",
    "employer_pension": "Employer pension (GBP)",
    "staff_costs": "Staff costs (GBP)",
    "licences": "Telephony and CRM licences (GBP)",
    "setup_and_recruitment": "Set-up, recruitment and training (GBP)",
    "overheads": "Overheads and other running costs (GBP)",
    "total": "Total cost (GBP)",
    "discount_factor": "Discount factor",
    "present_value": "Present value (GBP)",
}


def yearly_costs(inputs: ScenarioInputs, adviser_fte) -> dict[str, np.ndarray]:
    """Cost components for each FTE value (P,) and year: arrays of shape (P, years)."""
    fte = np.atleast_1d(np.asarray(adviser_fte, dtype=float))
    years = int(inputs.contract_years)
    i = np.arange(years, dtype=float)[None, :]
    pay_f = (1.0 + inputs.pay_inflation) ** i
    np_f = (1.0 + inputs.non_pay_inflation) ** i
    f = fte[:, None]
    leaders = np.where(f > 0, safe_ceil(f / float(inputs.span_of_control)), 0).astype(float)
    seats = np.where(f > 0, safe_ceil(f), 0) + leaders

    adv_salary = inputs.adviser_salary * pay_f
    tl_salary = inputs.team_leader_salary * pay_f
    adviser_pay = f * adv_salary
    leader_pay = leaders * tl_salary
    ni = inputs.employer_ni_rate * (
        f * np.maximum(adv_salary - inputs.ni_threshold, 0.0)
        + leaders * np.maximum(tl_salary - inputs.ni_threshold, 0.0)
    )
    pension = inputs.pension_rate * (adviser_pay + leader_pay)
    staff = adviser_pay + leader_pay + ni + pension
    licences = seats * (inputs.telephony_licence_per_seat + inputs.crm_licence_per_seat) * np_f
    per_starter = inputs.recruitment_cost_per_hire + inputs.training_cost_per_hire
    starters = np.where(i == 0, seats, inputs.staff_turnover * seats)
    setup = starters * per_starter * np_f + np.where(i == 0, inputs.setup_cost, 0.0)
    overheads = inputs.overhead_rate * staff + inputs.other_annual_costs * np_f
    total = staff + licences + setup + overheads
    discount = (1.0 + inputs.discount_rate) ** -i
    shape = total.shape
    return {
        "adviser_fte": np.broadcast_to(f, shape),
        "team_leaders": np.broadcast_to(leaders, shape),
        "adviser_pay": adviser_pay,
        "team_leader_pay": leader_pay,
        "employer_ni": ni,
        "employer_pension": pension,
        "staff_costs": staff,
        "licences": licences,
        "setup_and_recruitment": setup,
        "overheads": overheads,
        "total": total,
        "discount_factor": np.broadcast_to(discount, shape),
        "present_value": total * discount,
    }


@dataclass(frozen=True)
class CostResult:
    yearly: pd.DataFrame  # one row a contract year, columns COST_COLUMNS
    whole_life_cost: float
    npv: float
    average_annual_cost: float
    first_year_cost: float
    running_cost_year_1: float  # year 1 without one-off set-up, recruitment and training
    cost_per_call: float
    cost_per_opening_hour: float
    team_leaders: int
    seats: int


def cost_build_up(inputs: ScenarioInputs, adviser_fte: float, annual_calls: float,
                  annual_opening_hours: float) -> CostResult:
    """Year-by-year cost for one scenario, given the advisers' FTE from the demand model."""
    parts = yearly_costs(inputs, adviser_fte)
    years = int(inputs.contract_years)
    columns = {name: parts[name][0] for name in list(COST_COLUMNS)[1:]}
    columns["team_leaders"] = columns["team_leaders"].astype(int)
    table = pd.DataFrame({"year": np.arange(1, years + 1), **columns})  # made whole: a column at a time costs more
    whole = float(table["total"].sum())
    calls = float(annual_calls) * years
    hours = float(annual_opening_hours) * years
    leaders = int(table["team_leaders"].iloc[0])
    seats = (int(safe_ceil(adviser_fte)) if adviser_fte > 0 else 0) + leaders
    return CostResult(
        yearly=table,
        whole_life_cost=whole,
        npv=float(table["present_value"].sum()),
        average_annual_cost=whole / years,
        first_year_cost=float(table["total"].iloc[0]),
        running_cost_year_1=float(table["total"].iloc[0] - table["setup_and_recruitment"].iloc[0]),
        cost_per_call=whole / calls if calls > 0 else float("nan"),
        cost_per_opening_hour=whole / hours if hours > 0 else float("nan"),
        team_leaders=leaders,
        seats=seats,
    )
