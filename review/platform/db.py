"""Engines, sessions and schema upgrades for SQLite (embedded default) and PostgreSQL (shared)."""
from __future__ import annotations

import contextlib
import logging
import os
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError, InternalError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from review.platform.config import PROJECT_ROOT, Settings, get_settings, normalise_database_url
from review.platform.errors import DatabaseUnavailable, SimultaneousSave, TransientConflict

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# PostgreSQL SQLSTATEs for a transaction the server aborted only because of another one: serialization_failure
# and deadlock_detected (PostgreSQL manual, Appendix A). Running it again usually succeeds.
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})
RETRIES_AFTER_CONFLICT = 1

T = TypeVar("T")

log = logging.getLogger(__name__)


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # SQLite's own lower() folds only A-Z, PostgreSQL's every letter: replace it on each connection, so searches,
    # ilike and case-insensitive name checks answer alike on both engines ("Évaluation" finds "ÉVALUATION"). No
    # index is built on lower(), so nothing stored depends on the built-in one.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def sqlite_path(url: str) -> Path | None:
    """The file of an embedded (SQLite) database URL; None for PostgreSQL or an in-memory database."""
    url = normalise_database_url(url)
    if not url.startswith("sqlite") or "///" not in url:
        return None
    path = url.split("///", 1)[1].split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


class DatabaseFileGuard:
    """Refuses to use an SQLite file that disappeared or was replaced after the engine first opened it.

    SQLite would otherwise go on writing into the deleted file (open connections) or quietly create a new empty
    one (new connections), and every save would be reported as done and then lost. The file's identity (device
    and inode) is taken at the first connection; each checkout from the pool and each commit compares it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.identity: tuple[int, int] | None = None

    def _current(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return st.st_dev, st.st_ino

    def refusal(self) -> DatabaseUnavailable:
        """The error raised once the SQLite file is missing or replaced: nothing can be saved or read."""
        return DatabaseUnavailable(
            f"The database file {self.path} is missing or was replaced while the app was running, so nothing can be "
            "saved or read. Ask the administrator to restore it from the backup and restart the app.")

    def check(self, *_args) -> None:
        """Refuse to go on when the file is no longer the one first opened (on pool checkout and on commit)."""
        if self.identity is not None and self._current() != self.identity:
            raise self.refusal()

    def before_connect(self, *_args) -> None:
        """Refuse a new connection once the file is gone: SQLite would quietly create a new, empty one."""
        if self.identity is not None and self._current() is None:
            raise self.refusal()  # connecting would create a new, empty file

    def after_connect(self, *_args) -> None:
        """Remember the file's identity (device and inode) at the first connection."""
        if self.identity is None:
            self.identity = self._current()


_GUARDS: weakref.WeakKeyDictionary[Engine, DatabaseFileGuard] = weakref.WeakKeyDictionary()


def check_database(engine: Engine) -> None:
    """Raise DatabaseUnavailable if the engine's SQLite file has gone or been replaced (no statement is run)."""
    guard = _GUARDS.get(engine)
    if guard is not None:
        guard.check()


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """An engine for the URL (default: from settings). SQLite gets WAL, foreign keys, busy timeout, and a guard
    that refuses to go on once its file is deleted or replaced (`DatabaseFileGuard`)."""
    url = normalise_database_url(url or get_settings().database_url)
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        if path is not None:
            guard = DatabaseFileGuard(path)
            _GUARDS[engine] = guard
            event.listen(engine, "do_connect", guard.before_connect)
            event.listen(engine, "connect", guard.after_connect)
            event.listen(engine, "checkout", guard.check)
            event.listen(engine, "commit", guard.check)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def alembic_config(engine: Engine) -> Config:
    """The Alembic configuration for this engine (migrations folder and URL)."""
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
    _note_created(sqlite_path(str(engine.url)))
    return engine


def created_marker(path: Path) -> Path:
    """The file beside an embedded database that says a database was made here (`review.db-created`)."""
    return path.with_name(path.name + "-created")


def _note_created(path: Path | None) -> None:
    """Leave the marker beside a database (best effort: a read-only folder only loses this safeguard)."""
    if path is None or not path.exists() or created_marker(path).exists():
        return
    with contextlib.suppress(OSError):
        created_marker(path).write_text(f"A database was created here; first used {datetime.now(UTC):%Y-%m-%d %H:%M} "
                                        "UTC. If the database file is missing, restore it from the backup.\n")


def existing_engine(url: str | None = None) -> Engine:
    """Like `upgraded_engine`, but refuses (DatabaseUnavailable) when the embedded database file does not exist,
    so a mistyped REVIEW_SQLITE_PATH is reported instead of answered from a new, empty database."""
    path = sqlite_path(url or get_settings().database_url)
    if path is not None and not path.exists():
        raise DatabaseUnavailable(f"There is no database at {path}. Check REVIEW_SQLITE_PATH, or create one with "
                                  "`python -m review init-db`.")
    return upgraded_engine(url)


def needs_upgrade(engine: Engine) -> bool:
    """True when the database is behind the newest migration."""
    heads = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current != heads


def _read_only(exc: DBAPIError) -> bool:
    """True for SQLite's "attempt to write a readonly database" and PostgreSQL's read-only transaction (25006)."""
    return "readonly database" in str(exc.orig) or getattr(exc.orig, "sqlstate", None) == "25006"


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
        if isinstance(exc, OperationalError | InternalError) and _read_only(exc):
            raise DatabaseUnavailable("The database is read-only, so nothing was saved. Ask the administrator to "
                                      "check the database's file or server permissions.") from exc
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


def prepare_database(settings: Settings | None = None,
                     progress: Callable[[float, str], None] | None = None) -> Engine:
    """Engine for the configured database, upgraded. `progress(share done, what)` is told about a new install's
    steps (creating the database, then each part of the demo data), which the first visitor's page shows.

    The demo data is loaded only on the first run of a new install: demo mode on and no embedded database file
    yet. A database that exists is never seeded, even if empty (it may be a real one emptied or restored badly);
    `python -m review seed-demo` loads the demo data on purpose. A database file that is missing where one was made
    before (its `-created` marker is there) is refused, not replaced by a new one.
    """
    from review import demo  # local import: demo imports the services
    settings = settings or get_settings()
    path = sqlite_path(settings.database_url)
    if path is not None and not path.exists() and created_marker(path).exists():
        raise DatabaseUnavailable(
            f"The database file {path} is missing, though a database was created there before. Restore it from the "
            f"backup and restart the app. To start again with a new database instead, delete {created_marker(path)} "
            "(or run `python -m review init-db`).")
    new_install = settings.demo_mode and path is not None and not path.exists()
    if new_install and progress is not None:
        progress(0.0, "creating the database")
    engine = upgraded_engine(settings.database_url)
    if new_install:
        with unit_of_work(engine) as session:
            demo.load_demo(session, progress=progress)
    return engine
