"""Backup and restore: round trips on each engine and across them, and every refusal leaving the target unchanged.

Each test makes its own databases (a restore needs an empty one, schema and all), with the demo data as content.
"""
from __future__ import annotations

import io
import json
import shutil
import uuid
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, MetaData, func, select
from sqlalchemy.orm import Session

from review import demo
from review.accounts import sessions
from review.models import AuditEvent, User, Workstream
from review.operations import archive, backup, check, restore
from review.operations.archive import BackupRefused
from review.platform import db
from review.platform.errors import PermissionDenied
from review.platform.roles import SYSTEM
from tests.conftest import _TMP, create_pg_database, drop_pg_database, pg_database_url, require_postgres

ENGINES = ["sqlite", "postgresql"]
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def new_database() -> Iterator[Callable[[str], Engine]]:
    """Makes empty databases (no schema) on either engine; drops them afterwards."""
    made: list[tuple[Engine, str | None]] = []

    def make(kind: str) -> Engine:
        if kind == "sqlite":
            engine = db.make_engine(f"sqlite:///{_TMP / f'backup-{uuid.uuid4().hex[:8]}.db'}")
            made.append((engine, None))
            return engine
        require_postgres()
        name = create_pg_database("review_test_backup_")
        engine = db.make_engine(pg_database_url(name))
        made.append((engine, name))
        return engine

    yield make
    for engine, name in made:
        engine.dispose()
        if name:
            drop_pg_database(name)


def with_demo(engine: Engine) -> Engine:
    db.upgrade(engine)
    with db.unit_of_work(engine) as session:
        demo.load_demo(session, with_accounts=True)
    return engine


@pytest.fixture(scope="module")
def demo_sqlite() -> Iterator[Path]:
    """A demo database file, built once; tests copy it before changing it."""
    path = _TMP / f"backup-demo-{uuid.uuid4().hex[:8]}.db"
    engine = with_demo(db.make_engine(f"sqlite:///{path}"))
    engine.dispose()
    yield path


@pytest.fixture
def source(demo_sqlite: Path) -> Iterator[Engine]:
    path = _TMP / f"backup-source-{uuid.uuid4().hex[:8]}.db"
    shutil.copy(demo_sqlite, path)
    engine = db.make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def _normal(value):
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def dump(engine: Engine) -> dict[str, list[dict]]:
    """Every table (Alembic's and sign-in sessions aside) as normalised rows in primary-key order; the audit trail
    without the events that record restores."""
    metadata = MetaData()
    with engine.connect() as connection:
        metadata.reflect(bind=connection)
        tables = {}
        for table in metadata.sorted_tables:
            if table.name in ("alembic_version", "sign_in_sessions"):
                continue
            query = select(table).order_by(*table.primary_key.columns)
            if table.name == "audit_events":  # the restore's own event is the one row the source cannot have
                query = query.where((table.c.entity != backup.AUDIT_ENTITY) | (table.c.action != backup.RESTORED))
            tables[table.name] = [{k: _normal(v) for k, v in r._mapping.items()} for r in connection.execute(query)]
    return tables


def assert_same_rows(expected: dict[str, list[dict]], actual: dict[str, list[dict]]) -> None:
    assert sorted(actual) == sorted(expected)
    for name, rows in expected.items():
        assert len(actual[name]) == len(rows), name
        for want, got in zip(rows, actual[name], strict=True):
            assert got == want, f"{name} row {want.get('id')}"


def restore_events(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.entity == backup.AUDIT_ENTITY,
                                                             AuditEvent.action == backup.RESTORED)))


def schema_tables(engine: Engine) -> list[str]:
    metadata = MetaData()
    metadata.reflect(bind=engine)
    return sorted(metadata.tables)


# ------------------------------------------------------------------ round trips

