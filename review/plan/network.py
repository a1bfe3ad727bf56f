"""The plan's critical path, stored: worked out again whenever a task or a dependency changes, so that a page reads
each task's float and critical mark with the tasks it shows instead of working out the whole plan on every read.

A session that inserts or deletes a task or a dependency, or changes a task's dates, status or milestone flag (as an
ORM object, or with an ORM-enabled statement such as `session.execute(insert(Task), rows)`), is marked; before it
commits, `refresh` works the schedule out from the whole plan as the transaction sees it and stores it in
`task_schedule` and `plan_schedule`. A read in a session with such changes not yet committed refreshes first
(`ensure_fresh`), so it sees its own changes.

A transaction locks the `plan_schedule` row before its first change to the plan reaches the database (`before_flush`,
and before an ORM-enabled statement), and `refresh` does too: two transactions that change the plan at once do so
one after the other, and the second works from both changes (PostgreSQL reads what is committed at each statement;
SQLite lets one writer at a time). Taking the lock before the change, not at commit, also keeps them from
deadlocking: a task deleted by one and the schedule rewritten by the other would each wait for the other's rows.

Statements that bypass the session (a plain connection's `execute`) are not seen: whatever writes tasks that way
copies `task_schedule` with them (backup restore, transfer) or calls `refresh` itself.
"""
from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import Integer, case, delete, event, insert, inspect, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction
from sqlalchemy.sql.expression import FunctionElement

from review.models import PlanSchedule, Task, TaskDependency, TaskSchedule
from review.plan import schedule
from review.plan.tasks import TaskStatus
from review.platform import audit
from review.platform.roles import Actor, Permission, require

CHAINS_KEPT = 5  # critical chains stored (the plan page names them; more than five tie only in odd plans)
PLAN_ROW = 1  # the one row of plan_schedule
STALE = "plan_schedule_stale"  # session.info key: tasks or links changed since the last refresh
LOCKED = "plan_schedule_locked"  # session.info key: this transaction holds the plan's row
# The task fields a duration is worked out from: a change to any other field leaves the schedule as it is.
SCHEDULE_FIELDS = ("start_date", "due_date", "status", "is_milestone")
_CHUNK = 2_000


# ------------------------------------------------------------------ SQL date arithmetic

class days_between(FunctionElement):  # noqa: N801 - reads like the SQL function it renders
    """Whole days from `earlier` to `later` (later - earlier) in SQL, on PostgreSQL and SQLite."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element, compiler, **kw):  # PostgreSQL: date - date is an integer
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"CAST(julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)}) AS INTEGER)"


def duration_expr():
    """A task's planned duration in days, in SQL (as schedule.planned_duration; cancelled tasks take none)."""
    span = days_between(Task.due_date, Task.start_date) + 1
    return case(
        (Task.status == TaskStatus.CANCELLED.value, 0),
        (Task.start_date.is_(None) | Task.due_date.is_(None), 0),
        (Task.is_milestone.is_(True) & (Task.start_date == Task.due_date), 0),
        (span < 0, 0),
        else_=span,
    )


# ------------------------------------------------------------------ working it out and storing it

def read_network(session: Session) -> tuple[dict[int, int], list[tuple[int, int]]]:
    """Every task's duration and every link, in two statements (plain tuples: no ORM work per row)."""
    connection = session.connection()
    durations = {i: int(d or 0) for i, d in connection.execute(select(Task.id, duration_expr()))}
    links = [(a, b) for a, b in connection.execute(select(TaskDependency.predecessor_id,
                                                          TaskDependency.successor_id))]
    return durations, links


def refresh(session: Session) -> None:
    """Work out the critical path over the whole plan as this transaction sees it, and store it."""
    lock(session)
    session.flush()
    session.info.pop(STALE, None)
    connection = session.connection()
    durations, links = read_network(session)
    cpm = schedule.critical_path(durations, links)
    chains = cpm.chains(limit=CHAINS_KEPT)
    connection.execute(delete(TaskSchedule))
    rows = [{"task_id": t, "earliest_start": cpm.earliest_start[t], "earliest_finish": cpm.earliest_finish[t],
             "latest_start": cpm.latest_start[t], "critical": t in cpm.critical} for t in cpm.order]
    for first in range(0, len(rows), _CHUNK):
        connection.execute(insert(TaskSchedule), rows[first:first + _CHUNK])
    connection.execute(update(PlanSchedule).where(PlanSchedule.id == PLAN_ROW)
                       .values(length=cpm.length, tasks=len(durations), chains=chains))  # made by `lock`


