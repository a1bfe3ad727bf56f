"""The project team's task tracker: create, edit, delete, dependencies and comments.

Every write checks the role, validates, records an audit event and refuses a stale version.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import pandas as pd
from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session, aliased

from review.models import Person, Phase, Task, TaskComment, TaskDependency, Workstream
from review.plan import organisation
from review.platform import audit, clock, exports, references
from review.platform import record_helpers as records
from review.platform.errors import NotFound, ValidationFailed
from review.platform.paging import Paged, first_row
from review.platform.parsing import BOOL, DATE, TEXT, WHOLE, declare, parse, report_invalid
from review.platform.roles import Actor, Permission, require
from review.platform.validation import Problems, clean_text


class TaskStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def label(self) -> str:
        return self.value.capitalize()


STATUS_LABELS = {s.value: s.label for s in TaskStatus}
PRIORITY_LABELS = {p.value: p.label for p in Priority}
CLOSED_STATUSES = (TaskStatus.DONE.value, TaskStatus.CANCELLED.value)
TITLE_MAX = 200

# Fields a service caller may set; anything else in a change set is refused.
EDITABLE_FIELDS = (
    "reference", "title", "description", "phase_id", "workstream_id", "owner_id", "status", "priority",
    "start_date", "due_date", "completed_date", "percent_complete", "is_milestone",
)
AUDITED_FIELDS = EDITABLE_FIELDS


@dataclass
class TaskFilter:
    """What the task list shows; empty lists mean 'any'."""

    phase_ids: list[int] = field(default_factory=list)
    workstream_ids: list[int] = field(default_factory=list)
    owner_ids: list[int] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    overdue_only: bool = False
    text: str = ""
    milestones_only: bool = False
    open_only: bool = False
    due_from: date | None = None
    limit: int | None = None  # with a limit, rows come soonest due first
    ids: list[int] = field(default_factory=list)


# ---------------------------------------------------------------- validation

FIELD_PARSERS = {**declare(DATE, ("start_date", "due_date", "completed_date")),
                 **declare(TEXT, ("title", "description", "reference")),
                 **declare(WHOLE, ("phase_id", "workstream_id", "owner_id")), "is_milestone": BOOL}



def _validate(session: Session, v: dict[str, Any], task_id: int | None = None) -> None:
    problems = Problems()
    report_invalid(problems, v)
    if not v.get("title"):
        problems.add("title", "Enter a title for the task.")
    elif len(v["title"]) > TITLE_MAX:
        problems.add("title", f"Keep the title to {TITLE_MAX} characters (it has {len(v['title'])}).")
    if v.get("reference"):
        if len(v["reference"]) > 20:
            problems.add("reference", "Keep the reference to 20 characters.")
        elif session.scalar(select(Task.id).where(Task.reference == v["reference"], Task.id != (task_id or -1))):
            problems.add("reference", f"Reference {v['reference']} is already used by another task.")
    if v.get("phase_id") is None or session.get(Phase, v["phase_id"]) is None:
        problems.add("phase_id", "Choose the phase this task belongs to.")
    if v.get("workstream_id") is not None and session.get(Workstream, v["workstream_id"]) is None:
        problems.add("workstream_id", "That workstream does not exist.")
    if v.get("owner_id") is not None and session.get(Person, v["owner_id"]) is None:
        problems.add("owner_id", "The owner must be a person in the people list.")
    if v.get("status") not in STATUS_LABELS:
        problems.add("status", f"Status must be one of: {', '.join(STATUS_LABELS.values())}.")
    if v.get("priority") not in PRIORITY_LABELS:
        problems.add("priority", f"Priority must be one of: {', '.join(PRIORITY_LABELS.values())}.")
    start, due, completed = v.get("start_date"), v.get("due_date"), v.get("completed_date")
    if start and due and due < start:
        problems.add("due_date", f"The due date ({due:%d %b %Y}) is before the start date ({start:%d %b %Y}).")
    percent = v.get("percent_complete")
    try:
        if percent is None or float(percent) != int(float(percent)) or not 0 <= int(float(percent)) <= 100:
            raise ValueError
        v["percent_complete"] = int(float(percent))
    except (TypeError, ValueError):
        problems.add("percent_complete", "Percent complete must be a whole number from 0 to 100.")
    if completed and v.get("status") != TaskStatus.DONE.value:
        problems.add("completed_date", "A completed date can only be set when the status is Done.")
    if completed and start and completed < start:
        problems.add("completed_date", "The completed date is before the start date.")
    problems.raise_if_any()


def _apply_status_rules(v: dict[str, Any], changed: set[str], previous_status: str | None) -> None:
    """Done means 100% and a completed date (today if none given); leaving Done clears the date."""
    if v.get("status") == TaskStatus.DONE.value:
        if not v.get("completed_date"):
            v["completed_date"] = clock.today()
        if "percent_complete" not in changed or v.get("percent_complete") in (None, ""):
            v["percent_complete"] = 100
    elif previous_status == TaskStatus.DONE.value and "completed_date" not in changed:
        v["completed_date"] = None


# ---------------------------------------------------------------- writes

def create_task(session: Session, actor: Actor, **values: Any) -> Task:
    """Add a task. Required: title and phase_id; defaults: not started, medium priority, 0%."""
    require(actor, Permission.EDIT_TASKS)
    records.reject_unknown(values, EDITABLE_FIELDS)
    v = {"status": TaskStatus.NOT_STARTED.value, "priority": Priority.MEDIUM.value, "percent_complete": 0,
         "is_milestone": False, **parse(values, FIELD_PARSERS)}
    _apply_status_rules(v, set(values), None)
    _validate(session, v)
    if not v.get("reference"):
        phase = session.get(Phase, v["phase_id"])
        assert phase is not None  # _validate refused a missing phase
        v["reference"] = references.allocate(session, Task.reference, organisation.task_prefix(phase))
    task = Task(**{k: v.get(k) for k in EDITABLE_FIELDS})
    session.add(task)
    records.record_created(session, actor, "task", task, AUDITED_FIELDS, summary=task.title)
    return task


def get_task(session: Session, task_id: int) -> Task:
    """The task, or NotFound when someone has deleted it."""
    return records.get_or_not_found(session, Task, task_id, "This task no longer exists; someone may have deleted it.")


def update_task(session: Session, actor: Actor, task_id: int, expected_version: int | None,
                **changes: Any) -> Task:
    """Change some fields of a task, refusing the change if someone saved it since `expected_version`."""
    require(actor, Permission.EDIT_TASKS)
    records.reject_unknown(changes, EDITABLE_FIELDS)
    task = records.load_for_edit(session, Task, "task", task_id, expected_version)
    v = {**records.current_values(task, EDITABLE_FIELDS), **parse(changes, FIELD_PARSERS)}
    _apply_status_rules(v, set(changes), task.status)
    _validate(session, v, task_id=task.id)
    records.apply_changes(session, actor, "task", task, AUDITED_FIELDS, v, summary=lambda t: t.title)
    return task


def apply_task_edits(session: Session, actor: Actor, edits: dict[int, tuple[int, dict[str, Any]]]) -> int:
    """Apply table edits {task_id: (loaded_version, changes)} all or nothing; returns tasks changed.

    Validation problems from every row are raised together, keyed "<reference or #id>: <field>".
    """
    require(actor, Permission.EDIT_TASKS)
    problems: dict[str, str] = {}
    changed = 0
    # Lock the rows in id order (FOR UPDATE on PostgreSQL) so that two people saving the same tasks in a different
    # order queue one behind the other instead of deadlocking.
    session.scalars(select(Task).where(Task.id.in_(sorted(edits))).order_by(Task.id).with_for_update()
                    .execution_options(populate_existing=True)).all()
    for task_id, (version, changes) in sorted(edits.items()):
        try:
            before = session.get(Task, task_id)
            old_version = before.version if before is not None else None
            task = update_task(session, actor, task_id, version, **changes)
            changed += int(task.version != old_version)
        except ValidationFailed as exc:
            label = session.get(Task, task_id)
            name = (label.reference or f"#{task_id}") if label is not None else f"#{task_id}"
            for key, message in exc.errors.items():
                problems[f"{name}: {key}"] = message
    if problems:
        raise ValidationFailed(problems)
    return changed


def delete_task(session: Session, actor: Actor, task_id: int, expected_version: int | None) -> None:
    """Delete a task with its dependencies and comments; the audit event keeps what it held."""
    require(actor, Permission.EDIT_TASKS)
    task = records.load_for_edit(session, Task, "task", task_id, expected_version)
    before = audit.snapshot(task, AUDITED_FIELDS)
    links = session.execute(
        select(TaskDependency.predecessor_id, TaskDependency.successor_id).where(
            (TaskDependency.predecessor_id == task_id) | (TaskDependency.successor_id == task_id))
    ).all()
    session.execute(delete(TaskDependency).where(
        (TaskDependency.predecessor_id == task_id) | (TaskDependency.successor_id == task_id)))
    session.execute(delete(TaskComment).where(TaskComment.task_id == task_id))
    if links:
        before["dependencies"] = [f"{a}->{b}" for a, b in links]
    records.record_deleted(session, actor, "task", task, before, summary=before.get("title"))


# ---------------------------------------------------------------- dependencies

def _edges(session: Session) -> dict[int, set[int]]:
    graph: dict[int, set[int]] = {}
    for pred, succ in session.execute(select(TaskDependency.predecessor_id, TaskDependency.successor_id)):
        graph.setdefault(pred, set()).add(succ)
    return graph


def _path(graph: dict[int, set[int]], start: int, goal: int) -> list[int] | None:
    """A path start -> ... -> goal through the graph, or None (iterative depth-first search)."""
    stack: list[tuple[int, list[int]]] = [(start, [start])]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node == goal:
            return path
        if node in seen:
            continue
        seen.add(node)
        for nxt in sorted(graph.get(node, ()), reverse=True):
            if nxt not in seen:
                stack.append((nxt, [*path, nxt]))
    return None


def _task_names(session: Session, ids: list[int]) -> dict[int, str]:
    rows = session.execute(select(Task.id, Task.reference, Task.title).where(Task.id.in_(ids))).all()
    return {i: f"{ref} {title}" if ref else f"#{i} {title}" for i, ref, title in rows}


def add_dependency(session: Session, actor: Actor, predecessor_id: int, successor_id: int) -> TaskDependency:
    """Successor waits for predecessor. A link that would close a loop is refused, naming the loop."""
    require(actor, Permission.EDIT_TASKS)
    problems = Problems()
    if session.get(Task, predecessor_id) is None:
        problems.add("predecessor_id", "The predecessor task does not exist.")
    if session.get(Task, successor_id) is None:
        problems.add("successor_id", "The successor task does not exist.")
    problems.raise_if_any()
    if predecessor_id == successor_id:
        raise ValidationFailed({"predecessor_id": "A task cannot depend on itself."})
    if session.scalar(select(TaskDependency.id).where(TaskDependency.predecessor_id == predecessor_id,
                                                      TaskDependency.successor_id == successor_id)):
        raise ValidationFailed({"predecessor_id": "That dependency already exists."})
    loop = _path(_edges(session), successor_id, predecessor_id)
    if loop is not None:
        names = _task_names(session, loop)
        chain = " -> ".join(names[i] for i in [*loop, successor_id])
        raise ValidationFailed({"predecessor_id": f"This dependency would create a loop: {chain}."})
    link = TaskDependency(predecessor_id=predecessor_id, successor_id=successor_id)
    session.add(link)
    session.flush()
    audit.record(session, actor, "task_dependency", link.id, "create",
                 {"link": {"before": None, "after": f"{predecessor_id}->{successor_id}"}})
    return link


def remove_dependency(session: Session, actor: Actor, predecessor_id: int, successor_id: int) -> None:
    """Remove a predecessor link between two tasks (editors), with an audit event."""
    require(actor, Permission.EDIT_TASKS)
    link = session.scalar(select(TaskDependency).where(TaskDependency.predecessor_id == predecessor_id,
                                                       TaskDependency.successor_id == successor_id))
    if link is None:
        raise NotFound("That dependency no longer exists.")
    session.delete(link)
    session.flush()
    audit.record(session, actor, "task_dependency", link.id, "delete",
                 {"link": {"before": f"{predecessor_id}->{successor_id}", "after": None}})


def set_predecessors(session: Session, actor: Actor, task_id: int, predecessor_ids: list[int],
                     expected_version: int | None = None) -> None:
    """Make the task's predecessors exactly this list (adds and removes links, each checked).

    The list belongs to the task: a list loaded at `expected_version` is refused (EditConflict, naming the other
    change) once the task has moved on, and a change moves the task's version on, so the last save cannot
    silently win. None skips the check (a caller that has just created or loaded the task)."""
    require(actor, Permission.EDIT_TASKS)
    task = records.load_for_edit(session, Task, "task", task_id, expected_version)
    current = set(predecessors_of(session, task_id))
    try:
        wanted = {int(i) for i in predecessor_ids}
    except (TypeError, ValueError):
        raise ValidationFailed({"predecessor_id": "Choose the predecessors from the list."}) from None
    if wanted == current:
        return
    for pred in sorted(current - wanted):
        remove_dependency(session, actor, pred, task_id)
    for pred in sorted(wanted - current):
        add_dependency(session, actor, pred, task_id)
    audit.record(session, actor, "task", task_id, "update",
                 {"predecessors": {"before": sorted(current), "after": sorted(wanted)}},
                 records.bump_version(session, task), summary=task.title)


def predecessors_of(session: Session, task_id: int) -> list[int]:
    """The ids of the tasks that must finish before this one."""
    return list(session.scalars(select(TaskDependency.predecessor_id).where(TaskDependency.successor_id == task_id)))


def successors_of(session: Session, task_id: int) -> list[int]:
    """The ids of the tasks that wait for this one."""
    return list(session.scalars(select(TaskDependency.successor_id).where(TaskDependency.predecessor_id == task_id)))


# ---------------------------------------------------------------- comments

def add_comment(session: Session, actor: Actor, task_id: int, body: str) -> TaskComment:
    """Add a comment to a task (editors); empty comments are refused."""
    require(actor, Permission.EDIT_TASKS)
    text = clean_text(body)
    if not text:
        raise ValidationFailed({"body": "Write a comment before saving."})
    if len(text) > 5000:
        raise ValidationFailed({"body": "Keep a comment under 5,000 characters."})
    get_task(session, task_id)
    comment = TaskComment(task_id=task_id, author=actor.display_name, body=text, created_at=clock.now_utc())
    session.add(comment)
    session.flush()
    audit.record(session, actor, "task_comment", comment.id, "create",
                 {"body": {"before": None, "after": text}}, summary=f"on task {task_id}")
    return comment


def comments_of(session: Session, task_id: int) -> list[TaskComment]:
    """A task's comments, oldest first."""
    return list(session.scalars(select(TaskComment).where(TaskComment.task_id == task_id)
                                .order_by(TaskComment.created_at, TaskComment.id)))


