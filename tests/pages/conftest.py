"""AppTest fixtures: a fresh demo database per test (copied from one built once per run), caches cleared,
and a helper that opens a page signed in as a role.

Page tests run on SQLite (the embedded default). A test marked `both_engines` (or a module with
`pytestmark = pytest.mark.both_engines`) runs on PostgreSQL too, as `test_x[sqlite]` and `test_x[postgresql]`;
PAGE_TESTS_ON_POSTGRES=all runs every page test on both. On PostgreSQL the run builds one demo database
(review_pages_<random>, dropped at the end) and puts its rows back before each test; the app finds it through
DATABASE_URL, so demo mode is off there, as on any shared database (no one-click demo sign-in).
"""
from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool
from streamlit.testing.v1 import AppTest

from review.accounts.users import actor_for
from review.models import Base, User
from review.platform import db
from review.platform.config import PROJECT_ROOT, get_settings
from review.platform.roles import Role
from tests.conftest import create_pg_database, drop_pg_database, pg_database_url, require_postgres

APP = str(PROJECT_ROOT / "app.py")
TIMEOUT = 30
ENGINES = ["sqlite", "postgresql"]


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "both_engines: run this page test on PostgreSQL as well as SQLite")


def pytest_generate_tests(metafunc) -> None:
    every = os.environ.get("PAGE_TESTS_ON_POSTGRES", "").lower() == "all"
    if "page_engine" in metafunc.fixturenames and (every or metafunc.definition.get_closest_marker("both_engines")):
        metafunc.parametrize("page_engine", ENGINES, indirect=True)


@pytest.fixture
def page_engine(request) -> str:
    """The engine the app under test runs on: "sqlite" unless the test is parametrised over both."""
    return getattr(request, "param", "sqlite")


def _build_demo(url: str) -> None:
    """Migrate the (empty) database and load the demo data with one account per role."""
    from review import demo
    engine = db.make_engine(url)
    db.upgrade(engine)
    with db.unit_of_work(engine) as session:
        demo.load_demo(session, with_accounts=True)
    engine.dispose()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """A migrated SQLite database with the demo data, built once per run and copied for each test."""
    path = tmp_path_factory.mktemp("demo") / "template.db"
    _build_demo(f"sqlite:///{path}")
    return path


class _PgDemoDatabase:
    """One PostgreSQL database with the demo data for the whole run, put back as it was before each test.

    Putting back (other connections closed, every table's rows deleted and copied back with binary COPY in
    foreign-key order, sequences set back) takes about 0.03 s, where a copy per test (CREATE DATABASE ... TEMPLATE
    and DROP DATABASE, which waits for a checkpoint) took 0.5 s to several seconds.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = create_engine(url, poolclass=NullPool)
        self._tables = [table.name for table in Base.metadata.sorted_tables]
        with self._engine.connect() as conn:
            in_database = set(conn.scalars(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))) - {"alembic_version"}
            if unlisted := in_database ^ set(self._tables):
                raise RuntimeError(f"Tables and models differ, so a test's rows could stay behind: {unlisted}")
            cursor = conn.connection.driver_connection.cursor()
            self._rows = {}
            for table in self._tables:
                with cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT BINARY)') as copy:
                    self._rows[table] = b"".join(bytes(chunk) for chunk in copy)
            self._sequences = conn.execute(text(
                "SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences"
                " WHERE schemaname = current_schema()")).all()

    def restore(self) -> None:
        with self._engine.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                              " WHERE datname = current_database() AND pid <> pg_backend_pid()"))
            conn.execute(text("; ".join(f'DELETE FROM "{table}"' for table in reversed(self._tables))))
            cursor = conn.connection.driver_connection.cursor()
            for table in self._tables:
                if self._rows[table]:
                    with cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT BINARY)') as copy:
                        copy.write(self._rows[table])
            for name, value in self._sequences:  # last_value is NULL until a sequence is first used
                conn.execute(text("SELECT setval(CAST(:name AS regclass), :value, :used)"),
                             {"name": name, "value": value or 1, "used": value is not None})

    def close(self) -> None:
        self._engine.dispose()


@pytest.fixture(scope="session")
def pg_demo_database() -> Iterator[_PgDemoDatabase]:
    """A PostgreSQL database with the demo data for this run (made only if a test needs it, dropped at the end)."""
    require_postgres()
    name = create_pg_database("review_pages_")
    demo_db = None
    try:
        _build_demo(pg_database_url(name))
        demo_db = _PgDemoDatabase(pg_database_url(name))
        yield demo_db
    finally:
        if demo_db is not None:
            demo_db.close()
        drop_pg_database(name)


@pytest.fixture
def app_db(page_engine: str, request, tmp_path: Path, monkeypatch) -> Iterator[str]:
    """The demo database as it was built, for this test alone, used by the app under test; yields its URL."""
    st.cache_data.clear()
    st.cache_resource.clear()
    if page_engine == "sqlite":
        path = tmp_path / "app.db"
        shutil.copy(request.getfixturevalue("demo_template"), path)
        monkeypatch.setenv("REVIEW_SQLITE_PATH", str(path))
        monkeypatch.delenv("DATABASE_URL", raising=False)
        url = f"sqlite:///{path}"
    else:
        demo_db = request.getfixturevalue("pg_demo_database")
        demo_db.restore()
        monkeypatch.setenv("DATABASE_URL", demo_db.url)
        url = demo_db.url
    yield url
    st.cache_data.clear()
    st.cache_resource.clear()


def actor_of(role: Role):
    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:
        user = session.scalar(select(User).where(User.is_demo.is_(True), User.role == role.value))
        actor = actor_for(user)
    engine.dispose()
    return actor


@pytest.fixture
def open_page(app_db) -> Callable[[str, Role | None], AppTest]:
    """open_page("pages/2_Tasks.py", Role.EDITOR) -> an AppTest that has run the page signed in."""

    def _open(page: str, role: Role | None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        if role is not None:
            at.session_state["actor"] = actor_of(role)
        if page != "app.py":
            at.switch_page(page)
        return at.run()

    return _open


def open_tab(at: AppTest, key: str, label: str) -> AppTest:
    """Open the tab `label` of the `st.tabs(..., key=key)` on the page and rerun: pages run only the open tab."""
    at.session_state[key] = label
    return at.run()


# A backslash before ASCII punctuation: how ui.text.plain escapes stored text for Markdown.
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(value: object) -> str:
    """An element's Markdown source as the reader sees it (the escapes of `ui.text.plain` taken out)."""
    return _MARKDOWN_ESCAPE.sub(r"\1", str(value)).replace("\u200b", "")


def texts(at: AppTest) -> str:
    """Everything the page printed, as one string (for 'is this message shown' checks), as the reader sees it:
    Markdown escapes (stored text goes through `ui.text.plain`) are taken out."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error"):
        parts += [shown(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)
