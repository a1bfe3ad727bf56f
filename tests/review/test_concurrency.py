"""Concurrent writers: references never collide, opposite-order saves never deadlock into a raw database error,
and a deadlock or serialisation failure is run again once, then reported like a simultaneous save."""
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from review.models import Person, Phase, Task
from review.models.plan import RaidItem
from review.plan import raid, tasks
from review.platform import db
from review.platform.errors import DomainError, EditConflict, SimultaneousSave, TransientConflict
from review.platform.roles import SYSTEM
from review.submission import papers

WORKERS = 20


def _run_all(engine, actions: list[Callable[[Any], Any]], retries: int = db.RETRIES_AFTER_CONFLICT) -> list[Any]:
    """Run each action in its own thread and transaction; the result or the exception of each."""
    def one(action):
        try:
            return db.run_in_transaction(engine, action, retries=retries)
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            return exc
    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        return list(pool.map(one, actions))


def _start_together(barrier: threading.Barrier, started: set[int]) -> None:
    """Wait for the other threads, on this thread's first run only (a run again after a deadlock goes straight on)."""
    if threading.get_ident() not in started:
        started.add(threading.get_ident())
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass


def test_concurrent_raid_items_all_get_distinct_references(engine, session, editor, org):
    barrier, started = threading.Barrier(WORKERS, timeout=30), set()

    def create(n: int) -> Callable[[Any], str]:
        def action(s):
            _start_together(barrier, started)
            return raid.create_item(s, editor, kind="issue", title=f"Issue {n}").reference
        return action

    results = _run_all(engine, [create(n) for n in range(WORKERS)])
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert sorted(results) == [f"I-{n:02d}" for n in range(1, WORKERS + 1)]
    assert len(set(session.scalars(select(RaidItem.reference)))) == WORKERS


def test_concurrent_new_tasks_get_distinct_references_by_phase_prefix(engine, session, editor, org):
    tasks.create_task(session, editor, title="Existing", phase_id=org.phase_id, reference="EXP-07")
    session.commit()
    results = _run_all(engine, [
        lambda s, n=n: tasks.create_task(s, editor, title=f"New {n}", phase_id=org.phase_id).reference
        for n in range(10)])
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert sorted(results) == [f"EXP-{n:02d}" for n in range(8, 18)]


def test_a_new_task_is_referenced_by_its_phase_prefix(session, editor, org):
    first = tasks.create_task(session, editor, title="Map services", phase_id=org.phase_id)
    second = tasks.create_task(session, editor, title="Draft paper", phase_id=org.phase2_id)
    given = tasks.create_task(session, editor, title="Named", phase_id=org.phase_id, reference="EXP-40")
    after = tasks.create_task(session, editor, title="After the named one", phase_id=org.phase_id)
    # the test phases are "Exploration ..." and "Submission ...": prefixes from their names
    assert (first.reference, second.reference, given.reference, after.reference) == \
        ("EXP-01", "SUB-01", "EXP-40", "EXP-41")


def test_actions_from_a_decision_get_distinct_references(engine, session, editor, org):
    paper = papers.create_submission(session, editor, title="Paper", meeting="SEND Executive",
                                     meeting_date=date(2019, 12, 5), author="Project Manager")
    papers.record_decision(session, editor, paper.id, paper.version, "Agreed.", date(2019, 12, 5))
    session.commit()

    def add(n: int) -> Callable[[Any], str]:
        def action(s):
            current = s.get(type(paper), paper.id)
            return papers.add_action(s, editor, paper.id, current.version, f"Action {n}", org.person_id).reference
        return action

    results = _run_all(engine, [add(n) for n in range(6)])
    done = [r for r in results if isinstance(r, str)]
    # Each action also updates the paper (its version), so some are refused as edit conflicts -- never a collision.
    assert all(isinstance(r, str | EditConflict | SimultaneousSave) for r in results), results
    assert done and len(done) == len(set(done)) and all(r.startswith("ACT-") for r in done)