# ---------------------------------------------------------------- reads

TASK_COLUMNS = [
    "id", "version", "Ref", "Task", "Phase", "Workstream", "Owner", "Status", "Priority", "Start", "Due",
    "Completed", "% complete", "Milestone", "Overdue", "phase_id", "workstream_id", "owner_id", "status",
    "priority", "description",
]


def _overdue_clause(today: date):
    return (Task.due_date < today) & Task.status.notin_(CLOSED_STATUSES)


def _matching(query, filters: TaskFilter, today: date):
    """`query` narrowed to the tasks that match `filters` (the same rules as `filter_tasks`)."""
    if filters.ids:
        query = query.where(Task.id.in_(filters.ids))
    if filters.phase_ids:
        query = query.where(Task.phase_id.in_(filters.phase_ids))
    if filters.workstream_ids:
        query = query.where(Task.workstream_id.in_(filters.workstream_ids))
    if filters.owner_ids:
        query = query.where(Task.owner_id.in_(filters.owner_ids))
    if filters.statuses:
        query = query.where(Task.status.in_(filters.statuses))
    if filters.overdue_only:
        query = query.where(_overdue_clause(today))
    if filters.text.strip():
        needle = filters.text.strip().lower()  # typed % and _ are looked for as themselves
        reference = func.lower(func.coalesce(Task.reference, ""))
        query = query.where(func.lower(Task.title).contains(needle, autoescape=True)
                            | reference.contains(needle, autoescape=True))
    if filters.milestones_only:
        query = query.where(Task.is_milestone.is_(True))
    if filters.open_only:
        query = query.where(Task.status.notin_(CLOSED_STATUSES))
    if filters.due_from is not None:
        query = query.where(Task.due_date >= filters.due_from)
    return query


