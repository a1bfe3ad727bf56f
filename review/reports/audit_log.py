"""The audit log in words, for internal audit, complaints and FOI requests.

Events are stored in code form (field names, ids, status codes); this module shows them as the app does:
record types and fields by their labels, records by their reference (EXP-15, R-03, a scenario's name),
people, phases, themes and tasks by name or reference, statuses by their label, dates as 15 Nov 2019 and
times in the council's local time (Europe/London). It reads only; the trail itself never changes.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

import pandas as pd
from sqlalchemy import BindParameter, String, and_, bindparam, cast, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from review.contracts.register import RATING_LABELS
from review.contracts.register import STATUS_LABELS as CONTRACT_STATUSES
from review.decisions.log import CALL_IN_LABELS, TYPE_LABELS
from review.engagement.records import ACTIVITY_TYPES, LAWFUL_BASES, RESPONSE_STATUSES, SENTIMENTS
from review.models import AuditEvent, Person, Phase, Task, TaskComment, TaskDependency, User, Workstream
from review.models.contracts import Contract, ContractKpi
from review.models.costing import CostScenario
from review.models.decisions import Decision
from review.models.engagement import EngagementActivity, EngagementPartner, EngagementTheme
from review.models.plan import Baseline, RaidItem
from review.models.submissions import StrategicPriority, Submission, SubmissionOption
from review.plan.raid import KIND_LABELS as RAID_KINDS
from review.plan.raid import STATUS_LABELS as RAID_STATUSES
from review.plan.tasks import PRIORITY_LABELS
from review.plan.tasks import STATUS_LABELS as TASK_STATUSES
from review.platform.roles import ROLE_LABELS
from review.platform.wording import local_time_text
from review.submission.papers import STATUS_LABELS as PAPER_STATUSES

BLANK = "(blank)"
ARROW = " → "
COLUMNS = ["When", "Who", "Record type", "Record", "Action", "Changes", "Note"]

ENTITY_LABELS = {
    "task": "Task", "task_dependency": "Task dependency", "task_comment": "Task comment", "raid_item": "RAID item",
    "person": "Person", "workstream": "Workstream", "phase": "Phase", "baseline": "Plan baseline",
    "rag_override": "RAG override", "user": "User account", "contract": "Contract", "contract_kpi": "Contract KPI",
    "contract_kpi_value": "KPI value", "decision": "Decision", "cost_scenario": "Cost scenario",
    "engagement_activity": "Engagement activity", "engagement_input": "Engagement input",
    "engagement_response": "Engagement response", "engagement_theme": "Engagement theme",
    "engagement_partner": "Partner organisation", "submission": "Paper to SEND Executive",
    "submission_option": "Paper option", "strategic_priority": "Strategic priority", "submission_pack": "Word pack",
}
ACTION_LABELS = {"create": "Created", "update": "Changed", "delete": "Deleted", "sign-in": "Signed in",
                 "recommend": "Recommended", "unrecommend": "Recommendation removed", "unlock": "Unlocked",
                 "lock": "Locked", "duplicate": "Duplicated", "erase": "Personal data erased",
                 "issue": "Marked issued", "generate": "Generated"}

# entity -> (model, the column that names a record to a person)
_NAMED_BY: dict[str, tuple[Any, Any]] = {
    "task": (Task, Task.reference), "raid_item": (RaidItem, RaidItem.reference), "person": (Person, Person.name),
    "workstream": (Workstream, Workstream.name), "phase": (Phase, Phase.name), "baseline": (Baseline, Baseline.name),
    "user": (User, User.username), "contract": (Contract, Contract.reference),
    "contract_kpi": (ContractKpi, ContractKpi.name), "decision": (Decision, Decision.reference),
    "cost_scenario": (CostScenario, CostScenario.name),
    "engagement_activity": (EngagementActivity, EngagementActivity.title),
    "engagement_theme": (EngagementTheme, EngagementTheme.name),
    "engagement_partner": (EngagementPartner, EngagementPartner.name),
    "submission": (Submission, Submission.title), "submission_option": (SubmissionOption, SubmissionOption.title),
    "strategic_priority": (StrategicPriority, StrategicPriority.name),
}
# a field holding an id (or ids) -> the entity it points at
_ID_FIELDS = {
    "owner_id": "person", "person_id": "person", "workstream_id": "workstream", "phase_id": "phase",
    "partner_id": "engagement_partner", "theme_id": "engagement_theme", "theme_ids": "engagement_theme",
    "activity_id": "engagement_activity", "submission_id": "submission", "scenario_id": "cost_scenario",
    "task_id": "task", "task_ids": "task", "contract_ids": "contract", "contract_id": "contract",
    "kpi_id": "contract_kpi",
}
_CODES: dict[str, dict[str, str]] = {
    "task.status": TASK_STATUSES, "task.priority": PRIORITY_LABELS, "raid_item.status": RAID_STATUSES,
    "raid_item.kind": RAID_KINDS, "engagement_response.status": RESPONSE_STATUSES,
    "engagement_input.sentiment": SENTIMENTS, "engagement_activity.activity_type": ACTIVITY_TYPES,
    "engagement_activity.lawful_basis": LAWFUL_BASES, "decision.call_in_status": CALL_IN_LABELS,
    "decision.decision_type": TYPE_LABELS, "submission.status": PAPER_STATUSES,

    "contract.status": {str(getattr(k, "value", k)): v for k, v in CONTRACT_STATUSES.items()},
    "contract_kpi_value.rating": RATING_LABELS,
    "user.role": {r.value: label for r, label in ROLE_LABELS.items()},
}
_FIELD_LABELS = {
    "owner_id": "Owner", "owner_username": "Owner", "is_milestone": "Milestone", "is_recommended": "Recommended",
    "is_locked": "Locked", "is_illustrative": "Illustrative inputs", "is_preferred": "Preferred option",
    "is_sme": "SME", "is_vcse": "VCSE", "percent_complete": "% complete", "link": "Dependency", "body": "Comment",
    "theme_ids": "Themes", "task_ids": "Linked tasks", "input_ids": "Needs answered", "contract_ids": "Contracts",
    "rag": "RAG", "need": "Need raised", "quote": "Verbatim quote", "follow_up": "Follow-up action",
    "participant": "Participant pseudonym", "consent_to_quote": "Consent to quote", "as_of": "As at",
    "pid_definition": "PID: definition", "pid_approach": "PID: approach", "pid_business_case": "PID: business case",
    "pid_quality": "PID: quality", "pid_risk_approach": "PID: risk approach",
    "pid_communication": "PID: communication", "pid_controls": "PID: controls",
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_LINK = re.compile(r"^(\d+)->(\d+)$")


def entity_label(entity: str) -> str:
    """A record type as people say it ('RAID item'), from its audit code ('raid_item')."""
    return ENTITY_LABELS.get(entity, entity.replace("_", " ").capitalize())


def field_label(field: str) -> str:
    """A stored field name as the app labels it ("owner_id" -> "Owner", "inputs.shrinkage" -> "Shrinkage")."""
    if field.startswith("inputs."):
        from review.costing import DEFAULTS
        name = field.removeprefix("inputs.")
        return DEFAULTS[name].label if name in DEFAULTS else name.replace("_", " ").capitalize()
    if field in _FIELD_LABELS:
        return _FIELD_LABELS[field]
    base = re.sub(r"_ids?$", "", field)
    return base.replace("_", " ").capitalize()


@dataclass
class Names:
    """Names of the records an event refers to, fetched once for a page of events: {entity: {id: name}}."""

    by_entity: dict[str, dict[str, str]]

    def name(self, entity: str, record_id: Any) -> str:
        """How the record is named in the log: its reference or name, else its type and id."""
        key = str(record_id)
        return self.by_entity.get(entity, {}).get(key) or f"{entity_label(entity)} {key} (deleted)"


def _number(value: float | int) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def show_value(entity: str, field: str, value: Any, names: Names) -> str:
    """One stored value as the app shows it."""
    if value is None or value == "" or value == []:
        return BLANK
    if isinstance(value, bool):
        return "Yes" if value else "No"
    codes = _CODES.get(f"{entity}.{field}")
    if codes is not None and isinstance(value, str):
        return codes.get(value, value)
    target = _ID_FIELDS.get(field)
    if target is not None:
        items = value if isinstance(value, list) else [value]
        return ", ".join(names.name(target, i) for i in items)
    if field == "link" and isinstance(value, str) and (m := _LINK.match(value)):
        return f"{names.name('task', m[1])} before {names.name('task', m[2])}"
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            return f"{date.fromisoformat(value):%d %b %Y}"
        if _ISO_DATETIME.match(value):
            try:
                return local_time_text(datetime.fromisoformat(value))
            except ValueError:
                return value
        return value
    if isinstance(value, list) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return ", ".join(_number(v) for v in value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _ids_in(events: Iterable[AuditEvent]) -> dict[str, set[str]]:
    wanted: dict[str, set[str]] = {}
    for e in events:
        wanted.setdefault(e.entity, set()).add(e.record_id)
        for field, change in (e.changes or {}).items():
            for side in ("before", "after"):
                value = change.get(side) if isinstance(change, dict) else None
                if field in _ID_FIELDS and value not in (None, ""):
                    for i in value if isinstance(value, list) else [value]:
                        wanted.setdefault(_ID_FIELDS[field], set()).add(str(i))
                if field == "link" and isinstance(value, str) and (m := _LINK.match(value)):
                    wanted.setdefault("task", set()).update({m[1], m[2]})
    return wanted


def _task_name(task: Any) -> Any:
    """How a task is named, in SQL: its reference, else "Task <id>: <title>"."""
    return func.coalesce(func.nullif(task.reference, ""),
                         literal("Task ", String) + cast(task.id, String) + ": " + task.title)


def names_for(session: Session, events: list[AuditEvent]) -> Names:
    """Look up the names of every record these events mention in one statement, whatever the events are: a union
    of a branch per record type they mention (one empty branch when they mention none), so a page's statements do
    not depend on which record types its newest events touch."""
    wanted = {entity: numeric for entity, ids in _ids_in(events).items()
              if (numeric := [int(i) for i in ids if str(i).isdigit()])}

    def branch(entity: str, key: Any, name: Any):
        # The ids are integers, written into the SQL rather than bound one variable each: a long page of events
        # can mention more records than PostgreSQL allows bound values in one statement (65,535).
        ids: BindParameter[list[int]] = bindparam(f"ids_{entity}", wanted.get(entity, []), expanding=True,
                                                  literal_execute=True)
        return select(literal(entity, String).label("entity"), key.label("id"), name.label("name")).where(
            key.in_(ids))

    def comments():
        return branch("task_comment", TaskComment.id, "Comment on " + _task_name(Task)).join(
            Task, Task.id == TaskComment.task_id)

    def dependencies():
        before, after = aliased(Task), aliased(Task)
        return (branch("task_dependency", TaskDependency.id, _task_name(before) + " before " + _task_name(after))
                .join(before, before.id == TaskDependency.predecessor_id)
                .join(after, after.id == TaskDependency.successor_id))

    builders: dict[str, Callable[[], Any]] = {
        entity: partial(branch, entity, model.id, _task_name(Task) if model is Task else column)
        for entity, (model, column) in _NAMED_BY.items()}
    builders |= {"task_comment": comments, "task_dependency": dependencies}
    branches = [build() for entity, build in builders.items() if entity in wanted] or [builders["task"]()]
    found: dict[str, dict[str, str]] = {}
    for entity, record_id, name in session.execute(union_all(*branches)):
        found.setdefault(entity, {})[str(record_id)] = str(name)
    return Names(found)


def describe_changes(event: AuditEvent, names: Names) -> list[tuple[str, str, str]]:
    """(field label, before, after) for each change of an event, in words."""
    out = []
    for field, change in (event.changes or {}).items():
        before, after = (change.get("before"), change.get("after")) if isinstance(change, dict) else (None, change)
        out.append((field_label(field), show_value(event.entity, field, before, names),
                    show_value(event.entity, field, after, names)))
    return out


def _record_name(event: AuditEvent, names: Names) -> str:
    if event.entity == "task_dependency" and event.record_id not in names.by_entity.get("task_dependency", {}):
        for field in ("link",):
            change = (event.changes or {}).get(field) or {}
            value = change.get("after") or change.get("before")
            if value:
                return show_value(event.entity, field, value, names)
    return names.name(event.entity, event.record_id)


def records_matching(session: Session, text: str) -> list[tuple[str, str]]:
    """(entity, record id) of every record whose reference or name contains `text` (case-insensitive)."""
    needle = f"%{text.strip()}%"
    found: list[tuple[str, str]] = []
    for entity, (model, column) in _NAMED_BY.items():
        found += [(entity, str(i)) for i in session.scalars(select(model.id).where(column.ilike(needle)))]
    task_ids = [int(i) for e, i in found if e == "task"]
    if task_ids:  # a task's comments and dependencies belong to it too
        found += [("task_comment", str(i)) for i in session.scalars(
            select(TaskComment.id).where(TaskComment.task_id.in_(task_ids)))]
        found += [("task_dependency", str(i)) for i in session.scalars(select(TaskDependency.id).where(
            or_(TaskDependency.predecessor_id.in_(task_ids), TaskDependency.successor_id.in_(task_ids))))]
    return found


def find_events(session: Session, username: str | None = None, entity: str | None = None,
                start: date | None = None, end: date | None = None, record: str | None = None,
                limit: int = 2000) -> list[AuditEvent]:
    """Audit events, newest first, filtered by who, record type, dates and a record's reference or name."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if username:
        query = query.where(AuditEvent.username == username)
    if entity:
        query = query.where(AuditEvent.entity == entity)
    if start:
        query = query.where(AuditEvent.occurred_at >= datetime.combine(start, datetime.min.time()))
    if end:
        query = query.where(AuditEvent.occurred_at < datetime.combine(end, datetime.max.time()))
    if record and record.strip():
        matches = records_matching(session, record)
        if not matches:
            return []
        by_entity: dict[str, list[str]] = {}
        for e, i in matches:
            by_entity.setdefault(e, []).append(i)
        query = query.where(or_(*(and_(AuditEvent.entity == e, AuditEvent.record_id.in_(ids))
                                  for e, ids in by_entity.items())))
    return list(session.scalars(query))


