"""Command line: set up the database, load demo data, create accounts (and more, per capability)."""
from __future__ import annotations

import argparse
import getpass
import sqlite3
import sys
from collections.abc import Callable

from alembic.util.exc import CommandError
from sqlalchemy.exc import DBAPIError

from review import demo
from review.accounts import users
from review.accounts.cli import register as register_sign_in
from review.engagement.cli import register as register_engagement
from review.operations.cli import register as register_operations
from review.plan import network
from review.platform import db
from review.platform.config import get_settings
from review.platform.errors import DomainError, ValidationFailed
from review.platform.roles import SYSTEM, Role
from review.reminders.cli import register as register_reminders

Handler = Callable[[argparse.Namespace], int]


def cmd_init_db(args: argparse.Namespace) -> int:
    """`init-db`: create or upgrade the database schema to the latest migration."""
    settings = get_settings()
    engine = db.upgraded_engine()
    where = "shared database" if settings.shared_database else f"embedded database {engine.url.database}"
    print(f"Schema is up to date on the {where}.")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    """`seed-demo`: load the demonstration data set into an empty database."""
    engine = db.upgraded_engine()
    with db.unit_of_work(engine) as session:
        if not demo.is_empty(session):
            print("The database already holds data; demo data is only loaded into an empty database.",
                  file=sys.stderr)
            return 1
        demo.load_demo(session)
    accounts = "with one demo account per role" if get_settings().demo_mode else "without demo accounts"
    print(f"Demo data loaded ({accounts}).")
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise ValidationFailed({"password": "The two passwords differ."})
    return first


def cmd_create_user(args: argparse.Namespace) -> int:
    """`create-user`: add a user account with a role (the password is read, never echoed)."""
    password = _read_password(args)
    engine = db.existing_engine()
    with db.unit_of_work(engine) as session:
        user = users.create_user(session, SYSTEM, args.username, args.role, password, args.display_name)
        print(f"Created {user.username} ({Role(user.role).label}).")
    return 0


def cmd_remove_demo_accounts(args: argparse.Namespace) -> int:
    """`remove-demo-accounts`: delete the demo accounts and mark the database as not a demo database, so the
    demo passwords printed in the README never open real data.
    """
    engine = db.existing_engine()
    with db.unit_of_work(engine) as session:
        removed = users.remove_demo_accounts(session, SYSTEM)
    if removed:
        print(f"Removed {len(removed)} demo account(s): {', '.join(removed)}. The database is no longer a demo "
              "database; one-click demo sign-in is off.")
    else:
        print("There are no demo accounts. The database is not a demo database.")
    return 0


def cmd_refresh_schedule(args: argparse.Namespace) -> int:
    """`refresh-schedule`: work the stored critical path out again (after tasks were changed outside the tracker)."""
    engine = db.existing_engine()
    with db.unit_of_work(engine) as session:
        corrected = network.refresh_as(session, SYSTEM)
    print(f"Critical path worked out again: {corrected} difference(s) corrected.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser with every administration command."""
    parser = argparse.ArgumentParser(prog="python -m review", description="SEND IAG Review Tracker administration.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init-db", help="Create or upgrade the database schema (Alembic migrations).",
                       description="Create the schema on an empty database or upgrade an older one.")
    p.set_defaults(handler=cmd_init_db)

    p = sub.add_parser("seed-demo", help="Load the fictional demo data set into an empty database.",
                       description="Load data/demo/ into an empty database. Demo accounts are only created "
                                   "in demo mode (embedded database, REVIEW_DEMO not 0).")
    p.set_defaults(handler=cmd_seed_demo)

    p = sub.add_parser("create-user", help="Create a user account.",
                       description="Create an account. The password is read from a prompt, or from the first "
                                   "line of standard input with --password-stdin.")
    p.add_argument("--username", required=True, help="Sign-in name: lower-case letters, digits, . _ -")
    p.add_argument("--role", required=True, choices=[r.value for r in Role], help="What the account may do.")
    p.add_argument("--display-name", help="Name shown in the app (default: the username).")
    p.add_argument("--password-stdin", action="store_true", help="Read the password from standard input.")
    p.set_defaults(handler=cmd_create_user)

    p = sub.add_parser("remove-demo-accounts", help="Delete the demo accounts (audited).",
                       description="Delete every demo account (one per role, password in the README) and mark "
                                   "the database as not a demo database. Each deletion is recorded in the audit "
                                   "log as the 'system' user. Do this before the database holds real work.")
    p.set_defaults(handler=cmd_remove_demo_accounts)

    p = sub.add_parser("refresh-schedule", help="Work the stored critical path out again (audited).",
                       description="The tracker stores each task's place in the critical path whenever a task or "
                                   "dependency is saved. If tasks were changed outside it (by SQL), `check` warns; "
                                   "this works the path out again from the plan as it is.")
    p.set_defaults(handler=cmd_refresh_schedule)

    for register in EXTRA_COMMANDS:
        register(sub)
    return parser


def cmd_export_pack(args: argparse.Namespace) -> int:
    """Generate the submission pack from live data (recorded like a pack generated in the app)."""
    from pathlib import Path

    from review.submission import papers as submissions
    engine = db.existing_engine()
    with db.unit_of_work(engine) as session:
        submission_id = args.submission or submissions.latest_submission_id(session)
        if submission_id is None:
            print("There is no submission yet; the project team starts one on the Submission pack page.",
                  file=sys.stderr)
            return 1
        pack = submissions.generate_pack(session, SYSTEM, submission_id)
        Path(args.out).write_bytes(pack.document)
        print(f"Wrote pack {pack.number} of submission {submission_id} to {args.out} "
              f"(figures as at {pack.as_at:%d %B %Y}, data version {pack.data_version}).")
        if pack.number > 1:
            print(f"{len(pack.changes)} change(s) since pack {pack.number - 1}:" if pack.changes
                  else f"No figure or table row changed since pack {pack.number - 1}.")
            for change in pack.changes:
                print(f"- {change['what']}: {change['before'] or '-'} -> {change['after'] or '-'}")
    return 0


def register_export_pack(sub: argparse._SubParsersAction) -> None:
    """Add the `export-pack` command (the SEND Executive submission pack as a Word file)."""
    p = sub.add_parser("export-pack", help="Generate the SEND Executive submission pack (Word) from live data.",
                       description="Pull the figures now, write the pack as a .docx file and record the generation "
                                   "(with the changes since the previous pack) as the 'system' user.")
    p.add_argument("--out", required=True, help="Where to write the .docx file.")
    p.add_argument("--submission", type=int, help="Submission id (default: the paper for the latest meeting).")
    p.set_defaults(handler=cmd_export_pack)


# Capabilities add commands here: functions that take the subparsers object and add a parser
# with set_defaults(handler=...).
EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [register_export_pack, register_engagement,
                                                                      register_reminders, register_sign_in,
                                                                      register_operations]


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    """Run a command; every failure is one line on standard error and a non-zero exit, never a traceback."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (DBAPIError, sqlite3.Error, CommandError) as exc:
        print(f"error: the database could not be used ({get_settings().database_url.split('@')[-1]}): "
              f"{_first_line(exc)}", file=sys.stderr)
        return 3
    except OSError as exc:
        print(f"error: {_first_line(exc)}", file=sys.stderr)
        return 3
    except ValidationFailed as exc:
        for field, message in exc.errors.items():
            print(f"error: {field}: {message}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
