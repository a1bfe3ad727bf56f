"""The plan: the timeline with its critical path, baselines and slippage, and the formal consultation template.

Reads aggregate in SQL and issue a fixed number of statements whatever the number of tasks.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Date, Integer, case, delete, func, insert, literal, select
from sqlalchemy.orm import Session, aliased

from review.models import Person, Phase, PlanSchedule, Task, TaskDependency, TaskSchedule, Workstream
from review.models.plan import Baseline, BaselineItem
from review.plan import network, schedule, tasks
from review.plan.network import days_between
from review.plan.tasks import CLOSED_STATUSES, STATUS_LABELS, TaskStatus
from review.platform import audit, clock
from review.platform.config import get_settings
from review.platform.errors import NotFound, ValidationFailed
from review.platform.paging import Paged, first_row
from review.platform.roles import Actor, Permission, require
from review.platform.validation import Problems, clean_text, to_date

# The timeline draws this many tasks at a time (a page); filters narrow them, pages step through the rest.
TIMELINE_MAX_TASKS = 60
NO_WORKSTREAM = "(no workstream)"


# ------------------------------------------------------------------ SQL date arithmetic

def sql_date(value: date):
    """A date bound as a typed SQL parameter (ISO text on SQLite, a date on PostgreSQL)."""
    return literal(value, Date)


def finish_date_expr():
    """A task's current finish: its completed date when done, otherwise its due date."""
    return case((Task.status == TaskStatus.DONE.value, func.coalesce(Task.completed_date, Task.due_date)),
                else_=Task.due_date)


# ------------------------------------------------------------------ timeline and critical path

@dataclass(frozen=True)
class PlanView(Paged):
    """What the plan page draws: one page of the matching tasks, the links among them, and the critical path over
    all tasks. Small whatever the plan's size, so that it is cheap to cache and to hash as a chart's argument."""

    tasks: pd.DataFrame  # the tasks shown: one page of the matching ones, in timeline order
    links: pd.DataFrame  # predecessor_id, successor_id, Critical (among the shown tasks)
    critical_length: int  # days of planned work along the critical path
    total_tasks: int  # every task in the plan
    chains: list[list[str]]  # critical chains as task labels, a long one shortened
    critical_count: int = 0  # tasks on the critical path
    matching: int = 0  # dated tasks that match the filters (the timeline pages through them)
    first: int = 0  # position of the first task shown among the matching ones (0 on the first page)
    page_size: int = TIMELINE_MAX_TASKS


TIMELINE_COLUMNS = ["id", "Ref", "Task", "Phase", "phase_sequence", "Workstream", "Owner", "Status", "status",
                    "Start", "Due", "% complete", "Milestone", "Critical", "Float (days)"]


@dataclass(frozen=True)
class PlanNetwork:
    """The critical path over every task, as stored by review.plan.network whenever the plan changes. It depends on
    no filter or page, so a page reads it once per data version (`ui.data.cached`) whichever part it shows."""

    length: int
    total_tasks: int
    chains: list[list[str]]  # critical chains as task labels, a long one shortened (`shorten_chain`)
    critical_count: int = 0  # tasks on the critical path


# A critical chain of more than CHAIN_WHOLE steps (a few lines of references) is named by its first and last steps
# and how many lie between: a chain of 200 references is not read, and the full list is under "Tasks on the
# critical path".
CHAIN_WHOLE, CHAIN_HEAD, CHAIN_TAIL = 30, 12, 6


def shorten_chain(chain: list[int]) -> list[int | str]:
    """A chain's task ids, or its first and last ones around "... N more ..." when it is long."""
    if len(chain) <= CHAIN_WHOLE:
        return list(chain)
    hidden = len(chain) - CHAIN_HEAD - CHAIN_TAIL
    return [*chain[:CHAIN_HEAD], f"… {hidden} more …", *chain[-CHAIN_TAIL:]]


@dataclass(frozen=True)
class PlanPage(Paged):
    """One page of the timeline's tasks, with their critical marks and float, and the links among them."""

    tasks: pd.DataFrame
    links: pd.DataFrame  # predecessor_id, successor_id, Critical
    matching: int
    first: int
    page_size: int