def test_two_people_saving_the_same_two_tasks_in_opposite_order_never_get_a_database_error(
        engine, session, editor, org):
    a = tasks.create_task(session, editor, title="A", phase_id=org.phase_id)
    b = tasks.create_task(session, editor, title="B", phase_id=org.phase_id)
    session.commit()
    def save(barrier, started, edits):
        def action(s):
            _start_together(barrier, started)
            return tasks.apply_task_edits(s, editor, edits)
        return action

    for n in range(10):
        session.expire_all()
        va, vb = session.get(Task, a.id).version, session.get(Task, b.id).version
        barrier, started = threading.Barrier(2, timeout=30), set()
        x = {a.id: (va, {"title": f"X {n} a"}), b.id: (vb, {"title": f"X {n} b"})}
        y = {b.id: (vb, {"title": f"Y {n} b"}), a.id: (va, {"title": f"Y {n} a"})}  # the other order
        # Not run again after a deadlock, so that a deadlock would show: the fixed lock order prevents it.
        results = _run_all(engine, [save(barrier, started, x), save(barrier, started, y)], retries=0)
        assert all(isinstance(r, int | DomainError) and not isinstance(r, TransientConflict) for r in results), \
            results
        assert any(r == 2 for r in results)  # one of the two saves went through whole
        session.commit()


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)  # SQLite: one writer at a time, no deadlock
def test_a_deadlock_is_run_again_once_and_both_transactions_succeed(engine, session, editor, org):
    # Two records outside the plan (a change to tasks or links waits for the plan's row first, so two of those
    # cannot deadlock each other; review.plan.network).
    a, b = org.person_id, org.person2_id
    barrier = threading.Barrier(2, timeout=30)
    attempts: list[str] = []

    def touch(first: int, second: int, label: str):
        def action(s):
            attempts.append(label)
            s.execute(update(Person).where(Person.id == first).values(job_title=Person.job_title + "+"))
            if attempts.count(label) == 1:  # only the first run waits for the other, so that both hold a lock
                try:
                    barrier.wait()
                except threading.BrokenBarrierError:
                    pass
            s.execute(update(Person).where(Person.id == second).values(job_title=Person.job_title + "+"))
            return label
        return action

    before = {p: session.get(Person, p).job_title for p in (a, b)}
    session.commit()
    results = _run_all(engine, [touch(a, b, "ab"), touch(b, a, "ba")])
    assert sorted(results) == ["ab", "ba"]
    # The deadlock victim ran once more. Rarely, its second run takes the first row before the other (woken by the
    # victim's rollback) does, they deadlock again and the other runs once more too: 4, each at most twice.
    assert len(attempts) in (3, 4) and max(attempts.count("ab"), attempts.count("ba")) == 2
    session.expire_all()
    assert {p: session.get(Person, p).job_title for p in (a, b)} == {p: before[p] + "++" for p in (a, b)}


class _Aborted(Exception):
    def __init__(self, sqlstate: str):
        super().__init__(f"aborted ({sqlstate})")
        self.sqlstate = sqlstate


@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])
def test_a_repeated_deadlock_is_reported_as_a_simultaneous_save(engine, sqlstate):
    runs = []

    def always_aborted(_session):
        runs.append(1)
        raise OperationalError("UPDATE tasks ...", {}, _Aborted(sqlstate))

    with pytest.raises(TransientConflict) as caught:
        db.run_in_transaction(engine, always_aborted)
    assert isinstance(caught.value, SimultaneousSave) and "nothing of yours was saved" in str(caught.value)
    assert len(runs) == 1 + db.RETRIES_AFTER_CONFLICT


def test_other_database_errors_are_not_run_again(engine):
    runs = []

    def broken(_session):
        runs.append(1)
        raise OperationalError("SELECT ...", {}, _Aborted("08006"))

    with pytest.raises(OperationalError):
        db.run_in_transaction(engine, broken)
    assert len(runs) == 1


def test_migration_0010_gives_existing_phases_the_prefix_their_tasks_use(engine, session):
    """An older database: each phase's prefix is the one most of its tasks' references use (PLN, not DET)."""
    from sqlalchemy import inspect

    from review import demo
    from tests.conftest import migrate

    demo.load_demo(session, with_accounts=False)
    session.commit()
    session.close()
    try:
        migrate(engine, "0009")
        assert "reference_prefix" not in {c["name"] for c in inspect(engine).get_columns("phases")}
    finally:
        migrate(engine, "heads")
    with engine.connect() as conn:
        prefixes = [row[0] for row in conn.execute(select(Phase.reference_prefix).order_by(Phase.sequence))]
    assert prefixes == ["EXP", "SUB", "PLN"]
    with Session(engine) as s:  # the next task in the last phase follows on from the demo's PLN tasks
        phase_id = s.scalar(select(Phase.id).where(Phase.reference_prefix == "PLN"))
        task = tasks.create_task(s, SYSTEM, title="Next step", phase_id=phase_id)
        highest = max(int(r.split("-")[1]) for r in s.scalars(select(Task.reference).where(
            Task.reference.like("PLN-%"), Task.id != task.id)))
        assert task.reference == f"PLN-{highest + 1:02d}"
        s.rollback()
