"""Secondary (complementary) suppression: a small count hidden from a viewer must not be recoverable from
the counts and totals shown beside it.

Primary suppression hides every count below the threshold as "fewer than 5" (`privacy.shown_count`). Where
the viewer also sees a total, subtraction can give a hidden count back (total 23, shown 9 and 10, one
"fewer than 5": it is 4). As the ONS and NHS Digital small-numbers guidance advise, `protect` then hides
further counts of the same group ("not shown"), the smallest first, and the total only when no part is left,
until no hidden count can be worked out exactly. The check assumes the viewer knows the rules: that a
"fewer than 5" count is 0 to 4 and a "not shown" one is 5 or more (every count below 5 is already
"fewer than 5"), and it follows every displayed sum at once (a month's total is a part of the grand total and
the total of its activities), so a value pinned in one group is used in the others. Where sums nest, bounds
propagation settles what can be inferred exactly; where they form a loop (a two-way table with row and column
totals), a small linear programme does (the "audit" of statistical disclosure control tools such as tau-Argus).

No database, no Streamlit (numpy and pandas only). `review.engagement.counts` applies it to the engagement
figures.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from review.platform.privacy import FEWER_THAN, NOT_SHOWN, SMALL_COUNT_THRESHOLD

INF = math.inf
_EPS = 1e-9  # tolerance of the linear programme (its numbers are small whole numbers)


@dataclass(frozen=True)
class Group:
    """Counts a viewer can add up: the `parts` add up to the `totals` (usually one total; several when, say,
    the mentions of every theme at drop-ins equal the inputs of the drop-in activities listed). Members are
    keys of the counts."""

    parts: tuple[Hashable, ...]
    totals: tuple[Hashable, ...]

    @classmethod
    def of(cls, parts: Iterable[Hashable], total: Hashable) -> Group:
        """The usual case: parts adding up to one total."""
        return cls(tuple(parts), (total,))

    @property
    def terms(self) -> tuple[Hashable, ...]:
        return self.parts + self.totals


@dataclass(frozen=True)
class Protection:
    """Which counts a viewer does not see: `primary` (below the threshold: "fewer than 5") and `secondary`
    (5 or more, hidden so that no primary one can be worked out: "not shown")."""

    primary: frozenset
    secondary: frozenset

    @property
    def hidden(self) -> frozenset:
        return self.primary | self.secondary

    def shown(self, key: Hashable, value: int) -> int | str:
        """What the viewer sees of one count."""
        if key in self.primary:
            return FEWER_THAN
        if key in self.secondary:
            return NOT_SHOWN
        return value


def _checked(counts: Mapping[Hashable, Any], groups: Iterable[Group]) -> tuple[dict[Hashable, int], list[Group]]:
    values = {k: int(v) for k, v in counts.items()}
    if any(v < 0 for v in values.values()):
        raise ValueError("Counts cannot be negative.")
    checked = list(groups)
    for g in checked:
        if not g.parts or not g.totals:
            raise ValueError("A group needs at least one part and one total.")
        if len(set(g.terms)) != len(g.terms):
            raise ValueError(f"A count appears twice in a group: {g}")
        missing = [k for k in g.terms if k not in values]
        if missing:
            raise ValueError(f"Group members without a count: {missing}")
        if sum(values[k] for k in g.parts) != sum(values[k] for k in g.totals):
            raise ValueError(f"The parts of a group do not add up to its total: {g}")
    return values, checked


def inferable_ranges(counts: Mapping[Hashable, int], groups: Iterable[Group], primary: Iterable[Hashable],
                     secondary: Iterable[Hashable] = (), threshold: int = SMALL_COUNT_THRESHOLD,
                     ) -> dict[Hashable, tuple[float, float]]:
    """What a viewer can work out of each count: (lowest, highest) possible value, by following every group
    until nothing narrows further (bounds propagation). A shown count is (value, value); a hidden one starts
    at 0 to threshold - 1 (primary) or threshold to infinity (secondary). Exact where the groups nest (no loop);
    around a loop the true range can be narrower (`protect` checks loops by linear programming)."""
    values, checked = _checked(counts, groups)
    return _ranges(values, [_signed(g) for g in checked], set(primary), set(secondary), threshold)


def _signed(group: Group) -> tuple[tuple[Hashable, int], ...]:
    """The group as an equation: sum of sign * count = 0."""
    return tuple((k, 1) for k in group.parts) + tuple((k, -1) for k in group.totals)


def _ranges(values: dict[Hashable, int], equations: list[tuple[tuple[Hashable, int], ...]], primary: set,
            secondary: set, threshold: int) -> dict[Hashable, tuple[float, float]]:
    lo: dict[Hashable, float] = {}
    hi: dict[Hashable, float] = {}
    for k, v in values.items():
        if k in primary:
            lo[k], hi[k] = 0, threshold - 1
        elif k in secondary:
            lo[k], hi[k] = threshold, INF
        else:
            lo[k] = hi[k] = v
    hidden = primary | secondary
    active = [eq for eq in equations if any(k in hidden for k, _ in eq)]
    changed = True
    while changed:  # bounds only narrow, by whole numbers, and never past the true value: this ends
        changed = False
        for eq in active:
            spans = [(lo[k], hi[k]) if s > 0 else (-hi[k], -lo[k]) for k, s in eq]  # each term's sign * count
            low_inf = sum(1 for a, _ in spans if a == -INF)
            high_inf = sum(1 for _, b in spans if b == INF)
            low_sum = sum(a for a, _ in spans if a != -INF)
            high_sum = sum(b for _, b in spans if b != INF)
            for (k, s), (a, b) in zip(eq, spans, strict=True):
                if k not in hidden:
                    continue
                others_low = -INF if low_inf - (a == -INF) else low_sum - (0 if a == -INF else a)
                others_high = INF if high_inf - (b == INF) else high_sum - (0 if b == INF else b)
                new_lo, new_hi = (-others_high, -others_low) if s > 0 else (others_low, others_high)
                if new_lo > lo[k]:
                    lo[k], changed = new_lo, True
                if new_hi < hi[k]:
                    hi[k], changed = new_hi, True
    return {k: (lo[k], hi[k]) for k in values}


def _single_range(eq: tuple[tuple[Hashable, int], ...], key: Hashable,
                  ranges: dict[Hashable, tuple[float, float]]) -> float:
    """How wide the key's range is from this one equation, given the others' ranges (to find what pins it)."""
    low = high = 0.0
    sign = 1
    for k, s in eq:
        if k == key:
            sign = s
            continue
        a, b = ranges[k]
        low, high = (low + a, high + b) if s > 0 else (low - b, high - a)
    new_lo, new_hi = (-high, -low) if sign > 0 else (low, high)
    a, b = ranges[key]
    return min(b, new_hi) - max(a, new_lo)


def protect(counts: Mapping[Hashable, int], groups: Iterable[Group] = (),
            threshold: int = SMALL_COUNT_THRESHOLD) -> Protection:
    """Primary suppression (every count below the threshold, zero included) and then secondary suppression,
    so that no hidden count can be worked out exactly from what is shown.

    Two steps, repeated until neither hides anything more: (1) a group with exactly one hidden member gives
    it away by subtraction, so hide its smallest shown part (the total only when every part is hidden);
    (2) follow all the groups at once (`inferable_ranges`; where sums form a loop, `_pinned_in_loops`) and, for
    a hidden count still pinned to one value, hide the smallest shown part (else the total) of the group that
    pins it most narrowly, or of the nearest group through hidden counts. Ties go to the count given first, so
    the result is the same every time.
    """
    values, checked = _checked(counts, groups)
    order = {k: i for i, k in enumerate(values)}
    equations = [_signed(g) for g in checked]
    by_key: dict[Hashable, list[int]] = defaultdict(list)
    for i, g in enumerate(checked):
        for k in g.terms:
            by_key[k].append(i)
    primary = {k for k, v in values.items() if v < threshold}
    hidden = set(primary)

    def smallest_shown(keys: Iterable[Hashable]) -> Hashable | None:
        shown = [k for k in keys if k not in hidden]
        return min(shown, key=lambda k: (values[k], order[k])) if shown else None

    def next_to_hide(group: Group) -> Hashable | None:
        part = smallest_shown(group.parts)
        return part if part is not None else smallest_shown(group.totals)

    def nearest_to_hide(key: Hashable, ranges: dict[Hashable, tuple[float, float]]) -> Hashable | None:
        """For a pinned count: the group that pins it most narrowly, then the next; when none has a shown member
        (every one is hidden, but rows and columns together still pin it), the nearest group through hidden
        counts that has one."""
        queue = sorted(by_key[key], key=lambda i: (_single_range(equations[i], key, ranges), i))
        seen = set(queue)
        while queue:
            i = queue.pop(0)
            choice = next_to_hide(checked[i])
            if choice is not None:
                return choice
            for k in checked[i].terms:
                for j in by_key[k]:
                    if j not in seen:
                        seen.add(j)
                        queue.append(j)
        return None

    hidden_in = [sum(1 for k in g.terms if k in hidden) for g in checked]

    def hide(key: Hashable) -> None:
        hidden.add(key)
        for i in by_key[key]:
            hidden_in[i] += 1

    while True:
        single = next((i for i, n in enumerate(hidden_in) if n == 1), None)
        if single is not None:  # step 1: subtraction
            hide(next_to_hide(checked[single]))
            continue
        ranges = _ranges(values, equations, primary, hidden - primary, threshold)
        pinned = ([k for k in hidden if ranges[k][0] == ranges[k][1]]
                  or _pinned_in_loops(values, equations, primary, hidden - primary, threshold))
        choice = next((c for key in sorted(pinned, key=order.__getitem__)
                       if (c := nearest_to_hide(key, ranges)) is not None), None)
        if choice is None:  # nothing pinned (or nothing left that could be hidden)
            return Protection(frozenset(primary), frozenset(hidden - primary))
        hide(choice)


def _pinned_in_loops(values: dict[Hashable, int], equations: list[tuple[tuple[Hashable, int], ...]],
                     primary: set, secondary: set, threshold: int) -> list[Hashable]:
    """Hidden counts pinned where the sums form a loop (a two-way table with both margins, say), which bounds
    propagation does not settle: a count can be moved only along a change of the hidden counts that keeps every
    sum and no bound broken (the true counts are one solution; a count at the edge of its range, 0 or 4 for
    "fewer than 5", 5 for "not shown", can move only inwards). A linear programme per direction finds such a
    change or proves there is none; each change found also frees every count it moves."""
    hidden = primary | secondary
    rows = [row for eq in equations if (row := [(k, s) for k, s in eq if k in hidden])]
    parent: dict[Hashable, Hashable] = {}

    def root(k: Hashable) -> Hashable:
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for row in rows:
        for k, _ in row[1:]:
            parent[root(k)] = root(row[0][0])
    components: dict[Hashable, list[list[tuple[Hashable, int]]]] = defaultdict(list)
    for row in rows:
        components[root(row[0][0])].append(row)
    pinned = []
    for block in components.values():
        keys = list(dict.fromkeys(k for row in block for k, _ in row))
        if sum(len(row) for row in block) < len(block) + len(keys):
            continue  # no loop: bounds propagation settles it exactly
        index = {k: j for j, k in enumerate(keys)}
        matrix = np.zeros((len(block), len(keys)))
        for i, row in enumerate(block):
            for k, s in row:
                matrix[i, index[k]] += s
        up = [not (k in primary and values[k] == threshold - 1) for k in keys]  # may the count go up?
        down = [not (values[k] == 0 if k in primary else values[k] == threshold) for k in keys]
        free: set[Hashable] = set()
        for k in keys:
            if k in free:
                continue
            for sign in (1, -1):
                if not (up if sign > 0 else down)[index[k]]:
                    continue
                change = _feasible_change(matrix, index[k], sign, up, down)
                if change is not None:
                    free.update(keys[j] for j in np.flatnonzero(np.abs(change) > _EPS))
                    break
            else:
                pinned.append(k)
    return pinned


def _feasible_change(matrix: np.ndarray, j: int, sign: int, up: list[bool], down: list[bool]) -> np.ndarray | None:
    """A change d of the hidden counts with matrix @ d = 0, d[j] = sign, d >= 0 where a count may only go up
    and d <= 0 where it may only go down; None when there is none. Phase one of the simplex method (Bland's
    rule, so it cannot cycle) on d = (increases) - (decreases), all non-negative."""
    columns, owners = [], []
    for k in range(matrix.shape[1]):
        for direction, allowed in ((1, up[k]), (-1, down[k])):
            if allowed:
                columns.append(np.append(direction * matrix[:, k], sign * direction if k == j else 0))
                owners.append((k, direction))
    a = np.array(columns).T  # rows: every sum, then d[j] * sign = 1
    b = np.zeros(a.shape[0])
    b[-1] = 1.0
    m, n = a.shape
    table = np.zeros((m + 1, n + m + 1))
    table[:m, :n], table[:m, n:n + m], table[:m, -1] = a, np.eye(m), b
    table[m, :n], table[m, -1] = -a.sum(axis=0), -b.sum()  # minimise the sum of the artificial variables
    basis = list(range(n, n + m))
    while True:
        entering = np.flatnonzero(table[m, :n + m] < -_EPS)
        if not len(entering):
            break
        col = entering[0]
        ratios = np.full(m, np.inf)
        rising = table[:m, col] > _EPS
        ratios[rising] = table[:m, -1][rising] / table[:m, col][rising]
        row = min(np.flatnonzero(ratios <= ratios.min() + _EPS), key=basis.__getitem__)
        table[row] /= table[row, col]
        for other in range(m + 1):
            if other != row and table[other, col] != 0:
                table[other] -= table[other, col] * table[row]
        basis[row] = col
    if -table[m, -1] > 1e-7:
        return None
    change = np.zeros(matrix.shape[1])
    for basis_row, col in enumerate(basis):
        if col < n:
            k, direction = owners[col]
            change[k] += direction * table[basis_row, -1]
    return change


def suppress(counts: Mapping[Hashable, int] | pd.Series, groups: Iterable[Group] = (),
             threshold: int = SMALL_COUNT_THRESHOLD) -> dict[Hashable, int | str] | pd.Series:
    """What a viewer without access to personal data sees of each count: the number, "fewer than 5" or
    "not shown". Takes a mapping or a Series (keys in its index) and returns the same kind."""
    protection = protect(counts, groups, threshold)
    shown = {k: protection.shown(k, int(v)) for k, v in counts.items()}
    if isinstance(counts, pd.Series):
        return pd.Series(list(shown.values()), index=counts.index, name=counts.name, dtype="object")
    return shown