@pytest.mark.parametrize("kind", ENGINES)
def test_round_trip_on_one_engine_gives_identical_rows(kind, new_database):
    original = with_demo(new_database(kind))
    taken = backup.take(original)
    target = new_database(kind)
    done = restore.restore(target, taken.content, "demo.zip", SYSTEM)
    assert done.rows == taken.rows > 600 and done.tables == taken.table_count
    assert_same_rows(dump(original), dump(target))
    (event,) = restore_events(target)
    assert event.record_id == "demo.zip" and taken.digest in event.summary
    assert not db.needs_upgrade(target)


def test_moving_a_pilot_sqlite_to_postgresql_and_back(source, new_database):
    expected = dump(source)
    on_postgres = new_database("postgresql")
    restore.restore(on_postgres, backup.take(source).content, "pilot.zip", SYSTEM)
    assert_same_rows(expected, dump(on_postgres))
    back_on_sqlite = new_database("sqlite")
    restore.restore(back_on_sqlite, backup.take(on_postgres).content, "shared.zip", SYSTEM)
    assert_same_rows(expected, dump(back_on_sqlite))
    # Values that differ most between the engines came through as the same Python values.
    amounts = [r["annual_value"] for r in expected["contracts"] if r.get("annual_value") is not None]
    assert amounts and all(isinstance(a, Decimal) for a in amounts)
    packs = dump(back_on_sqlite)["submission_packs"]
    assert all(isinstance(p["document"], bytes) for p in packs)


def test_new_records_after_a_restore_on_postgresql_get_fresh_ids(source, new_database):
    """Sequences are moved past the restored ids, so the next insert does not collide."""
    target = new_database("postgresql")
    restore.restore(target, backup.take(source).content, "pilot.zip", SYSTEM)
    with db.unit_of_work(target) as session:
        highest = session.scalar(select(func.max(Workstream.id)))
        session.add(Workstream(name="After the move", short_name="MOVED"))
        session.flush()
        assert session.scalar(select(func.max(Workstream.id))) == highest + 1


def test_encrypted_backup_round_trip_and_plain_text_absent(source, new_database):
    taken = backup.take(source, PASSPHRASE)
    assert archive.is_encrypted(taken.content)
    assert b"manifest.json" not in taken.content and b"SENDIASS" not in taken.content
    target = new_database("sqlite")
    restore.restore(target, taken.content, "secret.zip.enc", SYSTEM, passphrase=PASSPHRASE)
    assert_same_rows(dump(source), dump(target))


def test_backup_leaves_out_sign_in_sessions(source):
    with db.unit_of_work(source) as session:
        admin = session.scalars(select(User).where(User.role == "admin")).first()
        token = sessions.start_session(session, admin.id, "local")
    taken = backup.take(source)
    assert "sign_in_sessions" not in taken.archive.tables
    assert token.encode() not in b"".join(taken.archive.tables.values())
    manifest = taken.archive.manifest
    with source.connect() as connection:
        assert manifest["schema_revision"] == backup.schema_revisions(connection)
    assert manifest["app_version"] and manifest["created_at"].endswith("+00:00")
    for name, entry in manifest["tables"].items():
        assert entry["sha256"] == archive.sha256(taken.archive.tables[name])
        assert entry["rows"] == len(taken.archive.rows(name))


@pytest.mark.parametrize("kind", ENGINES)
def test_backup_reads_one_snapshot_while_the_app_writes(kind, new_database, monkeypatch):
    """A write committed while the backup is reading is not half in it: counts are those at the start."""
    engine = with_demo(new_database(kind))
    with Session(engine) as session:
        before = {"audit_events": session.scalar(select(func.count(AuditEvent.id))),
                  "workstreams": session.scalar(select(func.count(Workstream.id)))}
    real_jsonl = archive.jsonl
    calls = []

    def jsonl_with_a_write_in_between(columns, rows):
        if not calls:
            writer = db.make_engine(engine.url.render_as_string(hide_password=False))
            with db.unit_of_work(writer) as session:
                session.add(Workstream(name="Written during the backup", short_name="MID"))
                session.add(AuditEvent(username="someone", entity="workstream", record_id="x", action="create"))
            writer.dispose()
        calls.append(1)
        return real_jsonl(columns, rows)

    monkeypatch.setattr(archive, "jsonl", jsonl_with_a_write_in_between)
    taken = backup.take(engine)
    assert {name: taken.archive.manifest["tables"][name]["rows"] for name in before} == before
    with Session(engine) as session:  # the write itself was kept
        assert session.scalar(select(func.count(Workstream.id))) == before["workstreams"] + 1


