"""The stored critical path (review.plan.network) follows every change to the plan, on both engines."""
from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from review import demo
from review.models import PlanSchedule, Task, TaskSchedule
from review.plan import network, tasks
from review.plan import timeline as plan
from review.platform import db

# Two transactions overlapping: SQLite lets one writer at a time, so these run on PostgreSQL only.
ONLY_POSTGRESQL = pytest.mark.parametrize("engine", ["postgresql"], indirect=True)


def stored(session: Session) -> dict[int, tuple[int, int, int, bool]]:
    return {r.task_id: (r.earliest_start, r.earliest_finish, r.latest_start, r.critical)
            for r in session.execute(select(TaskSchedule.task_id, TaskSchedule.earliest_start,
                                            TaskSchedule.earliest_finish, TaskSchedule.latest_start,
                                            TaskSchedule.critical))}


def worked_out(session: Session) -> dict[int, tuple[int, int, int, bool]]:
    cpm = plan.compute_critical_path(session)
    return {t: (cpm.earliest_start[t], cpm.earliest_finish[t], cpm.latest_start[t], t in cpm.critical)
            for t in cpm.order}


def stored_length(session: Session) -> int | None:
    return session.scalar(select(PlanSchedule.length))


def make(session, actor, org, ref, start, days, **extra):
    return tasks.create_task(session, actor, title=f"Task {ref}", reference=ref, phase_id=org.phase_id,
                             start_date=start, due_date=start + timedelta(days=days - 1), **extra)


def test_the_stored_schedule_follows_every_kind_of_change(session, editor, org):
    day = date(2020, 1, 6)
    a = make(session, editor, org, "A", day, 10)
    b = make(session, editor, org, "B", day, 30)
    c = make(session, editor, org, "C", day, 5)
    session.commit()
    assert stored(session) == worked_out(session) and stored_length(session) == 30

    tasks.add_dependency(session, editor, a.id, c.id)  # A then C: 15 days, B alone still longest
    session.commit()
    assert stored(session) == worked_out(session) and stored(session)[c.id][0] == 10

    tasks.update_task(session, editor, c.id, c.version, due_date=day + timedelta(days=39))  # C now 40 days
    session.commit()
    assert stored(session) == worked_out(session) and stored_length(session) == 50
    assert {t for t, row in stored(session).items() if row[3]} == {a.id, c.id}

    tasks.update_task(session, editor, c.id, session.get(Task, c.id).version, status="cancelled")
    session.commit()
    assert stored(session) == worked_out(session) and stored_length(session) == 30

    tasks.remove_dependency(session, editor, a.id, c.id)
    tasks.delete_task(session, editor, b.id, session.get(Task, b.id).version)
    session.commit()
    assert stored(session) == worked_out(session) and set(stored(session)) == {a.id, c.id}
    assert stored_length(session) == 10

    # A change to a field the schedule does not use leaves it alone: no refresh is needed.
    tasks.update_task(session, editor, a.id, session.get(Task, a.id).version, title="Renamed")
    session.flush()
    assert not session.info.get(network.STALE)
    session.commit()


def test_a_read_in_the_same_transaction_sees_its_own_changes(session, editor, org):
    day = date(2020, 1, 6)
    a = make(session, editor, org, "A", day, 10)
    b = make(session, editor, org, "B", day + timedelta(days=10), 5)
    session.commit()
    assert plan.plan_view(session).chains == [["A"]]
    tasks.add_dependency(session, editor, a.id, b.id)  # not committed yet
    view = plan.plan_view(session)
    assert view.chains == [["A", "B"]] and view.critical_length == 15
    assert set(view.tasks[view.tasks["Critical"]]["Ref"]) == {"A", "B"}
    session.rollback()
    assert plan.plan_view(session).chains == [["A"]]  # the rollback took the stored change back too


