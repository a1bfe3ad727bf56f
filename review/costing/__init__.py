"""Phone-line cost scenarios: Erlang C staffing, demand, cost build-up and uncertainty.

Pure Python (numpy/pandas): no database and no Streamlit here.

Public API used by the rest of the app and by outside checks::

    from review.costing import erlang_c_staffing, erlang_c_staffing_many
    r = erlang_c_staffing(100, 30, 180, 0.8, 20, shrinkage=0.3, max_occupancy=0.85)
    r.agents, r.agents_with_shrinkage  # 14, 20

and, for whole scenarios, ``ScenarioInputs`` -> ``evaluate_scenario`` -> ``ScenarioResult``,
``compare_scenarios``, ``sensitivity`` and ``monte_carlo``.
"""
from review.costing.cost import COST_COLUMNS, CostResult, cost_build_up, yearly_costs
from review.costing.defaults import (
    DEFAULTS,
    GROUPS,
    MONTHS,
    REFERENCE_COST_PER_CALL,
    REFERENCE_COST_PER_CALL_SOURCE,
    SENSITIVITY_DRIVERS,
    TERM_WEEKS_BY_MONTH,
    WEEKDAYS,
    Default,
    school_term_profile,
    source_of,
)
from review.costing.demand import DemandResult, compute_demand, monthly_calls, opening_slots, plan_many
from review.costing.erlang import (
    RESULT_COLUMNS,
    STAFFING_COLUMNS,
    CostingInputError,
    StaffingResult,
    erlang_b,
    erlang_c_metrics,
    erlang_c_staffing,
    erlang_c_staffing_many,
    offered_load,
    scheduled_staff,
)
from review.costing.inputs import ScenarioInputs, validate_inputs
from review.costing.scenario import SUMMARY_LABELS, ScenarioResult, compare_scenarios, evaluate_scenario
from review.costing.uncertainty import (
    DEFAULT_HANDLING_RANGE,
    DEFAULT_SEED,
    DEFAULT_VOLUME_RANGE,
    UNCERTAINTY_SOURCE,
    MonteCarloResult,
    driver_range,
    monte_carlo,
    sensitivity,
)

__all__ = [
    "COST_COLUMNS",
    "CostResult",
    "CostingInputError",
    "DEFAULTS",
    "DEFAULT_HANDLING_RANGE",
    "DEFAULT_SEED",
    "DEFAULT_VOLUME_RANGE",
    "Default",
    "DemandResult",
    "GROUPS",
    "MONTHS",
    "MonteCarloResult",
    "REFERENCE_COST_PER_CALL",
    "REFERENCE_COST_PER_CALL_SOURCE",
    "RESULT_COLUMNS",
    "SENSITIVITY_DRIVERS",
    "STAFFING_COLUMNS",
    "SUMMARY_LABELS",
    "ScenarioInputs",
    "ScenarioResult",
    "StaffingResult",
    "TERM_WEEKS_BY_MONTH",
    "UNCERTAINTY_SOURCE",
    "WEEKDAYS",
    "compare_scenarios",
    "compute_demand",
    "cost_build_up",
    "driver_range",
    "erlang_b",
    "erlang_c_metrics",
    "erlang_c_staffing",
    "erlang_c_staffing_many",
    "evaluate_scenario",
    "monte_carlo",
    "monthly_calls",
    "offered_load",
    "opening_slots",
    "plan_many",
    "scheduled_staff",
    "school_term_profile",
    "sensitivity",
    "source_of",
    "validate_inputs",
    "yearly_costs",
]
