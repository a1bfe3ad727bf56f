"""Red, amber, green: the review's status and each workstream's, computed from published rules, with a
manual override that needs a reason.

The measures are aggregated in SQL per workstream in one statement; the whole review uses the same rules on
all tasks (every measure is a count or a maximum, so it follows from the workstream rows).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

import pandas as pd
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session, aliased

from review.models import Task, Workstream
from review.models.plan import BaselineItem, RagOverride
from review.plan.network import days_between
from review.plan.tasks import CLOSED_STATUSES, TaskStatus
from review.plan.timeline import NO_WORKSTREAM, finish_date_expr, latest_baseline_id_query, sql_date
from review.platform import audit, clock
from review.platform.errors import NotFound
from review.platform.roles import Actor, Permission, require
from review.platform.validation import Problems, clean_text


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def rank(self) -> int:
        return {"green": 0, "amber": 1, "red": 2}[self.value]


def worst(values: list[Rag]) -> Rag:
    """The worst of several RAG ratings (green when there are none)."""
    return max(values, key=lambda r: r.rank, default=Rag.GREEN)


# Thresholds, in calendar days. Chosen for a review run in weeks: a month late is red.
OVERDUE_RED_DAYS = 20  # an open task more than 20 days (four working weeks) past its due date
SLIPPAGE_AMBER_DAYS = 5  # an open task's due date a working week or more later than in the baseline
SLIPPAGE_RED_DAYS = 20  # ... or four working weeks or more later
REASON_MIN_LENGTH = 10


@dataclass(frozen=True)
class Rule:
    key: str
    name: str
    amber_when: str
    red_when: str


RULES: tuple[Rule, ...] = (
    Rule("overdue", "Overdue tasks", "any open task is past its due date",
         f"an open task is more than {OVERDUE_RED_DAYS} days past its due date"),
    Rule("blocked", "Blocked tasks", "any task is blocked", "a blocked task is also past its due date"),
    Rule("slippage", "Slippage against the baseline",
         f"an open task is due {SLIPPAGE_AMBER_DAYS} or more days later than in the latest baseline",
         f"an open task is due {SLIPPAGE_RED_DAYS} or more days later than in the latest baseline"),
)


def rules_frame() -> pd.DataFrame:
    """The rules as the dashboard shows them."""
    return pd.DataFrame([{"Rule": r.name, "Amber when": r.amber_when, "Red when": r.red_when} for r in RULES]
                        + [{"Rule": "Overall", "Amber when": "any rule is amber", "Red when": "any rule is red"}])


@dataclass
class Measures:
    tasks: int = 0
    overdue: int = 0
    worst_overdue_days: int = 0
    blocked: int = 0
    blocked_overdue: int = 0
    worst_slippage_days: int | None = None  # None: no baseline covers these open tasks

    def combine(self, other: Measures) -> Measures:
        """The measures of two scopes together (counts added, the worse slippage kept)."""
        slips = [s for s in (self.worst_slippage_days, other.worst_slippage_days) if s is not None]
        return Measures(self.tasks + other.tasks, self.overdue + other.overdue,
                        max(self.worst_overdue_days, other.worst_overdue_days), self.blocked + other.blocked,
                        self.blocked_overdue + other.blocked_overdue, max(slips) if slips else None)


@dataclass
class RuleResult:
    rule: Rule
    rag: Rag
    finding: str


@dataclass(frozen=True)
class OverrideInfo:
    """The override in force for a scope, as plain data (safe to cache)."""

    id: int
    rag: Rag
    reason: str
    set_by: str
    set_on: date
    set_at: datetime


@dataclass
class RagStatus:
    """The computed RAG of one scope (a workstream, or the whole review when workstream_id is None)."""

    workstream_id: int | None
    name: str
    measures: Measures
    results: list[RuleResult]
    computed: Rag
    override: OverrideInfo | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def shown(self) -> Rag:
        """The RAG to show: the override when there is one, otherwise the computed one."""
        return self.override.rag if self.override else self.computed


def evaluate(m: Measures) -> list[RuleResult]:
    """Apply each rule to the measures; each result says what was found."""
    out = []
    rule = RULES[0]
    if m.overdue == 0:
        out.append(RuleResult(rule, Rag.GREEN, "nothing overdue"))
    else:
        rag = Rag.RED if m.worst_overdue_days > OVERDUE_RED_DAYS else Rag.AMBER
        out.append(RuleResult(rule, rag, f"{m.overdue} overdue, the worst by {m.worst_overdue_days} days"))
    rule = RULES[1]
    if m.blocked == 0:
        out.append(RuleResult(rule, Rag.GREEN, "nothing blocked"))
    else:
        rag = Rag.RED if m.blocked_overdue else Rag.AMBER
        extra = f", {m.blocked_overdue} of them overdue" if m.blocked_overdue else ""
        out.append(RuleResult(rule, rag, f"{m.blocked} blocked{extra}"))
    rule = RULES[2]
    if m.worst_slippage_days is None:
        out.append(RuleResult(rule, Rag.GREEN, "no baseline to compare with"))
    else:
        s = m.worst_slippage_days
        rag = Rag.RED if s >= SLIPPAGE_RED_DAYS else Rag.AMBER if s >= SLIPPAGE_AMBER_DAYS else Rag.GREEN
        out.append(RuleResult(rule, rag, f"worst open task {s} days later than baseline" if s > 0
                              else "open tasks on or ahead of baseline"))
    return out


def _measures_by_workstream(session: Session, today: date) -> dict[int | None, Measures]:
    """Every measure per workstream in one grouped statement against the latest baseline."""
    item = aliased(BaselineItem)
    is_open = Task.status.notin_(CLOSED_STATUSES)
    overdue = is_open & (Task.due_date < sql_date(today))
    late_by = days_between(sql_date(today), Task.due_date)
    blocked = Task.status == TaskStatus.BLOCKED.value
    slip = days_between(finish_date_expr(), item.due_date)
    query = (
        select(Task.workstream_id, func.count(Task.id),
               func.sum(case((overdue, 1), else_=0)), func.max(case((overdue, late_by), else_=None)),
               func.sum(case((blocked, 1), else_=0)), func.sum(case((blocked & overdue, 1), else_=0)),
               func.max(case((is_open, slip), else_=None)))
        .outerjoin(item, (item.task_id == Task.id) & (item.baseline_id == latest_baseline_id_query()))
        .group_by(Task.workstream_id)
    )
    return {ws: Measures(int(n), int(n_over or 0), int(worst_over or 0), int(n_blocked or 0),
                         int(n_blocked_over or 0), int(worst_slip) if worst_slip is not None else None)
            for ws, n, n_over, worst_over, n_blocked, n_blocked_over, worst_slip in session.execute(query)}


def current_overrides(session: Session) -> dict[int | None, RagOverride]:
    """The override in force per scope (None = the whole review), in one statement."""
    rows = session.scalars(select(RagOverride).where(RagOverride.cleared_at.is_(None))
                           .order_by(RagOverride.set_at, RagOverride.id)).all()
    return {r.workstream_id: r for r in rows}


def _status(ws_id: int | None, name: str, m: Measures, override: RagOverride | None) -> RagStatus:
    results = evaluate(m)
    computed = worst([r.rag for r in results])
    reasons = [f"{r.rule.name}: {r.finding}" for r in results if r.rag != Rag.GREEN]
    info = OverrideInfo(override.id, Rag(override.rag), override.reason, override.set_by, override.set_on,
                        override.set_at) \
        if override else None
    return RagStatus(ws_id, name, m, results, computed, info, reasons)


@dataclass
class RagReport:
    overall: RagStatus
    workstreams: list[RagStatus]

    def frame(self) -> pd.DataFrame:
        """One row per workstream: the RAG shown, the computed one, why, and any override."""
        rows = []
        for s in [self.overall, *self.workstreams]:
            rows.append({
                "Scope": s.name, "RAG": s.shown.label, "Computed": s.computed.label,
                "Why": "; ".join(s.reasons) or "all rules green",
                "Override": (f"{s.override.rag.label} set by {s.override.set_by}: {s.override.reason}"
                             if s.override else ""),
                "Open tasks overdue": s.measures.overdue, "Blocked": s.measures.blocked,
                "Worst slippage (days)": s.measures.worst_slippage_days, "workstream_id": s.workstream_id,
            })
        return pd.DataFrame(rows)


def rag_report(session: Session, today: date | None = None) -> RagReport:
    """The review's RAG and each workstream's (three statements whatever the number of tasks)."""
    today = today or clock.today()
    measures = _measures_by_workstream(session, today)
    names = {w.id: w.name for w in session.execute(select(Workstream.id, Workstream.name, Workstream.sort_order)
                                                   .order_by(Workstream.sort_order, Workstream.name))}
    overrides = current_overrides(session)
    statuses = [_status(ws_id, name, measures.get(ws_id, Measures()), overrides.get(ws_id))
                for ws_id, name in names.items()]
    if None in measures:
        statuses.append(_status(None, NO_WORKSTREAM, measures[None], None))
    total = Measures()
    for m in measures.values():
        total = total.combine(m)
    overall = _status(None, "Whole review", total, overrides.get(None))
    return RagReport(overall, [s for s in statuses if s.measures.tasks or s.override])


# ------------------------------------------------------------------ overrides

def set_override(session: Session, actor: Actor, workstream_id: int | None, rag: str, reason: str) -> RagOverride:
    """Set a manual RAG for the whole review (workstream None) or a workstream; the reason is required."""
    require(actor, Permission.EDIT_PLAN)
    problems = Problems()
    reason = clean_text(reason) or ""
    if rag not in {r.value for r in Rag}:
        problems.add("rag", "Choose red, amber or green.")
    if len(reason) < REASON_MIN_LENGTH:
        problems.add("reason", f"Give the reason for the override (at least {REASON_MIN_LENGTH} characters); "
                               "it is shown next to the RAG.")
    if workstream_id is not None and session.get(Workstream, workstream_id) is None:
        problems.add("workstream_id", "That workstream does not exist.")
    problems.raise_if_any()
    previous = current_overrides(session).get(workstream_id)
    now = clock.now_utc()
    if previous is not None:
        previous.cleared_at, previous.cleared_by = now, actor.username
    override = RagOverride(workstream_id=workstream_id, rag=rag, reason=reason, set_by=actor.display_name,
                           set_on=clock.today(), set_at=now)
    session.add(override)
    session.flush()
    scope = "whole review" if workstream_id is None else f"workstream {workstream_id}"
    audit.record(session, actor, "rag_override", override.id, "create",
                 {"scope": {"before": None, "after": scope},
                  "rag": {"before": previous.rag if previous else None, "after": rag},
                  "reason": {"before": previous.reason if previous else None, "after": reason}},
                 summary=f"RAG for {scope} set to {rag}")
    return override


def clear_override(session: Session, actor: Actor, workstream_id: int | None) -> None:
    """Go back to the computed RAG for the scope."""
    require(actor, Permission.EDIT_PLAN)
    current = current_overrides(session).get(workstream_id)
    if current is None:
        raise NotFound("There is no override to clear; the computed RAG is already shown.")
    session.execute(update(RagOverride).where(RagOverride.id == current.id)
                    .values(cleared_at=clock.now_utc(), cleared_by=actor.username))
    scope = "whole review" if workstream_id is None else f"workstream {workstream_id}"
    audit.record(session, actor, "rag_override", current.id, "clear",
                 {"rag": {"before": current.rag, "after": None}}, summary=f"RAG override for {scope} cleared")
