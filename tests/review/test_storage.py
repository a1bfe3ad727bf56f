"""Storage: migrations build the schema the models describe; SQLite pragmas; upgrade of an older file."""
from __future__ import annotations

from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from review import demo
from review.models import Base
from review.models.submissions import Submission
from review.platform import db
from review.platform.config import normalise_database_url
from review.platform.roles import SYSTEM
from review.submission import papers as submissions
from tests.conftest import migrate


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


# Every table whose rows refer to a decision; SQLite recreates `decisions` when 0009 runs either way.
DECISION_CHILDREN = ("decision_alternatives", "decision_consultees", "decision_contracts", "decision_tasks",
                     "contract_extensions")


def _decision_rows(engine) -> dict[str, int]:
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar()
                  for t in ("decisions", *DECISION_CHILDREN)}
        counts["extensions citing a decision"] = conn.execute(text(
            "SELECT COUNT(*) FROM contract_extensions WHERE decision_id IS NOT NULL")).scalar()
    return counts


def test_migration_0009_links_decisions_to_papers_and_keeps_what_refers_to_decisions(engine, session):
    demo.load_demo(session, with_accounts=False)
    paper = session.scalar(select(Submission))
    submissions.record_decision(session, SYSTEM, paper.id, paper.version, "The phone line is agreed.",
                                date(2019, 12, 5))
    session.commit()
    session.close()
    before = _decision_rows(engine)
    assert before["decisions"] == 3 and before["extensions citing a decision"] >= 1
    assert all(before[t] for t in DECISION_CHILDREN)
    try:
        migrate(engine, "0008")
        assert "submission_id" not in {c["name"] for c in inspect(engine).get_columns("decisions")}
        assert _decision_rows(engine) == before
    finally:
        migrate(engine, "heads")
    assert not db.needs_upgrade(engine)
    assert _decision_rows(engine) == before
    with engine.begin() as conn:  # the link is new, so empty after the round trip; it is set to NULL with the paper
        assert conn.execute(text("SELECT COUNT(*) FROM decisions WHERE submission_id IS NOT NULL")).scalar() == 0
        conn.execute(text("UPDATE decisions SET submission_id = :p WHERE reference LIKE 'OKD-2019-SEND%'"),
                     {"p": paper.id})
        conn.execute(text("DELETE FROM submissions"))
        assert conn.execute(text("SELECT COUNT(*) FROM decisions WHERE submission_id IS NULL")).scalar() == 3
