"""Scheduling arithmetic with no database: the critical path and the formal consultation template's dates.

The critical path method (CPM): a forward pass gives each task its earliest start and finish, a backward
pass its latest; float is the difference, and every task with zero float is critical. Ties and parallel
branches of equal length are all critical, so there may be more than one critical chain.
"""
from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.easter import easter
from dateutil.relativedelta import relativedelta

from review.platform.working_days import add_working_days, is_working_day

# ------------------------------------------------------------------ critical path


@dataclass(frozen=True)
class CriticalPath:
    """CPM result: times are in the durations' unit (days) from the start of the network."""

    earliest_start: dict[int, int]
    earliest_finish: dict[int, int]
    latest_start: dict[int, int]
    latest_finish: dict[int, int]
    length: int
    critical: frozenset[int]
    critical_links: frozenset[tuple[int, int]]
    order: list[int] = field(default_factory=list)  # a topological order

    def float_of(self, task_id: int) -> int:
        """How many days a task can slip without moving the end of the plan."""
        return self.latest_start[task_id] - self.earliest_start[task_id]

    def chains(self, limit: int = 20) -> list[list[int]]:
        """The critical chains from a start task to an end task (at most `limit`), each in order."""
        succ: dict[int, list[int]] = defaultdict(list)
        has_pred: set[int] = set()
        for a, b in sorted(self.critical_links):
            succ[a].append(b)
            has_pred.add(b)
        starts = [t for t in self.order if t in self.critical and t not in has_pred
                  and self.earliest_start[t] == 0]
        out: list[list[int]] = []
        stack: list[list[int]] = [[s] for s in reversed(starts)]
        while stack and len(out) < limit:
            chain = stack.pop()
            last = chain[-1]
            nexts = succ.get(last, [])
            if not nexts:
                if self.earliest_finish[last] == self.length:
                    out.append(chain)
                continue
            for nxt in reversed(nexts):
                stack.append([*chain, nxt])
        return out