def tasks_frame(session: Session, filters: TaskFilter | None = None, today: date | None = None,
                window: tuple[int, int] | None = None) -> pd.DataFrame:
    """Tasks with readable names, in one query; ordered by phase, due date, title. `window` (first, count) reads
    only those rows of that order (a page of the task list)."""
    filters = filters or TaskFilter()
    today = today or clock.today()
    owner = aliased(Person)
    query = (
        select(Task.id, Task.version, Task.reference, Task.title, Phase.name.label("phase_name"),
               Workstream.name.label("workstream_name"), owner.name.label("owner_name"),
               owner.job_title.label("owner_title"), Task.status, Task.priority, Task.start_date, Task.due_date,
               Task.completed_date, Task.percent_complete, Task.is_milestone, Task.phase_id, Task.workstream_id,
               Task.owner_id,
               Task.description)
        .join(Phase, Task.phase_id == Phase.id)
        .outerjoin(Workstream, Task.workstream_id == Workstream.id)
        .outerjoin(owner, Task.owner_id == owner.id)
    )
    if filters.limit is None:
        query = query.order_by(Phase.sequence, Task.due_date.is_(None), Task.due_date, Task.title, Task.id)
        if window is not None:
            query = query.offset(window[0]).limit(window[1])
    else:
        query = query.order_by(Task.due_date.is_(None), Task.due_date, Task.title).limit(filters.limit)
    query = _matching(query, filters, today)
    # Plain tuples through the Core connection: pandas probing thousands of ORM rows for attributes costs more
    # than the query itself.
    raw = pd.DataFrame(list(map(tuple, session.connection().execute(query).all())), columns=[
        "id", "version", "reference", "title", "phase_name", "workstream_name", "owner_name", "owner_title",
        "status", "priority", "start_date", "due_date", "completed_date", "percent_complete", "is_milestone",
        "phase_id", "workstream_id", "owner_id", "description"])
    due = pd.to_datetime(raw["due_date"])
    named = raw["owner_name"].notna() & raw["owner_title"].notna() & (raw["owner_name"] != raw["owner_title"])
    owner = raw["owner_name"].fillna("").astype(str)
    owner = owner.where(~named, owner + " (" + raw["owner_title"].fillna("").astype(str) + ")")
    frame = pd.DataFrame({
        "id": raw["id"], "version": raw["version"], "Ref": raw["reference"].fillna(""), "Task": raw["title"],
        "Phase": raw["phase_name"], "Workstream": raw["workstream_name"].fillna(""), "Owner": owner,
        "Status": raw["status"].map(STATUS_LABELS),
        "Priority": raw["priority"].map(PRIORITY_LABELS).fillna(raw["priority"]),
        "Start": raw["start_date"], "Due": raw["due_date"], "Completed": raw["completed_date"],
        "% complete": raw["percent_complete"], "Milestone": raw["is_milestone"].astype(bool),
        "Overdue": (due < pd.Timestamp(today)) & ~raw["status"].isin(CLOSED_STATUSES),
        "phase_id": raw["phase_id"], "workstream_id": raw["workstream_id"], "owner_id": raw["owner_id"],
        "status": raw["status"], "priority": raw["priority"], "description": raw["description"].fillna(""),
    }, columns=TASK_COLUMNS)
    for col in ("Start", "Due", "Completed"):
        frame[col] = pd.to_datetime(frame[col]).dt.date if len(frame) else frame[col]
    return frame


