"""What to send: from the database to one reminder per person, and from a reminder to an email.

Pure reads and formatting, no sending. Only tasks, contracts, decisions and KPI dates go into a reminder; nothing
from the engagement record (parents' inputs and participants) is ever read here.
"""
from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from review.models import Person, Task
from review.plan.tasks import CLOSED_STATUSES, STATUS_LABELS
from review.reminders.preferences import DEFAULT_FREQUENCY, Frequency, attention_people, frequencies
from review.reports import attention as attention_report
from review.reports.calendar_export import attention_calendar

APP_NAME = "SEND IAG Review Tracker"
TASK_WINDOW_DAYS = 7  # the issue: overdue tasks and those due within a week
ATTENTION_WINDOW_DAYS = 14  # the issue: the dates needing attention in the next two weeks
CALENDAR_FILENAME = "send-iag-review-dates.ics"
# The app page each kind of record opens on (Streamlit's address of pages/<n>_<Name>.py is /<Name>).
PAGE_FOR_RECORD = {"task": "Tasks", "contract": "Contracts", "decision": "Decisions"}
SETTINGS_PAGE = "My_settings"


@dataclass(frozen=True)
class Item:
    """One dated line of a reminder: a task due, or a date needing attention."""

    day: date
    what: str
    record: str
    detail: str
    kind: str
    record_type: str
    record_id: int


@dataclass(frozen=True)
class Reminder:
    """Everything one person would be told today."""

    person_id: int
    name: str
    email: str
    frequency: Frequency
    overdue: tuple[Item, ...]
    due_soon: tuple[Item, ...]
    attention: tuple[Item, ...]

    @property
    def kind(self) -> str:
        return "+".join(k for k, items in (("tasks", self.overdue + self.due_soon), ("attention", self.attention))
                        if items)

    @property
    def items(self) -> tuple[Item, ...]:
        return self.overdue + self.due_soon + self.attention


def _task_items(session: Session, today: date) -> dict[int, list[Item]]:
    """Each owner's open tasks due on or before today + TASK_WINDOW_DAYS, soonest first."""
    horizon = today + timedelta(days=TASK_WINDOW_DAYS)
    query = (select(Task).where(Task.owner_id.is_not(None), Task.due_date.is_not(None), Task.due_date <= horizon,
                                Task.status.notin_(CLOSED_STATUSES))
             .order_by(Task.due_date, Task.reference, Task.id))
    out: dict[int, list[Item]] = {}
    for task in session.scalars(query):
        assert task.owner_id is not None and task.due_date is not None  # the query keeps only those with both
        record = f"{task.reference} {task.title}" if task.reference else task.title
        late = (today - task.due_date).days
        when = f"{late} day(s) overdue" if late > 0 else ("due today" if late == 0 else f"due in {-late} day(s)")
        out.setdefault(task.owner_id, []).append(Item(
            task.due_date, "Task due", record, f"{STATUS_LABELS.get(task.status, task.status)}, "
            f"{task.percent_complete}% complete; {when}.", "task_due", "task", task.id))
    return out


def _attention_items(session: Session, today: date) -> tuple[Item, ...]:
    frame = attention_report.upcoming_dates(session, today, ATTENTION_WINDOW_DAYS)
    return tuple(Item(r["Date"], r["What"], r["Record"], r["Detail"], r["kind"], r["record_type"], int(r["record_id"]))
                 for _, r in frame.iterrows())


def reminders_for(session: Session, today: date) -> list[Reminder]:
    """One reminder for each person with an email address and something to be told, whatever their frequency
    (the sender decides who is due one today): their overdue tasks and those due within a week, plus, for people
    linked to an administrator or project-team account, the dates needing attention in the next two weeks."""
    tasks = _task_items(session, today)
    leads = attention_people(session)
    attention = _attention_items(session, today) if leads else ()
    chosen = frequencies(session)
    out = []
    for person in session.scalars(select(Person).where(Person.email.is_not(None), Person.email != "")
                                  .order_by(Person.name, Person.id)):
        assert person.email is not None  # the query keeps only people with an address
        own = tasks.get(person.id, [])
        reminder = Reminder(person.id, person.label, person.email, chosen.get(person.id, DEFAULT_FREQUENCY),
                            tuple(i for i in own if i.day < today), tuple(i for i in own if i.day >= today),
                            attention if person.id in leads else ())
        if reminder.items:
            out.append(reminder)
    return out


