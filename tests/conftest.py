"""Shared fixtures: a database per engine (SQLite file and a throw-away PostgreSQL database),
a clean session per test, and actors of each role.

PostgreSQL: TEST_DATABASE_URL, else the local server on 127.0.0.1:5432 if it answers. In CI
(CI=true) an unreachable server fails the run instead of skipping.
"""
from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

# Tests never touch the real data/review.db, and dates are fixed unless a test says otherwise.
_TMP = Path(tempfile.mkdtemp(prefix="review-tests-"))
os.environ["REVIEW_SQLITE_PATH"] = str(_TMP / "app.db")
os.environ.setdefault("REVIEW_TODAY", "2019-11-15")
os.environ.pop("DATABASE_URL", None)

from review import db  # noqa: E402
from review.models import Base  # noqa: E402
from review.roles import Actor, Role  # noqa: E402

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_reachable(url: str) -> str | None:
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(request) -> Iterator[Engine]:
    """One migrated database per engine for the whole run (Alembic upgrade, as in production)."""
    if request.param == "sqlite":
        eng = db.make_engine(f"sqlite:///{_TMP / f'core-{uuid.uuid4().hex[:8]}.db'}")
        db.upgrade(eng)
        yield eng
        eng.dispose()
        return
    problem = _postgres_reachable(PG_URL)
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {PG_URL}: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    name = f"review_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = create_engine(PG_URL).url.set(database=name)
    eng = db.make_engine(url.render_as_string(hide_password=False))
    try:
        db.upgrade(eng)
        yield eng
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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
