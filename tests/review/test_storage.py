"""Storage: migrations build the schema the models describe; SQLite pragmas; upgrade of an older file."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from review import db
from review.config import normalise_database_url
from review.models import Base


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert differences == []
    assert not db.needs_upgrade(engine)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == db.SQLITE_BUSY_TIMEOUT_MS


def test_an_older_database_is_upgraded_on_start(tmp_path):
    from alembic import command

    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = db.alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    if db.needs_upgrade(engine):  # only true once later migrations exist
        db.upgrade(engine)
    assert not db.needs_upgrade(engine)
    assert {"tasks", "audit_events", "users"} <= set(inspect(engine).get_table_names())


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_migrations_have_a_single_head():
    """New migrations must revise the one head, so upgrades are linear from here on."""
    from alembic.script import ScriptDirectory

    engine = db.make_engine("sqlite://")
    assert len(ScriptDirectory.from_config(db.alembic_config(engine)).get_heads()) == 1