def compute_critical_path(session: Session) -> schedule.CriticalPath:
    """The plan's critical path worked out afresh from the live tasks and links (not read from the store)."""
    return schedule.critical_path(*network.read_network(session))


def critical_ids(session: Session) -> set[int]:
    """The critical tasks, from the stored schedule (one statement)."""
    network.ensure_fresh(session)
    return set(session.connection().execute(select(TaskSchedule.task_id).where(TaskSchedule.critical.is_(True)))
               .scalars())


def plan_network(session: Session) -> PlanNetwork:
    """The stored critical path: its length, its chains (long ones shortened) and how many tasks are on it (three
    statements whatever the plan's size; nothing is worked out here)."""
    network.ensure_fresh(session)
    connection = session.connection()
    stored = connection.execute(select(PlanSchedule.length, PlanSchedule.tasks, PlanSchedule.chains)
                                .where(PlanSchedule.id == network.PLAN_ROW)).first()
    if stored is None:  # nothing has been planned yet
        return PlanNetwork(0, 0, [])
    shown = [shorten_chain([int(t) for t in chain]) for chain in stored.chains or []]
    wanted = sorted({t for chain in shown for t in chain if isinstance(t, int)})
    labels = {i: ref or f"#{i}" for i, ref in connection.execute(
        select(Task.id, Task.reference).where(Task.id.in_(wanted)))} if wanted else {}
    chains = [[labels.get(t, f"#{t}") if isinstance(t, int) else t for t in chain] for chain in shown]
    critical = connection.execute(select(func.count()).select_from(TaskSchedule)
                                  .where(TaskSchedule.critical.is_(True))).scalar()
    return PlanNetwork(int(stored.length), int(stored.tasks), chains, int(critical or 0))


def plan_page(session: Session, phase_ids: list[int] | None = None, workstream_ids: list[int] | None = None,
              critical_only: bool = False, page: int = 1, limit: int = TIMELINE_MAX_TASKS) -> PlanPage:
    """Page `page` (from 1) of the dated tasks matching the filters (`critical_only`: only the critical ones),
    ordered by phase, workstream and start, with their critical marks and float from the stored schedule and the
    links among them (three statements whatever the plan's size: the count, the page, its links)."""
    network.ensure_fresh(session)
    owner = aliased(Person)
    where: list[Any] = [Task.start_date.is_not(None) | Task.due_date.is_not(None)]
    if phase_ids:
        where.append(Task.phase_id.in_(phase_ids))
    if workstream_ids:
        where.append(Task.workstream_id.in_(workstream_ids))
    if critical_only:
        where.append(TaskSchedule.critical.is_(True))
    matching = int(session.connection().execute(
        select(func.count(Task.id)).outerjoin(TaskSchedule, TaskSchedule.task_id == Task.id).where(*where)).scalar()
        or 0)
    first = first_row(page, matching, limit)
    query = (
        select(Task.id, Task.reference, Task.title, Phase.name.label("phase"), Phase.sequence,
               Workstream.name.label("workstream"), owner.name.label("owner"), Task.status, Task.start_date,
               Task.due_date, Task.percent_complete, Task.is_milestone, TaskSchedule.critical,
               (TaskSchedule.latest_start - TaskSchedule.earliest_start).label("float_days"))
        .join(Phase, Task.phase_id == Phase.id)
        .outerjoin(Workstream, Task.workstream_id == Workstream.id)
        .outerjoin(owner, Task.owner_id == owner.id)
        .outerjoin(TaskSchedule, TaskSchedule.task_id == Task.id)
        .where(*where)
        .order_by(Phase.sequence, func.coalesce(Workstream.sort_order, 999), Workstream.name,
                  func.coalesce(Task.start_date, Task.due_date), Task.id)
        .offset(first).limit(limit)
    )
    rows = [
        [r.id, r.reference or "", r.title, r.phase, r.sequence, r.workstream or NO_WORKSTREAM, r.owner or "",
         STATUS_LABELS.get(r.status, r.status), r.status, r.start_date or r.due_date, r.due_date or r.start_date,
         r.percent_complete, bool(r.is_milestone), bool(r.critical),
         int(r.float_days) if r.float_days is not None else None]
        for r in session.connection().execute(query)
    ]
    shown_ids = [row[0] for row in rows]
    before, after = aliased(TaskSchedule), aliased(TaskSchedule)
    driving = (before.critical.is_(True) & after.critical.is_(True)
               & (before.earliest_finish == after.earliest_start))
    links = session.connection().execute(
        select(TaskDependency.predecessor_id, TaskDependency.successor_id, case((driving, True), else_=False))
        .outerjoin(before, before.task_id == TaskDependency.predecessor_id)
        .outerjoin(after, after.task_id == TaskDependency.successor_id)
        .where(TaskDependency.predecessor_id.in_(shown_ids), TaskDependency.successor_id.in_(shown_ids))
        .order_by(TaskDependency.predecessor_id, TaskDependency.successor_id)).all()
    return PlanPage(pd.DataFrame(rows, columns=TIMELINE_COLUMNS),
                    pd.DataFrame([(a, b, bool(c)) for a, b, c in links],
                                 columns=["predecessor_id", "successor_id", "Critical"]).astype({"Critical": bool}),
                    matching, first, limit)


