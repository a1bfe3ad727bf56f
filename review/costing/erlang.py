"""Erlang B / Erlang C staffing, vectorised with numpy.

Definitions (see BRIEF.md, "Phone-line staffing: Erlang C"):

* offered load ``A = calls x AHT / interval length`` (Erlangs, same time unit);
* Erlang B by recursion, never factorials: ``B(0) = 1``,
  ``B(k) = A B(k-1) / (k + A B(k-1))``. The recursion only multiplies and divides numbers in
  [0, 1] and A, so it is stable for loads below 1 and for loads in the thousands;
* for ``N > A``: probability of waiting ``Pw = N B(N) / (N - A (1 - B(N)))``,
  service level ``SL(T) = 1 - Pw exp(-(N - A) T / AHT)``, average speed of answer
  ``ASA = Pw AHT / (N - A)``, occupancy ``A / N``;
* for ``N <= A`` the queue never empties: ``Pw = 1``, ``SL = 0``, ``ASA = inf``, occupancy 1;
* staffing: the smallest ``N > A`` with ``SL >= target``, then raised to
  ``ceil(A / max_occupancy)``; scheduled staff ``ceil(N / (1 - shrinkage))`` computed exactly.

Conventions worth knowing:

* zero calls need zero agents (service level 1, nothing waits);
* "exactly": shrinkage is read as a decimal fraction rounded to 12 places (0.3 means 3/10), and
  the ceiling is taken in integer arithmetic, so 21 agents at 30% shrinkage give 30, not 31;
* ceilings of quantities computed in floating point (``A / max_occupancy``, the first ``N > A``)
  treat a value within 1e-9 (relative) of a whole number as that whole number, so
  8.5 Erlangs at 85% maximum occupancy needs 10 agents, not 11.

The engine works on arrays: rows are scenarios (or intervals) and the only Python loops run over
candidate agent numbers, never over rows.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from review.platform.errors import ValidationFailed

__all__ = [
    "StaffingResult",
    "CostingInputError",
    "STAFFING_COLUMNS",
    "RESULT_COLUMNS",
    "offered_load",
    "erlang_b",
    "erlang_c_metrics",
    "erlang_c_staffing",
    "erlang_c_staffing_many",
    "staffing_arrays",
    "scheduled_staff",
    "safe_ceil",
]

#: Argument names accepted by ``erlang_c_staffing`` (and columns of ``erlang_c_staffing_many``).
STAFFING_COLUMNS = (
    "calls",
    "interval_minutes",
    "aht_seconds",
    "target_service_level",
    "target_answer_seconds",
    "shrinkage",
    "max_occupancy",
)
#: Result attributes / columns.
RESULT_COLUMNS = (
    "agents",
    "agents_with_shrinkage",
    "service_level",
    "occupancy",
    "probability_of_waiting",
    "asa_seconds",
)

_TOL = 1e-9  # relative tolerance for "this float is really a whole number"
_SHRINKAGE_SCALE = 10**12  # shrinkage is read as a decimal with 12 places


class CostingInputError(ValidationFailed, ValueError):
    """Invalid costing input. ``errors`` maps a field name to a message fit to show the user."""


@dataclass(frozen=True)
class StaffingResult:
    """Erlang C staffing for one interval. All attributes are plain Python numbers."""

    agents: int
    agents_with_shrinkage: int
    service_level: float
    occupancy: float
    probability_of_waiting: float
    asa_seconds: float

    def as_dict(self) -> dict[str, Any]:
        """The staffing result as a plain dict."""
        return asdict(self)


# --------------------------------------------------------------------------- helpers


def safe_ceil(x: Any) -> np.ndarray:
    """Ceiling that treats values within 1e-9 (relative) of a whole number as that number."""
    x = np.asarray(x, dtype=float)
    r = np.rint(x)
    near = np.abs(x - r) <= _TOL * np.maximum(1.0, np.abs(x))
    return np.where(near, r, np.ceil(x)).astype(np.int64)


def scheduled_staff(agents: Any, shrinkage: Any) -> np.ndarray:
    """Exact ``ceil(agents / (1 - shrinkage))`` in integer arithmetic.

    ``shrinkage`` is read as a decimal fraction with 12 places, so 0.3 is exactly 3/10 and
    ``scheduled_staff(21, 0.3) == 30`` (plain floats give 31 because 1 - 0.3 is not 0.7).
    """
    n = np.asarray(agents, dtype=np.int64)
    s = np.asarray(shrinkage, dtype=float)
    if np.any(~np.isfinite(s)) or np.any(s < 0) or np.any(s >= 1):
        raise CostingInputError({"shrinkage": "Shrinkage must be at least 0 and below 1 (100%)."})
    if np.any(n < 0):
        raise CostingInputError({"agents": "Agents cannot be negative."})
    s_units = np.rint(s * _SHRINKAGE_SCALE).astype(np.int64)
    productive = np.int64(_SHRINKAGE_SCALE) - s_units  # (1 - s) x 10^12, at least 1
    if np.any(n > np.iinfo(np.int64).max // _SHRINKAGE_SCALE):
        raise CostingInputError({"agents": "Too many agents to schedule exactly."})
    numerator = n * np.int64(_SHRINKAGE_SCALE)
    return -((-numerator) // productive)


def offered_load(calls: Any, interval_minutes: Any, aht_seconds: Any) -> np.ndarray:
    """Offered load in Erlangs: calls x AHT / interval length."""
    calls = np.asarray(calls, dtype=float)
    return calls * np.asarray(aht_seconds, dtype=float) / (np.asarray(interval_minutes, dtype=float) * 60.0)


def _first_agents_above(load: np.ndarray) -> np.ndarray:
    """Smallest whole N > A (a load within 1e-9 below a whole number counts as that number)."""
    k = np.floor(load).astype(np.int64) + 1
    too_close = (k - load) <= _TOL * np.maximum(1.0, load)
    return np.where(too_close, k + 1, k)


def _prefix_lengths(sorted_desc: np.ndarray, kmax: int) -> np.ndarray:
    """For k = 0..kmax, how many leading entries of a descending array are >= k."""
    ascending = sorted_desc[::-1]
    ks = np.arange(kmax + 1)
    return len(ascending) - np.searchsorted(ascending, ks, side="left")


def erlang_b(load: Any, agents: Any) -> np.ndarray:
    """Erlang B blocking probability B(N, A) by the recursion, vectorised over rows.

    Rows are sorted by N so that step k only touches the rows that still need it.
    """
    load = np.atleast_1d(np.asarray(load, dtype=float))
    agents = np.atleast_1d(np.asarray(agents, dtype=np.int64))
    load, agents = np.broadcast_arrays(load, agents)
    if np.any(agents < 0):
        raise CostingInputError({"agents": "Agents cannot be negative."})
    out = np.ones(load.shape, dtype=float)
    if load.size == 0:
        return out
    order = np.argsort(-agents, kind="stable")
    a_sorted = np.ascontiguousarray(load[order])
    n_sorted = agents[order]
    kmax = int(n_sorted[0])
    b = np.ones(len(order))
    tmp = np.empty_like(b)
    den = np.empty_like(b)
    lengths = _prefix_lengths(n_sorted, kmax)
    for k in range(1, kmax + 1):
        m = int(lengths[k])
        np.multiply(a_sorted[:m], b[:m], out=tmp[:m])
        np.add(tmp[:m], k, out=den[:m])
        np.divide(tmp[:m], den[:m], out=b[:m])
    out[order] = b
    return out


def _metrics_from_b(load, agents, b, aht, answer_seconds):
    """Pw, SL, ASA and occupancy from B(N); handles N <= A and zero load."""
    n = agents.astype(float)
    stable = n > load
    with np.errstate(divide="ignore", invalid="ignore"):
        pw = np.where(stable, n * b / (n - load * (1.0 - b)), 1.0)
        pw = np.clip(pw, 0.0, 1.0)
        sl = np.where(stable, 1.0 - pw * np.exp(-(n - load) * answer_seconds / aht), 0.0)
        sl = np.clip(sl, 0.0, 1.0)
        asa = np.where(stable, pw * aht / (n - load), np.inf)
        occ = np.where(stable, load / n, 1.0)
    idle = load == 0
    pw = np.where(idle, 0.0, pw)
    sl = np.where(idle, 1.0, sl)
    asa = np.where(idle, 0.0, asa)
    occ = np.where(idle, 0.0, occ)
    return pw, sl, asa, occ


def erlang_c_metrics(load: Any, agents: Any, aht_seconds: Any, target_answer_seconds: Any) -> dict[str, np.ndarray]:
    """Queue measures for a given number of agents (vectorised).

    Returns a dict of arrays: ``probability_of_waiting``, ``service_level``, ``asa_seconds``,
    ``occupancy``. With ``agents <= load`` the queue is unstable: Pw 1, SL 0, ASA inf, occupancy 1.
    """
    load = np.atleast_1d(np.asarray(load, dtype=float))
    agents = np.atleast_1d(np.asarray(agents, dtype=np.int64))
    aht = np.atleast_1d(np.asarray(aht_seconds, dtype=float))
    t = np.atleast_1d(np.asarray(target_answer_seconds, dtype=float))
    load, agents, aht, t = np.broadcast_arrays(load, agents, aht, t)
    b = erlang_b(load, agents)
    pw, sl, asa, occ = _metrics_from_b(load, agents, b, aht, t)
    return {"probability_of_waiting": pw, "service_level": sl, "asa_seconds": asa, "occupancy": occ}


# --------------------------------------------------------------------------- staffing


def _validate_arrays(cols: dict[str, np.ndarray], index=None) -> None:
    """Raise CostingInputError naming the field (and first offending row) if anything is invalid."""
    rules = {
        "calls": (lambda v: v >= 0, "Calls must be a number of at least 0."),
        "interval_minutes": (lambda v: v > 0, "Interval length must be more than 0 minutes."),
        "aht_seconds": (lambda v: v > 0, "Average handling time must be more than 0 seconds."),
        "target_service_level": (
            lambda v: (v >= 0) & (v < 1),
            "Target service level must be at least 0 and below 1 (100%).",
        ),
        "target_answer_seconds": (lambda v: v >= 0, "Target answer time must be at least 0 seconds."),
        "shrinkage": (lambda v: (v >= 0) & (v < 1), "Shrinkage must be at least 0 and below 1 (100%)."),
        "max_occupancy": (
            lambda v: (v > 0) & (v <= 1),
            "Maximum occupancy must be more than 0 and at most 1 (100%).",
        ),
    }
    errors = {}
    for name, (ok, message) in rules.items():
        v = cols[name]
        bad = ~np.isfinite(v) | ~ok(np.nan_to_num(v, nan=-1.0, posinf=-1.0, neginf=-1.0))
        if np.any(bad):
            if v.size > 1:
                first = int(np.flatnonzero(bad)[0])
                label = index[first] if index is not None else first
                errors[name] = f"{message} (row {label})"
            else:
                errors[name] = message
    if errors:
        raise CostingInputError(errors)


def staffing_arrays(
    calls: Any,
    interval_minutes: Any,
    aht_seconds: Any,
    target_service_level: Any,
    target_answer_seconds: Any,
    shrinkage: Any = 0.0,
    max_occupancy: Any = 1.0,
    *,
    validate: bool = True,
    index=None,
) -> dict[str, np.ndarray]:
    """Erlang C staffing for arrays of scenarios (broadcast together).

    Returns a dict of numpy arrays keyed by ``RESULT_COLUMNS`` plus ``offered_load``.
    """
    arrays = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(v, dtype=float)) for v in
          (calls, interval_minutes, aht_seconds, target_service_level, target_answer_seconds,
           shrinkage, max_occupancy))
    )
    cols = dict(zip(STAFFING_COLUMNS, (np.ascontiguousarray(a) for a in arrays), strict=True))
    if validate:
        _validate_arrays(cols, index)
    n = cols["calls"].size
    load = offered_load(cols["calls"], cols["interval_minutes"], cols["aht_seconds"])
    aht = cols["aht_seconds"]
    ratio = cols["target_answer_seconds"] / aht  # T / AHT
    target = cols["target_service_level"]

    agents = np.zeros(n, dtype=np.int64)
    b_final = np.zeros(n)  # B(N) at the final N (unused where load is 0)

    busy = np.flatnonzero(load > 0)
    if busy.size:
        a = load[busy]
        # SL rises with N, so if SL meets the target at c = max(first N > A, occupancy cap),
        # the answer is c; otherwise step on from c until it does.
        first = np.maximum(_first_agents_above(a), safe_ceil(a / cols["max_occupancy"][busy]))

        # Phase 1: B(k) for k = 1 .. first-1; rows sorted so that step k touches a prefix.
        order = np.argsort(-first, kind="stable")
        rows = busy[order]
        a_s = np.ascontiguousarray(a[order])
        first_s = first[order]
        m_total = len(rows)
        b = np.ones(m_total)
        tmp = np.empty(m_total)
        den = np.empty(m_total)
        kmax = int(first_s[0]) - 1
        lengths = _prefix_lengths(first_s - 1, max(kmax, 0))
        for k in range(1, kmax + 1):
            m = int(lengths[k])
            np.multiply(a_s[:m], b[:m], out=tmp[:m])
            np.add(tmp[:m], k, out=den[:m])
            np.divide(tmp[:m], den[:m], out=b[:m])

        # Phase 2: step each row from its own first candidate until SL meets the target.
        aa = a_s
        bb = b
        kk = first_s.astype(float)
        rr = ratio[rows]
        tt = target[rows]
        active = np.arange(m_total)
        n_final = np.zeros(m_total, dtype=np.int64)
        b_done = np.zeros(m_total)
        guard = int(first_s[0]) + int(10 * np.sqrt(a_s.max())) + 10_000
        for _ in range(guard):
            ab = aa * bb
            bb = ab / (kk + ab)  # B(k)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                pw = kk * bb / (kk - aa * (1.0 - bb))
                sl = 1.0 - pw * np.exp(-(kk - aa) * rr)
            fin = sl >= tt
            if fin.any():
                idx = active[fin]
                n_final[idx] = kk[fin].astype(np.int64)
                b_done[idx] = bb[fin]
                keep = ~fin
                active = active[keep]
                if not active.size:
                    break
                aa, bb, kk, rr, tt = aa[keep], bb[keep], kk[keep], rr[keep], tt[keep]
            kk = kk + 1.0
        else:  # pragma: no cover - cannot happen for a target below 1
            raise RuntimeError("Erlang C staffing did not converge")

        agents[rows] = n_final
        b_final[rows] = b_done

    pw, sl, asa, occ = _metrics_from_b(load, agents, b_final, aht, cols["target_answer_seconds"])
    return {
        "agents": agents,
        "agents_with_shrinkage": scheduled_staff(agents, cols["shrinkage"]),
        "service_level": sl,
        "occupancy": occ,
        "probability_of_waiting": pw,
        "asa_seconds": asa,
        "offered_load": load,
    }


def erlang_c_staffing(
    calls: float,
    interval_minutes: float,
    aht_seconds: float,
    target_service_level: float,
    target_answer_seconds: float,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
) -> StaffingResult:
    """Agents needed in one interval to answer ``target_service_level`` of ``calls`` within
    ``target_answer_seconds``, with average handling time ``aht_seconds``.

    ``agents`` is the number on the phones (after the maximum-occupancy cap);
    ``agents_with_shrinkage`` the number to schedule, ``ceil(agents / (1 - shrinkage))``.
    The other attributes are measured at ``agents``.
    """
    for name, value in zip(STAFFING_COLUMNS, (calls, interval_minutes, aht_seconds, target_service_level,
                                              target_answer_seconds, shrinkage, max_occupancy), strict=True):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise CostingInputError({name: f"{name} must be a number."})
    out = staffing_arrays(calls, interval_minutes, aht_seconds, target_service_level,
                          target_answer_seconds, shrinkage, max_occupancy)
    return StaffingResult(
        agents=int(out["agents"][0]),
        agents_with_shrinkage=int(out["agents_with_shrinkage"][0]),
        service_level=float(out["service_level"][0]),
        occupancy=float(out["occupancy"][0]),
        probability_of_waiting=float(out["probability_of_waiting"][0]),
        asa_seconds=float(out["asa_seconds"][0]),
    )


def erlang_c_staffing_many(frame: pd.DataFrame) -> pd.DataFrame:
    """Vectorised ``erlang_c_staffing`` over the rows of ``frame``.

    ``frame`` has the argument names as columns (``shrinkage`` and ``max_occupancy`` may be
    omitted: 0 and 1). Returns a DataFrame with the same index and the six result columns.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError("erlang_c_staffing_many expects a pandas DataFrame")
    required = STAFFING_COLUMNS[:5]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise CostingInputError({c: f"Column '{c}' is missing." for c in missing})
    defaults = {"shrinkage": 0.0, "max_occupancy": 1.0}
    values = {}
    for c in STAFFING_COLUMNS:
        if c in frame.columns:
            col = pd.to_numeric(frame[c], errors="coerce")
            values[c] = col.to_numpy(dtype=float, na_value=np.nan)
        else:
            values[c] = np.full(len(frame), defaults[c])
    if len(frame) == 0:
        return pd.DataFrame({c: pd.Series([], dtype="int64" if c.startswith("agents") else "float64")
                             for c in RESULT_COLUMNS}, index=frame.index)
    out = staffing_arrays(*(values[c] for c in STAFFING_COLUMNS), index=list(frame.index))
    return pd.DataFrame({c: out[c] for c in RESULT_COLUMNS}, index=frame.index)
