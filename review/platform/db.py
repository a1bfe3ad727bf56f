"""Engines, sessions and schema upgrades for SQLite (embedded default) and PostgreSQL (shared)."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from review.platform.config import PROJECT_ROOT, Settings, get_settings, normalise_database_url
from review.platform.errors import SimultaneousSave, TransientConflict

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# PostgreSQL SQLSTATEs for a transaction the server aborted only because of another one: serialization_failure
# and deadlock_detected (PostgreSQL manual, Appendix A). Running it again usually succeeds.
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})
RETRIES_AFTER_CONFLICT = 1

T = TypeVar("T")

log = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """An engine for the URL (default: from settings). SQLite gets WAL, foreign keys, busy timeout."""
    url = normalise_database_url(url or get_settings().database_url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def alembic_config(engine: Engine) -> Config:
    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema up to the newest migration (creates it on an empty database)."""
    cfg = alembic_config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")


def upgraded_engine(url: str | None = None) -> Engine:
    """An engine for the URL (default: from settings) with the schema brought up to the newest migration."""
    engine = make_engine(url)
    upgrade(engine)
    return engine


def needs_upgrade(engine: Engine) -> bool:
    """True when the database is behind the newest migration."""
    heads = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current != heads


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: commit when the block succeeds, roll back when it raises.

    A write the database refuses because someone else committed first (a stale version column or a unique
    rule) is raised as `SimultaneousSave`, a domain error pages show plainly.
    """
    session = Session(bind=engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except (StaleDataError, IntegrityError) as exc:
        # The services check versions and unique values before writing, so a refusal here means another
        # transaction committed between that check and this one's flush: report it, never a database error.
        session.rollback()
        log.warning("Write refused by the database (simultaneous save?): %s", exc)
        raise SimultaneousSave() from exc
    except DBAPIError as exc:
        session.rollback()
        if not is_transient(exc):
            raise
        log.warning("Transaction aborted by the database because of another one (deadlock or serialisation "
                    "failure): %s", exc.orig)
        raise TransientConflict() from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_transient(exc: BaseException) -> bool:
    """True for a deadlock or serialisation failure: the server aborted the transaction because of another one."""
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) in TRANSIENT_SQLSTATES or getattr(orig, "pgcode", None) in \
        TRANSIENT_SQLSTATES


def run_in_transaction(engine: Engine, action: Callable[[Session], T],
                       retries: int = RETRIES_AFTER_CONFLICT) -> T:
    """`action(session)` in one `unit_of_work`; run again (`retries` times) if the database aborted it for a
    deadlock or serialisation failure. If it still fails, `TransientConflict` (a `SimultaneousSave`) is raised.

    The action must be safe to run again: it starts from a fresh session and reads everything it needs."""
    for attempt in range(retries + 1):
        try:
            with unit_of_work(engine) as session:
                return action(session)
        except TransientConflict:
            if attempt == retries:
                raise
            log.info("Running the transaction again after a deadlock or serialisation failure.")
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def prepare_database(settings: Settings | None = None) -> Engine:
    """Engine for the configured database, upgraded; demo data loaded on an empty embedded one."""
    from review import demo  # local import: demo imports the services
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    if settings.demo_mode:
        with unit_of_work(engine) as session:
            if demo.is_empty(session):
                demo.load_demo(session)
    return engine