def combine(network_: PlanNetwork, shown: PlanPage) -> PlanView:
    """The timeline's view: the page's tasks and links with the critical path over the whole plan."""
    return PlanView(shown.tasks, shown.links, network_.length, network_.total_tasks, network_.chains,
                    network_.critical_count, matching=shown.matching, first=shown.first, page_size=shown.page_size)


def plan_view(session: Session, phase_ids: list[int] | None = None, workstream_ids: list[int] | None = None,
              critical_only: bool = False, page: int = 1, limit: int = TIMELINE_MAX_TASKS) -> PlanView:
    """One page (`limit` tasks, `page` counted from 1) of the dated tasks matching the filters, with the critical
    path over all tasks (six statements whatever the plan's size). Pages read `plan_network` and `plan_page`
    through the cache separately, so that another page or filter does not read the chains again."""
    return combine(plan_network(session), plan_page(session, phase_ids, workstream_ids, critical_only, page, limit))


CRITICAL_TASKS_LISTED = 200


def critical_tasks_frame(session: Session, limit: int = CRITICAL_TASKS_LISTED) -> pd.DataFrame:
    """The critical tasks in order of earliest start, with their dates (one statement)."""
    network.ensure_fresh(session)
    query = (select(Task.id, Task.reference, Task.title, Task.status, Task.start_date, Task.due_date,
                    Task.is_milestone)
             .join(TaskSchedule, TaskSchedule.task_id == Task.id)
             .where(TaskSchedule.critical.is_(True))
             .order_by(TaskSchedule.earliest_start, Task.id)
             .limit(limit))
    out = [{"Ref": r.reference or f"#{r.id}", "Task": r.title, "Status": STATUS_LABELS.get(r.status, r.status),
            "Start": r.start_date, "Due": r.due_date,
            "Duration (days)": schedule.planned_duration(r.start_date, r.due_date, r.is_milestone)}
           for r in session.connection().execute(query)]
    return pd.DataFrame(out, columns=["Ref", "Task", "Status", "Start", "Due", "Duration (days)"])


# ------------------------------------------------------------------ baselines

BASELINE_NAME_MAX = 120


def save_baseline(session: Session, actor: Actor, name: str, note: str | None = None,
                  as_of: date | None = None) -> Baseline:
    """Copy every task's planned start, due date and milestone flag into a named baseline (one INSERT ... SELECT)."""
    require(actor, Permission.EDIT_PLAN)
    problems = Problems()
    name = clean_text(name) or ""
    if not name:
        problems.add("name", "Give the baseline a name, e.g. 'Plan agreed by SEND Executive, Dec 2019'.")
    elif len(name) > BASELINE_NAME_MAX:
        problems.add("name", f"Keep the name to {BASELINE_NAME_MAX} characters.")
    elif session.scalar(select(Baseline.id).where(Baseline.name == name)):
        problems.add("name", f"A baseline called '{name}' already exists; choose another name.")
    day = clock.today()
    try:
        day = to_date(as_of) or day
    except ValueError:
        problems.add("as_of", "Enter the baseline date as YYYY-MM-DD.")
    problems.raise_if_any()
    baseline = Baseline(name=name, note=clean_text(note), as_of=day, created_by=actor.display_name[:60])
    session.add(baseline)
    session.flush()
    session.execute(insert(BaselineItem).from_select(
        ["baseline_id", "task_id", "reference", "title", "start_date", "due_date", "is_milestone"],
        select(literal(baseline.id, Integer), Task.id, Task.reference, Task.title, Task.start_date, Task.due_date,
               Task.is_milestone)))
    count = session.scalar(select(func.count(BaselineItem.id)).where(BaselineItem.baseline_id == baseline.id))
    audit.record(session, actor, "baseline", baseline.id, "create",
                 {"name": {"before": None, "after": name}, "as_of": {"before": None, "after": day.isoformat()},
                  "tasks": {"before": None, "after": int(count or 0)}}, summary=name)
    return baseline


