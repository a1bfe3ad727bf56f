"""Scenario inputs: defaults with sources, validation messages, JSON round trip."""
from __future__ import annotations

import json

import pytest

from review.costing import DEFAULTS, CostingInputError, ScenarioInputs, source_of, validate_inputs


def test_every_input_has_a_default_with_a_source():
    for name in ScenarioInputs.__dataclass_fields__:
        spec = DEFAULTS[name]
        assert spec.source and spec.label and spec.group
    assert "Green Book" in source_of("discount_rate") and DEFAULTS["discount_rate"].value == 0.035
    assert DEFAULTS["employer_ni_rate"].value == 0.15 and DEFAULTS["ni_threshold"].value == 5000
    assert DEFAULTS["pension_rate"].value == 0.19
    assert DEFAULTS["adviser_salary"].illustrative and "illustrative" in source_of("adviser_salary").lower()
    assert source_of("max_occupancy").endswith("(illustrative)") is False
    assert source_of("min_staff_on_duty").lower().startswith("illustrative")
    assert not DEFAULTS["employer_ni_rate"].illustrative


def test_defaults_are_valid_and_round_trip_through_json():
    inputs = ScenarioInputs()
    assert validate_inputs(inputs) == {}
    data = json.loads(json.dumps(inputs.to_dict()))
    assert ScenarioInputs.from_dict(data) == inputs


def test_from_dict_ignores_unknown_and_fills_missing():
    inputs = ScenarioInputs.from_dict({"annual_calls": "20000", "retired_field": 1})
    assert inputs.annual_calls == 20000.0 and inputs.shrinkage == DEFAULTS["shrinkage"].value


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"annual_calls": -5}, "annual_calls"),
        ({"shrinkage": 1.0}, "shrinkage"),
        ({"interval_minutes": 45}, "interval_minutes"),
        ({"target_service_level": 1.0}, "target_service_level"),
        ({"opening_hours": [[17, 9]] + [[0, 0]] * 6}, "opening_hours"),
        ({"opening_hours": [[9.25, 17]] + [[0, 0]] * 6}, "opening_hours"),
        ({"opening_hours": [[0, 0]] * 7}, "opening_hours"),
        ({"day_weights": [0] * 7}, "day_weights"),
        ({"hour_weights": [-1] + [1] * 23}, "hour_weights"),
        ({"monthly_profile": [1] * 11}, "monthly_profile"),
        ({"contract_years": 2.5}, "contract_years"),
        ({"staffing_basis": "median"}, "staffing_basis"),
        ({"adviser_salary": ""}, "adviser_salary"),
        ({"pension_rate": 0.9}, "pension_rate"),
    ],
)
def test_invalid_inputs_are_named(changes, field):
    with pytest.raises(CostingInputError) as err:
        ScenarioInputs.from_dict(changes)
    assert field in err.value.errors
    assert err.value.errors[field]


def test_no_calls_inside_opening_hours():
    with pytest.raises(CostingInputError) as err:
        ScenarioInputs.from_dict({"hour_weights": [1] * 9 + [0] * 8 + [1] * 7})
    assert "hour_weights" in err.value.errors


def test_handling_seconds():
    assert ScenarioInputs(talk_seconds=600, after_call_work_seconds=120).handling_seconds == 720
