"""AppTest of My settings: the reminder frequency form and the administrators' 'who gets what' table."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from review.models import AuditEvent, User
from review.platform import db
from review.platform.config import get_settings
from review.platform.roles import Role
from review.reminders import preferences
from review.reminders.preferences import Frequency
from tests.pages.conftest import texts

PAGE = "pages/14_My_settings.py"


def _frequency_of(username: str) -> tuple[Frequency, int | None]:
    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:
        person_id = session.scalar(select(User.person_id).where(User.username == username))
        result = preferences.frequency_of(session, person_id)
    engine.dispose()
    return result


@pytest.mark.parametrize("role", list(Role))
def test_every_signed_in_role_opens_the_page(open_page, role):
    at = open_page(PAGE, role)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [t.value for t in at.title] == ["My settings"]
    assert ("Who gets what" in texts(at)) == (role is Role.ADMIN)


def test_unlinked_account_is_told_why_nothing_is_sent(open_page):
    at = open_page(PAGE, Role.VIEWER)  # the demo viewer is not linked to a person
    assert "not linked to a person" in texts(at)
    assert not at.radio


@pytest.mark.both_engines
def test_editor_switches_to_weekly(open_page):
    at = open_page(PAGE, Role.EDITOR)
    shown = " ".join(t.value for t in at.text)
    assert "review.project.manager@council.example" in shown and "dates needing attention" in shown
    assert at.radio[0].value == Frequency.DAILY.value  # the default
    at.radio[0].set_value(Frequency.WEEKLY.value)
    at = [b for b in at.button if b.label == "Save"][0].click().run()
    assert not at.exception
    assert "Saved: Weekly, on Monday." in texts(at)
    assert _frequency_of("demo-editor") == (Frequency.WEEKLY, 1)
    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.entity == "reminder preference")).one()
        assert event.username == "demo-editor" and event.changes["frequency"]["after"] == "weekly"
    engine.dispose()


def test_admin_sees_who_gets_what(open_page):
    at = open_page(PAGE, Role.ADMIN)
    [table] = at.dataframe
    frame = table.value.set_index("Person")
    assert frame.loc["SEND IAG Review Project Manager", "Gets"] == "Own tasks and the dates needing attention"
    assert frame.loc["SEND IAG Review Project Manager", "Accounts"] == "demo-editor"
    assert frame.loc["Contracts Officer", "Frequency"] == "Daily (default)"
