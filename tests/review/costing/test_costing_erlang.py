"""Erlang B/C engine: the published example, edge cases and the vectorised API."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from review.costing import (
    RESULT_COLUMNS,
    CostingInputError,
    StaffingResult,
    erlang_b,
    erlang_c_metrics,
    erlang_c_staffing,
    erlang_c_staffing_many,
    scheduled_staff,
)


def exact_erlang_b(load: Fraction, n: int) -> Fraction:
    b = Fraction(1)
    for k in range(1, n + 1):
        b = load * b / (k + load * b)
    return b


def test_published_example():
    """BRIEF.md: 100 calls in 30 min, AHT 180 s, 80% in 20 s, max occupancy 85%, shrinkage 30%."""
    r = erlang_c_staffing(100, 30, 180, 0.8, 20, shrinkage=0.3, max_occupancy=0.85)
    assert r.agents == 14
    assert r.agents_with_shrinkage == 20
    assert round(r.probability_of_waiting, 4) == 0.1741
    assert round(r.service_level, 3) == 0.888
    assert round(r.asa_seconds, 1) == 7.8
    assert round(r.occupancy, 3) == 0.714


def test_published_example_13_agents_is_not_enough():
    m = erlang_c_metrics(10.0, 13, 180, 20)
    assert m["service_level"][0] < 0.8


def test_result_attributes_are_plain_python_numbers():
    r = erlang_c_staffing(100, 30, 180, 0.8, 20, 0.3, 0.85)
    assert isinstance(r, StaffingResult)
    assert type(r.agents) is int and type(r.agents_with_shrinkage) is int
    for name in ("service_level", "occupancy", "probability_of_waiting", "asa_seconds"):
        assert type(getattr(r, name)) is float
    assert set(r.as_dict()) == set(RESULT_COLUMNS)


def test_shrinkage_step_is_exact():
    # 21 / 0.7 is 30 exactly; floating point gives 30.000000000000004 and a naive ceil 31
    assert 21 / (1 - 0.3) > 30
    assert int(scheduled_staff(21, 0.3)) == 30
    assert int(scheduled_staff(9, 0.1)) == 10
    assert int(scheduled_staff(7, 0.3)) == 10
    assert int(scheduled_staff(22, 0.3)) == 32
    assert int(scheduled_staff(0, 0.5)) == 0
    assert int(scheduled_staff(5, 0.0)) == 5


def test_occupancy_cap_is_exact():
    # 2.8 Erlangs at 70% maximum occupancy needs exactly 4 agents (2.8 / 0.7 = 4.000000000000001 in floats)
    r = erlang_c_staffing(12, 30, 420, 0.5, 20, 0.0, 0.7)
    assert r.agents == 4
    assert r.occupancy == pytest.approx(0.7)
    # 8.5 Erlangs at 85% -> 10
    assert erlang_c_staffing(102, 60, 300, 0.5, 20, 0, 0.85).agents == 10


def test_occupancy_cap_raises_agents():
    no_cap = erlang_c_staffing(100, 30, 180, 0.5, 20)
    capped = erlang_c_staffing(100, 30, 180, 0.5, 20, max_occupancy=0.7)
    assert capped.agents == 15 > no_cap.agents  # ceil(10 / 0.7) = 15
    assert capped.occupancy <= 0.7


def test_load_below_one():
    # 1 call in an hour, 5 minutes each: one agent, Pw = A for M/M/1
    r = erlang_c_staffing(1, 60, 300, 0.8, 20)
    a = 300 / 3600
    assert r.agents == 1
    assert r.probability_of_waiting == pytest.approx(a)
    assert r.service_level == pytest.approx(1 - a * np.exp(-(1 - a) * 20 / 300))
    assert r.asa_seconds == pytest.approx(a * 300 / (1 - a))


def test_zero_calls_need_no_agents():
    r = erlang_c_staffing(0, 30, 180, 0.8, 20, 0.3, 0.85)
    assert (r.agents, r.agents_with_shrinkage) == (0, 0)
    assert r.service_level == 1.0 and r.probability_of_waiting == 0.0 and r.asa_seconds == 0.0


@pytest.mark.parametrize("load", [0.3, 1.0, 7.5, 150.0, 800.0, 2000.0])
def test_erlang_b_recursion_matches_exact_fractions(load):
    n = int(load * 1.2) + 3
    exact = exact_erlang_b(Fraction(load), n) if n <= 400 else None
    got = erlang_b(load, n)[0]
    assert 0 < got < 1
    if exact is not None:
        assert got == pytest.approx(float(exact), rel=1e-12)


def test_large_loads_are_stable():
    # 2,000 Erlangs: 12,000 calls in 30 minutes at 300 s
    r = erlang_c_staffing(12000, 30, 300, 0.8, 20)
    assert 2000 < r.agents < 2100
    assert 0.8 <= r.service_level < 1
    below = erlang_c_metrics(2000.0, r.agents - 1, 300, 20)["service_level"][0]
    assert below < 0.8
    assert np.isfinite(r.asa_seconds) and 0 < r.probability_of_waiting < 1


def test_unstable_queue_when_agents_not_above_load():
    m = erlang_c_metrics([10.0, 10.0, 10.0], [5, 10, 11], 180, 20)
    assert list(m["probability_of_waiting"][:2]) == [1.0, 1.0]
    assert list(m["service_level"][:2]) == [0.0, 0.0]
    assert np.isinf(m["asa_seconds"][:2]).all()
    assert list(m["occupancy"][:2]) == [1.0, 1.0]
    assert 0 < m["service_level"][2] < 1


def test_integer_load_needs_more_than_load():
    # A = 10 exactly: N must be > 10 even with a tiny target
    r = erlang_c_staffing(100, 30, 180, 0.01, 20)
    assert r.agents == 11


def test_many_matches_single_and_keeps_index():
    frame = pd.DataFrame(
        {
            "calls": [100, 0, 1, 12000, 36, 12],
            "interval_minutes": [30, 30, 60, 30, 60, 30],
            "aht_seconds": [180, 180, 300, 300, 360, 420],
            "target_service_level": [0.8, 0.8, 0.8, 0.8, 0.5, 0.5],
            "target_answer_seconds": [20, 20, 20, 20, 600, 20],
            "shrinkage": [0.3, 0.3, 0.0, 0.35, 0.1, 0.0],
            "max_occupancy": [0.85, 0.85, 1.0, 0.9, 1.0, 0.7],
        },
        index=list("abcdef"),
    )
    out = erlang_c_staffing_many(frame)
    assert list(out.columns) == list(RESULT_COLUMNS)
    assert list(out.index) == list("abcdef")
    for label, row in frame.iterrows():
        single = erlang_c_staffing(**{k: row[k].item() for k in frame.columns})
        for col in RESULT_COLUMNS:
            assert out.loc[label, col] == pytest.approx(getattr(single, col), rel=1e-12, abs=1e-15)
    assert out.loc["a", "agents"] == 14 and out.loc["a", "agents_with_shrinkage"] == 20


def test_many_optional_columns_default():
    frame = pd.DataFrame({"calls": [100], "interval_minutes": [30], "aht_seconds": [180],
                          "target_service_level": [0.8], "target_answer_seconds": [20]})
    out = erlang_c_staffing_many(frame)
    assert out["agents"].iloc[0] == 14 and out["agents_with_shrinkage"].iloc[0] == 14  # no shrinkage, no cap
    empty = erlang_c_staffing_many(frame.iloc[:0])
    assert empty.empty and list(empty.columns) == list(RESULT_COLUMNS)


def test_many_names_missing_columns_and_bad_rows():
    with pytest.raises(CostingInputError) as err:
        erlang_c_staffing_many(pd.DataFrame({"calls": [1]}))
    assert "aht_seconds" in err.value.errors
    bad = pd.DataFrame({"calls": [10, -1], "interval_minutes": [30, 30], "aht_seconds": [180, 180],
                        "target_service_level": [0.8, 0.8], "target_answer_seconds": [20, 20]},
                       index=["ok", "broken"])
    with pytest.raises(CostingInputError) as err:
        erlang_c_staffing_many(bad)
    assert "broken" in err.value.errors["calls"]


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"calls": -1}, "calls"),
        ({"interval_minutes": 0}, "interval_minutes"),
        ({"aht_seconds": 0}, "aht_seconds"),
        ({"target_service_level": 1.0}, "target_service_level"),
        ({"target_answer_seconds": -5}, "target_answer_seconds"),
        ({"shrinkage": 1.0}, "shrinkage"),
        ({"max_occupancy": 0.0}, "max_occupancy"),
        ({"max_occupancy": 1.2}, "max_occupancy"),
        ({"calls": float("nan")}, "calls"),
        ({"calls": "ten"}, "calls"),
    ],
)
def test_single_validation(kwargs, field):
    args = dict(calls=100, interval_minutes=30, aht_seconds=180, target_service_level=0.8,
                target_answer_seconds=20, shrinkage=0.3, max_occupancy=0.85)
    args.update(kwargs)
    with pytest.raises(CostingInputError) as err:
        erlang_c_staffing(**args)
    assert field in err.value.errors
    assert isinstance(err.value, ValueError)
