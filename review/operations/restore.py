"""Restoring a backup into an empty database of either engine, all or nothing, then upgrading it to this version.

The target is brought to the backup's schema revision (Alembic), the rows are loaded in foreign-key order, the
schema is upgraded to the newest revision, PostgreSQL's id sequences are moved past the restored ids and an audit
event names the backup -- all in one transaction (see `transactions.write_transaction`), so a refusal or a failure
leaves the database as it was.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, MetaData, Table, func, select, text, update
from sqlalchemy import types as sqltypes
from sqlalchemy.orm import Session

from review.operations import archive, backup
from review.operations.archive import Archive, BackupRefused
from review.operations.transactions import write_transaction
from review.platform import db
from review.platform.roles import Actor, Permission, require

INSERT_CHUNK = 2_000


@dataclass(frozen=True)
class Restored:
    tables: int
    rows: int
    from_revision: list[str]
    to_revision: list[str]
    digest: str


def tables_holding_data(connection: Connection) -> dict[str, int]:
    """Row counts of the tables that hold rows (Alembic's own table aside)."""
    metadata = MetaData()
    metadata.reflect(bind=connection)
    counts = {t.name: connection.scalar(select(func.count()).select_from(t))
              for t in metadata.sorted_tables if t.name not in archive.SYSTEM_TABLES}
    return {name: n for name, n in counts.items() if n}


def holds_data(engine: Engine) -> dict[str, int]:
    """Row counts of the tables holding data, so a restore refuses (or asks before replacing) a database in use."""
    with engine.connect() as connection:
        return tables_holding_data(connection)


def script_directory(engine: Engine) -> ScriptDirectory:
    """The Alembic migration scripts, to tell which schema revisions this version of the tracker knows."""
    return ScriptDirectory.from_config(db.alembic_config(engine))


def check_schema_known(engine: Engine, taken: Archive) -> None:
    """Refuse a backup whose schema this version of the tracker does not know (it came from a newer version)."""
    if taken.manifest.get("format_version", 0) > archive.FORMAT_VERSION or not taken.revisions:
        raise BackupRefused("The backup was written by a newer version of the tracker; upgrade the tracker first. "
                            "Nothing was restored.")
    script = script_directory(engine)
    for revision in taken.revisions:
        try:
            known = script.get_revision(revision)
        except CommandError:
            known = None
        if known is None:
            raise BackupRefused(f"The backup's schema (revision {revision}) is newer than this version of the "
                                "tracker knows; upgrade the tracker first. Nothing was restored.")


def _upgrade(connection: Connection, targets: list[str]) -> None:
    cfg = db.alembic_config(connection.engine)
    cfg.attributes["connection"] = connection
    for target in targets:
        command.upgrade(cfg, target)


def _clear(connection: Connection, rebuild: bool) -> None:
    """Empty the database: drop every table when the schema must be rebuilt, else delete every row."""
    metadata = MetaData()
    metadata.reflect(bind=connection)
    tables = list(reversed(metadata.sorted_tables))
    postgres = connection.dialect.name == "postgresql"
    for table in tables:
        if rebuild:
            connection.execute(text(f'DROP TABLE IF EXISTS "{table.name}"' + (" CASCADE" if postgres else "")))
        elif table.name not in archive.SYSTEM_TABLES:
            connection.execute(text(f'TRUNCATE "{table.name}" CASCADE') if postgres else table.delete())


def _copy_into(connection: Connection, table: Table, rows: list[dict]) -> None:
    """PostgreSQL: load rows with COPY on the transaction's own connection (executemany sends a statement a row)."""
    if not rows:
        return
    names = list(rows[0])
    as_json = {n for n in names if isinstance(table.c[n].type, sqltypes.JSON)}
    columns = ", ".join(f'"{n}"' for n in names)
    driver = connection.connection.driver_connection
    assert driver is not None  # a connection in a transaction holds its driver's connection
    with driver.cursor() as cursor:
        with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([json.dumps(row[n]) if n in as_json and row[n] is not None else row[n]
                                for n in names])


def _load_table(connection: Connection, table: Table, rows: list[dict], loaded: set[str]) -> None:
    """Insert the rows; a reference to a row not yet loaded (its own table, or a later one in a cycle) is set
    afterwards, so the foreign keys hold after every statement."""
    later = [c.name for c in table.columns if c.name in (rows[0] if rows else {})
             and any(fk.column.table.name not in loaded or fk.column.table.name == table.name
                     for fk in c.foreign_keys)]
    decode = archive.decoder({c.name: c.type for c in table.columns})
    decoded = [decode(row) for row in rows]
    inserted = [{**r, **dict.fromkeys(later)} for r in decoded] if later else decoded
    if connection.dialect.name == "postgresql":
        _copy_into(connection, table, inserted)
    else:
        for start in range(0, len(inserted), INSERT_CHUNK):
            connection.execute(table.insert(), inserted[start:start + INSERT_CHUNK])
    if later:
        key = list(table.primary_key.columns)
        for row in decoded:
            values = {c: row[c] for c in later if row[c] is not None}
            if values:
                connection.execute(update(table).where(*[k == row[k.name] for k in key]).values(values))


def _load(connection: Connection, taken: Archive) -> int:
    metadata = MetaData()
    metadata.reflect(bind=connection)
    missing = [name for name in taken.manifest["tables"] if name not in metadata.tables]
    if missing:
        raise BackupRefused(f"The backup's tables do not match its schema revision here ({', '.join(missing)}); "
                            "nothing was restored.")
    loaded: set[str] = set()
    total = 0
    for table in metadata.sorted_tables:
        if table.name not in taken.manifest["tables"]:
            continue
        unknown = set(taken.manifest["tables"][table.name]["columns"]) - set(table.columns.keys())
        if unknown:
            raise BackupRefused(f"Table {table.name} in the backup has columns this schema lacks "
                                f"({', '.join(sorted(unknown))}); nothing was restored.")
        rows = taken.rows(table.name)
        _load_table(connection, table, rows, loaded)
        loaded.add(table.name)
        total += len(rows)
    return total


def reset_sequences(connection: Connection) -> None:
    """PostgreSQL: move each id sequence past the largest restored id, so new records get fresh ids."""
    if connection.dialect.name != "postgresql":
        return
    metadata = MetaData()
    metadata.reflect(bind=connection)
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                         {"t": f'"{table.name}"', "c": column.name})
            if sequence:
                connection.execute(text(f'SELECT setval(:s, COALESCE(MAX("{column.name}"), 1), '
                                        f'MAX("{column.name}") IS NOT NULL) FROM "{table.name}"'), {"s": sequence})