REPORT_COLUMNS = ["id", "Ref", "Task", "Phase", "Workstream", "Owner", "Status", "Start", "Due", "% complete",
                  "Milestone", "phase_id", "status"]
REPORT_ORDER = (Phase.sequence, Task.due_date.is_(None), Task.due_date, Task.title, Task.id)  # as tasks_frame


@dataclass(frozen=True)
class Report:
    """Tasks as a report lists them (`frame`, at most the limit asked for) and how many tasks matched (`total`)."""

    frame: pd.DataFrame
    total: int


def report_frame(session: Session, limit: int | None = None, where: Any = None, order_by: tuple = REPORT_ORDER,
                 extra: dict[str, Any] | None = None) -> Report:
    """The tasks with the columns a report lists (as `tasks_frame`, in its order, without the description,
    priority, completion date and version), in one statement (two with a limit).

    `where` narrows the tasks, `order_by` orders them, `extra` adds columns (name -> SQL expression on `Task`) and
    `limit` keeps the first rows: the pack's preview reads the first rows of a long list and how many there are
    (a second statement: counting in the same one, with a window, makes the database build every row first), the
    Word pack reads them all, both through this one query.
    """
    owner = aliased(Person)
    extra = extra or {}
    query = (
        select(Task.id, Task.reference, Task.title, Phase.name, Workstream.name, owner.name, owner.job_title,
               Task.status, Task.start_date, Task.due_date, Task.percent_complete, Task.is_milestone, Task.phase_id,
               *extra.values())
        .join(Phase, Task.phase_id == Phase.id)
        .outerjoin(Workstream, Task.workstream_id == Workstream.id)
        .outerjoin(owner, Task.owner_id == owner.id)
        .order_by(*order_by)
        .limit(limit)
    )
    counted = select(func.count(Task.id))
    if where is not None:
        query, counted = query.where(where), counted.where(where)
    connection = session.connection()
    rows = [(i, ref or "", title, phase, stream or "", _owner_label(name, job), STATUS_LABELS.get(status, status),
             start, due, done, bool(milestone), phase_id, status, *more)
            for i, ref, title, phase, stream, name, job, status, start, due, done, milestone, phase_id, *more
            in connection.execute(query)]
    total = len(rows) if limit is None else int(connection.execute(counted).scalar_one())
    return Report(pd.DataFrame(rows, columns=[*REPORT_COLUMNS, *extra]), total)