def events_in_words(session: Session, events: list[AuditEvent]) -> pd.DataFrame:
    """One row per event, in words; the index is the event id (for opening an event in full)."""
    names = names_for(session, events)
    rows = []
    for e in events:
        changes = describe_changes(e, names)
        rows.append({
            "When": local_time_text(e.occurred_at), "Who": e.username, "Record type": entity_label(e.entity),
            "Record": _record_name(e, names), "Action": ACTION_LABELS.get(e.action, e.action.capitalize()),
            "Changes": "; ".join(f"{label}: {before}{ARROW}{after}" for label, before, after in changes),
            "Note": e.summary or "",
        })
    return pd.DataFrame(rows, columns=COLUMNS, index=pd.Index([e.id for e in events], name="event"))


def event_in_full(session: Session, event_id: int) -> tuple[dict[str, str], pd.DataFrame]:
    """One event: its facts in words and a table of every change, nothing cut short."""
    event = session.get(AuditEvent, event_id)
    if event is None:
        return {}, pd.DataFrame(columns=["Field", "Before", "After"])
    names = names_for(session, [event])
    facts = {"When": local_time_text(event.occurred_at), "Who": event.username,
             "Record type": entity_label(event.entity), "Record": _record_name(event, names),
             "Action": ACTION_LABELS.get(event.action, event.action.capitalize()),
             "Version after the change": "" if event.record_version is None else str(event.record_version),
             "Note": event.summary or ""}
    table = pd.DataFrame(describe_changes(event, names), columns=["Field", "Before", "After"])
    return facts, table


def filter_options(session: Session) -> tuple[list[str], dict[str, str]]:
    """Usernames and record types (code -> label) present in the trail, for filter menus."""
    users = sorted(session.scalars(select(AuditEvent.username).distinct()).all())
    entities = sorted(session.scalars(select(AuditEvent.entity).distinct()).all(), key=entity_label)
    return users, {e: entity_label(e) for e in entities}