def delete_baseline(session: Session, actor: Actor, baseline_id: int) -> None:
    """Delete a saved baseline (plan editors), keeping it in the audit log."""
    require(actor, Permission.EDIT_PLAN)
    baseline = session.get(Baseline, baseline_id)
    if baseline is None:
        raise NotFound("This baseline no longer exists; someone may have deleted it.")
    name = baseline.name
    # The audit event keeps the baseline whole (each task's planned dates), so a deletion can be undone by hand.
    items = [{"task_id": i.task_id, "reference": i.reference, "title": i.title,
              "start": audit.json_safe(i.start_date), "due": audit.json_safe(i.due_date), "milestone": i.is_milestone}
             for i in session.scalars(select(BaselineItem).where(BaselineItem.baseline_id == baseline_id)
                                      .order_by(BaselineItem.id))]
    before = {"name": name, "note": baseline.note, "as_of": audit.json_safe(baseline.as_of),
              "created_by": baseline.created_by, "tasks": items}
    session.execute(delete(BaselineItem).where(BaselineItem.baseline_id == baseline_id))
    session.delete(baseline)
    session.flush()
    audit.record(session, actor, "baseline", baseline_id, "delete", audit.diff(before, {}), summary=name)


def baselines_frame(session: Session) -> pd.DataFrame:
    """Baselines, newest first, with their task counts (one statement)."""
    query = (select(Baseline.id, Baseline.name, Baseline.as_of, Baseline.created_by, Baseline.note,
                    func.count(BaselineItem.id))
             .outerjoin(BaselineItem, BaselineItem.baseline_id == Baseline.id)
             .group_by(Baseline.id, Baseline.name, Baseline.as_of, Baseline.created_by, Baseline.note)
             .order_by(Baseline.as_of.desc(), Baseline.id.desc()))
    rows = [{"id": i, "Baseline": n, "Taken on": d, "Saved by": who, "Note": note or "", "Tasks": int(c)}
            for i, n, d, who, note, c in session.execute(query)]
    return pd.DataFrame(rows, columns=["id", "Baseline", "Taken on", "Saved by", "Note", "Tasks"])


def latest_baseline_id_query():
    """Scalar subquery: the newest baseline (latest 'taken on' date, then latest saved)."""
    return (select(Baseline.id).order_by(Baseline.as_of.desc(), Baseline.id.desc()).limit(1)).scalar_subquery()


def baseline_due_dates(session: Session, baseline_id: int | None = None) -> dict[int, date | None]:
    """task id -> due date in a baseline (the latest one by default); one light statement."""
    chosen = baseline_id if baseline_id is not None else latest_baseline_id_query()
    query = select(BaselineItem.task_id, BaselineItem.due_date).where(BaselineItem.baseline_id == chosen)
    rows = session.execute(query)
    return {task_id: due for task_id, due in rows if task_id is not None}


def _slip_expr(item):
    return days_between(finish_date_expr(), item.due_date)


SLIPPAGE_COLUMNS = ["Ref", "Task", "Phase", "Workstream", "Status", "Baseline start", "Baseline due", "Start",
                    "Due or completed", "Start slip (days)", "Slippage (days)", "task_id"]