def test_an_older_backup_is_upgraded_after_loading(source, new_database):
    expected = dump(source)
    cfg = db.alembic_config(source)
    with source.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0008")
    old = backup.take(source)
    assert old.archive.revisions == ["0008"]
    assert "submission_id" not in old.archive.manifest["tables"]["decisions"]["columns"]
    target = new_database("postgresql")
    done = restore.restore(target, old.content, "old.zip", SYSTEM)
    assert done.from_revision == ["0008"] and not db.needs_upgrade(target)
    restored = dump(target)
    # What the backup held comes back whole: every table and column of the 0008 schema, row for row. The
    # migrations after 0008 then add their own tables and columns, which hold what the upgrade puts there.
    old_columns = {name: set(table["columns"]) for name, table in old.archive.manifest["tables"].items()}
    def as_of_0008(dumped):
        return {name: [{k: v for k, v in row.items() if k in old_columns[name]} for row in rows]
                for name, rows in dumped.items() if name in old_columns}
    assert_same_rows(as_of_0008(expected), as_of_0008(restored))


# ------------------------------------------------------------------ refusals leave the target as it was

def _rezip(content: bytes, change: Callable[[dict, dict], None]) -> bytes:
    taken = archive.from_bytes(content)
    change(taken.manifest, taken.tables)
    return archive.to_bytes(taken)


def _changed_row(manifest: dict, tables: dict) -> None:
    tables["workstreams"] = tables["workstreams"].replace(b"SENDIASS", b"SENDIASX", 1)


def _newer_schema(manifest: dict, tables: dict) -> None:
    manifest["schema_revision"] = ["9999_from_the_future"]