def subject(reminder: Reminder, today: date) -> str:
    """The email subject: the date and how many overdue tasks, tasks due soon and dates needing attention."""
    counts = [(len(reminder.overdue), "overdue task(s)"), (len(reminder.due_soon), "task(s) due within 7 days"),
              (len(reminder.attention), "date(s) needing attention")]
    return f"SEND IAG Review reminders, {today:%a %d %b %Y}: " + ", ".join(f"{n} {what}" for n, what in counts if n)


def link(base_url: str, page: str) -> str:
    """The address of an app page under the base URL, for the links in a reminder."""
    return f"{base_url.rstrip('/')}/{page}"


def _when(item: Item, today: date) -> str:
    days = (item.day - today).days
    relative = "today" if days == 0 else (f"in {days} day(s)" if days > 0 else f"{-days} day(s) ago")
    return f"{item.day:%a %d %b %Y} ({relative})"


def _sections(reminder: Reminder) -> list[tuple[str, tuple[Item, ...]]]:
    return [(heading, items) for heading, items in (
        ("Your overdue tasks", reminder.overdue),
        (f"Your tasks due within {TASK_WINDOW_DAYS} days", reminder.due_soon),
        (f"Dates needing attention in the next {ATTENTION_WINDOW_DAYS} days", reminder.attention),
    ) if items]


def _footer(reminder: Reminder) -> str:
    how_often = {Frequency.DAILY: "each day", Frequency.WEEKLY: "each Monday"}.get(reminder.frequency, "")
    return (f"You get this {how_often} when something is overdue or coming up. The dates are attached as a "
            f"calendar file ({CALENDAR_FILENAME}). Choose daily, weekly or no reminders on My settings:")


def text_body(reminder: Reminder, today: date, base_url: str) -> str:
    """The plain-text email: each section's dated items with a link to their page, and how to change the
    frequency.
    """
    lines = [f"Hello {reminder.name},", "", f"From the {APP_NAME}, as at {today:%A %d %B %Y}.", ""]
    for heading, items in _sections(reminder):
        lines += [f"{heading} ({len(items)})", ""]
        for item in items:
            lines += [f"- {_when(item, today)}: {item.what}: {item.record}", f"  {item.detail}",
                      f"  {link(base_url, PAGE_FOR_RECORD[item.record_type])}"]
        lines.append("")
    lines += [_footer(reminder), link(base_url, SETTINGS_PAGE), ""]
    return "\n".join(lines)


def html_body(reminder: Reminder, today: date, base_url: str) -> str:
    """The same content as HTML; every stored text is escaped."""
    e = html.escape
    parts = [f"<p>Hello {e(reminder.name)},</p>", f"<p>From the {e(APP_NAME)}, as at {today:%A %d %B %Y}.</p>"]
    for heading, items in _sections(reminder):
        parts.append(f"<h3>{e(heading)} ({len(items)})</h3><ul>")
        parts += [f'<li><strong>{e(_when(item, today))}</strong>: {e(item.what)}: '
                  f'<a href="{e(link(base_url, PAGE_FOR_RECORD[item.record_type]))}">{e(item.record)}</a>'
                  f"<br>{e(item.detail)}</li>" for item in items]
        parts.append("</ul>")
    footer = _footer(reminder).removesuffix(" on My settings:")
    parts.append(f'<p>{e(footer)} on <a href="{e(link(base_url, SETTINGS_PAGE))}">My settings</a>.</p>')
    return "<html><body>" + "\n".join(parts) + "</body></html>"


def calendar(items: Iterable[Item]) -> bytes:
    """The reminder's dates as an iCalendar file (review.reports.calendar_export, as the Contracts page offers)."""
    frame = pd.DataFrame([[i.day, i.what, i.record, i.detail, i.kind, i.record_type, i.record_id] for i in items],
                         columns=["Date", "What", "Record", "Detail", "kind", "record_type", "record_id"])
    return attention_calendar(frame)


def compose(reminder: Reminder, today: date, sender: str, base_url: str) -> EmailMessage:
    """The email: plain text and HTML alternatives, and the dates as an .ics attachment."""
    message = EmailMessage()
    message["Subject"] = subject(reminder, today)
    message["From"] = sender
    message["To"] = reminder.email
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies should not answer it
    message.set_content(text_body(reminder, today, base_url))
    message.add_alternative(html_body(reminder, today, base_url), subtype="html")
    message.add_attachment(calendar(reminder.items), maintype="text", subtype="calendar",
                           filename=CALENDAR_FILENAME)
    return message