def slippage_frame(session: Session, baseline_id: int | None = None, only_slipped: bool = False,
                   limit: int | None = 500) -> pd.DataFrame:
    """Per task in the baseline: days its finish (completed date if done, else due date) is later than the
    baseline due date; negative means early. Worst first; one statement."""
    item = aliased(BaselineItem)
    chosen = baseline_id if baseline_id is not None else latest_baseline_id_query()
    slip = _slip_expr(item)
    query = (
        select(Task.id, Task.reference, Task.title, Phase.name.label("phase"), Workstream.name.label("ws"),
               Task.status, item.start_date.label("b_start"), item.due_date.label("b_due"), Task.start_date,
               finish_date_expr().label("finish"), days_between(Task.start_date, item.start_date).label("start_slip"),
               slip.label("slip"))
        .join(item, item.task_id == Task.id)
        .join(Phase, Task.phase_id == Phase.id)
        .outerjoin(Workstream, Task.workstream_id == Workstream.id)
        .where(item.baseline_id == chosen)
        .order_by(slip.desc().nulls_last(), Task.reference)
    )
    if only_slipped:
        query = query.where(slip > 0)
    if limit:
        query = query.limit(limit)
    rows = [[r.reference or f"#{r.id}", r.title, r.phase, r.ws or NO_WORKSTREAM, STATUS_LABELS.get(r.status, r.status),
             r.b_start, r.b_due, r.start_date, r.finish, r.start_slip, r.slip, r.id] for r in session.execute(query)]
    frame = pd.DataFrame(rows, columns=SLIPPAGE_COLUMNS)
    for col in ("Start slip (days)", "Slippage (days)"):
        frame[col] = frame[col].astype("Int64")
    return frame


def slippage_summary(session: Session, by: str = "workstream", baseline_id: int | None = None) -> pd.DataFrame:
    """Slippage per workstream or per phase against a baseline, aggregated in SQL (one statement).

    Columns: the group, tasks in the baseline, tasks late, total and worst days late, average slippage.
    """
    if by not in ("workstream", "phase"):
        raise ValueError("by must be 'workstream' or 'phase'")
    item = aliased(BaselineItem)
    chosen = baseline_id if baseline_id is not None else latest_baseline_id_query()
    slip = _slip_expr(item)
    late = case((slip > 0, slip), else_=0)
    if by == "workstream":
        group: list[Any] = [func.coalesce(Workstream.name, NO_WORKSTREAM), func.coalesce(Workstream.sort_order, 999)]
        source = select(*group).outerjoin(Workstream, Task.workstream_id == Workstream.id)
        label = "Workstream"
    else:
        group = [Phase.name, Phase.sequence]
        source = select(*group).join(Phase, Task.phase_id == Phase.id)
        label = "Phase"
    query = (
        source.add_columns(func.count(item.id), func.sum(case((slip > 0, 1), else_=0)), func.sum(late),
                           func.max(slip), func.avg(slip))
        .select_from(Task)
        .join(item, item.task_id == Task.id)
        .where(item.baseline_id == chosen)
        .group_by(*group)
        .order_by(group[1], group[0])
    )
    rows = [{label: name, "Tasks in baseline": int(n), "Tasks late": int(n_late or 0),
             "Total days late": int(total or 0), "Worst slippage (days)": int(worst) if worst is not None else None,
             "Average slippage (days)": round(float(avg), 1) if avg is not None else None}
            for name, _order, n, n_late, total, worst, avg in session.execute(query)]
    return pd.DataFrame(rows, columns=[label, "Tasks in baseline", "Tasks late", "Total days late",
                                       "Worst slippage (days)", "Average slippage (days)"])


# ------------------------------------------------------------------ formal consultation template

REFERENCE_PREFIX_MAX = 12


def consultation_preview(start: Any, consultation_weeks: int = schedule.CONSULTATION_WEEKS_DEFAULT,
                         call_in_working_days: int | None = None) -> pd.DataFrame:
    """The template's steps with the dates they would get, for the page to show before inserting."""
    start = to_date(start)
    if start is None:
        raise ValidationFailed({"start": "Choose the date the consultation work starts."})
    call_in = call_in_working_days if call_in_working_days is not None else get_settings().call_in_working_days
    try:
        steps = schedule.consultation_schedule(start, int(consultation_weeks), int(call_in))
    except ValueError as exc:
        raise ValidationFailed({"consultation_weeks": str(exc)}) from exc
    titles = {s.step.key: s.step.title for s in steps.values()}
    rows = [{"Step": s.step.title, "Starts": s.start, "Ends": s.due,
             "Working days": schedule.working_days_between(s.start, s.due),
             "After": ", ".join(titles[k] for k in s.step.depends_on), "Milestone": s.step.milestone,
             "key": key} for key, s in steps.items()]
    return pd.DataFrame(rows)


