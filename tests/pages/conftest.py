"""AppTest fixtures: a demo database file per test (copied from one built once), caches cleared,
and a helper that opens a page signed in as a role."""
from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from review import db
from review.config import PROJECT_ROOT, get_settings
from review.models import User
from review.roles import Role
from review.users import actor_for

APP = str(PROJECT_ROOT / "app.py")
TIMEOUT = 30


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """A migrated database with the demo data, built once per run."""
    path = tmp_path_factory.mktemp("demo") / "template.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    with db.unit_of_work(engine) as session:
        from review import demo

        demo.load_demo(session, with_accounts=True)
    engine.dispose()
    return path


@pytest.fixture
def app_db(demo_template: Path, tmp_path: Path, monkeypatch) -> Iterator[Path]:
    """This test's own copy of the demo database, used by the app under test."""
    path = tmp_path / "app.db"
    shutil.copy(demo_template, path)
    monkeypatch.setenv("REVIEW_SQLITE_PATH", str(path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield path
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


def texts(at: AppTest) -> str:
    """Everything the page printed, as one string (for 'is this message shown' checks)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)