def topological_order(nodes: Iterable[int], links: Iterable[tuple[int, int]]) -> list[int]:
    """Kahn's algorithm, smallest id first among the ready tasks; raises ValueError on a loop."""
    nodes = sorted(set(nodes))
    succ: dict[int, list[int]] = defaultdict(list)
    indegree = dict.fromkeys(nodes, 0)
    for a, b in links:
        succ[a].append(b)
        indegree[b] += 1
    ready = [n for n in nodes if indegree[n] == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        n = heapq.heappop(ready)
        order.append(n)
        for m in succ.get(n, ()):
            indegree[m] -= 1
            if indegree[m] == 0:
                heapq.heappush(ready, m)
    if len(order) != len(nodes):
        raise ValueError("The dependencies contain a loop, so there is no critical path.")
    return order


def critical_path(durations: Mapping[int, int], links: Iterable[tuple[int, int]]) -> CriticalPath:
    """CPM over finish-to-start links. `durations` maps task id -> days (0 for a milestone).

    Links naming a task missing from `durations` are ignored. Every task with zero float is critical;
    a link is critical when both ends are critical and the predecessor's finish drives the successor's start.
    Runs in time proportional to tasks + links (one topological sort, a forward and a backward pass).
    """
    links = [(a, b) for a, b in links if a in durations and b in durations]
    order = topological_order(durations, links)
    succs: dict[int, list[int]] = defaultdict(list)
    for a, b in links:
        succs[a].append(b)
    length_of = {t: max(0, int(d)) for t, d in durations.items()}
    es = dict.fromkeys(order, 0)
    ef: dict[int, int] = {}
    for t in order:  # forward pass: push each finish to the successors' earliest starts
        finish = ef[t] = es[t] + length_of[t]
        for s in succs.get(t, ()):
            if finish > es[s]:
                es[s] = finish
    length = max(ef.values(), default=0)
    lf = dict.fromkeys(order, length)
    ls: dict[int, int] = {}
    for t in reversed(order):  # backward pass: latest finish is the successors' earliest latest start
        for s in succs.get(t, ()):
            if ls[s] < lf[t]:
                lf[t] = ls[s]
        ls[t] = lf[t] - length_of[t]
    critical = frozenset(t for t in order if ls[t] == es[t])
    critical_links = frozenset((a, b) for a, b in links if a in critical and b in critical and ef[a] == es[b])
    return CriticalPath(es, ef, ls, lf, length, critical, critical_links, order)


def planned_duration(start: date | None, due: date | None, milestone: bool = False) -> int:
    """Days a task takes in the plan: calendar days from start to due inclusive. A milestone on a single day
    (or without a start) takes none; a task without dates takes none."""
    if milestone and (start is None or start == due):
        return 0
    if start and due:
        return max(0, (due - start).days + 1)
    return 0


# ------------------------------------------------------------------ working days


def on_or_after_working_day(day: date) -> date:
    """`day` if it is a working day, otherwise the next one (England and Wales bank holidays)."""
    return day if is_working_day(day) else add_working_days(day, 1)


def working_days_between(start: date, end: date) -> int:
    """Working days from `start` to `end`, both included."""
    count, day = 0, start
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def clear_days_between(first: date, second: date) -> int:
    """Whole days strictly between two dates (neither the day of notice nor the day of the event counts)."""
    return max(0, (second - first).days - 1)


# ------------------------------------------------------------------ formal consultation template

# Key decisions need 28 clear days' notice on the forward plan (regulation 9 of the Local Authorities
# (Executive Arrangements) (Meetings and Access to Information) (England) Regulations 2012).
FORWARD_PLAN_CLEAR_DAYS = 28
# Councils typically consult for 8 to 12 weeks on a change like this (the range; Gunning: adequate time).
CONSULTATION_WEEKS_MIN, CONSULTATION_WEEKS_MAX, CONSULTATION_WEEKS_DEFAULT = 8, 12, 12
# Best Value statutory guidance: at least 3 months' notice to a voluntary or community organisation before
# reducing or ending its funding.
PROVIDER_NOTICE_MONTHS = 3


@dataclass(frozen=True)
class TemplateStep:
    key: str
    title: str
    description: str
    working_days: int | None  # duration in working days, or None when the rule below sets the dates
    depends_on: tuple[str, ...]
    milestone: bool = False


CONSULTATION_STEPS: tuple[TemplateStep, ...] = (
    TemplateStep("legal", "Legal check on the duty to consult",
                 "Legal services confirm whether there is a duty to consult (statutory, legitimate expectation or "
                 "fairness) and its scope.", 10, ()),
    TemplateStep("eqia", "Equality Impact Assessment and DPIA",
                 "Draft EqIA (public sector equality duty, Equality Act 2010 s.149) and a data protection impact "
                 "assessment for the consultation and the proposed service.", 15, ("legal",)),
    TemplateStep("document", "Consultation document with accessible versions",
                 "Proposals, options and questions written for parents; easy read, large print and translated "
                 "versions; sign-off.", 15, ("legal",)),
    TemplateStep("forward_plan", "Forward plan entry published (28 clear days' notice)",
                 "The key decision goes on the forward plan at least 28 clear days before it is taken.", 5,
                 ("legal",), milestone=True),
    TemplateStep("live", "Consultation live",
                 "The consultation is open to parents, carers, young people and partners; it closes on a working "
                 "day.", None, ("eqia", "document")),
    TemplateStep("analysis", "Analysis of responses and final EqIA",
                 "Analyse responses, update the EqIA and the proposals, and write the decision report.", 20,
                 ("live",)),
    TemplateStep("decision", "Decision and call-in",
                 "Decision taken no sooner than 28 clear days after the forward plan entry, published, then the "
                 "call-in period in working days.", None, ("analysis", "forward_plan"), milestone=True),
    TemplateStep("notice", "Three months' notice to the provider",
                 "Notice to the KIDS hubs provider (a VCS organisation) at least 3 months before funding is reduced "
                 "or ended (Best Value statutory guidance).", None, ("decision",)),
    TemplateStep("you_said", "Publish 'you said, we did'",
                 "Tell parents what they said and what the council has done about it.", 10, ("decision",)),
)


def earliest_key_decision(forward_plan_published: date, ready: date) -> date:
    """The first working day on or after `ready` that leaves 28 clear days after the forward plan entry
    (neither the day of publication nor the day of decision counts)."""
    by_notice = forward_plan_published + timedelta(days=FORWARD_PLAN_CLEAR_DAYS + 1)
    return on_or_after_working_day(max(ready, by_notice))


@dataclass(frozen=True)
class ScheduledStep:
    step: TemplateStep
    start: date
    due: date


def consultation_schedule(start: date, consultation_weeks: int = CONSULTATION_WEEKS_DEFAULT,
                          call_in_working_days: int = 5) -> dict[str, ScheduledStep]:
    """Dates for each step of the formal consultation template, starting on (or after) `start`.

    A step of n working days starts on the first working day after its predecessors finish and ends on its
    n-th working day. The consultation runs `consultation_weeks` calendar weeks and closes on a working day.
    The decision is on the first working day that is both after the analysis and at least 28 clear days after
    the forward plan entry; the call-in period follows in working days. Notice runs 3 calendar months from the
    first working day after call-in ends.
    """
    if not CONSULTATION_WEEKS_MIN <= consultation_weeks <= CONSULTATION_WEEKS_MAX:
        raise ValueError(f"The consultation runs {CONSULTATION_WEEKS_MIN} to {CONSULTATION_WEEKS_MAX} weeks.")
    out: dict[str, ScheduledStep] = {}

    def after(*keys: str) -> date:
        if not keys:
            return on_or_after_working_day(start)
        return add_working_days(max(out[k].due for k in keys), 1)

    for step in CONSULTATION_STEPS:
        begin = after(*step.depends_on) if step.key != "decision" else None
        if step.key == "live":
            assert begin is not None  # every step but the decision follows another
            due = on_or_after_working_day(begin + timedelta(weeks=consultation_weeks) - timedelta(days=1))
        elif step.key == "decision":
            begin = earliest_key_decision(out["forward_plan"].due, after("analysis"))
            due = add_working_days(begin, call_in_working_days)
        elif step.key == "notice":
            assert begin is not None
            due = on_or_after_working_day(begin + relativedelta(months=PROVIDER_NOTICE_MONTHS))
        else:
            assert step.working_days is not None and begin is not None
            due = add_working_days(begin, step.working_days - 1)
        out[step.key] = ScheduledStep(step, begin, due)
    return out


def school_holidays_crossed(start: date, end: date) -> list[str]:
    """Which school holidays (typical dates in England: Christmas 20 Dec to 3 Jan, Easter about a fortnight round
    Easter Sunday, summer 22 Jul to 31 Aug) a period crosses; councils consult for longer across them."""
    crossed: list[str] = []
    for year in range(start.year - 1, end.year + 1):
        sunday = easter(year)
        windows = (("Christmas", date(year, 12, 20), date(year + 1, 1, 3)),
                   ("Easter", sunday - timedelta(days=9), sunday + timedelta(days=8)),
                   ("summer", date(year, 7, 22), date(year, 8, 31)))
        for name, first, last in windows:
            if first <= end and start <= last and name not in crossed:
                crossed.append(name)
    return crossed