def test_bulk_statements_through_the_session_are_seen(session, org):
    """An ORM-enabled insert (as the benchmark's scaled plan and any bulk loader use) marks the plan changed."""
    session.execute(insert(Task), [{"title": f"Bulk {i}", "reference": f"BK-{i}", "phase_id": org.phase_id,
                                    "start_date": date(2020, 1, 1), "due_date": date(2020, 1, 1 + i),
                                    "status": "not_started"} for i in range(1, 6)])
    session.commit()
    assert len(stored(session)) == 5 and stored_length(session) == 6


def test_the_demo_plan_is_stored_as_worked_out(session):
    demo.load_demo(session, with_accounts=False)
    session.commit()
    assert stored(session) == worked_out(session)
    cpm = plan.compute_critical_path(session)
    assert plan.plan_network(session).length == cpm.length > 0


@ONLY_POSTGRESQL
def test_two_people_changing_the_plan_at_once_leave_a_schedule_with_both_changes(engine, session, editor, org):
    """The second transaction waits for the first one's refresh and works from both changes."""
    day = date(2020, 1, 6)
    a = make(session, editor, org, "A", day, 10)
    b = make(session, editor, org, "B", day, 10)
    c = make(session, editor, org, "C", day, 10)
    session.commit()
    first = Session(engine)
    tasks.add_dependency(first, editor, a.id, b.id)
    network.refresh(first)  # holds the plan's row until it commits
    done = threading.Event()
    failures: list[BaseException] = []

    def second_person() -> None:
        try:
            with db.unit_of_work(engine) as other:
                tasks.add_dependency(other, editor, b.id, c.id)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)
        done.set()

    thread = threading.Thread(target=second_person)
    thread.start()
    assert not done.wait(1.0), "the second refresh should wait for the first transaction"
    first.commit()
    first.close()
    thread.join(30)
    assert done.is_set() and not failures, failures
    session.expire_all()
    assert stored(session) == worked_out(session) and stored_length(session) == 30


@ONLY_POSTGRESQL
def test_the_first_two_plans_saved_at_once_on_a_new_database_both_go_through(engine, session, editor, org):
    """A database that has never had a plan has no plan row to lock: the first writers make it, one yielding."""
    assert session.scalar(select(PlanSchedule.id)) is None
    first = Session(engine)
    make(first, editor, org, "A", date(2020, 1, 6), 10)
    network.refresh(first)  # the plan's row is made (not committed yet)
    failures: list[BaseException] = []

    def second_person() -> None:
        try:
            with db.unit_of_work(engine) as other:
                make(other, editor, org, "B", date(2020, 1, 6), 20)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)

    thread = threading.Thread(target=second_person)
    thread.start()
    thread.join(0.5)
    first.commit()
    first.close()
    thread.join(30)
    assert not thread.is_alive() and not failures, failures
    session.expire_all()
    assert stored(session) == worked_out(session) and len(stored(session)) == 2 and stored_length(session) == 20


@ONLY_POSTGRESQL
def test_a_task_deleted_while_another_change_is_pending_neither_deadlocks_nor_is_refused(engine, session, editor,
                                                                                          org):
    """One person has changed a task's dates (not committed); another deletes a task and saves. The deletion waits
    for the plan's row before it touches anything, so the first one's refresh never waits for the deleted task's
    rows while the second waits for the plan's row (a deadlock, one of them refused)."""
    day = date(2020, 1, 6)
    a = make(session, editor, org, "A", day, 10)
    b = make(session, editor, org, "B", day, 20)
    session.commit()
    first = Session(engine)
    tasks.update_task(first, editor, a.id, a.version, due_date=day + timedelta(days=29))  # A now 30 days
    first.flush()
    go = threading.Event()
    failures: list[BaseException] = []

    def second_person() -> None:
        try:
            with db.unit_of_work(engine) as other:
                tasks.delete_task(other, editor, b.id, b.version)
                other.flush()
                go.wait(10)  # saves once the first person has started saving
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)

    thread = threading.Thread(target=second_person)
    thread.start()
    thread.join(0.5)
    threading.Timer(0.5, go.set).start()
    try:
        first.commit()
    except BaseException as exc:  # noqa: BLE001 - reported by the test below
        failures.append(exc)
    go.set()
    first.close()
    thread.join(30)
    assert not thread.is_alive() and not failures, failures
    session.expire_all()
    assert stored(session) == worked_out(session) and set(stored(session)) == {a.id} and stored_length(session) == 30


