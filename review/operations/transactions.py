"""One real transaction per backup or restore on either engine.

Python's sqlite3 driver only opens a transaction before its first INSERT/UPDATE/DELETE, so a run of SELECTs would
each see the newest data and DDL would escape the transaction. A dedicated SQLite engine therefore turns the
driver's own handling off and issues BEGIN itself (the recipe in SQLAlchemy's pysqlite notes): `BEGIN` (deferred)
for a consistent read, `BEGIN IMMEDIATE` for a restore, which then includes the schema changes too.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in one read-only snapshot (SQLite: deferred BEGIN; PostgreSQL: REPEATABLE READ, read only)."""
    if engine.dialect.name == "sqlite":
        own = _own_sqlite_engine(engine, "BEGIN")
        try:
            with own.connect() as connection, connection.begin():
                yield connection
        finally:
            own.dispose()
        return
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with connection.begin():
            yield connection


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction that covers data and schema changes: all of it commits or none."""
    if engine.dialect.name == "sqlite":
        own = _own_sqlite_engine(engine, "BEGIN IMMEDIATE")
        try:
            with own.connect() as connection, connection.begin():
                yield connection
        finally:
            own.dispose()
        return
    with engine.connect() as connection, connection.begin():
        yield connection
