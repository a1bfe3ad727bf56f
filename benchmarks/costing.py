"""Benchmark the Erlang C engine against pyworkforce, and time a 100,000-draw Monte Carlo run.

    python benchmarks/costing.py            # 10,000 scenarios (goal: >= 100x faster)
    python benchmarks/costing.py --n 2000   # quicker

Scenarios: 1 to 2,000 calls an hour (60-minute intervals), handling time 120 to 900 s, random
targets, shrinkage and maximum occupancy (two decimals, as typed). pyworkforce 0.5.1's ErlangC
runs one scenario at a time in a Python loop over the same scenarios, in the same run. Staffing
must be identical; the only differences allowed are the documented float-rounding cases of
pyworkforce (see tests/review/costing/test_costing_pyworkforce_oracle.py), each re-checked here in
exact rational arithmetic. Exits with status 1 if any other difference is found.
"""
from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from review.costing import ScenarioInputs, erlang_c_metrics, erlang_c_staffing_many, monte_carlo  # noqa: E402


def scenarios(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "calls": rng.uniform(1, 2000, n).round(2),
            "interval_minutes": np.full(n, 60.0),
            "aht_seconds": rng.uniform(120, 900, n).round(1),
            "target_service_level": rng.uniform(0.6, 0.95, n).round(3),
            "target_answer_seconds": rng.uniform(10, 60, n).round(0),
            "shrinkage": rng.uniform(0.2, 0.4, n).round(2),
            "max_occupancy": rng.uniform(0.8, 1.0, n).round(2),
        }
    )


def run_pyworkforce(frame: pd.DataFrame):
    from pyworkforce.queuing import ErlangC

    raw, positions = [], []
    for r in frame.itertuples(index=False):
        e = ErlangC(transactions=r.calls, aht=r.aht_seconds / 60, asa=r.target_answer_seconds / 60,
                    interval=r.interval_minutes, shrinkage=r.shrinkage)
        res = e.required_positions(service_level=r.target_service_level, max_occupancy=r.max_occupancy)
        raw.append(res["raw_positions"])
        positions.append(res["positions"])
    return np.array(raw), np.array(positions)


def explain_agents(row, ours: int, theirs: int) -> str | None:
    """Why pyworkforce's agents differ, if it is one of its documented float/search faults."""
    load = Fraction(str(row.calls)) * Fraction(str(row.aht_seconds)) / (Fraction(str(row.interval_minutes)) * 60)
    cap = math.ceil(load / Fraction(str(row.max_occupancy)))
    if theirs > ours == math.ceil(load) and ours > load and ours < round(float(load) + 1):
        sl = erlang_c_metrics(float(load), ours, row.aht_seconds, row.target_answer_seconds)["service_level"][0]
        if sl >= row.target_service_level:
            return "search start round(A + 1) skips ceil(A)"
    if ours == cap and theirs == cap + 1:
        return "float ceiling of A / max occupancy"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="number of scenarios (default 10,000)")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--draws", type=int, default=100_000, help="Monte Carlo draws (default 100,000)")
    args = parser.parse_args()

    frame = scenarios(args.n, args.seed)
    erlang_c_staffing_many(frame.head(100))  # warm up
    ours_times = []
    for _ in range(5):
        t0 = time.perf_counter()
        ours = erlang_c_staffing_many(frame)
        ours_times.append(time.perf_counter() - t0)
    t_ours = statistics.median(ours_times)

    t0 = time.perf_counter()
    pw_raw, pw_positions = run_pyworkforce(frame)
    t_pw = time.perf_counter() - t0

    agents = ours["agents"].to_numpy()
    sched = ours["agents_with_shrinkage"].to_numpy()
    problems = 0
    reasons: dict[str, int] = {}
    for k in np.flatnonzero(agents != pw_raw):
        why = explain_agents(frame.iloc[k], int(agents[k]), int(pw_raw[k]))
        if why is None:
            problems += 1
            print(f"UNEXPLAINED agents difference, row {k}: ours {agents[k]}, pyworkforce {pw_raw[k]}")
        else:
            reasons[why] = reasons.get(why, 0) + 1
    same_agents = agents == pw_raw
    for k in np.flatnonzero(same_agents & (sched != pw_positions)):
        exact = math.ceil(Fraction(int(agents[k])) / (1 - Fraction(str(frame.shrinkage.iloc[k]))))
        if sched[k] == exact and pw_positions[k] == exact + 1:
            reasons["float ceiling of N / (1 - shrinkage)"] = reasons.get("float ceiling of N / (1 - shrinkage)", 0) + 1
        else:
            problems += 1
            print(f"UNEXPLAINED scheduled difference, row {k}: ours {sched[k]}, pyworkforce {pw_positions[k]}")

    load = frame.calls * frame.aht_seconds / 3600
    print(f"Erlang C staffing: {args.n:,} scenarios, offered load {load.min():.2f} to {load.max():.1f} Erlangs")
    print(f"  review.costing.erlang_c_staffing_many: {t_ours * 1000:8.1f} ms (median of 5)")
    print(f"  pyworkforce 0.5.1 ErlangC, Python loop: {t_pw * 1000:8.1f} ms")
    print(f"  speed ratio: {t_pw / t_ours:,.0f}x (goal >= 100x)")
    print(f"  agents identical: {int(same_agents.sum()):,} of {args.n:,}; "
          f"scheduled identical: {int((sched == pw_positions).sum()):,} of {args.n:,}")
    for why, count in sorted(reasons.items()):
        print(f"  pyworkforce float/search fault, checked exactly: {why}: {count}")
    print(f"  unexplained differences: {problems}")

    inputs = ScenarioInputs()
    monte_carlo(inputs, draws=1000)  # warm up
    mc_times = []
    for _ in range(3):
        t0 = time.perf_counter()
        mc = monte_carlo(inputs, draws=args.draws)
        mc_times.append(time.perf_counter() - t0)
    p = mc.percentiles()
    print(f"Monte Carlo, default scenario, {args.draws:,} draws (seed {mc.seed}): "
          f"{statistics.median(mc_times) * 1000:.0f} ms (median of 3; goal < 1,000 ms)")
    for _, row in p.iterrows():
        fmt = "{:,.0f}" if "GBP" in row["measure"] else "{:.1%}"
        print(f"  {row['measure']}: P10 {fmt.format(row['P10'])}, P50 {fmt.format(row['P50'])}, "
              f"P90 {fmt.format(row['P90'])} (central case {fmt.format(row['central_case'])})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
