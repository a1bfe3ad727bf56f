"""Recording audit events and turning a stale version into an edit conflict."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review.models import AuditEvent
from review.platform.errors import EditConflict, NotFound, OtherChange
from review.platform.roles import Actor


def json_safe(value: Any) -> Any:
    """Dates and decimals as text or numbers, so a change can be stored as JSON."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Enum):
        return value.value
    return value


def snapshot(obj: Any, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The JSON-safe values of the named attributes of a model instance."""
    return {f: json_safe(getattr(obj, f)) for f in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Fields whose value changed, each as {"before": ..., "after": ...}."""
    keys = list(dict.fromkeys([*before, *after]))
    return {
        k: {"before": before.get(k), "after": after.get(k)} for k in keys if before.get(k) != after.get(k)
    }


def record(
    session: Session,
    actor: Actor,
    entity: str,
    record_id: Any,
    action: str,
    changes: dict[str, dict[str, Any]] | None = None,
    record_version: int | None = None,
    summary: str | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits or rolls back with the change)."""
    event = AuditEvent(
        user_id=actor.user_id,
        username=actor.username,
        entity=entity,
        record_id=str(record_id),
        action=action,
        changes=changes or {},
        record_version=record_version,
        summary=summary,
    )
    session.add(event)
    return event


def check_version(session: Session, entity: str, obj: Any, record_id: Any, expected_version: int | None) -> None:
    """Raise EditConflict, listing the other person's changes, if the record moved past the version you loaded."""
    if obj is None:
        raise NotFound(f"This {entity} no longer exists; someone may have deleted it. Nothing was saved.")
    if expected_version is None or obj.version == expected_version:
        return
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.entity == entity,
            AuditEvent.record_id == str(record_id),
            AuditEvent.record_version > expected_version,
        )
        .order_by(AuditEvent.id)
    ).all()
    changes = [
        OtherChange(who=e.username, when=e.occurred_at, field=f, before=v.get("before"), after=v.get("after"))
        for e in events
        for f, v in (e.changes or {}).items()
    ]
    raise EditConflict(entity, record_id, expected_version, obj.version, changes)


# Audit actions that record an event but change no data, so they must not invalidate read caches.
NON_DATA_ACTIONS = ("sign-in", "sign-in-failed", "sign-in-waiting", "sign-out-everywhere", "unlock", "backup",
                    "download-backup", "backup-failed")


def data_version(session: Session) -> int:
    """The newest id of an audit event that changed data: it moves on every write, so it keys read caches."""
    newest = (select(AuditEvent.id).where(AuditEvent.action.notin_(NON_DATA_ACTIONS))
              .order_by(AuditEvent.id.desc()).limit(1))
    return int(session.scalar(newest) or 0)