def differences(session: Session) -> int:
    """How many tasks' stored schedule differs from one worked out now (a row missing, left over or changed), plus
    one if the plan's row does (its length or task count): 0 when the store is up to date. Read only."""
    cpm = schedule.critical_path(*read_network(session))
    fresh = {t: (cpm.earliest_start[t], cpm.earliest_finish[t], cpm.latest_start[t], t in cpm.critical)
             for t in cpm.order}
    stored = {t: (es, ef, ls, bool(c)) for t, es, ef, ls, c in session.connection().execute(
        select(TaskSchedule.task_id, TaskSchedule.earliest_start, TaskSchedule.earliest_finish,
               TaskSchedule.latest_start, TaskSchedule.critical))}
    changed = sum(1 for t in fresh.keys() | stored.keys() if fresh.get(t) != stored.get(t))
    plan = session.connection().execute(select(PlanSchedule.length, PlanSchedule.tasks)
                                        .where(PlanSchedule.id == PLAN_ROW)).first()
    plan_differs = (tuple(plan) if plan else (0, 0)) != (cpm.length, len(fresh))
    return changed + int(plan_differs)


def refresh_as(session: Session, actor: Actor) -> int:
    """A plan editor's (or the command line's) refresh of the stored schedule, after tasks were changed outside
    the tracker: audited, so every page's cached reads move on. Returns how many tasks' schedules it corrected."""
    require(actor, Permission.EDIT_PLAN)
    corrected = differences(session)
    refresh(session)
    audit.record(session, actor, "plan", "schedule", "refresh", {"corrected": {"before": None, "after": corrected}},
                 summary=f"Critical path worked out again ({corrected} difference(s) corrected)")
    return corrected


def lock(session: Session) -> None:
    """Hold the plan's row until this transaction ends (once per transaction): a transaction changing the plan at
    the same time waits here until this one commits, then reads the plan with this one's changes. On a database
    that has never had a plan the row is made first (an insert that yields to one made at the same moment)."""
    if session.info.get(LOCKED):
        return
    session.info[LOCKED] = True
    connection = session.connection()
    held = select(PlanSchedule.id).where(PlanSchedule.id == PLAN_ROW).with_for_update()
    if connection.execute(held).first() is None:
        make = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
        connection.execute(make(PlanSchedule).values(id=PLAN_ROW, length=0, tasks=0, chains=[])
                           .on_conflict_do_nothing(index_elements=["id"]))
        connection.execute(held)


def ensure_fresh(session: Session) -> None:
    """Refresh first if this session changed the plan and has not committed yet (a read then sees its changes)."""
    if session.info.get(STALE):
        refresh(session)


def mark_changed(session: Session) -> None:
    """Note that the plan changed in this transaction (done by the hooks below; for writers that bypass them)."""
    session.info[STALE] = True


def _schedule_changed(obj: Any) -> bool:
    if isinstance(obj, TaskDependency):
        return True
    if not isinstance(obj, Task):
        return False
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in SCHEDULE_FIELDS)


def _pending_changes(session: Session) -> bool:
    """True when the session's new, deleted or changed objects change the plan's schedule."""
    return any(isinstance(o, Task | TaskDependency) for o in chain(session.new, session.deleted)) or \
        any(_schedule_changed(o) for o in session.dirty)


@event.listens_for(Session, "before_flush")
def _lock_before_changes(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    if _pending_changes(session):
        lock(session)


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session: Session, _context: UOWTransaction) -> None:
    if _pending_changes(session):
        mark_changed(session)


@event.listens_for(Session, "do_orm_execute")
def _note_statements(state: ORMExecuteState) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ in (Task, TaskDependency):
        lock(state.session)
        mark_changed(state.session)


@event.listens_for(Session, "before_commit")
def _store_before_commit(session: Session) -> None:
    if session.info.get(STALE) or _pending_changes(session):
        refresh(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_the_end(session: Session, transaction: SessionTransaction) -> None:
    """Committed (refreshed before), rolled back or closed: the next transaction starts unmarked and unlocked."""
    if transaction.parent is None:
        session.info.pop(STALE, None)
        session.info.pop(LOCKED, None)