def insert_consultation_template(session: Session, actor: Actor, start: Any, phase_id: int,
                                 workstream_id: int | None = None, owner_id: int | None = None,
                                 consultation_weeks: int = schedule.CONSULTATION_WEEKS_DEFAULT, prefix: str = "CON",
                                 after_task_id: int | None = None,
                                 call_in_working_days: int | None = None) -> list[Task]:
    """Insert the formal consultation steps as tasks with their dependencies, scheduled from `start`.

    The tasks are created through review.plan.tasks (validated and audited one by one); `after_task_id`, if given,
    must finish before the legal check starts.
    """
    require(actor, Permission.EDIT_PLAN)
    require(actor, Permission.EDIT_TASKS)
    problems = Problems()
    prefix = (clean_text(prefix) or "").upper()
    if not prefix:
        problems.add("prefix", "Enter a reference prefix, e.g. CON.")
    elif len(prefix) > REFERENCE_PREFIX_MAX or not all(ch.isalnum() or ch == "-" for ch in prefix):
        problems.add("prefix", f"Use up to {REFERENCE_PREFIX_MAX} letters, digits or hyphens.")
    references = [f"{prefix}-{n:02d}" for n in range(1, len(schedule.CONSULTATION_STEPS) + 1)]
    taken = session.scalars(select(Task.reference).where(Task.reference.in_(references))).all() if prefix else []
    if taken:
        problems.add("prefix", f"References {', '.join(sorted(t for t in taken if t))} are already used; "
                               "choose another prefix.")
    if after_task_id is not None and session.get(Task, after_task_id) is None:
        problems.add("after_task_id", "The task to follow no longer exists.")
    try:
        preview = consultation_preview(start, consultation_weeks, call_in_working_days)
    except ValidationFailed as exc:
        for key, message in exc.errors.items():
            problems.add(key, message)
        preview = None
    problems.raise_if_any()
    assert preview is not None
    created: dict[str, Task] = {}
    steps = {s.key: s for s in schedule.CONSULTATION_STEPS}
    for reference, row in zip(references, preview.itertuples(index=False), strict=True):
        step = steps[row.key]
        created[step.key] = tasks.create_task(
            session, actor, reference=reference, title=step.title, description=step.description,
            phase_id=phase_id, workstream_id=workstream_id, owner_id=owner_id, start_date=row.Starts,
            due_date=row.Ends, is_milestone=step.milestone, priority="high")
    for step in schedule.CONSULTATION_STEPS:
        for before in step.depends_on:
            tasks.add_dependency(session, actor, created[before].id, created[step.key].id)
    if after_task_id is not None:
        tasks.add_dependency(session, actor, after_task_id, created["legal"].id)
    audit.record(session, actor, "plan", "consultation_template", "insert",
                 {"tasks": {"before": None, "after": references},
                  "start": {"before": None, "after": preview["Starts"].min().isoformat()},
                  "consultation_weeks": {"before": None, "after": int(consultation_weeks)}},
                 summary=f"Formal consultation template inserted as {references[0]} to {references[-1]}")
    return list(created.values())


# Pickers list at most this many tasks (open ones first, by reference); a longer list is no use to choose from.
TASK_PICKER_LIMIT = 500


def open_task_options(session: Session, limit: int = TASK_PICKER_LIMIT) -> dict[int, str]:
    """id -> 'REF title' for choosing a task to follow or link (one statement, open tasks first)."""
    query = (select(Task.id, Task.reference, Task.title)
             .order_by(Task.status.in_(CLOSED_STATUSES), Task.reference.is_(None), Task.reference, Task.id)
             .limit(limit))
    return {i: f"{ref} {title}" if ref else f"#{i} {title}" for i, ref, title in session.execute(query)}
