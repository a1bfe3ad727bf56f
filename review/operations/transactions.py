"""One real transaction per backup or restore on either engine.

Python's sqlite3 driver only opens a transaction before its first INSERT/UPDATE/DELETE, so a run of SELECTs would
each see the newest data and DDL would escape the transaction. A dedicated SQLite engine therefore turns the
driver's own handling off and issues BEGIN itself (the recipe in SQLAlchemy's pysqlite notes): `BEGIN` (deferred)
for a consistent read, `BEGIN IMMEDIATE` for a restore, which then includes the schema changes too.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.pool import NullPool

from review.platform import db


def _own_sqlite_engine(engine: Engine, begin: str) -> Engine:
    own = db.make_engine(engine.url.render_as_string(hide_password=False), poolclass=NullPool)

    @event.listens_for(own, "connect")
    def _driver_leaves_transactions_alone(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(own, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql(begin)
        # Foreign keys checked at COMMIT: rows may arrive in any order and tables may be emptied in any order.
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")

    return own


@contextmanager
def _transaction(engine: Engine, sqlite_begin: str, **postgres_options: Any) -> Iterator[Connection]:
    """A connection in one transaction: on SQLite through an engine of its own that starts it with
    `sqlite_begin`, on PostgreSQL with the given execution options."""
    if engine.dialect.name == "sqlite":
        own = _own_sqlite_engine(engine, sqlite_begin)
        try:
            with own.connect() as connection, connection.begin():
                yield connection
        finally:
            own.dispose()
        return
    with engine.connect() as connection:
        with connection.execution_options(**postgres_options).begin():
            yield connection


def read_transaction(engine: Engine) -> AbstractContextManager[Connection]:
    """A connection in one read-only snapshot (SQLite: deferred BEGIN; PostgreSQL: REPEATABLE READ, read only)."""
    return _transaction(engine, "BEGIN", isolation_level="REPEATABLE READ", postgresql_readonly=True)


def write_transaction(engine: Engine) -> AbstractContextManager[Connection]:
    """A connection in one transaction that covers data and schema changes: all of it commits or none."""
    return _transaction(engine, "BEGIN IMMEDIATE")