def owner_counts(session: Session) -> pd.DataFrame:
    """Who is doing the work: task owners by workstream with their tasks and open tasks (one grouped statement;
    tasks without an owner are left out). Sorted by workstream, then owner, as the labels read."""
    open_tasks = func.sum(case((Task.status.notin_(CLOSED_STATUSES), 1), else_=0))
    grouped = (select(Task.workstream_id, Task.owner_id, func.count(Task.id).label("n"), open_tasks.label("n_open"))
               .where(Task.owner_id.is_not(None)).group_by(Task.workstream_id, Task.owner_id).subquery())
    query = (select(Workstream.name, Person.name, Person.job_title, grouped.c.n, grouped.c.n_open)
             .join_from(grouped, Person, grouped.c.owner_id == Person.id)  # the names joined to the groups only
             .outerjoin(Workstream, grouped.c.workstream_id == Workstream.id))
    counts: dict[tuple[str, str], list[int]] = {}
    for stream, name, job, n, n_open in session.execute(query):
        tally = counts.setdefault((stream or "", _owner_label(name, job)), [0, 0])  # namesakes share a row
        tally[0] += int(n)
        tally[1] += int(n_open or 0)
    rows = [(stream, label, n, n_open) for (stream, label), (n, n_open) in sorted(counts.items()) if label]
    return pd.DataFrame(rows, columns=["Workstream", "Owner", "Tasks", "Open tasks"]).astype(
        {"Tasks": "int64", "Open tasks": "int64"})


