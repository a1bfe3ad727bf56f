"""Every command answers a missing, mistyped or read-only database with one line and a non-zero exit."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from review.accounts import users
from review.platform import db
from review.platform.config import PROJECT_ROOT
from review.platform.errors import DatabaseUnavailable
from review.platform.roles import SYSTEM
from tests.conftest import create_pg_database, drop_pg_database, pg_database_url, require_postgres


def run_cli(*args, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    full = {**os.environ, **env}
    if "DATABASE_URL" not in env:
        full.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "review", *args], input=stdin, capture_output=True, text=True,
                          cwd=PROJECT_ROOT, env=full, timeout=180)


def assert_one_line_refusal(run: subprocess.CompletedProcess, words: str) -> None:
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and words in lines[0], run.stderr


COMMANDS_ON_AN_EXISTING_DATABASE = [
    ("engagement-retention",),
    ("create-user", "--username", "jo", "--role", "editor", "--password-stdin"),
    ("export-pack", "--out", "pack.docx"),
    ("engagement-import", "--activity", "1", "--file", "{csv}"),
    ("remove-demo-accounts",),
]


@pytest.mark.parametrize("command", COMMANDS_ON_AN_EXISTING_DATABASE)
def test_a_mistyped_database_path_is_an_error_not_a_new_database(tmp_path, command):
    path = tmp_path / "mistyped.db"
    survey = tmp_path / "survey.csv"
    survey.write_text("Need,Theme\nWho to call,Waiting times\n")
    command = [str(survey) if part == "{csv}" else part for part in command]
    run = run_cli(*command, env={"REVIEW_SQLITE_PATH": str(path)}, stdin="a long password\n")
    assert_one_line_refusal(run, f"There is no database at {path}")
    assert not path.exists()


@pytest.mark.parametrize("command", [("init-db",), ("seed-demo",), ("engagement-retention",)])
def test_a_database_that_cannot_be_created_is_one_line(command):
    run = run_cli(*command, env={"REVIEW_SQLITE_PATH": "/proc/no-such-folder/review.db"})
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and run.stderr.startswith("error:")


def test_an_unreachable_shared_database_is_one_line():
    run = run_cli("init-db", env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert_one_line_refusal(run, "the database could not be used (127.0.0.1:1/none)")


def test_a_read_only_sqlite_database_refuses_writes_plainly(tmp_path):
    path = tmp_path / "ro.db"
    db.upgraded_engine(f"sqlite:///{path}").dispose()
    engine = db.make_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    with pytest.raises(DatabaseUnavailable, match="read-only"):
        with db.unit_of_work(engine) as session:
            users.create_user(session, SYSTEM, "jo", "editor", "a long password")
    engine.dispose()


def test_a_read_only_shared_database_gives_one_line_for_each_command(tmp_path):
    require_postgres()
    name = create_pg_database("review_test_ro_")
    url = pg_database_url(name)
    try:
        engine = db.upgraded_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        engine.dispose()
        made = run_cli("create-user", "--username", "jo", "--role", "editor", "--password-stdin",
                       env={"DATABASE_URL": url}, stdin="a long password\n")
        assert_one_line_refusal(made, "read-only")
        seeded = run_cli("seed-demo", env={"DATABASE_URL": url})
        assert_one_line_refusal(seeded, "read-only")
    finally:
        drop_pg_database(name)


def test_remove_demo_accounts_from_the_command_line(tmp_path):
    env = {"REVIEW_SQLITE_PATH": str(tmp_path / "demo.db")}
    assert run_cli("seed-demo", env=env).returncode == 0
    removed = run_cli("remove-demo-accounts", env=env)
    assert removed.returncode == 0, removed.stderr
    assert "Removed 4 demo account(s): demo-admin, demo-commissioner, demo-editor, demo-viewer." in removed.stdout
    again = run_cli("remove-demo-accounts", env=env)
    assert again.returncode == 0 and "There are no demo accounts" in again.stdout
