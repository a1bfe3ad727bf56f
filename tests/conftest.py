"""Shared fixtures: a database per engine (SQLite file and a throw-away PostgreSQL database),
a clean session per test, and actors of each role.

PostgreSQL: TEST_DATABASE_URL, else the local server on 127.0.0.1:5432 if it answers. In CI
(CI=true) an unreachable server fails the run instead of skipping. Every PostgreSQL test works in databases
it creates and drops (`create_pg_database`, `drop_pg_database`; names start with review_test_ or review_pages_),
because the server outlives the run.
"""
from __future__ import annotations

import functools
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

# Tests never touch the real data/review.db, and dates are fixed unless a test says otherwise.
_TMP = Path(tempfile.mkdtemp(prefix="review-tests-"))
os.environ["REVIEW_SQLITE_PATH"] = str(_TMP / "app.db")
os.environ.setdefault("REVIEW_TODAY", "2019-11-15")
os.environ.pop("DATABASE_URL", None)

from review.models import Base  # noqa: E402
from review.platform import db  # noqa: E402
from review.platform.roles import Actor, Role  # noqa: E402

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


@functools.cache
def _postgres_problem(url: str) -> str | None:
    """Why the server cannot be used (None when it answers); asked once per run."""
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3}, poolclass=NullPool)
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001
        return str(exc).splitlines()[0]


def require_postgres() -> None:
    """Skip the calling test or fixture when PostgreSQL is not reachable; in CI (CI=true), fail instead."""
    problem = _postgres_problem(PG_URL)
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {PG_URL}: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")


def _pg_admin() -> Engine:
    """Autocommit connections to the maintenance database (CREATE/DROP DATABASE), none kept open."""
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def pg_database_url(name: str) -> str:
    """The URL of database `name` on the test server."""
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def create_pg_database(prefix: str) -> str:
    """Create an empty database named `<prefix><random>` and return its name."""
    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name


def drop_pg_database(name: str) -> None:
    """Drop the database even if something (a cached app engine) is still connected to it."""
    admin = _pg_admin()
    with admin.connect() as conn:
        if int(conn.execute(text("SHOW server_version_num")).scalar_one()) >= 130000:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                         {"name": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(request) -> Iterator[Engine]:
    """One migrated database per engine for the whole run (Alembic upgrade, as in production)."""
    if request.param == "sqlite":
        eng = db.make_engine(f"sqlite:///{_TMP / f'core-{uuid.uuid4().hex[:8]}.db'}")
        db.upgrade(eng)
        yield eng
        eng.dispose()
        return
    require_postgres()
    name = create_pg_database("review_test_")
    eng = db.make_engine(pg_database_url(name))
    try:
        db.upgrade(eng)
        yield eng
    finally:
        eng.dispose()
        drop_pg_database(name)


def migrate(engine: Engine, revision: str) -> None:
    """Downgrade the database to `revision`, or upgrade it to the head with "heads" (Alembic, in one transaction)."""
    from alembic import command

    cfg = db.alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if revision != "heads" else command.upgrade)(cfg, revision)


def wipe(engine: Engine) -> None:
    """Empty every table (keeps the schema and Alembic's version row)."""
    tables = [t.name for t in Base.metadata.sorted_tables]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on an empty database; the test commits or flushes as it needs."""
    wipe(engine)
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def admin() -> Actor:
    return Actor(9001, "test-admin", "Test Admin", Role.ADMIN)


@pytest.fixture
def editor() -> Actor:
    return Actor(9002, "test-editor", "Test Editor", Role.EDITOR)


@pytest.fixture
def commissioner() -> Actor:
    return Actor(9003, "test-commissioner", "Test Commissioner", Role.COMMISSIONER)


@pytest.fixture
def viewer() -> Actor:
    return Actor(9004, "test-viewer", "Test Viewer", Role.VIEWER)