def _owner_label(name: str | None, job_title: str | None) -> str:
    """'Name (Job title)', or the name alone (as `tasks_frame` shows an owner)."""
    if name and job_title and name != job_title:
        return f"{name} ({job_title})"
    return name or ""


@dataclass(frozen=True)
class TaskPage(Paged):
    """One page of the task list: its rows (as `tasks_frame`) and how many tasks match the filters."""

    tasks: pd.DataFrame
    matching: int
    first: int  # position of the page's first row among the matching tasks
    page_size: int


def task_page(session: Session, filters: TaskFilter, page: int = 1, page_size: int = 200,
              today: date | None = None) -> TaskPage:
    """Page `page` (from 1; past the end, the last) of the tasks matching `filters`, in two statements whatever
    the number of tasks: the count, then only that page's rows."""
    today = today or clock.today()
    matching = int(session.scalar(_matching(select(func.count(Task.id)), filters, today)) or 0)
    first = first_row(page, matching, page_size)
    frame = tasks_frame(session, filters, today, window=(first, page_size))
    return TaskPage(frame, matching, first, page_size)


def task_choices(session: Session) -> dict[int, str]:
    """id -> "REF Title" for pickers, from one light query (no joins)."""
    rows = session.execute(select(Task.id, Task.reference, Task.title)
                           .order_by(Task.reference.is_(None), Task.reference, Task.title))
    return {i: f"{ref} {title}" if ref else f"#{i} {title}" for i, ref, title in rows}


