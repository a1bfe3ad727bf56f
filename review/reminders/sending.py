"""Sending the reminders over SMTP: settings from the environment, at most one message per person per day,
one recipient's failure reported without stopping the others, and each run audited with its counts."""
from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from review.models.reminders import SentReminder
from review.platform import audit
from review.platform.errors import ValidationFailed
from review.platform.roles import Actor, Permission, require
from review.reminders.messages import Reminder, compose, reminders_for
from review.reminders.preferences import Frequency, is_reminder_day

DEFAULT_BASE_URL = "http://localhost:8501"
DEFAULT_SENDER = "SEND IAG Review Tracker <reminders@localhost>"
SMTP_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class MailSettings:
    """Where and how to send. `starttls` None means: use STARTTLS when the server offers it."""

    host: str | None
    port: int
    user: str | None
    password: str | None
    starttls: bool | None
    sender: str
    base_url: str

    @classmethod
    def from_env(cls) -> MailSettings:
        """REVIEW_SMTP_HOST, REVIEW_SMTP_PORT (default 587 with STARTTLS=1, else 25), REVIEW_SMTP_USER,
        REVIEW_SMTP_PASSWORD, REVIEW_SMTP_STARTTLS (1/0; unset: when offered), REVIEW_MAIL_FROM, REVIEW_BASE_URL."""
        env = {k: (os.environ.get(k) or "").strip() for k in (
            "REVIEW_SMTP_HOST", "REVIEW_SMTP_PORT", "REVIEW_SMTP_USER", "REVIEW_SMTP_STARTTLS", "REVIEW_MAIL_FROM",
            "REVIEW_BASE_URL")}
        tls = env["REVIEW_SMTP_STARTTLS"].lower()
        starttls = None if not tls else tls in {"1", "true", "yes", "on"}
        port = env["REVIEW_SMTP_PORT"]
        if port and not port.isdigit():
            raise ValidationFailed({"REVIEW_SMTP_PORT": f"Give the SMTP port as a number, not '{port}'."})
        return cls(host=env["REVIEW_SMTP_HOST"] or None, port=int(port) if port else (587 if starttls else 25),
                   user=env["REVIEW_SMTP_USER"] or None, password=os.environ.get("REVIEW_SMTP_PASSWORD") or None,
                   starttls=starttls, sender=env["REVIEW_MAIL_FROM"] or DEFAULT_SENDER,
                   base_url=env["REVIEW_BASE_URL"] or DEFAULT_BASE_URL)


class SendFailed(Exception):
    """The server did not take one message (refused recipient, dropped connection...); others may still go."""


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand one reminder email to the mail server; SendFailed when it is not taken."""


class SmtpTransport:
    """One SMTP connection for a run, opened on the first message and reopened after a disconnection."""

    def __init__(self, settings: MailSettings) -> None:
        if not settings.host:
            raise ValidationFailed({"REVIEW_SMTP_HOST": "Set REVIEW_SMTP_HOST to the SMTP server's name "
                                                        "(or use --dry-run)."})
        self.settings = settings
        self.host: str = settings.host
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp = smtplib.SMTP(self.host, s.port, timeout=SMTP_TIMEOUT_SECONDS)
        smtp.ehlo()
        if s.starttls or (s.starttls is None and smtp.has_extn("starttls")):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
            secure = True
        else:
            secure = False
        if s.user:
            if not secure and s.starttls is None:
                smtp.close()
                raise SendFailed("the server does not offer STARTTLS, so the password was not sent; set "
                                 "REVIEW_SMTP_STARTTLS=0 to log in without encryption")
            smtp.login(s.user, s.password or "")
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Send one reminder email on the run's connection (opened on first use); SendFailed with the server's
        reason when it is not taken, reconnecting next time after a dropped connection.
        """
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendFailed("; ".join(f"{code} {text.decode(errors='replace')}"
                                       for code, text in exc.recipients.values())) from exc
        except smtplib.SMTPResponseException as exc:
            error = exc.smtp_error
            text = error.decode(errors="replace") if isinstance(error, bytes) else error
            raise SendFailed(f"{exc.smtp_code} {text}") from exc
        except (smtplib.SMTPException, OSError) as exc:  # dropped or refused connection: reconnect next time
            self.close()
            raise SendFailed(str(exc) or type(exc).__name__) from exc

    def close(self) -> None:
        """Quit the SMTP connection if one is open (closing it when quitting fails); the next send reconnects."""
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


