"""Taking a backup: every table read in one snapshot, written as an engine-neutral archive, and recorded."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, MetaData, Table, inspect, select, text
from sqlalchemy.orm import Session

from review.models import AuditEvent
from review.operations import archive
from review.operations.archive import Archive
from review.operations.transactions import read_transaction
from review.platform import audit
from review.platform.roles import Actor, Permission, require
from review.platform.wording import local_time_text

BACKUP_DIR_ENV = "REVIEW_BACKUP_DIR"
FILE_PREFIX = "review-backup-"
# The audit trail's record of a backup: `entity` and the actions (a file written, a download from the app).
AUDIT_ENTITY = "backup"
WRITTEN, DOWNLOADED, RESTORED, FAILED = "backup", "download-backup", "restore", "backup-failed"
RECORD_ID_LENGTH = 60  # AuditEvent.record_id is String(60)


@dataclass(frozen=True)
class Backup:
    """A backup taken: the file's bytes and what it holds."""

    content: bytes
    archive: Archive
    encrypted: bool

    @property
    def digest(self) -> str:
        return archive.manifest_digest(self.archive)

    @property
    def rows(self) -> int:
        return sum(t["rows"] for t in self.archive.manifest["tables"].values())

    @property
    def table_count(self) -> int:
        return len(self.archive.manifest["tables"])


def backup_dir() -> Path | None:
    """Where nightly backups go (REVIEW_BACKUP_DIR), if set."""
    value = os.environ.get(BACKUP_DIR_ENV, "").strip()
    return Path(value) if value else None


def default_file_name(moment: datetime, encrypted: bool) -> str:
    """A time-stamped (UTC) backup file name, ending .enc when encrypted, so backups sort by age and prune finds
    them.
    """
    return f"{FILE_PREFIX}{moment:%Y%m%dT%H%M%SZ}.zip" + (".enc" if encrypted else "")


def schema_revisions(connection: Connection) -> list[str]:
    """The Alembic revision(s) the database is at, recorded in the manifest so a restore knows the backup's schema."""
    return sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def backed_up_tables(metadata: MetaData) -> list[Table]:
    """The tables a backup holds, parents before children; never Alembic's own or sign-in sessions."""
    return [t for t in metadata.sorted_tables if t.name not in archive.EXCLUDED_TABLES | archive.SYSTEM_TABLES]


def snapshot(engine: Engine, now: datetime | None = None) -> Archive:
    """Every table, read in one transaction so the backup is consistent while the app is in use."""
    tables: dict[str, bytes] = {}
    entries: dict[str, dict] = {}
    with read_transaction(engine) as connection:
        metadata = MetaData()
        metadata.reflect(bind=connection)
        revisions = schema_revisions(connection)
        for table in backed_up_tables(metadata):
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(select(table).order_by(*order)).all()
            tables[table.name] = archive.jsonl([(c.name, c.type) for c in table.columns], rows)
            entries[table.name] = {"rows": len(rows), "sha256": archive.sha256(tables[table.name]),
                                   "columns": [c.name for c in table.columns]}
    manifest = {
        "format": archive.FORMAT,
        "format_version": archive.FORMAT_VERSION,
        "created_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "app_version": archive.app_version(),
        "engine": engine.dialect.name,
        "schema_revision": revisions,
        "excluded_tables": sorted(archive.EXCLUDED_TABLES),
        "tables": entries,
    }
    return Archive(manifest, tables)


def take(engine: Engine, passphrase: str | None = None) -> Backup:
    """A backup as bytes, encrypted when a passphrase is given."""
    taken = snapshot(engine)
    content = archive.to_bytes(taken)
    if passphrase:
        content = archive.encrypt(content, passphrase)
    return Backup(content, taken, bool(passphrase))


def record(session: Session, actor: Actor, action: str, file_name: str, summary: str) -> None:
    """Audit a backup written, downloaded, failed or restored (administrators only: a backup holds every record)."""
    require(actor, Permission.MANAGE_USERS)
    audit.record(session, actor, AUDIT_ENTITY, file_name[-RECORD_ID_LENGTH:], action, summary=summary)


def _record_now(engine: Engine, actor: Actor, action: str, file_name: str, summary: str) -> None:
    with Session(engine) as session, session.begin():
        record(session, actor, action, file_name, summary)


def take_recorded(engine: Engine, passphrase: str | None, actor: Actor, action: str, file_name: str) -> Backup:
    """Record the backup in the audit trail, then take it: the event is committed first so that the backup holds
    it, and a backup restored elsewhere has every row its source had. A failure is recorded as well (`check`
    then does not count the backup)."""
    require(actor, Permission.MANAGE_USERS)
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            raise archive.BackupRefused("The database has no schema yet, so there is nothing to back up.")
    _record_now(engine, actor, action, file_name,
                f"{file_name}: backup of every table{' (encrypted)' if passphrase else ' (not encrypted)'}; "
                "this event is in it.")
    try:
        return take(engine, passphrase)
    except Exception as exc:
        _record_now(engine, actor, FAILED, file_name, f"{file_name}: the backup failed ({type(exc).__name__}).")
        raise


def write(engine: Engine, out: Path, passphrase: str | None, actor: Actor) -> Backup:
    """Take a recorded backup into `out` (written beside it first, then renamed, so a half-written file never
    looks whole)."""
    backup = take_recorded(engine, passphrase, actor, WRITTEN, out.name)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        partial.write_bytes(backup.content)
        partial.chmod(0o600)  # holds parents' personal data: owner only
        partial.replace(out)
    except OSError as exc:
        _record_now(engine, actor, FAILED, out.name, f"{out.name}: the file could not be written ({exc}).")
        raise
    return backup


@dataclass(frozen=True)
class BackupFile:
    path: Path
    size: int
    modified: datetime


def list_backups(directory: Path | None) -> list[BackupFile]:
    """Backup files in the directory, newest first."""
    if directory is None or not directory.is_dir():
        return []
    files = [BackupFile(p, p.stat().st_size, datetime.fromtimestamp(p.stat().st_mtime, UTC))
             for p in directory.glob(f"{FILE_PREFIX}*") if p.is_file() and not p.name.endswith(".partial")]
    return sorted(files, key=lambda f: (f.modified, f.path.name), reverse=True)


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backup files in the directory; returns what was deleted."""
    if keep < 1:
        raise ValueError("keep must be at least 1")
    removed = [f.path for f in list_backups(directory)[keep:]]
    for path in removed:
        path.unlink()
    return removed


ACTION_WORDS = {WRITTEN: "Written to a file", DOWNLOADED: "Downloaded from the app", RESTORED: "Restored",
                FAILED: "Failed"}


def history_frame(session: Session, actor: Actor, limit: int = 20) -> pd.DataFrame:
    """The newest backups written, downloaded and restored, from the audit trail (administrators)."""
    require(actor, Permission.MANAGE_USERS)
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity == AUDIT_ENTITY)
                             .order_by(AuditEvent.id.desc()).limit(limit))
    rows = [{"When": local_time_text(e.occurred_at),
             "What": ACTION_WORDS.get(e.action, e.action), "File": e.record_id, "Who": e.username,
             "Details": e.summary or ""} for e in events]
    return pd.DataFrame(rows, columns=["When", "What", "File", "Who", "Details"])