def task_labels(frame: pd.DataFrame, exclude: int | None = None) -> dict[int, str]:
    """id -> "REF Title" for the rows of a `tasks_frame` (vectorised: pickers over thousands of tasks)."""
    if exclude is not None:
        frame = frame[frame["id"] != exclude]
    ids = frame["id"].astype(int)
    refs = frame["Ref"].where(frame["Ref"].notna() & (frame["Ref"] != ""), "#" + ids.astype(str))
    return dict(zip(ids.tolist(), (refs + " " + frame["Task"].fillna("")).str.strip().tolist(), strict=True))


def filter_tasks(frame: pd.DataFrame, filters: TaskFilter) -> pd.DataFrame:
    """The rows of a `tasks_frame` that match the filters (the same rules as the SQL in `tasks_frame`),
    so a page can load the tasks once and show several views of them."""
    keep = pd.Series(True, index=frame.index)
    for column, wanted in (("id", filters.ids), ("phase_id", filters.phase_ids),
                           ("workstream_id", filters.workstream_ids), ("owner_id", filters.owner_ids),
                           ("status", filters.statuses)):
        if wanted:
            keep &= frame[column].isin(wanted)
    if filters.overdue_only:
        keep &= frame["Overdue"]
    if filters.text.strip():
        needle = filters.text.strip().lower()
        keep &= (frame["Task"].str.lower().str.contains(needle, regex=False)
                 | frame["Ref"].str.lower().str.contains(needle, regex=False))
    if filters.milestones_only:
        keep &= frame["Milestone"]
    if filters.open_only:
        keep &= ~frame["status"].isin(CLOSED_STATUSES)
    if filters.due_from is not None:
        keep &= frame["Due"].map(lambda d: d is not None and not pd.isna(d) and d >= filters.due_from)
    return frame[keep]


def my_tasks_filter(actor: Actor) -> TaskFilter:
    """The filter for "my tasks": open tasks owned by the signed-in user's person record (none when unlinked)."""
    return TaskFilter(owner_ids=[actor.person_id if actor.person_id is not None else -1], open_only=True)


def my_tasks(frame: pd.DataFrame, actor: Actor) -> pd.DataFrame:
    """Open tasks owned by the signed-in user's person record, from a frame already read."""
    return filter_tasks(frame, my_tasks_filter(actor))