SENT, WOULD_SEND, SKIPPED, FAILED = "sent", "would send", "skipped", "failed"


@dataclass(frozen=True)
class Outcome:
    person: str
    email: str
    status: str  # SENT, WOULD_SEND, SKIPPED or FAILED
    subject: str = ""
    reason: str = ""


@dataclass
class RunReport:
    today: date
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many of the run's outcomes have this status (sent, would send, skipped or failed)."""
        return sum(o.status == status for o in self.outcomes)

    @property
    def summary(self) -> str:
        if self.dry_run:
            return f"Dry run for {self.today:%d %b %Y}: would send {self.count(WOULD_SEND)}, " \
                   f"skipped {self.count(SKIPPED)}; nothing sent or recorded."
        return f"Reminders for {self.today:%d %b %Y}: sent {self.count(SENT)}, skipped {self.count(SKIPPED)}, " \
               f"failed {self.count(FAILED)}."


def _skip_reason(reminder: Reminder, today: date, already_sent: set[int]) -> str | None:
    if reminder.frequency is Frequency.NONE:
        return "opted out of reminders"
    if not is_reminder_day(reminder.frequency, today):
        return "gets reminders weekly, on Monday"
    if reminder.person_id in already_sent:
        return "already sent a reminder today"
    return None


def _send_one(session: Session, reminder: Reminder, today: date, settings: MailSettings,
              transport: Transport | None) -> Outcome:
    """Compose and send one reminder, recording it when the server took it (no transport: a dry run)."""
    message = compose(reminder, today, settings.sender, settings.base_url)
    if transport is None:
        return Outcome(reminder.name, reminder.email, WOULD_SEND, message["Subject"])
    try:
        transport.send(message)
    except SendFailed as exc:
        return Outcome(reminder.name, reminder.email, FAILED, message["Subject"], str(exc))
    session.add(SentReminder(person_id=reminder.person_id, sent_on=today, kind=reminder.kind,
                             message_id=message["Message-ID"]))
    session.flush()
    return Outcome(reminder.name, reminder.email, SENT, message["Subject"])


def send_reminders(session: Session, actor: Actor, today: date, settings: MailSettings,
                   transport: Transport | None = None, dry_run: bool = False) -> RunReport:
    """Send today's reminders and record each one sent (the caller commits); audit the run with its counts.

    A dry run composes every message but sends, records and audits nothing.
    """
    require(actor, Permission.MANAGE_USERS)
    report = RunReport(today, dry_run)
    already_sent = set(session.scalars(select(SentReminder.person_id).where(SentReminder.sent_on == today)))
    due: list[Reminder] = []
    for reminder in reminders_for(session, today):
        reason = _skip_reason(reminder, today, already_sent)
        if reason:
            report.outcomes.append(Outcome(reminder.name, reminder.email, SKIPPED, reason=reason))
        else:
            due.append(reminder)
    own = transport is None and not dry_run and bool(due)
    if own:
        transport = SmtpTransport(settings)
    try:
        for reminder in due:
            report.outcomes.append(_send_one(session, reminder, today, settings, None if dry_run else transport))
    finally:
        if own and isinstance(transport, SmtpTransport):
            transport.close()
    if not dry_run:
        counts = {status: report.count(status) for status in (SENT, SKIPPED, FAILED)}
        audit.record(session, actor, "reminders", today.isoformat(), "send",
                     {k: {"before": None, "after": v} for k, v in counts.items()}, summary=report.summary)
    return report
