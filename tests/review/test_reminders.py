"""Reminder emails, sent to a real SMTP server on loopback (aiosmtpd), on both engines."""
from __future__ import annotations

import email
import email.policy
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar
from sqlalchemy import select

from review import demo
from review.accounts import users
from review.contracts import register as contracts
from review.models import AuditEvent
from review.models.engagement import EngagementActivity, EngagementInput, EngagementResponse
from review.models.reminders import SentReminder
from review.plan import organisation, tasks
from review.platform.config import PROJECT_ROOT
from review.platform.errors import EditConflict, PermissionDenied
from review.platform.roles import SYSTEM, Role
from review.reminders import preferences
from review.reminders.preferences import Frequency
from review.reminders.sending import FAILED, SENT, SKIPPED, MailSettings, send_reminders

MONDAY = date(2019, 11, 18)
TUESDAY = date(2019, 11, 19)
BASE_URL = "https://review.council.example/app"
REFUSED = 550


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps every message and refuses the addresses in `refuse` with a 550."""

    refuse: set[str] = field(default_factory=set)
    messages: list[tuple[list[str], email.message.EmailMessage]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if address in self.refuse:
            return f"{REFUSED} 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpt, m in self.messages if address in rcpt]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, MailSettings]]:
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings = MailSettings(host="127.0.0.1", port=controller.port, user=None, password=None, starttls=None,
                            sender="Review Tracker <reminders@council.example>", base_url=BASE_URL)
    try:
        yield recorder, settings
    finally:
        controller.stop()


@dataclass
class People:
    owner: int  # has tasks, no account
    lead: int  # project-team account: also gets the dates needing attention
    quiet: int  # has an email but nothing due
    no_email: int


OWNER, LEAD, QUIET = "owner@council.example", "lead@council.example", "quiet@council.example"


@pytest.fixture
def people(session, admin) -> People:
    """Four people, tasks around MONDAY, a contract whose notice deadline falls 12 days after it."""
    phase = organisation.create_phase(session, admin, "Exploration", 1)
    person = {name: organisation.create_person(session, admin, name, name, email=address).id for name, address in (
        ("Contracts Officer", OWNER), ("Project Manager", LEAD), ("Local Offer Manager", QUIET),
        ("SENDIASS Manager", None))}

    def task(ref: str, owner: str, due: date, status: str = "in_progress") -> None:
        tasks.create_task(session, admin, reference=ref, title=f"Task {ref} <b>&", phase_id=phase.id,
                          owner_id=person[owner], due_date=due, status=status)

    task("T-1", "Contracts Officer", date(2019, 11, 11))  # overdue by a week
    task("T-2", "Contracts Officer", date(2019, 11, 25))  # due in 7 days: included
    task("T-3", "Contracts Officer", date(2019, 11, 26))  # due in 8 days: not yet
    task("T-4", "Contracts Officer", date(2019, 11, 12), status="done")  # done: never
    task("T-5", "Project Manager", date(2019, 11, 20))
    task("T-6", "Local Offer Manager", date(2019, 12, 20))
    task("T-7", "SENDIASS Manager", date(2019, 11, 1))  # overdue, but no email address
    contracts.create_contract(session, admin, reference="KH-1", title="KIDS hubs", provider_name="KIDS",
                              start_date=date(2016, 10, 1), original_end_date=date(2020, 2, 29),
                              notice_period_months=3)  # notice deadline Sat 30 Nov 2019
    users.create_user(session, admin, "pm", Role.EDITOR.value, "a-long-password", "PM",
                      person_id=person["Project Manager"])
    users.create_user(session, admin, "officer", Role.VIEWER.value, "a-long-password", "Officer",
                      person_id=person["Contracts Officer"])
    session.commit()
    return People(person["Contracts Officer"], person["Project Manager"], person["Local Offer Manager"],
                  person["SENDIASS Manager"])


def run(session, settings, today=MONDAY, **kwargs):
    report = send_reminders(session, SYSTEM, today, settings, **kwargs)
    session.commit()
    return report


def parts(message: email.message.EmailMessage) -> tuple[str, str, bytes]:
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    ics = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(ics) == 1
    return text, html, ics[0].get_payload(decode=True)


def test_each_owner_gets_their_overdue_and_coming_tasks(session, people, smtp):
    recorder, settings = smtp
    report = run(session, settings)
    assert report.count(SENT) == 2 and report.count(FAILED) == 0
    assert sorted(r for rcpt, _ in recorder.messages for r in rcpt) == [LEAD, OWNER]  # not quiet, not no-email
    [message] = recorder.to(OWNER)
    assert message["To"] == OWNER and message["From"] == settings.sender
    assert message["Subject"] == "SEND IAG Review reminders, Mon 18 Nov 2019: 1 overdue task(s), " \
                                 "1 task(s) due within 7 days"
    text, html, _ = parts(message)
    assert "T-1" in text and "T-2" in text and "T-3" not in text and "T-4" not in text
    assert "7 day(s) overdue" in text and "due in 7 day(s)" in text
    assert f"{BASE_URL}/Tasks" in text and f"{BASE_URL}/My_settings" in text
    assert "Dates needing attention" not in text  # a viewer-linked owner gets only their tasks


def test_html_body_escapes_stored_text_and_links_into_the_app(session, people, smtp):
    recorder, settings = smtp
    run(session, settings)
    _, html, _ = parts(recorder.to(OWNER)[0])
    assert "Task T-1 &lt;b&gt;&amp;" in html and "<b>&" not in html
    assert f'href="{BASE_URL}/Tasks"' in html


def test_project_lead_also_gets_the_dates_needing_attention_with_a_calendar(session, people, smtp):
    recorder, settings = smtp
    run(session, settings)
    [message] = recorder.to(LEAD)
    assert message["Subject"].endswith("1 task(s) due within 7 days, 1 date(s) needing attention")
    text, html, ics = parts(message)
    assert "Notice deadline: KH-1 KIDS hubs" in text and f"{BASE_URL}/Contracts" in text
    events = Calendar.from_ical(ics).walk("VEVENT")
    assert sorted((e.decoded("dtstart"), str(e["summary"])) for e in events) == [
        (date(2019, 11, 20), "Task due: T-5 Task T-5 <b>&"),
        (date(2019, 11, 30), "Notice deadline: KH-1 KIDS hubs"),
    ]
    sent = session.scalars(select(SentReminder).order_by(SentReminder.person_id)).all()
    assert {(s.person_id, s.kind, s.sent_on) for s in sent} == {
        (people.owner, "tasks", MONDAY), (people.lead, "tasks+attention", MONDAY)}
    assert {s.message_id for s in sent} == {m["Message-ID"] for _, m in recorder.messages}


def test_a_second_run_the_same_day_sends_nothing_new(session, people, smtp):
    recorder, settings = smtp
    run(session, settings)
    again = run(session, settings)
    assert len(recorder.messages) == 2
    assert again.count(SENT) == 0 and again.count(SKIPPED) == 2
    assert {o.reason for o in again.outcomes} == {"already sent a reminder today"}
    run(session, settings, today=TUESDAY)  # the next day is a new day
    assert len(recorder.messages) == 4


def test_opt_outs_and_weekly_on_monday(session, people, smtp, admin):
    recorder, settings = smtp
    owner_actor = users.actor_for(session.scalar(select(users.User).where(users.User.username == "officer")))
    preferences.set_frequency(session, owner_actor, people.owner, Frequency.NONE.value, None)
    preferences.set_frequency(session, admin, people.lead, Frequency.WEEKLY.value, None)
    session.commit()
    tuesday = run(session, settings, today=TUESDAY)
    assert recorder.messages == [] and tuesday.count(SKIPPED) == 2
    run(session, settings, today=MONDAY)
    assert [rcpt for rcpt, _ in recorder.messages] == [[LEAD]]  # weekly people get Monday's; opted out: never


def test_one_refused_recipient_is_reported_and_does_not_stop_the_others(session, people, smtp):
    recorder, settings = smtp
    recorder.refuse.add(LEAD)
    report = run(session, settings)
    assert [rcpt for rcpt, _ in recorder.messages] == [[OWNER]]
    [failed] = [o for o in report.outcomes if o.status == FAILED]
    assert failed.email == LEAD and str(REFUSED) in failed.reason
    assert session.scalars(select(SentReminder.person_id)).all() == [people.owner]  # the lead is retried next run
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity == "reminders")).one()
    assert event.changes["sent"]["after"] == 1 and event.changes["failed"]["after"] == 1
    recorder.refuse.clear()
    run(session, settings)
    assert [rcpt for rcpt, _ in recorder.messages] == [[OWNER], [LEAD]]


def test_dry_run_sends_records_and_audits_nothing(session, people):
    settings = MailSettings(None, 25, None, None, None, "reminders@council.example", BASE_URL)
    report = run(session, settings, dry_run=True)
    assert sorted(o.email for o in report.outcomes) == [LEAD, OWNER]
    assert session.scalars(select(SentReminder)).all() == []
    assert session.scalars(select(AuditEvent).where(AuditEvent.entity == "reminders")).all() == []


def test_unreachable_server_fails_every_message_without_raising(session, people):
    settings = MailSettings("127.0.0.1", free_port(), None, None, None, "reminders@council.example", BASE_URL)
    report = run(session, settings)
    assert report.count(FAILED) == 2 and report.count(SENT) == 0


def test_preferences_belong_to_the_person_and_only_admins_change_others(session, people, viewer, admin):
    with pytest.raises(PermissionDenied):
        preferences.set_frequency(session, viewer, people.owner, "none", None)
    preferences.set_frequency(session, admin, people.owner, "weekly", None)
    session.commit()
    assert preferences.frequency_of(session, people.owner) == (Frequency.WEEKLY, 1)
    with pytest.raises(EditConflict):  # a form that still showed the default is stale
        preferences.set_frequency(session, admin, people.owner, "none", None)
    session.rollback()
    overview = preferences.overview(session, admin).set_index("person_id")
    assert overview.loc[people.owner, "Frequency"] == "Weekly, on Monday"
    assert overview.loc[people.lead, "Gets"] == "Own tasks and the dates needing attention"
    assert overview.loc[people.no_email, "Gets"] == "Nothing: no email address"
    assert overview.loc[people.lead, "Accounts"] == "pm"
    with pytest.raises(PermissionDenied):
        preferences.overview(session, viewer)


def test_no_personal_data_about_parents_in_any_email(session, smtp):
    """On the demo data (which has engagement inputs), no participant, need, quote or follow-up text is sent."""
    recorder, settings = smtp
    demo.load_demo(session, with_accounts=True)
    session.commit()
    report = run(session, settings, today=date(2019, 11, 15))
    assert report.count(SENT) >= 3 and report.count(FAILED) == 0
    secrets = {text for i in session.scalars(select(EngagementInput))
               for text in (i.participant, i.need, i.quote, i.follow_up, i.district) if text and len(text) >= 5}
    secrets |= {text for r in session.scalars(select(EngagementResponse)) for text in (r.you_said, r.we_did)}
    secrets |= {a.summary for a in session.scalars(select(EngagementActivity)) if a.summary}
    assert len(secrets) > 20  # the check below has something to find
    for _, message in recorder.messages:
        text, html, ics = parts(message)
        everything = "\n".join([message["Subject"], text, html, ics.decode()])
        assert not [s for s in secrets if s in everything]


def test_command_on_the_demo_data_sends_once_a_day_and_fails_loudly(smtp, tmp_path):
    """`python -m review send-reminders` on an empty embedded database (demo data loaded, as the app does)."""
    recorder, settings = smtp
    recorder.refuse.add("local.offer.manager@council.example")
    env = {**os.environ, "REVIEW_SQLITE_PATH": str(tmp_path / "demo.db"), "REVIEW_SMTP_HOST": "127.0.0.1",
           "REVIEW_SMTP_PORT": str(settings.port), "REVIEW_MAIL_FROM": "reminders@council.example",
           "REVIEW_BASE_URL": BASE_URL, "REVIEW_TODAY": "2019-11-15"}
    env.pop("DATABASE_URL", None)

    def command(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "review", "send-reminders", *args], env=env, cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=300)

    first = command()
    assert first.returncode == 1, first.stderr
    assert "failed\tLocal Offer Manager <local.offer.manager@council.example>" in first.stderr
    assert "sent 3, skipped 0, failed 1." in first.stdout
    assert len(recorder.messages) == 3
    recorder.refuse.clear()
    second = command()
    assert second.returncode == 0, second.stderr
    assert "sent 1, skipped 3, failed 0." in second.stdout
    assert [rcpt for rcpt, _ in recorder.messages][-1] == ["local.offer.manager@council.example"]
    dry = command("--dry-run", "--today", "2019-11-18")
    assert dry.returncode == 0 and "would send 4" in dry.stdout and len(recorder.messages) == 4
