"""Demo accounts sign in only on a demo database in demo mode; a database is seeded only on a new install."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select

from review import demo
from review.accounts import sessions, users
from review.models import AuditEvent, Task, User
from review.platform import database_settings, db
from review.platform.config import get_settings
from review.platform.errors import AuthenticationFailed, DatabaseUnavailable, PermissionDenied
from review.platform.roles import Role

PASSWORD = demo.DEMO_PASSWORD


def demo_account(session, admin):
    user = users.create_user(session, admin, "demo-admin", "admin", PASSWORD, is_demo=True)
    database_settings.mark_demo_database(session)
    session.commit()
    return user


def test_demo_account_signs_in_only_while_demo_mode_is_on(session, admin, monkeypatch):
    demo_account(session, admin)
    assert users.authenticate(session, "demo-admin", PASSWORD).role == Role.ADMIN
    monkeypatch.setenv("REVIEW_DEMO", "0")
    with pytest.raises(AuthenticationFailed) as refused:
        users.authenticate(session, "demo-admin", PASSWORD)
    assert str(refused.value) == users.SIGN_IN_REFUSED  # the same words as a wrong password
    with pytest.raises(AuthenticationFailed):
        users.demo_sign_in(session, Role.ADMIN)


def test_demo_account_refused_on_a_database_that_is_not_a_demo_database(session, admin):
    demo_account(session, admin)
    database_settings.mark_demo_database(session, False)
    session.commit()
    assert get_settings().demo_mode
    with pytest.raises(AuthenticationFailed, match="not recognised"):
        users.authenticate(session, "demo-admin", PASSWORD)


def test_ordinary_accounts_sign_in_whatever_the_demo_mode(session, admin, monkeypatch):
    users.create_user(session, admin, "jo", "editor", "a long password")
    session.commit()
    monkeypatch.setenv("REVIEW_DEMO", "0")
    assert users.authenticate(session, "jo", "a long password").username == "jo"


def test_a_demo_sign_in_cookie_stops_working_when_demo_mode_is_off(session, admin, monkeypatch):
    user = demo_account(session, admin)
    token = sessions.start_session(session, user.id, "demo")
    session.commit()
    assert sessions.check_session(session, token).user is not None
    monkeypatch.setenv("REVIEW_DEMO", "0")
    check = sessions.check_session(session, token)
    assert check.user is None and "Demo accounts are switched off" in (check.ended_because or "")


def test_loading_the_demo_marks_a_demo_database(session):
    assert not database_settings.is_demo_database(session)
    demo.load_demo(session)
    session.commit()
    assert database_settings.is_demo_database(session)
    assert users.authenticate(session, "demo-admin", PASSWORD).role == Role.ADMIN


def test_remove_demo_accounts_is_audited_and_admin_only(session, admin, editor):
    user = demo_account(session, admin)
    sessions.start_session(session, user.id, "demo")
    users.create_user(session, admin, "jo", "editor", "a long password")
    session.commit()
    with pytest.raises(PermissionDenied):
        users.remove_demo_accounts(session, editor)
    assert users.remove_demo_accounts(session, admin) == ["demo-admin"]
    session.commit()
    assert session.scalars(select(User.username)).all() == ["jo"]
    assert not database_settings.is_demo_database(session)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "delete", AuditEvent.entity == "user"))
    assert event.record_id == str(user.id) and event.changes["username"] == {"before": "demo-admin", "after": None}
    with pytest.raises(AuthenticationFailed):
        users.authenticate(session, "demo-admin", PASSWORD)


# ------------------------------------------------------------------ seeding on start

def count_tasks(engine) -> int:
    with db.unit_of_work(engine) as session:
        return session.scalar(select(func.count()).select_from(Task))


def test_a_new_install_is_seeded_once_and_never_again(tmp_path, monkeypatch):
    path = tmp_path / "new.db"
    monkeypatch.setenv("REVIEW_SQLITE_PATH", str(path))
    engine = db.prepare_database()
    assert count_tasks(engine) > 0
    with db.unit_of_work(engine) as session:
        assert database_settings.is_demo_database(session)
        session.execute(Task.__table__.delete())
    engine.dispose()
    again = db.prepare_database()  # the file exists: never seeded again, even though it holds no tasks
    assert count_tasks(again) == 0
    again.dispose()


def test_an_existing_empty_database_is_not_seeded(tmp_path, monkeypatch):
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    monkeypatch.setenv("REVIEW_SQLITE_PATH", str(path))
    engine = db.prepare_database()
    with db.unit_of_work(engine) as session:
        assert demo.is_empty(session) and not database_settings.is_demo_database(session)
    engine.dispose()


def test_a_new_install_without_demo_mode_is_not_seeded(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEW_SQLITE_PATH", str(tmp_path / "real.db"))
    monkeypatch.setenv("REVIEW_DEMO", "0")
    engine = db.prepare_database()
    assert count_tasks(engine) == 0
    engine.dispose()


# ------------------------------------------------------------------ the file disappears under a running app

def test_saves_are_refused_once_the_database_file_is_deleted(tmp_path, admin):
    path = tmp_path / "running.db"
    engine = db.upgraded_engine(f"sqlite:///{path}")
    with db.unit_of_work(engine) as session:
        users.create_user(session, admin, "jo", "editor", "a long password")
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        name.unlink(missing_ok=True)
    with pytest.raises(DatabaseUnavailable, match="missing or was replaced"):
        with db.unit_of_work(engine) as session:
            users.create_user(session, admin, "kim", "editor", "a long password")
    engine.dispose()  # new connections are refused too, and no empty file is created behind the app
    with pytest.raises(DatabaseUnavailable):
        with db.unit_of_work(engine) as session:
            session.scalar(select(func.count()).select_from(User))
    assert not path.exists()


def test_a_replaced_database_file_is_refused(tmp_path, admin):
    path = tmp_path / "replaced.db"
    engine = db.upgraded_engine(f"sqlite:///{path}")
    with db.unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0
    engine.dispose()
    path.rename(tmp_path / "old.db")
    path.write_bytes((tmp_path / "old.db").read_bytes())
    with pytest.raises(DatabaseUnavailable):
        with db.unit_of_work(engine) as session:
            session.scalar(select(func.count()).select_from(User))


def test_a_lost_database_is_refused_on_the_next_start_not_recreated(tmp_path, monkeypatch):
    path = tmp_path / "lost.db"
    monkeypatch.setenv("REVIEW_SQLITE_PATH", str(path))
    db.prepare_database().dispose()
    assert db.created_marker(path).exists()
    path.unlink()
    with pytest.raises(DatabaseUnavailable, match="is missing, though a database was created there before"):
        db.prepare_database()
    assert not path.exists()
    db.created_marker(path).unlink()  # the operator starts afresh on purpose
    engine = db.prepare_database()
    assert count_tasks(engine) > 0
    engine.dispose()
