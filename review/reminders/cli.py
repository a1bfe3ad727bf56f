"""`python -m review send-reminders [--dry-run] [--today YYYY-MM-DD]`, for cron or a systemd timer
(registered with `review.cli.EXTRA_COMMANDS`). Exit code 1 when any message failed."""
from __future__ import annotations

import argparse
import sys
from datetime import date

from review.platform import clock, db
from review.platform.roles import SYSTEM
from review.reminders.sending import FAILED, MailSettings, send_reminders


def cmd_send_reminders(args: argparse.Namespace) -> int:
    """`send-reminders`: send (or with --dry-run, list) today's reminder emails and print each outcome; exit 1
    when any message failed.
    """
    today = args.today or clock.today()
    settings = MailSettings.from_env()
    with db.unit_of_work(db.prepare_database()) as session:
        report = send_reminders(session, SYSTEM, today, settings, dry_run=args.dry_run)
    for o in report.outcomes:
        detail = o.reason if o.status != FAILED else f"{o.subject} -- {o.reason}"
        print(f"{o.status}\t{o.person} <{o.email}>\t{detail or o.subject}",
              file=sys.stderr if o.status == FAILED else sys.stdout)
    print(report.summary)
    return 1 if report.count(FAILED) else 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"give the date as YYYY-MM-DD, not '{text}'") from exc


def register(sub: argparse._SubParsersAction) -> None:
    """Add the send-reminders command to the `python -m review` parser."""
    p = sub.add_parser(
        "send-reminders", help="Email each owner their overdue and upcoming tasks, and the dates needing attention.",
        description="Send today's reminder emails (SMTP settings from REVIEW_SMTP_* and REVIEW_MAIL_FROM, links to "
                    "REVIEW_BASE_URL). At most one message per person per day; run it daily from cron or a "
                    "systemd timer. Exit code 1 if any message failed.")
    p.add_argument("--dry-run", action="store_true", help="Show who would get what; send and record nothing.")
    p.add_argument("--today", type=_day, help="The date to act as (default: today, or REVIEW_TODAY).")
    p.set_defaults(handler=cmd_send_reminders)
