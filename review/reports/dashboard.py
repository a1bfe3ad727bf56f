"""The SEND Executive dashboard's content, gathered in a fixed number of statements whatever the data size.

Tiles that belong to other capabilities (contract and decision deadlines, the engagement headline, the
phone-line cost) read those capabilities' services; a tile whose query the database refuses says so, with a
reference to the log line, and the rest of the dashboard still shows.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import case, func, literal, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, aliased

from review import engagement
from review.costing import scenarios
from review.models import Person, Task, Workstream
from review.models.plan import BaselineItem
from review.plan import raid, tasks
from review.plan.network import days_between
from review.plan.rag import RagReport, rag_report
from review.plan.tasks import CLOSED_STATUSES, STATUS_LABELS, TaskStatus
from review.plan.timeline import latest_baseline_id_query, sql_date
from review.platform import clock
from review.platform.roles import Actor
from review.reports import attention

log = logging.getLogger(__name__)

MILESTONE_WINDOW_WEEKS = 8
LIST_LIMIT = 12  # rows per list tile; the count says how many there are in all
TOP_RISKS = 5
DEADLINE_WINDOW_DAYS = 120


@dataclass
class External:
    """A tile fed by another capability: available or not, with a message and the data to show."""

    available: bool
    message: str = ""
    data: Any = None


@dataclass
class Dashboard:
    as_of: date
    rag: RagReport
    progress: pd.DataFrame
    status_counts: dict[str, int]
    milestones: pd.DataFrame
    attention: pd.DataFrame  # overdue and blocked tasks, worst first
    overdue_total: int
    blocked_total: int
    top_risks: pd.DataFrame
    raid_counts: dict[str, int]
    deadlines: External
    engagement: External
    phone_line: External
    extras: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------ task tiles

MILESTONE_COLUMNS = ["Ref", "Milestone", "Owner", "Due", "Days to go", "Baseline due", "Slippage (days)", "Status"]


def upcoming_milestones(session: Session, today: date, weeks: int = MILESTONE_WINDOW_WEEKS,
                        limit: int = LIST_LIMIT) -> pd.DataFrame:
    """Open milestones due in the next `weeks` weeks, with slippage against the latest baseline (one statement)."""
    item = aliased(BaselineItem)
    owner = aliased(Person)
    end = today + timedelta(weeks=weeks)
    query = (
        select(Task.reference, Task.title, owner.name, Task.due_date, Task.status, item.due_date.label("b_due"),
               days_between(Task.due_date, item.due_date).label("slip"))
        .outerjoin(owner, Task.owner_id == owner.id)
        .outerjoin(item, (item.task_id == Task.id) & (item.baseline_id == latest_baseline_id_query()))
        .where(Task.is_milestone.is_(True), Task.status.notin_(CLOSED_STATUSES),
               Task.due_date >= sql_date(today), Task.due_date <= sql_date(end))
        .order_by(Task.due_date, Task.reference).limit(limit)
    )
    rows = [[ref or "", title, who or "", due, (due - today).days, b_due, slip, STATUS_LABELS.get(status, status)]
            for ref, title, who, due, status, b_due, slip in session.execute(query)]
    frame = pd.DataFrame(rows, columns=MILESTONE_COLUMNS)
    frame["Slippage (days)"] = frame["Slippage (days)"].astype("Int64")
    return frame


ATTENTION_COLUMNS = ["Ref", "Task", "Workstream", "Owner", "Status", "Due", "Days late"]


def needs_attention(session: Session, today: date, limit: int = LIST_LIMIT) -> pd.DataFrame:
    """Overdue or blocked tasks, the most overdue first (one statement, limited in SQL)."""
    owner = aliased(Person)
    overdue = Task.status.notin_(CLOSED_STATUSES) & (Task.due_date < sql_date(today))
    late = case((overdue, days_between(sql_date(today), Task.due_date)), else_=literal(0))
    query = (
        select(Task.reference, Task.title, Workstream.name, owner.name, Task.status, Task.due_date, late.label("late"))
        .outerjoin(Workstream, Task.workstream_id == Workstream.id)
        .outerjoin(owner, Task.owner_id == owner.id)
        .where(overdue | (Task.status == TaskStatus.BLOCKED.value))
        .order_by(late.desc(), Task.due_date, Task.reference).limit(limit)
    )
    rows = [[ref or "", title, ws or "", who or "", STATUS_LABELS.get(status, status), due, int(days or 0)]
            for ref, title, ws, who, status, due, days in session.execute(query)]
    return pd.DataFrame(rows, columns=ATTENTION_COLUMNS)


# ------------------------------------------------------------------ other capabilities' tiles

def _plain(value: Any) -> Any:
    """Dataclasses and frames as plain data that can be cached and shown."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value


