"""Command-line commands for running the tracker (registered with `review.cli.EXTRA_COMMANDS`):

    python -m review backup --out FILE [--encrypt] [--keep N]
    python -m review restore --from FILE [--replace] [--yes]
    python -m review check
"""
from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path

from review.operations import archive, backup, check, restore
from review.operations.archive import BackupRefused
from review.platform import db
from review.platform.config import get_settings
from review.platform.roles import SYSTEM


def _passphrase(confirm: bool) -> str:
    """The passphrase from REVIEW_BACKUP_PASSPHRASE, else a prompt (asked twice when setting one)."""
    value = archive.configured_passphrase()
    if value:
        return value
    value = getpass.getpass("Backup passphrase: ")
    if confirm and value != getpass.getpass("Repeat passphrase: "):
        raise BackupRefused("The two passphrases differ; no backup was written.")
    if not value:
        raise BackupRefused("An empty passphrase protects nothing; no backup was written.")
    return value


def _out_path(args: argparse.Namespace) -> Path:
    if args.out:
        return Path(args.out)
    directory = backup.backup_dir()
    if directory is None:
        raise BackupRefused(f"Say where to write the backup: --out FILE, or set {backup.BACKUP_DIR_ENV}.")
    return directory / backup.default_file_name(datetime.now(UTC), args.encrypt)


def cmd_backup(args: argparse.Namespace) -> int:
    """`backup`: write a consistent backup to a file (encrypted with --encrypt), then delete old ones with --keep."""
    out = _out_path(args)
    passphrase = _passphrase(confirm=True) if args.encrypt else None
    engine = db.make_engine()
    taken = backup.write(engine, out, passphrase, SYSTEM)
    print(f"Wrote {out}: {taken.rows:,} rows in {taken.table_count} tables, schema "
          f"{', '.join(taken.archive.revisions)}, manifest SHA-256 {taken.digest}"
          f"{', encrypted' if taken.encrypted else ' (NOT encrypted: it holds personal data, keep it safe)'}.")
    if args.keep:
        for path in backup.prune(out.parent, args.keep):
            print(f"Deleted old backup {path.name} (keeping the newest {args.keep}).")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """`restore`: load a backup file into the configured database, asking before replacing data already there
    (exit 1 when not confirmed).
    """
    source = Path(args.source)
    if not source.is_file():
        raise BackupRefused(f"There is no file {source}; nothing was restored.")
    content = source.read_bytes()
    passphrase = _passphrase(confirm=False) if archive.is_encrypted(content) else None
    engine = db.make_engine()
    holding = restore.holds_data(engine)
    if holding and args.replace and not args.yes:
        answer = input(f"The database {engine.url.render_as_string(hide_password=True)} holds "
                       f"{sum(holding.values()):,} rows. Replace everything in it with the backup? Type yes: ")
        if answer.strip().lower() != "yes":
            print("Not confirmed; nothing was changed.", file=sys.stderr)
            return 1
    done = restore.restore(engine, content, source.name, SYSTEM, passphrase=passphrase, replace=args.replace)
    upgraded = (f", then upgraded to {', '.join(done.to_revision)}" if done.to_revision != done.from_revision
                else "")
    print(f"Restored {done.rows:,} rows in {done.tables} tables from {source.name} (schema "
          f"{', '.join(done.from_revision)}{upgraded}; manifest SHA-256 {done.digest}).")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """`check`: print each health finding and exit with the worst status (0 OK, 1 warning, 2 critical)."""
    findings = check.run(db.make_engine(), get_settings(), backup.backup_dir())
    for finding in findings:
        print(f"{finding.status.name:<8} {finding.name}: {finding.message}")
    return int(check.worst(findings))


def register(sub: argparse._SubParsersAction) -> None:
    """Add the backup, restore and check commands to the `python -m review` parser."""
    p = sub.add_parser("backup", help="Write a consistent backup of every table to one file.",
                       description="Snapshot every table (one read transaction; the app may stay in use) into a zip "
                                   "of JSON Lines with a manifest. Sign-in sessions are left out. The file holds "
                                   "parents' personal data: use --encrypt.")
    p.add_argument("--out", help=f"The backup file (default: a time-stamped file in {backup.BACKUP_DIR_ENV}).")
    p.add_argument("--encrypt", action="store_true",
                   help=f"Encrypt with a passphrase from {archive.PASSPHRASE_ENV} or a prompt (AES-GCM, scrypt).")
    p.add_argument("--keep", type=int, metavar="N",
                   help="Afterwards delete all but the newest N backups in the same folder.")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", help="Restore a backup into an empty database (SQLite or PostgreSQL).",
                       description="Load a backup into the configured database in one transaction, then upgrade "
                                   "it to the current schema. Refuses a non-empty database unless --replace.")
    p.add_argument("--from", dest="source", required=True, help="The backup file.")
    p.add_argument("--replace", action="store_true", help="Overwrite a database that holds data (asks first).")
    p.add_argument("--yes", action="store_true", help="With --replace: do not ask.")
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser("check", help="Health check for monitoring (exit 0 OK, 1 warning, 2 critical).",
                       description="Database reachable, schema at the newest revision, no demo accounts outside "
                                   "demo mode, age of the last backup. Exit status: 0 OK, 1 warning, 2 critical.")
    p.set_defaults(handler=cmd_check)