def restore(engine: Engine, content: bytes, file_name: str, actor: Actor, *, passphrase: str | None = None,
            replace: bool = False) -> Restored:
    """Restore a backup file's content into the engine's database (see the module docstring)."""
    require(actor, Permission.MANAGE_USERS)
    taken = archive.from_bytes(content, passphrase)
    check_schema_known(engine, taken)
    with write_transaction(engine) as connection:
        holding = tables_holding_data(connection)
        if holding and not replace:
            raise BackupRefused(
                f"The target database is not empty ({sum(holding.values()):,} rows in {len(holding)} tables); "
                "restore only into an empty database, or give --replace to overwrite it. Nothing was changed.")
        current = sorted(MigrationContext.configure(connection).get_current_heads())
        rebuild = current != taken.revisions
        if holding or rebuild:
            _clear(connection, rebuild)
        if rebuild:
            _upgrade(connection, taken.revisions)
        rows = _load(connection, taken)
        reset_sequences(connection)
        _upgrade(connection, ["heads"])
        reset_sequences(connection)
        newest = backup.schema_revisions(connection)
        manifest = taken.manifest
        with Session(bind=connection) as session:
            backup.record(session, actor, backup.RESTORED, file_name,
                          f"Restored {file_name}: manifest SHA-256 {archive.manifest_digest(taken)}; taken "
                          f"{manifest['created_at']} on {manifest.get('engine', '?')} at schema "
                          f"{', '.join(taken.revisions)}, upgraded to {', '.join(newest)}; {rows} rows in "
                          f"{len(taken.tables)} tables.")
            session.flush()
    return Restored(len(taken.tables), rows, taken.revisions, newest, archive.manifest_digest(taken))
