"""Default inputs for a phone-line cost scenario, each with its unit, valid range and source.

Every default is editable. ``illustrative=True`` marks a figure chosen to make the model run
sensibly, not taken from a published source: replace it with the council's own figure before
relying on the result. The UI shows ``source`` next to each field.

``low``/``high`` (with ``swing``: "relative" multiplies the scenario's value, "absolute" adds to
it) give the range used by the sensitivity (tornado) analysis.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "Default",
    "DEFAULTS",
    "GROUPS",
    "MONTHS",
    "WEEKDAYS",
    "TERM_WEEKS_BY_MONTH",
    "DAYS_IN_MONTH",
    "REFERENCE_COST_PER_CALL",
    "REFERENCE_COST_PER_CALL_SOURCE",
    "SENSITIVITY_DRIVERS",
    "school_term_profile",
    "default_value",
    "source_of",
]

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

#: Typical English school year: about 38.6 term weeks (195 days), with holidays at Christmas,
#: February half-term, Easter, May half-term, summer and October half-term. Illustrative: the
#: exact dates move every year and differ between councils.
TERM_WEEKS_BY_MONTH = (4.0, 3.0, 4.0, 2.4, 3.4, 4.2, 3.2, 0.0, 4.0, 3.4, 4.2, 2.8)

#: UK average fully loaded cost per inbound call, for comparison with a scenario's cost per call.
REFERENCE_COST_PER_CALL = 5.58
REFERENCE_COST_PER_CALL_SOURCE = (
    "ContactBabel 2024 (UK contact centre decision-makers' guide): GBP 5.58 per inbound call"
)

GROUPS = (
    "Demand",
    "Opening hours and call pattern",
    "Handling and service level",
    "Staffing",
    "Pay and on-costs",
    "Licences, set-up and overheads",
    "Contract and appraisal",
)


@dataclass(frozen=True)
class Default:
    """One input: its default value, how to show it and where the figure comes from."""

    name: str
    label: str
    value: Any
    unit: str
    group: str
    source: str
    illustrative: bool
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    percent: bool = False  # stored as a fraction, shown as a percentage
    help: str = ""
    low: float | None = None  # sensitivity range
    high: float | None = None
    swing: str = "relative"  # "relative" (x value) or "absolute" (+ value)

    @property
    def source_label(self) -> str:
        return f"{self.source} (illustrative)" if self.illustrative and "illustrative" not in self.source.lower() \
            else self.source


def school_term_profile(term_weeks_by_month=TERM_WEEKS_BY_MONTH, holiday_factor: float = 0.6) -> tuple[float, ...]:
    """Monthly shares of annual calls from term weeks and a holiday-week demand factor.

    A month's weight is ``term weeks + holiday_factor x holiday weeks`` (a non-leap year), so a
    holiday week gets ``holiday_factor`` times the calls of a term week. Shares sum to 1.
    """
    if len(term_weeks_by_month) != 12:
        raise ValueError("term_weeks_by_month needs 12 values")
    if holiday_factor < 0:
        raise ValueError("holiday_factor cannot be negative")
    weights = []
    for term, days in zip(term_weeks_by_month, DAYS_IN_MONTH, strict=True):
        weeks = days / 7.0
        term = min(max(float(term), 0.0), weeks)
        weights.append(term + holiday_factor * (weeks - term))
    total = sum(weights)
    if total <= 0:
        raise ValueError("the monthly profile has no weight")
    return tuple(round(w / total, 6) for w in weights)


_D = Default
_ILL = "Illustrative"

_LIST: list[Default] = [
    # Demand
    _D("annual_calls", "Calls a year", 15000, "calls/year", "Demand",
       "Illustrative: a county SEND advice line; use the council's own contact data (Customer Service "
       "Centre, SENDIASS and KIDS hubs call logs)", True, 0, 5_000_000, help="Offered calls in a year.",
       low=0.75, high=1.25),
    _D("monthly_profile", "Monthly profile (share of annual calls)", school_term_profile(), "share", "Demand",
       "Illustrative: typical English school year (about 39 term weeks); a holiday week gets 0.6 x the calls of "
       "a term week", True, help="Twelve relative weights, January to December; they are scaled to sum to 1."),
    _D("monthly_calls", "Calls by month (optional)", None, "calls/month", "Demand",
       "Optional: when given, replaces calls a year x monthly profile", False),
    # Opening hours and call pattern
    _D("opening_hours", "Opening hours (open, close) by day", ((9.0, 17.0),) * 5 + ((0.0, 0.0),) * 2, "hour of day",
       "Opening hours and call pattern",
       "Illustrative: office hours, Monday to Friday 09:00-17:00", True,
       help="Seven (open, close) pairs, Monday to Sunday, in hours (17.5 = 17:30); open = close means closed."),
    _D("day_weights", "Calls by day of week (relative)", (1.25, 1.1, 1.0, 1.0, 0.85, 0.5, 0.4), "weight",
       "Opening hours and call pattern", "Illustrative: Mondays busiest, weekends quiet", True),
    _D("hour_weights", "Calls by hour of day (relative)",
       (0.1,) * 7 + (0.4, 0.7, 1.2, 1.3, 1.2, 0.9, 1.0, 1.1, 1.0, 0.8, 0.6, 0.6, 0.5, 0.3) + (0.1,) * 3, "weight",
       "Opening hours and call pattern", "Illustrative: morning peak, dip at lunch, quiet evenings", True,
       help="Twenty-four weights, for the hours starting 00:00 to 23:00."),
    _D("interval_minutes", "Staffing interval", 30, "minutes", "Opening hours and call pattern",
       "Common workforce-planning interval (15, 30 or 60 minutes)", False, 15, 60, integer=True),
    _D("closed_days_per_year", "Closed days a year (bank holidays)", 8, "days/year",
       "Opening hours and call pattern", "England has 8 bank holidays in a usual year (GOV.UK)", False, 0, 60,
       integer=True),
    # Handling and service level
    _D("talk_seconds", "Talk and hold time per call", 720, "seconds", "Handling and service level",
       "Advice lines: average handling time of 10-20 minutes (project brief reference figures)", False, 1, 7200,
       low=0.8, high=1.25),
    _D("after_call_work_seconds", "After-call work per call", 180, "seconds", "Handling and service level",
       "Illustrative: 3 minutes to record the contact and send follow-up information", True, 0, 7200,
       low=0.5, high=1.5),
    _D("target_service_level", "Target service level", 0.8, "fraction of calls", "Handling and service level",
       "Common contact-centre convention: 80% of calls answered within 20 seconds", False, 0.0, 0.999,
       percent=True, low=-0.1, high=0.1, swing="absolute"),
    _D("target_answer_seconds", "Target answer time", 20, "seconds", "Handling and service level",
       "Common contact-centre convention: 80% of calls answered within 20 seconds", False, 0, 3600,
       low=0.5, high=3.0),
    _D("max_occupancy", "Maximum occupancy", 0.85, "fraction of time", "Handling and service level",
       "Common planning cap; the published Erlang C example in the brief uses 85%", False, 0.05, 1.0,
       percent=True),
    # Staffing
    _D("shrinkage", "Shrinkage", 0.30, "fraction of paid time", "Staffing",
       "Contact centres plan for 30-35% shrinkage: leave, sickness, training, breaks (project brief reference "
       "figures)", False, 0.0, 0.95, percent=True, low=-0.05, high=0.05, swing="absolute"),
    _D("min_staff_on_duty", "Minimum advisers on duty while open", 2, "advisers", "Staffing",
       "Illustrative: two on the phones so that nobody lone-works and one can cover a long call", True, 0, 500,
       integer=True, low=-1, high=1, swing="absolute"),
    _D("contracted_hours_per_week", "Contracted hours a week (full time)", 37.0, "hours/week", "Staffing",
       "NJC for Local Government Services (Green Book): standard working week of 37 hours", False, 1, 60),
    _D("staffing_basis", "Staff to", "peak", "", "Staffing",
       "Illustrative: staff for the busiest month (permanent posts cannot follow the school year)", True,
       help="'peak': the busiest month's FTE all year; 'average': the weighted average over the year."),
    _D("span_of_control", "Advisers per team leader", 10.0, "advisers", "Staffing",
       "Illustrative: contact-centre spans of 1:8 to 1:15", True, 1, 100, low=-2, high=2, swing="absolute"),
    # Pay and on-costs
    _D("adviser_salary", "Adviser salary (full time)", 28000.0, "GBP/year", "Pay and on-costs",
       "Illustrative: replace with the council's grade for the post (NJC pay spine)", True, 0, 500_000,
       low=0.9, high=1.1),
    _D("team_leader_salary", "Team leader salary (full time)", 36000.0, "GBP/year", "Pay and on-costs",
       "Illustrative: replace with the council's grade for the post (NJC pay spine)", True, 0, 500_000,
       low=0.9, high=1.1),
    _D("employer_ni_rate", "Employer National Insurance", 0.15, "of pay above threshold", "Pay and on-costs",
       "HMRC: employer Class 1 NI 15% above the GBP 5,000 secondary threshold from 6 April 2025", False, 0, 0.5,
       percent=True),
    _D("ni_threshold", "Employer NI secondary threshold", 5000.0, "GBP/year per employee", "Pay and on-costs",
       "HMRC: secondary threshold GBP 5,000 a year from 6 April 2025", False, 0, 100_000),
    _D("pension_rate", "Employer pension (LGPS)", 0.19, "of pay", "Pay and on-costs",
       "LGPS employer contribution around 19% (varies by fund: check the council's actuarial valuation)",
       False, 0, 0.6, percent=True, low=-0.04, high=0.04, swing="absolute"),
    _D("pay_inflation", "Annual pay increase", 0.03, "a year", "Pay and on-costs",
       "Illustrative pay-award assumption from year 2", True, -0.1, 0.3, percent=True, low=-0.015, high=0.015,
       swing="absolute"),
    # Licences, set-up and overheads
    _D("telephony_licence_per_seat", "Telephony licence per seat", 480.0, "GBP/seat/year",
       "Licences, set-up and overheads", "Illustrative: cloud contact-centre telephony, about GBP 40 a seat a month",
       True, 0, 100_000, low=0.75, high=1.5),
    _D("crm_licence_per_seat", "CRM licence per seat", 360.0, "GBP/seat/year", "Licences, set-up and overheads",
       "Illustrative: case-management/CRM user licence, about GBP 30 a seat a month", True, 0, 100_000,
       low=0.75, high=1.5),
    _D("recruitment_cost_per_hire", "Recruitment per new starter", 1500.0, "GBP/hire",
       "Licences, set-up and overheads", "Illustrative: advertising, shortlisting, interviews, vetting (DBS)", True,
       0, 100_000, low=0.5, high=1.5),
    _D("training_cost_per_hire", "Induction training per new starter", 2500.0, "GBP/hire",
       "Licences, set-up and overheads", "Illustrative: SEND law, EHCP process and systems training", True, 0,
       100_000, low=0.5, high=1.5),
    _D("setup_cost", "One-off set-up (IT, telephony, equipment)", 20000.0, "GBP", "Licences, set-up and overheads",
       "Illustrative: number, call routing, IVR, CRM configuration, headsets and laptops", True, 0, 10_000_000,
       low=0.5, high=2.0),
    _D("staff_turnover", "Staff turnover", 0.15, "a year", "Licences, set-up and overheads",
       "Illustrative: share of posts replaced each year after year 1 (recruited and trained again)", True, 0, 1,
       percent=True, low=-0.05, high=0.1, swing="absolute"),
    _D("overhead_rate", "Overheads", 0.12, "of staff costs", "Licences, set-up and overheads",
       "Illustrative: accommodation, management, HR, finance and IT support as a share of staff costs", True,
       0, 2, percent=True, low=-0.05, high=0.08, swing="absolute"),
    _D("other_annual_costs", "Other running costs", 5000.0, "GBP/year", "Licences, set-up and overheads",
       "Illustrative: call charges, publicity, translation and interpreting", True, 0, 10_000_000,
       low=0.5, high=2.0),
    _D("non_pay_inflation", "Annual non-pay inflation", 0.02, "a year", "Licences, set-up and overheads",
       "Bank of England CPI inflation target, 2%", False, -0.1, 0.3, percent=True),
    # Contract and appraisal
    _D("contract_years", "Contract length", 3, "years", "Contract and appraisal",
       "Illustrative: initial term of a new service", True, 1, 25, integer=True),
    _D("discount_rate", "Discount rate", 0.035, "a year (real)", "Contract and appraisal",
       "HM Treasury Green Book: 3.5% real social time preference rate", False, 0, 0.2, percent=True),
]

DEFAULTS: dict[str, Default] = {d.name: d for d in _LIST}

#: Drivers moved to their low and high values in the tornado chart, in the order shown.
SENSITIVITY_DRIVERS: tuple[str, ...] = tuple(d.name for d in _LIST if d.low is not None)


def default_value(name: str) -> Any:
    """The published default of one costing input."""
    return DEFAULTS[name].value


def source_of(name: str) -> str:
    """The source text to show next to a field."""
    return DEFAULTS[name].source_label