def progress_by_phase(session: Session) -> pd.DataFrame:
    """Per phase: tasks, done, cancelled and the share done (cancelled tasks left out), in one query."""
    done = func.sum(case((Task.status == TaskStatus.DONE.value, 1), else_=0))
    cancelled = func.sum(case((Task.status == TaskStatus.CANCELLED.value, 1), else_=0))
    query = (select(Phase.name, Phase.sequence, func.count(Task.id), done, cancelled)
             .outerjoin(Task, Task.phase_id == Phase.id)
             .group_by(Phase.id, Phase.name, Phase.sequence).order_by(Phase.sequence))
    rows = []
    for name, _seq, total, n_done, n_cancelled in session.execute(query):
        n_done, n_cancelled = int(n_done or 0), int(n_cancelled or 0)
        live = total - n_cancelled
        rows.append({"Phase": name, "Tasks": total, "Done": n_done, "Cancelled": n_cancelled,
                     "Share done": (n_done / live) if live else 0.0})
    return pd.DataFrame(rows, columns=["Phase", "Tasks", "Done", "Cancelled", "Share done"])


def status_counts(session: Session, today: date | None = None) -> dict[str, int]:
    """Number of tasks per status label, plus 'Overdue', in one query."""
    today = today or clock.today()
    overdue = func.sum(case((_overdue_clause(today), 1), else_=0))
    counts = {label: 0 for label in STATUS_LABELS.values()}
    total_overdue = 0
    for status, n, n_overdue in session.execute(
            select(Task.status, func.count(Task.id), overdue).group_by(Task.status)):
        counts[STATUS_LABELS.get(status, status)] = int(n)
        total_overdue += int(n_overdue or 0)
    counts["Overdue"] = total_overdue
    return counts


def overdue_frame(session: Session, limit: int | None = None, today: date | None = None) -> pd.DataFrame:
    """Open tasks past their due date; with a limit, the `limit` most overdue (limited in SQL)."""
    today = today or clock.today()
    frame = tasks_frame(session, TaskFilter(overdue_only=True, limit=limit), today=today)
    frame["Days late"] = [(today - d).days for d in frame["Due"]] if len(frame) else []
    return frame


def next_milestones(session: Session, limit: int = 8, today: date | None = None) -> pd.DataFrame:
    """Open milestones due from today onwards, soonest first (filtered and limited in SQL)."""
    today = today or clock.today()
    frame = tasks_frame(session, TaskFilter(milestones_only=True, open_only=True, due_from=today, limit=limit),
                        today=today)
    frame["Days to go"] = [(d - today).days for d in frame["Due"]]
    return frame


def tasks_csv(session_or_frame: Session | pd.DataFrame) -> bytes:
    """Tasks as CSV for download, with readable column names (all tasks, or the frame given)."""
    frame = session_or_frame if isinstance(session_or_frame, pd.DataFrame) else tasks_frame(session_or_frame)
    cols = ["Ref", "Task", "Phase", "Workstream", "Owner", "Status", "Priority", "Start", "Due", "Completed",
            "% complete", "Milestone", "Overdue", "description"]
    return exports.to_csv_bytes(frame[cols].rename(columns={"description": "Description"}))


def linked_records(session: Session, task_id: int) -> list[tuple[str, str]]:
    """The RAID items and decisions that name this task: (kind, "R-03 title (status)") pairs, for its full view."""
    from review.models.decisions import Decision, DecisionTask
    from review.models.plan import RaidItem, RaidTaskLink
    from review.plan.raid import KIND_LABELS, STATUS_LABELS

    raid = session.execute(select(RaidItem.reference, RaidItem.title, RaidItem.kind, RaidItem.status)
                           .join(RaidTaskLink, RaidTaskLink.raid_item_id == RaidItem.id)
                           .where(RaidTaskLink.task_id == task_id).order_by(RaidItem.reference)).all()
    found = [(KIND_LABELS.get(kind, kind), f"{ref} {title} ({STATUS_LABELS.get(status, status).lower()})")
             for ref, title, kind, status in raid]
    decisions = session.execute(select(Decision.reference, Decision.title).join(
        DecisionTask, DecisionTask.decision_id == Decision.id).where(DecisionTask.task_id == task_id)
        .order_by(Decision.reference)).all()
    return found + [("Decision", f"{ref} {title}") for ref, title in decisions]