def _unreadable(tile: str, exc: SQLAlchemyError, message: str) -> External:
    """A tile whose data the database refused (typically a schema behind the code): logged with a reference that
    the message repeats, so a report from a user can be matched to the log line."""
    reference = uuid.uuid4().hex[:8]
    log.warning("Dashboard tile %r unavailable (reference %s): %s", tile, reference, exc)
    return External(False, f"{message} (reference {reference}).")


def deadlines_tile(session: Session, today: date) -> External:
    """Contract and decision dates coming up (contract register and decision log)."""
    try:
        frame = attention.upcoming_dates(session, today=today, horizon_days=DEADLINE_WINDOW_DAYS)
    except SQLAlchemyError as exc:
        return _unreadable("deadlines", exc, "Contract and decision deadlines could not be read")
    return External(True, "" if len(frame) else "No contract or decision dates in the coming months.", frame)


def engagement_tile(session: Session, actor: Actor | None) -> External:
    """Activities, participants and top themes from the engagement headline (suppressed for roles without
    personal-data access)."""
    try:
        result = engagement.headline(session, actor)
    except SQLAlchemyError as exc:
        return _unreadable("engagement", exc, "The engagement headline could not be read")
    return External(True, "", _plain(result))


def phone_line_tile(session: Session) -> External:
    """The recommended phone-line scenario's annual cost and FTE (costing capability)."""
    try:
        scenario = scenarios.recommended_scenario(session)
        if scenario is None:
            return External(True, "No scenario has been recommended yet.", None)
        summary = scenarios.evaluate(scenario).summary
    except SQLAlchemyError as exc:
        return _unreadable("phone line", exc, "The phone-line cost could not be read")
    return External(True, "", {
        "scenario": scenario.name,
        "delivery_model": scenario.delivery_model or "",
        "illustrative": bool(scenario.is_illustrative),
        "average_annual_cost": float(summary.get("average_annual_cost", 0.0)),
        "first_year_cost": float(summary.get("first_year_cost", 0.0)),
        "total_fte": float(summary.get("total_fte", 0.0)),
        "adviser_fte": float(summary.get("adviser_fte", 0.0)),
        "annual_calls": float(summary.get("annual_calls", 0.0)),
        "cost_per_call": float(summary.get("cost_per_call", 0.0)),
        "contract_years": int(summary.get("contract_years", 0) or 0),
    })


# ------------------------------------------------------------------ the whole dashboard

def dashboard(session: Session, actor: Actor | None = None, today: date | None = None) -> Dashboard:
    """Everything the executive dashboard and the highlight report show."""
    today = today or clock.today()
    counts = tasks.status_counts(session, today=today)
    blocked_total = counts.get(TaskStatus.BLOCKED.label, 0)
    return Dashboard(
        as_of=today,
        rag=rag_report(session, today),
        progress=tasks.progress_by_phase(session),
        status_counts=counts,
        milestones=upcoming_milestones(session, today),
        attention=needs_attention(session, today),
        overdue_total=counts.get("Overdue", 0),
        blocked_total=blocked_total,
        top_risks=raid.top_risks(session, TOP_RISKS),
        raid_counts=raid.raid_counts(session),
        deadlines=deadlines_tile(session, today),
        engagement=engagement_tile(session, actor),
        phone_line=phone_line_tile(session),
        extras={"workstreams": int(session.scalar(select(func.count(Workstream.id))) or 0)},
    )