def test_migration_0017_stores_the_schedule_of_a_plan_already_there(engine, session):
    from sqlalchemy import inspect

    from tests.conftest import migrate

    demo.load_demo(session, with_accounts=False)
    session.commit()
    expected = worked_out(session)
    session.close()
    try:
        migrate(engine, "0016")
        assert "task_schedule" not in inspect(engine).get_table_names()
    finally:
        migrate(engine, "heads")
    with Session(engine) as s:
        assert stored(s) == expected
        row = s.execute(select(PlanSchedule.length, PlanSchedule.tasks, PlanSchedule.chains)).one()
        cpm = plan.compute_critical_path(s)
        assert (row.length, row.tasks, row.chains) == (cpm.length, len(expected), cpm.chains(limit=5))


def test_a_long_critical_chain_is_named_by_its_ends(session, editor, org):
    """Forty tasks in a row: the chain shows the first twelve and the last six around how many lie between; thirty
    are shown whole."""
    day = date(2020, 1, 6)
    made = [make(session, editor, org, f"L{i:02d}", day + timedelta(days=2 * i), 2) for i in range(40)]
    for before, after in zip(made, made[1:], strict=False):
        tasks.add_dependency(session, editor, before.id, after.id)
    session.commit()
    network_ = plan.plan_network(session)
    assert network_.chains == [[*(f"L{i:02d}" for i in range(12)), "… 22 more …",
                                *(f"L{i:02d}" for i in range(34, 40))]]
    assert network_.critical_count == 40 and network_.length == 80
    assert list(plan.critical_tasks_frame(session, limit=5)["Ref"]) == ["L00", "L01", "L02", "L03", "L04"]
    tasks.delete_task(session, editor, made[0].id, made[0].version)
    for gone in made[1:10]:
        tasks.delete_task(session, editor, gone.id, session.get(Task, gone.id).version)
    session.commit()
    assert plan.plan_network(session).chains == [[f"L{i:02d}" for i in range(10, 40)]]  # thirty: whole


def test_a_plan_changed_outside_the_tracker_is_found_by_the_check_and_put_right(engine, session, editor, viewer, org):
    from sqlalchemy import text

    from review.models import AuditEvent
    from review.operations import check
    from review.platform import audit
    from review.platform.config import get_settings
    from review.platform.errors import PermissionDenied

    day = date(2020, 1, 6)
    a = make(session, editor, org, "A", day, 10)
    make(session, editor, org, "B", day, 20)
    session.commit()
    assert network.differences(session) == 0
    findings = {f.name: f for f in check.run(engine, get_settings())}
    assert findings["critical path"].status == check.Status.OK
    with engine.begin() as connection:  # an edit by SQL: no session, no hooks
        connection.execute(text("UPDATE tasks SET due_date = :due WHERE id = :id"),
                           {"due": day + timedelta(days=39), "id": a.id})
    session.expire_all()
    assert network.differences(session) == 3  # A's and B's rows and the plan's length
    finding = {f.name: f for f in check.run(engine, get_settings())}["critical path"]
    assert finding.status == check.Status.WARNING and "refresh-schedule" in finding.message
    session.rollback()
    with pytest.raises(PermissionDenied):
        network.refresh_as(session, viewer)
    session.rollback()
    version = audit.data_version(session)
    assert network.refresh_as(session, editor) == 3
    session.commit()
    assert network.differences(session) == 0 and stored_length(session) == 40
    assert audit.data_version(session) > version  # cached reads move on
    assert session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "refresh")).startswith(
        "Critical path worked out again (3")
