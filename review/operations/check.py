"""The health check a monitor runs: database reachable, schema current, no demo accounts in real use, a recent backup,
and the stored critical path in step with the plan.

Each finding has a status with the exit codes monitoring plugins use (Nagios, Icinga, Zabbix): 0 OK, 1 warning,
2 critical. `python -m review check` exits with the worst status found.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from review.models import AuditEvent, User
from review.operations import backup
from review.operations.restore import script_directory
from review.plan import network
from review.platform.config import Settings

MAX_AGE_ENV = "REVIEW_BACKUP_MAX_AGE_HOURS"
# A nightly backup is late after a day and a couple of hours' slack; a week without one is critical.
DEFAULT_MAX_AGE = timedelta(hours=26)
CRITICAL_AGE = timedelta(days=7)
RECENT_EVENTS = 100


class Status(IntEnum):
    OK = 0
    WARNING = 1
    CRITICAL = 2


@dataclass(frozen=True)
class Finding:
    name: str
    status: Status
    message: str


def max_backup_age() -> timedelta:
    """How old the newest backup may be before the check warns: REVIEW_BACKUP_MAX_AGE_HOURS, else 26 hours."""
    value = os.environ.get(MAX_AGE_ENV, "").strip()
    return timedelta(hours=float(value)) if value else DEFAULT_MAX_AGE


def last_backup(engine: Engine, directory: Path | None) -> datetime | None:
    """When the newest backup was taken: a file in the backup folder or a backup recorded in the audit trail."""
    with engine.connect() as connection:
        events = connection.execute(
            select(AuditEvent.occurred_at, AuditEvent.record_id, AuditEvent.action)
            .where(AuditEvent.entity == backup.AUDIT_ENTITY, AuditEvent.action.in_([backup.WRITTEN, backup.FAILED]))
            .order_by(AuditEvent.id.desc()).limit(RECENT_EVENTS)).all()
    failed: set[str] = set()
    recorded = None
    for event in events:  # newest first: a failure recorded after a start cancels it
        if event.action == backup.FAILED:
            failed.add(event.record_id)
        elif event.record_id not in failed:
            recorded = event.occurred_at
            break
    if recorded is not None and recorded.tzinfo is None:
        recorded = recorded.replace(tzinfo=UTC)
    files = backup.list_backups(directory)
    candidates = [t for t in (recorded, files[0].modified if files else None) if t is not None]
    return max(candidates) if candidates else None


def _schema(engine: Engine) -> Finding:
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    script = script_directory(engine)
    heads = set(script.get_heads())
    if not current:
        return Finding("schema", Status.CRITICAL, "The database has no schema; run `python -m review init-db`.")
    if current == heads:
        return Finding("schema", Status.OK, f"Schema at the newest revision ({', '.join(sorted(heads))}).")
    known = {r.revision for r in script.walk_revisions()}
    if not current <= known:
        return Finding("schema", Status.CRITICAL, f"Schema revision {', '.join(sorted(current))} is newer than "
                                                  "this version of the tracker.")
    return Finding("schema", Status.WARNING, f"Schema at {', '.join(sorted(current))}, newest is "
                                             f"{', '.join(sorted(heads))}; run `python -m review init-db`.")


def _demo_accounts(engine: Engine, settings: Settings) -> Finding:
    with engine.connect() as connection:
        demo = connection.scalar(select(func.count(User.id)).where(User.is_demo.is_(True), User.active.is_(True)))
    if demo and not settings.demo_mode:
        return Finding("demo accounts", Status.WARNING, f"{demo} demo account(s) are active on a database that is "
                                                        "not in demo mode; deactivate them on the Users page.")
    return Finding("demo accounts", Status.OK, "Demo mode." if settings.demo_mode else "No active demo accounts.")


def _backup_age(engine: Engine, directory: Path | None, now: datetime) -> Finding:
    newest = last_backup(engine, directory)
    if newest is None:
        return Finding("last backup", Status.WARNING, "No backup has been taken yet.")
    age = now - newest
    hours = age.total_seconds() / 3600
    text = f"Last backup {newest:%Y-%m-%d %H:%M} UTC ({hours:.1f} hours ago)."
    if age > CRITICAL_AGE:
        return Finding("last backup", Status.CRITICAL, text)
    if age > max_backup_age():
        return Finding("last backup", Status.WARNING, text)
    return Finding("last backup", Status.OK, text)


def plan_schedule(engine: Engine) -> Finding:
    """Whether the stored critical path matches the plan (it works the path out over every task: 0.05 s at 5,000)."""
    with Session(engine) as session:  # read only: rolled back on close
        differing = network.differences(session)
    if differing:
        return Finding("critical path", Status.WARNING, f"The stored critical path differs from the plan for "
                                                        f"{differing} task(s): were tasks changed outside the "
                                                        "tracker? Run `python -m review refresh-schedule`.")
    return Finding("critical path", Status.OK, "The stored critical path matches the plan.")


def run(engine: Engine, settings: Settings, directory: Path | None = None,
        now: datetime | None = None, plan: bool = True) -> list[Finding]:
    """Every check in turn; an unreachable database is critical and stops the rest. `plan=False` leaves out the
    critical-path comparison (the Operations page runs it on request, not on every page run)."""
    try:
        with engine.connect() as connection:
            connection.scalar(select(1))
    except SQLAlchemyError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return [Finding("database", Status.CRITICAL, f"Database not reachable: {first_line}")]
    findings = [Finding("database", Status.OK, f"Database reachable ({engine.dialect.name}).")]
    schema = _schema(engine)
    findings.append(schema)
    if schema.status == Status.CRITICAL:
        return findings
    try:
        findings.append(_demo_accounts(engine, settings))
        findings.append(_backup_age(engine, directory, now or datetime.now(UTC)))
        if plan and schema.status == Status.OK:  # an older schema may not have its tables yet
            findings.append(plan_schedule(engine))
    except SQLAlchemyError as exc:
        findings.append(Finding("records", Status.CRITICAL, f"Could not read the database: {exc}"))
    return findings


def worst(findings: list[Finding]) -> Status:
    """The most severe status among the findings (OK when there are none): the exit status of `check`."""
    return max((f.status for f in findings), default=Status.OK)
