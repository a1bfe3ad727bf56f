"""The audit log in words: labels, values as the app shows them, references, local time, reference filter."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event, update

from review.models import AuditEvent, Task
from review.plan import tasks
from review.platform.wording import local_time_text
from review.reports import audit_log


def test_changes_read_in_words(session, admin, org):
    a = tasks.create_task(session, admin, title="Map current IAG offer", phase_id=org.phase_id,
                          owner_id=org.person_id, reference="EXP-01")
    b = tasks.create_task(session, admin, title="Survey parents", phase_id=org.phase_id, reference="EXP-02")
    tasks.add_dependency(session, admin, a.id, b.id)
    tasks.update_task(session, admin, b.id, b.version, status="in_progress", owner_id=org.person2_id,
                      due_date="2019-12-02")
    session.commit()
    events = audit_log.find_events(session, record="exp-02")
    frame = audit_log.events_in_words(session, events)
    assert set(frame["Record"]) == {"EXP-02", "EXP-01 before EXP-02"}  # its dependency belongs to it too
    changed = frame[frame["Action"] == "Changed"].iloc[0]
    assert "Status: Not started → In progress" in changed["Changes"]
    assert "Owner: (blank) → Project Manager" in changed["Changes"]
    assert "Due date: (blank) → 02 Dec 2019" in changed["Changes"]
    link = frame[frame["Record type"] == "Task dependency"].iloc[0]
    assert link["Changes"] == "Dependency: (blank) → EXP-01 before EXP-02"
    assert "None" not in " ".join(frame["Changes"])
    assert audit_log.find_events(session, record="no such thing") == []


def test_an_event_opens_in_full_and_a_deleted_record_is_named(session, admin):
    long_text = "A long description. " * 40
    session.add(AuditEvent(username="someone", entity="raid_item", record_id="999", action="update",
                           changes={"description": {"before": None, "after": long_text},
                                    "theme_ids": {"before": [], "after": [12345]}}))
    session.commit()
    [event] = audit_log.find_events(session, entity="raid_item")
    facts, table = audit_log.event_in_full(session, event.id)
    assert facts["Record"] == "RAID item 999 (deleted)" and facts["Action"] == "Changed"
    assert table.loc[0, "After"] == long_text  # nothing cut short
    assert table.loc[1, "Field"] == "Themes"


def test_names_for_a_page_mentioning_more_records_than_a_statement_may_bind(session, admin, org):
    """70,000 distinct ids in one look-up: more than PostgreSQL allows bound values in a statement (65,535) or a
    default SQLite build variables (32,766)."""
    task = tasks.create_task(session, admin, title="Map current IAG offer", phase_id=org.phase_id)
    session.commit()
    events = [AuditEvent(username="someone", entity="task", record_id=str(i), action="update", changes={})
              for i in range(task.id, task.id + 70_000)]
    names = audit_log.names_for(session, events)
    assert task.reference and names.name("task", task.id) == task.reference
    assert names.name("task", task.id + 69_999) == f"Task {task.id + 69_999} (deleted)"


def test_names_are_read_in_one_statement_whatever_the_events_mention(engine, session, admin, org):
    a = tasks.create_task(session, admin, title="Map current IAG offer", phase_id=org.phase_id,
                          owner_id=org.person_id)
    b = tasks.create_task(session, admin, title="Survey parents", phase_id=org.phase_id, reference="EXP-02")
    tasks.add_dependency(session, admin, a.id, b.id)
    tasks.add_comment(session, admin, b.id, "Started")
    session.add(AuditEvent(username="someone", entity="engagement_input", record_id="7", action="update",
                           changes={"need": {"before": None, "after": "One number"}}))  # nothing to name
    session.execute(update(Task).where(Task.id == a.id).values(reference=None))  # named by its id and title
    session.commit()
    events = audit_log.find_events(session)
    seen = []

    def count(*args) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        names = audit_log.names_for(session, events)
        nothing = audit_log.names_for(session, [e for e in events if e.entity == "engagement_input"])
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(seen) == 2  # one each: many record types, and none to name
    assert nothing.by_entity == {}
    assert names.name("task", a.id) == f"Task {a.id}: Map current IAG offer"
    assert names.name("person", org.person_id) == "SENDIASS Manager"
    assert names.name("phase", org.phase_id) and names.name("task", 99999) == "Task 99999 (deleted)"
    [link] = [e for e in events if e.entity == "task_dependency"]
    [note] = [e for e in events if e.entity == "task_comment"]
    assert names.name("task_dependency", link.record_id) == f"Task {a.id}: Map current IAG offer before EXP-02"
    assert names.name("task_comment", note.record_id) == "Comment on EXP-02"


def test_times_are_in_the_councils_local_time():
    assert local_time_text(datetime(2019, 7, 1, 12, 0, tzinfo=UTC)) == "01 Jul 2019 13:00 BST"
    assert local_time_text(datetime(2019, 12, 1, 12, 0)) == "01 Dec 2019 12:00 GMT"
    assert local_time_text(None) == ""
