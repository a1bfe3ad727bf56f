"""The steps every record service repeats: find a record, refuse unknown fields, load it for an edit with a
version check, write plus audit a create, an update or a delete, and move a record's version on when a list that
belongs to it (its child rows) changes.

The service modules keep their own permission checks, normalisation, validation and messages; these helpers
only do the mechanical part in the same order each time (see "Core conventions" in docs/ARCHITECTURE.md).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from review.models import AuditEvent
from review.platform import audit
from review.platform.errors import NotFound, ValidationFailed
from review.platform.roles import Actor

M = TypeVar("M")

UNKNOWN_FIELD_MESSAGE = "This field cannot be changed here."

# An audit summary: fixed text, or a function of the record read after the write (e.g. its new title).
Summary = str | Callable[[Any], str | None] | None


def get_or_not_found(session: Session, model: type[M], record_id: Any, message: str) -> M:
    """The record with this primary key, or NotFound(message) when there is none."""
    obj = session.get(model, record_id)
    if obj is None:
        raise NotFound(message)
    return obj


def reject_unknown(changes: Iterable[str], allowed: Iterable[str]) -> None:
    """Refuse (ValidationFailed, one message per field, sorted) any field name not in `allowed`."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationFailed({f: UNKNOWN_FIELD_MESSAGE for f in sorted(unknown)})


def load_for_edit(session: Session, model: type[M], entity: str, record_id: Any, expected_version: int | None) -> M:
    """The record to update or delete: NotFound if it is gone, EditConflict if it moved past `expected_version`
    (`audit.check_version`)."""
    obj = session.get(model, record_id)
    audit.check_version(session, entity, obj, record_id, expected_version)
    assert obj is not None
    return obj


def current_values(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The record's present values of the named attributes (not made JSON-safe: for merging and comparing)."""
    return {f: getattr(obj, f) for f in fields}


def _summary_text(summary: Summary, obj: Any) -> str | None:
    return summary(obj) if callable(summary) else summary


def record_created(session: Session, actor: Actor, entity: str, obj: Any, fields: Iterable[str],
                   summary: Summary = None) -> AuditEvent:
    """After `session.add(obj)`: flush (so the id and version exist) and audit a "create" listing `fields`."""
    session.flush()
    return audit.record(session, actor, entity, obj.id, "create", audit.diff({}, audit.snapshot(obj, tuple(fields))),
                 obj.version, summary=_summary_text(summary, obj))


def apply_changes(session: Session, actor: Actor, entity: str, obj: Any, fields: Iterable[str],
                  new_values: Mapping[str, Any], summary: Summary = None) -> bool:
    """Set `obj`'s `fields` to `new_values` (missing keys become None), flush and audit an "update" with the
    fields that changed. Returns False, writing nothing, when every value is already the current one."""
    fields = tuple(fields)
    after = {f: new_values.get(f) for f in fields}
    if after == current_values(obj, fields):
        return False
    before = audit.snapshot(obj, fields)
    for key, value in after.items():
        setattr(obj, key, value)
    session.flush()
    audit.record(session, actor, entity, obj.id, "update", audit.diff(before, audit.snapshot(obj, fields)),
                 obj.version, summary=_summary_text(summary, obj))
    return True


def record_deleted(session: Session, actor: Actor, entity: str, obj: Any, before: Mapping[str, Any],
                   summary: str | None = None) -> AuditEvent:
    """Delete `obj`, flush, and audit a "delete" whose changes are `before` (the record's snapshot, with anything
    else it held, such as its child rows) going to nothing."""
    record_id = obj.id
    session.delete(obj)
    session.flush()
    return audit.record(session, actor, entity, record_id, "delete", audit.diff(dict(before), {}), summary=summary)


def bump_version(session: Session, obj: Any) -> int:
    """Move a versioned record's version on although none of its own columns changed: a list that belongs to it
    (a task's predecessors, a RAID item's linked tasks) was edited, so a form loaded at the old version is stale.
    Returns the new version."""
    mapper = inspect(type(obj))
    version_key = mapper.version_id_col.key if mapper.version_id_col is not None else "version"
    column = next(a.key for a in mapper.column_attrs
                  if a.key != version_key and all(c not in mapper.primary_key for c in a.columns))
    flag_modified(obj, column)  # an UPDATE without a change: the mapper adds version = version + 1
    session.flush()
    return obj.version
