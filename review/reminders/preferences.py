"""How often each person gets reminders (daily, weekly on Monday, or never) and who gets what.

A preference belongs to the person (the task owner, who has the email address); someone signed in changes the
preference of the person their account is linked to (`users.person_id`). People without a stored choice get
DEFAULT_FREQUENCY.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review.models import Person, User
from review.models.reminders import ReminderPreference, SentReminder
from review.platform import audit
from review.platform.errors import ValidationFailed
from review.platform.roles import Actor, Permission, Role, require


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    NONE = "none"

    @property
    def label(self) -> str:
        return FREQUENCY_LABELS[self]


FREQUENCY_LABELS = {
    Frequency.DAILY: "Daily",
    Frequency.WEEKLY: "Weekly, on Monday",
    Frequency.NONE: "No reminders",
}
# Daily by default: notice deadlines and call-in periods are dates the council cannot afford to miss, and a day
# with nothing overdue or due within a week sends nothing anyway.
DEFAULT_FREQUENCY = Frequency.DAILY
WEEKLY_ON = 0  # Monday (date.weekday())
# Accounts with these roles get the dates needing attention as well: the project team (its lead) and administrators.
ATTENTION_ROLES = (Role.ADMIN.value, Role.EDITOR.value)


def is_reminder_day(frequency: Frequency, today: date) -> bool:
    """True when a person with this frequency gets a reminder today: every day, or on Mondays for weekly."""
    return frequency is Frequency.DAILY or (frequency is Frequency.WEEKLY and today.weekday() == WEEKLY_ON)


def frequencies(session: Session) -> dict[int, Frequency]:
    """Every stored choice, by person id (people missing here get DEFAULT_FREQUENCY)."""
    return {p.person_id: Frequency(p.frequency) for p in session.scalars(select(ReminderPreference))}


def frequency_of(session: Session, person_id: int) -> tuple[Frequency, int | None]:
    """A person's frequency and the version of the stored choice (None when it is the default)."""
    pref = session.scalar(select(ReminderPreference).where(ReminderPreference.person_id == person_id))
    return (Frequency(pref.frequency), pref.version) if pref else (DEFAULT_FREQUENCY, None)


def attention_people(session: Session) -> set[int]:
    """People linked to an active administrator or project-team account: they also get the dates needing attention."""
    return set(session.scalars(select(User.person_id).where(
        User.active.is_(True), User.role.in_(ATTENTION_ROLES), User.person_id.is_not(None))))


def set_frequency(session: Session, actor: Actor, person_id: int, frequency: str,
                  expected_version: int | None) -> ReminderPreference:
    """Store how often a person gets reminders: their own (the actor's linked person) or, for administrators, anyone's.

    `expected_version` is the version of the stored choice the form showed (None when it showed the default).
    """
    require(actor, Permission.VIEW)
    if actor.person_id != person_id:
        require(actor, Permission.MANAGE_USERS)
    if frequency not in {f.value for f in Frequency}:
        raise ValidationFailed({"frequency": f"Choose one of: {', '.join(f.label for f in Frequency)}."})
    if session.get(Person, person_id) is None:
        raise ValidationFailed({"person_id": "That person is no longer in the people list."})
    pref = session.scalar(select(ReminderPreference).where(ReminderPreference.person_id == person_id))
    if pref is None:
        pref = ReminderPreference(person_id=person_id, frequency=frequency)
        session.add(pref)
        before = {"frequency": DEFAULT_FREQUENCY.value}
    else:
        # A form that showed the default (no stored choice, version None) is stale once a choice is stored.
        audit.check_version(session, "reminder preference", pref, person_id, expected_version or 0)
        before = {"frequency": pref.frequency}
        pref.frequency = frequency
    session.flush()
    audit.record(session, actor, "reminder preference", person_id, "update",
                 audit.diff(before, {"frequency": frequency}), record_version=pref.version)
    return pref


OVERVIEW_COLUMNS = ["Person", "Email", "Accounts", "Frequency", "Gets", "Last sent", "person_id"]


def overview(session: Session, actor: Actor) -> pd.DataFrame:
    """Who gets what (administrators): every person, their address, frequency, contents and last reminder."""
    require(actor, Permission.MANAGE_USERS)
    chosen = frequencies(session)
    attention = attention_people(session)
    accounts: dict[int, list[str]] = {}
    for user in session.scalars(select(User).where(User.person_id.is_not(None)).order_by(User.username)):
        assert user.person_id is not None  # the query keeps only linked accounts
        accounts.setdefault(user.person_id, []).append(user.username + ("" if user.active else " (inactive)"))
    last_sent = {person_id: day for person_id, day in session.execute(
        select(SentReminder.person_id, func.max(SentReminder.sent_on)).group_by(SentReminder.person_id))}
    rows = []
    for person in session.scalars(select(Person).order_by(Person.name)):
        frequency = chosen.get(person.id, DEFAULT_FREQUENCY)
        if not person.email:
            gets = "Nothing: no email address"
        elif frequency is Frequency.NONE:
            gets = "Nothing: opted out"
        else:
            gets = "Own tasks" + (" and the dates needing attention" if person.id in attention else "")
        rows.append([person.label, person.email or "", ", ".join(accounts.get(person.id, [])),
                     frequency.label + ("" if person.id in chosen else " (default)"), gets,
                     last_sent.get(person.id), person.id])
    return pd.DataFrame(rows, columns=OVERVIEW_COLUMNS)


@dataclass(frozen=True)
class MySettings:
    """What the signed-in person's reminders look like, for the My settings page."""

    person_id: int
    person: str
    email: str | None
    frequency: Frequency
    version: int | None  # of the stored choice; None while the default applies
    gets_attention: bool


def my_settings(session: Session, actor: Actor) -> MySettings | None:
    """The reminder settings of the person the actor's account is linked to (None when it is not linked)."""
    require(actor, Permission.VIEW)
    person = session.get(Person, actor.person_id) if actor.person_id is not None else None
    if person is None:
        return None
    frequency, version = frequency_of(session, person.id)
    return MySettings(person.id, person.label, person.email or None, frequency, version,
                      person.id in attention_people(session))
