"""Demand model: monthly profile, opening intervals, minimum staffing and FTE (hand-computed)."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from review.costing import (
    DEFAULTS,
    TERM_WEEKS_BY_MONTH,
    ScenarioInputs,
    compute_demand,
    monthly_calls,
    opening_slots,
    school_term_profile,
)
from review.costing.demand import WEEKS_IN_MONTH

CLOSED = (0.0, 0.0)


def exact_sl(load: Fraction, n: int, aht: int, answer: int) -> float:
    b = Fraction(1)
    for k in range(1, n + 1):
        b = load * b / (k + load * b)
    pw = n * b / (n - load * (1 - b))
    return 1 - float(pw) * math.exp(-float(n - load) * answer / aht)


def test_school_term_profile():
    profile = school_term_profile()
    assert sum(profile) == pytest.approx(1.0, abs=1e-5)
    aug = profile[7]
    assert aug == min(profile)  # no term weeks in August
    # August is all holiday: 31/7 weeks x 0.6; total weight = term weeks + 0.6 x holiday weeks
    days = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    total = sum(t + 0.6 * (d / 7 - t) for t, d in zip(TERM_WEEKS_BY_MONTH, days, strict=True))
    assert aug == pytest.approx(0.6 * 31 / 7 / total, abs=1e-6)
    flat = school_term_profile(holiday_factor=1.0)
    assert flat[0] == pytest.approx(31 / 365, abs=1e-6)  # no term effect: share = days / 365


def test_monthly_calls_from_annual_and_profile_or_given():
    inputs = ScenarioInputs(annual_calls=1300, monthly_profile=(2,) + (1,) * 11)
    calls = monthly_calls(inputs)
    assert calls[0] == pytest.approx(200) and calls[1] == pytest.approx(100)
    given = ScenarioInputs(monthly_calls=tuple(range(1, 13)))
    assert list(monthly_calls(given)) == list(range(1, 13))
    assert compute_demand(given).annual_calls == 78


def test_opening_slots_follow_hours_and_weights():
    inputs = ScenarioInputs(
        opening_hours=((9.0, 10.5),) + (CLOSED,) * 4 + ((10.0, 11.0),) + (CLOSED,),
        day_weights=(1, 1, 1, 1, 1, 2, 1),
        hour_weights=tuple(1.0 if h != 10 else 3.0 for h in range(24)),
        interval_minutes=30,
    )
    slots = opening_slots(inputs)
    assert list(zip(slots["day"], slots["time"], strict=True)) == [
        ("Mon", "09:00"), ("Mon", "09:30"), ("Mon", "10:00"), ("Sat", "10:00"), ("Sat", "10:30")]
    # weights: Mon 1x1, 1x1, 1x3; Sat 2x3, 2x3 (each x 0.5 h) -> shares 1,1,3,6,6 of 17
    assert list(slots["share"]) == pytest.approx([1 / 17, 1 / 17, 3 / 17, 6 / 17, 6 / 17])


def test_minimum_staff_drives_a_quiet_line():
    """120 calls a year, Mon-Fri 9-5: Erlang needs 1 adviser; the floor of 2 on duty and 30% shrinkage
    mean 3 scheduled in each of 40 hours a week = 120 hours / 37 = 3.243 FTE."""
    inputs = ScenarioInputs(annual_calls=120, monthly_profile=(1,) * 12, interval_minutes=60,
                            min_staff_on_duty=2, shrinkage=0.3, contracted_hours_per_week=37)
    r = compute_demand(inputs)
    assert (r.intervals["erlang_agents"] == 1).all()
    assert (r.intervals["on_duty"] == 2).all()
    assert (r.intervals["scheduled"] == 3).all()
    assert r.weekly_open_hours == 40
    assert r.adviser_fte == pytest.approx(120 / 37)
    # opening hours a year: 40 h x 365/7 weeks less 8 bank holidays of 8 h
    assert r.annual_opening_hours == pytest.approx(40 * 365 / 7 - 8 * 8)
    assert r.max_on_duty == 2 and r.max_scheduled == 3


def test_erlang_drives_a_busy_interval():
    """Mondays 9-11 only, 200 calls a week: 100 calls an hour at 150 s talk + 30 s wrap = 5 Erlangs.
    80% in 20 s needs 8 agents (7 give less); 8 / 0.7 -> 12 scheduled; 2 h x 12 = 24 h / 37."""
    inputs = ScenarioInputs(
        monthly_calls=tuple(200 * w for w in WEEKS_IN_MONTH),
        opening_hours=((9.0, 11.0),) + (CLOSED,) * 6,
        hour_weights=(1.0,) * 24,
        interval_minutes=60,
        talk_seconds=150,
        after_call_work_seconds=30,
        target_service_level=0.8,
        target_answer_seconds=20,
        max_occupancy=1.0,
        shrinkage=0.3,
        min_staff_on_duty=2,
    )
    assert exact_sl(Fraction(5), 7, 180, 20) < 0.8 <= exact_sl(Fraction(5), 8, 180, 20)
    r = compute_demand(inputs)
    assert list(r.intervals["calls"]) == pytest.approx([100, 100])
    assert list(r.intervals["erlang_agents"]) == [8, 8]
    assert list(r.intervals["scheduled"]) == [12, 12]
    assert r.adviser_fte == pytest.approx(24 / 37)
    assert r.service_level == pytest.approx(exact_sl(Fraction(5), 8, 180, 20), abs=1e-12)


def test_peak_versus_average_basis():
    profile = (1,) * 7 + (0.1,) + (1,) * 4  # quiet August
    peak = compute_demand(ScenarioInputs(annual_calls=40000, monthly_profile=profile))
    avg = compute_demand(ScenarioInputs(annual_calls=40000, monthly_profile=profile, staffing_basis="average"))
    assert peak.adviser_fte == pytest.approx(peak.monthly["fte"].max())
    expected = float(np.dot(avg.monthly["fte"], WEEKS_IN_MONTH) / WEEKS_IN_MONTH.sum())
    assert avg.adviser_fte == pytest.approx(expected)
    assert avg.adviser_fte < peak.adviser_fte
    assert peak.monthly.loc[7, "fte"] < peak.monthly.loc[0, "fte"]


def test_monthly_table_and_busiest_month():
    r = compute_demand(ScenarioInputs())
    assert len(r.monthly) == 12
    assert r.monthly["calls"].sum() == pytest.approx(DEFAULTS["annual_calls"].value)
    assert r.peak_month in ("Jun", "Nov")  # the months with most term weeks per calendar week
    assert 0.8 <= r.service_level <= 1


def test_more_calls_never_fewer_fte():
    ftes = [compute_demand(ScenarioInputs(annual_calls=c)).adviser_fte for c in (0, 1000, 10000, 50000, 200000)]
    assert ftes == sorted(ftes)
    # with no calls at all, the floor still staffs the line
    assert ftes[0] == pytest.approx(40 * math.ceil(Fraction(2) / Fraction(7, 10)) / 37)
