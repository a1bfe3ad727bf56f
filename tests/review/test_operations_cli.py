"""The backup, restore and check commands as an operator runs them (subprocesses, real files and databases)."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from review.models import User
from review.operations import backup, check
from review.platform import db
from review.platform.config import PROJECT_ROOT, get_settings
from review.platform.roles import SYSTEM
from tests.conftest import create_pg_database, drop_pg_database, pg_database_url, require_postgres

PASSPHRASE = "a long enough backup passphrase"


def run(*args, sqlite: Path | None = None, database_url: str | None = None, stdin: str = "", **env_extra):
    env = dict(os.environ)
    for name in ("DATABASE_URL", backup.BACKUP_DIR_ENV, "REVIEW_BACKUP_PASSPHRASE"):
        env.pop(name, None)
    env.update(env_extra)
    if sqlite is not None:
        env["REVIEW_SQLITE_PATH"] = str(sqlite)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "review", *args], input=stdin, capture_output=True, text=True,
                          cwd=PROJECT_ROOT, env=env, timeout=300)


@pytest.fixture
def demo_file(tmp_path) -> Path:
    path = tmp_path / "pilot.db"
    assert run("seed-demo", sqlite=path).returncode == 0
    return path


def test_encrypted_backup_and_restore_by_command(demo_file, tmp_path):
    out = tmp_path / "nightly.zip.enc"
    made = run("backup", "--out", str(out), "--encrypt", sqlite=demo_file, REVIEW_BACKUP_PASSPHRASE=PASSPHRASE)
    assert made.returncode == 0, made.stderr
    assert "encrypted" in made.stdout and out.exists()

    target = tmp_path / "restored.db"
    wrong = run("restore", "--from", str(out), sqlite=target, REVIEW_BACKUP_PASSPHRASE="not it")
    assert wrong.returncode == 2
    assert wrong.stderr.strip().count("\n") == 0 and "passphrase is wrong" in wrong.stderr
    assert not target.exists() or target.stat().st_size == 0 or _no_tables(target)

    done = run("restore", "--from", str(out), sqlite=target, REVIEW_BACKUP_PASSPHRASE=PASSPHRASE)
    assert done.returncode == 0, done.stderr
    assert "Restored" in done.stdout and "nightly.zip.enc" in done.stdout


def _no_tables(path: Path) -> bool:
    engine = db.make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        names = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'").scalars().all()
    engine.dispose()
    return names == []


def test_restore_over_data_needs_replace_and_confirmation(demo_file, tmp_path):
    out = tmp_path / "b.zip"
    assert run("backup", "--out", str(out), sqlite=demo_file).returncode == 0
    target = tmp_path / "other.db"
    assert run("seed-demo", sqlite=target).returncode == 0
    refused = run("restore", "--from", str(out), sqlite=target)
    assert refused.returncode == 2 and "not empty" in refused.stderr and "--replace" in refused.stderr
    declined = run("restore", "--from", str(out), "--replace", sqlite=target, stdin="no\n")
    assert declined.returncode == 1 and "nothing was changed" in declined.stderr
    confirmed = run("restore", "--from", str(out), "--replace", sqlite=target, stdin="yes\n")
    assert confirmed.returncode == 0, confirmed.stderr
    forced = run("restore", "--from", str(out), "--replace", "--yes", sqlite=target)
    assert forced.returncode == 0, forced.stderr


def test_missing_file_or_schema_is_a_clear_refusal(tmp_path):
    result = run("restore", "--from", str(tmp_path / "nope.zip"), sqlite=tmp_path / "x.db")
    assert result.returncode == 2 and "There is no file" in result.stderr
    empty = run("backup", "--out", str(tmp_path / "b.zip"), sqlite=tmp_path / "empty.db")
    assert empty.returncode == 2 and "no schema" in empty.stderr and not (tmp_path / "b.zip").exists()


def test_nightly_backup_into_the_backup_folder_keeps_the_newest(demo_file, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    for day in range(1, 5):
        (folder / f"review-backup-201911{day:02d}T010000Z.zip").write_bytes(b"old")
        os.utime(folder / f"review-backup-201911{day:02d}T010000Z.zip", (1_573_000_000 + day, 1_573_000_000 + day))
    made = run("backup", "--keep", "3", sqlite=demo_file, REVIEW_BACKUP_DIR=str(folder))
    assert made.returncode == 0, made.stderr
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 3 and "review-backup-20191104T010000Z.zip" in names
    assert "review-backup-20191101T010000Z.zip" not in names and "Deleted old backup" in made.stdout


def test_check_exit_codes(demo_file, tmp_path):
    no_backup = run("check", sqlite=demo_file)
    assert no_backup.returncode == 1 and "WARNING  last backup" in no_backup.stdout
    assert run("backup", "--out", str(tmp_path / "b.zip"), sqlite=demo_file).returncode == 0
    healthy = run("check", sqlite=demo_file)
    assert healthy.returncode == 0, healthy.stdout
    unreachable = run("check", database_url="postgresql://postgres@127.0.0.1:1/none")
    assert unreachable.returncode == 2 and "CRITICAL database" in unreachable.stdout


def test_a_plan_edited_by_sql_is_warned_of_and_put_right_by_command(demo_file):
    import sqlite3

    with sqlite3.connect(demo_file) as connection:  # an edit outside the tracker: PLN-09 three months later
        connection.execute("UPDATE tasks SET due_date = date(due_date, '+90 days') WHERE reference = 'PLN-09'")
    warned = run("check", sqlite=demo_file)
    assert "WARNING  critical path" in warned.stdout and "refresh-schedule" in warned.stdout, warned.stdout
    fixed = run("refresh-schedule", sqlite=demo_file)
    assert fixed.returncode == 0 and "difference(s) corrected" in fixed.stdout, fixed.stderr
    assert "OK       critical path" in run("check", sqlite=demo_file).stdout


def test_check_findings(demo_file, tmp_path, monkeypatch):
    engine = db.make_engine(f"sqlite:///{demo_file}")
    now = datetime.now(UTC)
    monkeypatch.setenv("REVIEW_DEMO", "0")
    settings = get_settings()
    findings = {f.name: f for f in check.run(engine, settings, None, now)}
    assert findings["demo accounts"].status == check.Status.WARNING  # demo accounts outside demo mode
    assert findings["last backup"].status == check.Status.WARNING
    with db.unit_of_work(engine) as session:
        session.execute(update(User).where(User.is_demo.is_(True)).values(active=False))
    backup.write(engine, tmp_path / "b.zip", None, SYSTEM)
    assert check.worst(check.run(engine, settings, None, now)) == check.Status.OK
    late = {f.name: f.status for f in check.run(engine, settings, None, now + timedelta(hours=30))}
    assert late["last backup"] == check.Status.WARNING
    very_late = check.run(engine, settings, None, now + timedelta(days=8))
    assert check.worst(very_late) == check.Status.CRITICAL
    # A newer file in the backup folder counts as the last backup too.
    (tmp_path / "review-backup-later.zip").write_bytes(b"x")
    os.utime(tmp_path / "review-backup-later.zip", ((now + timedelta(days=8)).timestamp(),) * 2)
    assert check.worst(check.run(engine, settings, tmp_path, now + timedelta(days=8))) == check.Status.OK
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0008'")
    behind = {f.name: f.status for f in check.run(engine, settings, tmp_path, now)}
    assert behind["schema"] == check.Status.WARNING
    assert "critical path" not in behind and "records" not in behind  # its tables may not be there yet
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    assert check.worst(check.run(engine, settings, tmp_path, now)) == check.Status.CRITICAL
    engine.dispose()


def test_pilot_moves_to_postgresql_by_commands(demo_file, tmp_path):
    """The README's three commands: back up the pilot, point at PostgreSQL, restore there."""
    require_postgres()
    name = create_pg_database("review_test_backup_cli_")
    try:
        out = tmp_path / "pilot.zip"
        assert run("backup", "--out", str(out), sqlite=demo_file).returncode == 0
        url = pg_database_url(name)
        done = run("restore", "--from", str(out), database_url=url)
        assert done.returncode == 0, done.stderr
        checked = run("check", database_url=url)
        assert "OK       schema" in checked.stdout and checked.returncode == 1  # demo accounts, no backup yet
    finally:
        drop_pg_database(name)