REFUSALS: dict[str, tuple[Callable[[bytes], bytes], str | None, str]] = {
    "changed row": (lambda c: _rezip(c, _changed_row), None, "was changed"),
    "flipped byte": (lambda c: c[:len(c) // 2] + bytes([c[len(c) // 2] ^ 0xFF]) + c[len(c) // 2 + 1:], None, ""),
    "truncated": (lambda c: c[:len(c) * 2 // 3], None, "damaged or cut short"),
    "newer schema": (lambda c: _rezip(c, _newer_schema), None, "newer"),
    "not a backup": (lambda c: b"hello", None, "damaged or cut short"),
}


@pytest.mark.parametrize("kind", ENGINES)
@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_bad_file_is_refused_and_nothing_changes(kind, case, source, new_database):
    spoil, passphrase, words = REFUSALS[case]
    content = spoil(backup.take(source).content)
    target = new_database(kind)
    with pytest.raises(BackupRefused) as refused:
        restore.restore(target, content, "bad.zip", SYSTEM, passphrase=passphrase)
    assert words in str(refused.value) and "\n" not in str(refused.value)
    assert "othing was restored" in str(refused.value)
    assert schema_tables(target) == []


@pytest.mark.parametrize("kind", ENGINES)
def test_wrong_passphrase_changed_or_cut_encrypted_file_is_refused(kind, source, new_database):
    content = backup.take(source, PASSPHRASE).content
    target = new_database(kind)
    for spoilt, passphrase in [(content, "wrong passphrase"), (content[:-1] + bytes([content[-1] ^ 1]), PASSPHRASE),
                               (content[: len(content) - 100], PASSPHRASE), (content[:30], PASSPHRASE),
                               (content, None)]:
        with pytest.raises(BackupRefused) as refused:
            restore.restore(target, spoilt, "bad.zip.enc", SYSTEM, passphrase=passphrase)
        assert "nothing was restored" in str(refused.value).lower()
    assert schema_tables(target) == []


@pytest.mark.parametrize("kind", ENGINES)
def test_a_database_holding_data_is_only_replaced_when_asked(kind, source, new_database):
    taken = backup.take(source)
    target = with_demo(new_database(kind))
    with db.unit_of_work(target) as session:
        session.add(Workstream(name="Only in the target", short_name="ONLY"))
    before = dump(target)
    with pytest.raises(BackupRefused, match="not empty"):
        restore.restore(target, taken.content, "demo.zip", SYSTEM)
    assert dump(target) == before
    restore.restore(target, taken.content, "demo.zip", SYSTEM, replace=True)
    assert_same_rows(dump(source), dump(target))


@pytest.mark.parametrize("kind", ENGINES)
def test_a_failure_while_loading_rolls_everything_back(kind, source, new_database, monkeypatch):
    """All or nothing: a failure after the schema was built and half the rows loaded leaves no trace."""
    target = new_database(kind)
    real = restore._load_table

    def fail_on_tasks(connection, table, rows, loaded):
        if table.name == "tasks":
            raise BackupRefused("simulated failure")
        real(connection, table, rows, loaded)

    monkeypatch.setattr(restore, "_load_table", fail_on_tasks)
    with pytest.raises(BackupRefused, match="simulated"):
        restore.restore(target, backup.take(source).content, "demo.zip", SYSTEM)
    assert schema_tables(target) == []


def test_only_administrators_back_up_or_restore(source, editor, tmp_path, new_database):
    with pytest.raises(PermissionDenied):
        backup.write(source, tmp_path / "x.zip", None, editor)
    with pytest.raises(PermissionDenied):
        restore.restore(new_database("sqlite"), backup.take(source).content, "x.zip", editor)
    assert not (tmp_path / "x.zip").exists()


# ------------------------------------------------------------------ files on disk

def test_written_backup_holds_its_own_event_so_the_restored_copy_equals_the_source(source, tmp_path,
                                                                                 new_database):
    """As an operator does it: write the backup, restore it elsewhere; every row of the source is in the copy."""
    out = tmp_path / "review-backup-20191115T010000Z.zip"
    backup.write(source, out, None, SYSTEM)
    with Session(source) as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == backup.WRITTEN)).one()
    assert event.record_id == out.name and out.stat().st_mode & 0o077 == 0
    target = new_database("postgresql")
    restore.restore(target, out.read_bytes(), out.name, SYSTEM)
    assert_same_rows(dump(source), dump(target))
    (restored,) = restore_events(target)
    assert out.name in restored.summary and archive.manifest_digest(archive.from_bytes(out.read_bytes())) in \
        restored.summary


def test_a_failed_backup_is_recorded_as_failed(source, tmp_path, monkeypatch):
    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(backup, "take", broken)
    with pytest.raises(OSError):
        backup.write(source, tmp_path / "b.zip", None, SYSTEM)
    with Session(source) as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity == backup.AUDIT_ENTITY)
                                  .order_by(AuditEvent.id)).all()
    assert actions == [backup.WRITTEN, backup.FAILED]
    assert check.last_backup(source, None) is None


def test_prune_keeps_the_newest(tmp_path):
    for day in range(16, 20):
        (tmp_path / f"review-backup-201911{day}T010000Z.zip").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not a backup")
    removed = backup.prune(tmp_path, keep=2)
    assert len(removed) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.txt", "review-backup-20191118T010000Z.zip", "review-backup-20191119T010000Z.zip"]


def test_manifest_is_readable_json_in_the_zip(source):
    content = backup.take(source).content
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read("manifest.json"))
    assert "tables/tasks.jsonl" in names and manifest["tables"]["tasks"]["rows"] > 20
