"""The inputs of one phone-line cost scenario: a flat, immutable, JSON-friendly record."""
from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

from review.costing.defaults import DEFAULTS
from review.costing.erlang import CostingInputError

__all__ = ["ScenarioInputs", "validate_inputs", "SEQUENCE_FIELDS"]

SEQUENCE_FIELDS = {"monthly_profile": 12, "monthly_calls": 12, "day_weights": 7, "hour_weights": 24}


def _d(name: str) -> Any:
    return DEFAULTS[name].value


@dataclass(frozen=True)
class ScenarioInputs:
    """All the numbers behind one scenario. Units as in ``review.costing.defaults.DEFAULTS``.

    Fractions (shrinkage, rates, service level) are stored as fractions (0.3), not percentages.
    """

    # Demand
    annual_calls: float = _d("annual_calls")
    monthly_profile: tuple[float, ...] = _d("monthly_profile")
    monthly_calls: tuple[float, ...] | None = _d("monthly_calls")
    # Opening hours and call pattern
    opening_hours: tuple[tuple[float, float], ...] = _d("opening_hours")
    day_weights: tuple[float, ...] = _d("day_weights")
    hour_weights: tuple[float, ...] = _d("hour_weights")
    interval_minutes: int = _d("interval_minutes")
    closed_days_per_year: int = _d("closed_days_per_year")
    # Handling and service level
    talk_seconds: float = _d("talk_seconds")
    after_call_work_seconds: float = _d("after_call_work_seconds")
    target_service_level: float = _d("target_service_level")
    target_answer_seconds: float = _d("target_answer_seconds")
    max_occupancy: float = _d("max_occupancy")
    # Staffing
    shrinkage: float = _d("shrinkage")
    min_staff_on_duty: int = _d("min_staff_on_duty")
    contracted_hours_per_week: float = _d("contracted_hours_per_week")
    staffing_basis: str = _d("staffing_basis")
    span_of_control: float = _d("span_of_control")
    # Pay and on-costs
    adviser_salary: float = _d("adviser_salary")
    team_leader_salary: float = _d("team_leader_salary")
    employer_ni_rate: float = _d("employer_ni_rate")
    ni_threshold: float = _d("ni_threshold")
    pension_rate: float = _d("pension_rate")
    pay_inflation: float = _d("pay_inflation")
    # Licences, set-up and overheads
    telephony_licence_per_seat: float = _d("telephony_licence_per_seat")
    crm_licence_per_seat: float = _d("crm_licence_per_seat")
    recruitment_cost_per_hire: float = _d("recruitment_cost_per_hire")
    training_cost_per_hire: float = _d("training_cost_per_hire")
    setup_cost: float = _d("setup_cost")
    staff_turnover: float = _d("staff_turnover")
    overhead_rate: float = _d("overhead_rate")
    other_annual_costs: float = _d("other_annual_costs")
    non_pay_inflation: float = _d("non_pay_inflation")
    # Contract and appraisal
    contract_years: int = _d("contract_years")
    discount_rate: float = _d("discount_rate")

    # ------------------------------------------------------------------ conversion

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (tuples become lists)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, tuple):
                v = [list(x) if isinstance(x, tuple) else x for x in v]
            out[f.name] = v
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ScenarioInputs:
        """Build from a (possibly partial, possibly older) dict; unknown keys are ignored,
        missing keys take their defaults. Raises CostingInputError if anything is invalid."""
        data = dict(data or {})
        names = {f.name for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for name, raw in data.items():
            if name not in names:
                continue
            try:
                kwargs[name] = _coerce(name, raw)
            except (TypeError, ValueError) as exc:
                errors[name] = str(exc) or f"{DEFAULTS[name].label}: not a valid value."
        if errors:
            raise CostingInputError(errors)
        inputs = cls(**kwargs)
        inputs.validate()
        return inputs

    def with_changes(self, **changes: Any) -> ScenarioInputs:
        """A copy of the inputs with some values changed (coerced to each field's type)."""
        return replace(self, **{k: _coerce(k, v) for k, v in changes.items()})

    def validate(self) -> None:
        """Raise ValidationFailed (field -> message) when any input is out of range."""
        problems = validate_inputs(self)
        if problems:
            raise CostingInputError(problems)

    # ------------------------------------------------------------------ derived

    @property
    def handling_seconds(self) -> float:
        """Average handling time used by Erlang C: talk and hold plus after-call work."""
        return float(self.talk_seconds) + float(self.after_call_work_seconds)


def _number(name: str, raw: Any) -> float:
    if isinstance(raw, bool) or raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError(f"{DEFAULTS[name].label}: enter a number.")
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError(f"{DEFAULTS[name].label}: enter a finite number.")
    return value


def _coerce(name: str, raw: Any) -> Any:
    """Turn UI/JSON values into the stored types."""
    if name not in DEFAULTS:
        raise ValueError(f"Unknown input {name!r}")
    spec = DEFAULTS[name]
    if name == "staffing_basis":
        text = str(raw).strip().lower()
        if text not in {"peak", "average"}:
            raise ValueError("Staff to: choose 'peak' or 'average'.")
        return text
    if name == "opening_hours":
        pairs = tuple(tuple(_number(name, x) for x in pair) for pair in raw)
        if len(pairs) != 7 or any(len(p) != 2 for p in pairs):
            raise ValueError("Opening hours: give an (open, close) pair for each of the seven days.")
        return pairs
    if name in SEQUENCE_FIELDS:
        if raw is None:
            if name == "monthly_calls":
                return None
            raise ValueError(f"{spec.label}: enter {SEQUENCE_FIELDS[name]} numbers.")
        values = tuple(_number(name, x) for x in raw)
        if len(values) != SEQUENCE_FIELDS[name]:
            raise ValueError(f"{spec.label}: enter {SEQUENCE_FIELDS[name]} numbers.")
        return values
    value = _number(name, raw)
    if spec.integer:
        if value != int(value):
            raise ValueError(f"{spec.label}: enter a whole number.")
        return int(value)
    return value


def _fmt(spec, x: float | None) -> str:
    if x is None:
        return "any"
    if spec.percent:
        return f"{x * 100:g}%"
    return f"{x:,g}"


def validate_inputs(inputs: ScenarioInputs) -> dict[str, str]:
    """Field -> message for every invalid input (empty dict when all are valid)."""
    errors: dict[str, str] = {}
    for f in fields(inputs):
        spec = DEFAULTS[f.name]
        value = getattr(inputs, f.name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not math.isfinite(value):
                errors[f.name] = f"{spec.label}: enter a finite number."
                continue
            lo, hi = spec.minimum, spec.maximum
            if lo is not None and value < lo or hi is not None and value > hi:
                rng = f"between {_fmt(spec, lo)} and {_fmt(spec, hi)}"
                errors[f.name] = f"{spec.label} must be {rng}" + (f" {spec.unit}." if not spec.percent else ".")
    if inputs.interval_minutes not in (15, 30, 60):
        errors["interval_minutes"] = "Staffing interval must be 15, 30 or 60 minutes."
    if not 0 <= inputs.shrinkage < 1:
        errors.setdefault("shrinkage", "Shrinkage must be at least 0% and below 100%.")
    if inputs.max_occupancy <= 0:
        errors.setdefault("max_occupancy", "Maximum occupancy must be more than 0%.")
    for name in ("monthly_profile", "day_weights", "hour_weights"):
        seq = getattr(inputs, name)
        if len(seq) != SEQUENCE_FIELDS[name] or any(not math.isfinite(x) or x < 0 for x in seq):
            errors[name] = f"{DEFAULTS[name].label}: {SEQUENCE_FIELDS[name]} weights, none negative."
        elif sum(seq) <= 0:
            errors[name] = f"{DEFAULTS[name].label}: at least one weight must be above 0."
    if inputs.monthly_calls is not None:
        mc = inputs.monthly_calls
        if len(mc) != 12 or any(not math.isfinite(x) or x < 0 for x in mc):
            errors["monthly_calls"] = "Calls by month: 12 numbers, none negative."
    step = inputs.interval_minutes / 60.0 if inputs.interval_minutes in (15, 30, 60) else None
    oh_errors = []
    if len(inputs.opening_hours) != 7 or any(len(p) != 2 for p in inputs.opening_hours):
        errors["opening_hours"] = "Opening hours: give an (open, close) pair for each of the seven days."
        return errors
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    for day, (open_h, close_h) in zip(days, inputs.opening_hours, strict=True):
        if not (0 <= open_h <= 24 and 0 <= close_h <= 24):
            oh_errors.append(f"{day}: hours must be between 0 and 24")
        elif close_h < open_h:
            oh_errors.append(f"{day}: closing time is before opening time")
        elif step and (abs(open_h / step - round(open_h / step)) > 1e-9
                       or abs(close_h / step - round(close_h / step)) > 1e-9):
            oh_errors.append(f"{day}: open and close on the {inputs.interval_minutes}-minute interval")
    if oh_errors:
        errors["opening_hours"] = "Opening hours: " + "; ".join(oh_errors) + "."
    elif all(c <= o for o, c in inputs.opening_hours):
        errors["opening_hours"] = "Opening hours: the line must be open on at least one day."
    elif "day_weights" not in errors and "hour_weights" not in errors and step:
        # calls must be able to land somewhere the line is open
        if _open_weight(inputs) <= 0:
            errors["hour_weights"] = "Calls by hour/day: no call weight falls inside the opening hours."
    return errors


def _open_weight(inputs: ScenarioInputs) -> float:
    total = 0.0
    for d, (o, c) in enumerate(inputs.opening_hours):
        h = o
        while h < c - 1e-9:
            total += inputs.day_weights[d] * inputs.hour_weights[min(int(h), 23)]
            h += 0.25
    return total
