"""The plan: critical path on known graphs, baselines and slippage, the consultation template's dates."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from review.models import AuditEvent, Task, TaskDependency
from review.models.plan import Baseline, BaselineItem
from review.plan import schedule, tasks
from review.plan import timeline as plan
from review.plan.schedule import critical_path
from review.platform.errors import NotFound, PermissionDenied, ValidationFailed
from review.platform.working_days import is_working_day

# ------------------------------------------------------------------ critical path (pure)


def test_a_chain_is_critical_end_to_end():
    cpm = critical_path({1: 3, 2: 2, 3: 4}, [(1, 2), (2, 3)])
    assert cpm.length == 9
    assert cpm.critical == {1, 2, 3}
    assert cpm.chains() == [[1, 2, 3]]
    assert (cpm.earliest_start[3], cpm.latest_finish[3]) == (5, 9)


def test_the_longer_branch_of_a_diamond_is_critical_and_the_shorter_has_float():
    # A(2) -> B(5) -> D(1) and A -> C(3) -> D
    cpm = critical_path({"A": 2, "B": 5, "C": 3, "D": 1}, [("A", "B"), ("B", "D"), ("A", "C"), ("C", "D")])
    assert cpm.length == 8
    assert cpm.critical == {"A", "B", "D"}
    assert cpm.float_of("C") == 2
    assert cpm.critical_links == {("A", "B"), ("B", "D")}


def test_tied_branches_are_both_critical():
    cpm = critical_path({1: 2, 2: 4, 3: 4, 4: 1}, [(1, 2), (1, 3), (2, 4), (3, 4)])
    assert cpm.critical == {1, 2, 3, 4}
    assert sorted(cpm.chains()) == [[1, 2, 4], [1, 3, 4]]


def test_textbook_network_with_a_tie_and_one_task_with_float():
    # A3, B4, C2 after A, D5 after A, E3 after B and C, F2 after D and E: length 10, B has 1 day of float.
    durations = {"A": 3, "B": 4, "C": 2, "D": 5, "E": 3, "F": 2}
    links = [("A", "C"), ("A", "D"), ("B", "E"), ("C", "E"), ("D", "F"), ("E", "F")]
    cpm = critical_path(durations, links)
    assert cpm.length == 10
    assert cpm.critical == {"A", "C", "D", "E", "F"}
    assert cpm.float_of("B") == 1
    assert {"earliest": cpm.earliest_start["E"], "latest": cpm.latest_start["E"]} == {"earliest": 5, "latest": 5}
    assert sorted(cpm.chains()) == [["A", "C", "E", "F"], ["A", "D", "F"]]
    assert ("B", "E") not in cpm.critical_links


def test_independent_parallel_branches():
    # X alone (10 days) against Y -> Z (3 + 3): X drives the end date; Y and Z have 4 days of float.
    cpm = critical_path({"X": 10, "Y": 3, "Z": 3}, [("Y", "Z")])
    assert cpm.critical == {"X"} and cpm.float_of("Y") == 4 and cpm.float_of("Z") == 4
    # Equal length: both branches are critical, as two chains.
    cpm = critical_path({"X": 6, "Y": 3, "Z": 3}, [("Y", "Z")])
    assert cpm.critical == {"X", "Y", "Z"}
    assert sorted(cpm.chains()) == [["X"], ["Y", "Z"]]


def test_milestones_take_no_time_and_can_be_critical():
    cpm = critical_path({1: 5, 2: 0, 3: 2}, [(1, 2), (2, 3)])
    assert cpm.length == 7 and cpm.critical == {1, 2, 3}
    assert cpm.earliest_start[2] == cpm.earliest_finish[2] == 5


def test_a_loop_is_refused_and_unknown_links_are_ignored():
    with pytest.raises(ValueError, match="loop"):
        critical_path({1: 1, 2: 1}, [(1, 2), (2, 1)])
    cpm = critical_path({1: 1, 2: 1}, [(1, 2), (2, 99)])
    assert cpm.length == 2


def test_empty_network():
    cpm = critical_path({}, [])
    assert cpm.length == 0 and cpm.critical == frozenset() and cpm.chains() == []


def test_planned_duration_counts_calendar_days_inclusive():
    assert schedule.planned_duration(date(2019, 3, 4), date(2019, 3, 8)) == 5
    assert schedule.planned_duration(date(2019, 3, 4), date(2019, 3, 8), milestone=True) == 5  # a milestone phase
    assert schedule.planned_duration(date(2019, 3, 8), date(2019, 3, 8), milestone=True) == 0
    assert schedule.planned_duration(date(2019, 3, 8), date(2019, 3, 8)) == 1
    assert schedule.planned_duration(None, date(2019, 3, 8)) == 0


# ------------------------------------------------------------------ consultation template (pure)


def test_consultation_dates_from_a_monday_start():
    steps = schedule.consultation_schedule(date(2020, 1, 6), consultation_weeks=12, call_in_working_days=5)
    dates = {k: (s.start, s.due) for k, s in steps.items()}
    assert dates["legal"] == (date(2020, 1, 6), date(2020, 1, 17))  # 10 working days
    assert dates["eqia"] == (date(2020, 1, 20), date(2020, 2, 7))  # 15 working days, after the legal check
    assert dates["document"] == dates["eqia"]  # in parallel with the EqIA
    assert dates["forward_plan"] == (date(2020, 1, 20), date(2020, 1, 24))
    assert dates["live"] == (date(2020, 2, 10), date(2020, 5, 4))  # 12 weeks, closing on a working day
    assert dates["analysis"] == (date(2020, 5, 5), date(2020, 6, 3))
    assert dates["decision"] == (date(2020, 6, 4), date(2020, 6, 11))  # decision, then 5 working days' call-in
    assert dates["notice"] == (date(2020, 6, 12), date(2020, 9, 14))  # 3 months from notice, to a working day
    assert dates["you_said"] == (date(2020, 6, 12), date(2020, 6, 25))


@pytest.mark.parametrize("weeks", [8, 10, 12])
@pytest.mark.parametrize("start", [date(2019, 12, 20), date(2020, 3, 28), date(2020, 7, 1)])
def test_consultation_rules_hold_for_any_start(start, weeks):
    steps = schedule.consultation_schedule(start, weeks, 5)
    for s in steps.values():
        assert is_working_day(s.start) and is_working_day(s.due), s.step.key
        for before in s.step.depends_on:
            assert s.start > steps[before].due
    live = steps["live"]
    assert (live.due - live.start).days + 1 >= weeks * 7
    assert schedule.clear_days_between(steps["forward_plan"].due, steps["decision"].start) >= 28
    assert schedule.working_days_between(steps["decision"].start, steps["decision"].due) == 6  # day + 5
    notice = steps["notice"]
    assert notice.due >= notice.start + relativedelta(months=3)  # Best Value: at least 3 months' notice


def test_working_days_skip_easter_bank_holidays():
    steps = schedule.consultation_schedule(date(2020, 3, 30), 8, 5)
    # 30 Mar to 14 Apr 2020 is 10 working days: Good Friday (10 Apr) and Easter Monday (13 Apr) do not count.
    assert steps["legal"].due == date(2020, 4, 14)
    assert schedule.working_days_between(date(2020, 3, 30), date(2020, 4, 14)) == 10


def test_a_weekend_start_moves_to_the_next_working_day():
    steps = schedule.consultation_schedule(date(2019, 12, 21), 8, 5)  # Saturday before Christmas
    assert steps["legal"].start == date(2019, 12, 23)
    assert steps["legal"].due == date(2020, 1, 8)  # 10 working days: 25, 26 Dec and 1 Jan do not count


def test_the_decision_waits_28_clear_days_after_the_forward_plan_entry():
    # Published Friday 24 Jan 2020; ready on the 27th: the 28 clear days run 25 Jan to 21 Feb, so the decision
    # could be on Saturday 22 Feb, which moves to Monday 24 Feb.
    assert schedule.earliest_key_decision(date(2020, 1, 24), date(2020, 1, 27)) == date(2020, 2, 24)
    assert schedule.clear_days_between(date(2020, 1, 24), date(2020, 2, 22)) == 28
    # Ready later than the notice allows: the readiness date wins.
    assert schedule.earliest_key_decision(date(2020, 1, 24), date(2020, 3, 2)) == date(2020, 3, 2)


def test_school_holidays_crossed_by_a_consultation():
    assert schedule.school_holidays_crossed(date(2019, 12, 31), date(2020, 3, 23)) == ["Christmas"]
    assert schedule.school_holidays_crossed(date(2020, 2, 10), date(2020, 5, 4)) == ["Easter"]  # Easter 12 Apr
    assert schedule.school_holidays_crossed(date(2020, 6, 1), date(2020, 9, 1)) == ["summer"]
    assert schedule.school_holidays_crossed(date(2020, 9, 14), date(2020, 11, 30)) == []


def test_consultation_length_outside_8_to_12_weeks_is_refused():
    with pytest.raises(ValueError):
        schedule.consultation_schedule(date(2020, 1, 6), 6)
    with pytest.raises(ValidationFailed) as info:
        plan.consultation_preview(date(2020, 1, 6), 13)
    assert "consultation_weeks" in info.value.errors


# ------------------------------------------------------------------ the plan in the database


def make(session, actor, org, title, start, due, **extra):
    return tasks.create_task(session, actor, title=title, phase_id=org.phase_id, start_date=start, due_date=due,
                             **extra)


def test_plan_view_marks_the_critical_path_from_stored_tasks(session, editor, org):
    a = make(session, editor, org, "Legal check", date(2020, 1, 6), date(2020, 1, 15), reference="A")
    b = make(session, editor, org, "Long branch", date(2020, 1, 16), date(2020, 2, 14), reference="B")
    c = make(session, editor, org, "Short branch", date(2020, 1, 16), date(2020, 1, 20), reference="C")
    d = make(session, editor, org, "Decision", date(2020, 2, 17), date(2020, 2, 17), reference="D",
             is_milestone=True)
    for pred, succ in ((a, b), (a, c), (b, d), (c, d)):
        tasks.add_dependency(session, editor, pred.id, succ.id)
    session.commit()
    view = plan.plan_view(session)
    assert view.chains == [["A", "B", "D"]]
    critical = dict(zip(view.tasks["Ref"], view.tasks["Critical"], strict=True))
    assert critical == {"A": True, "B": True, "C": False, "D": True}
    assert set(view.links[view.links["Critical"]].itertuples(index=False, name=None)) == {
        (a.id, b.id, True), (b.id, d.id, True)}
    only = plan.plan_view(session, critical_only=True)
    assert list(only.tasks["Ref"]) == ["A", "B", "D"]


def test_plan_view_pages_through_every_matching_task(session, editor, org):
    made = [make(session, editor, org, f"Task {i}", date(2020, 1, 1 + i), date(2020, 1, 2 + i), reference=f"T{i}")
            for i in range(5)]
    make(session, editor, org, "Undated", None, None, reference="U")
    for pred, succ in zip(made, made[1:3], strict=False):
        tasks.add_dependency(session, editor, pred.id, succ.id)
    session.commit()
    pages = [plan.plan_view(session, page=n, limit=2) for n in (1, 2, 3)]
    assert [list(v.tasks["Ref"]) for v in pages] == [["T0", "T1"], ["T2", "T3"], ["T4"]]
    assert {(v.matching, v.pages, v.total_tasks) for v in pages} == {(5, 3, 6)}
    assert [v.first for v in pages] == [0, 2, 4] and [v.page for v in pages] == [1, 2, 3]
    assert plan.plan_view(session, page=9, limit=2).first == 4  # past the end: the last page
    # Links are those among the shown tasks; the critical filter pages the critical tasks only.
    assert len(pages[0].links) == 1 and len(pages[1].links) == 0
    critical = plan.plan_view(session, critical_only=True, page=2, limit=2)
    assert critical.matching == 3 and list(critical.tasks["Ref"]) == ["T2"]


def test_save_baseline_copies_every_task_and_is_audited(session, editor, org):
    a = make(session, editor, org, "A", date(2019, 4, 1), date(2019, 4, 30), reference="A")
    make(session, editor, org, "B", None, None, reference="B")
    baseline = plan.save_baseline(session, editor, "  Original plan ", "agreed 5 April", as_of=date(2019, 4, 5))
    session.commit()
    assert baseline.name == "Original plan" and baseline.as_of == date(2019, 4, 5)
    items = session.scalars(select(BaselineItem).order_by(BaselineItem.reference)).all()
    assert [(i.reference, i.due_date) for i in items] == [("A", date(2019, 4, 30)), ("B", None)]
    assert items[0].task_id == a.id
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.entity == "baseline")).all()
    assert event.changes["tasks"]["after"] == 2 and event.username == "test-editor"
    frame = plan.baselines_frame(session)
    assert frame.loc[0, "Baseline"] == "Original plan" and frame.loc[0, "Tasks"] == 2


def test_baseline_names_are_required_and_unique(session, editor, org):
    plan.save_baseline(session, editor, "Original plan")
    with pytest.raises(ValidationFailed) as info:
        plan.save_baseline(session, editor, "Original plan")
    assert "already exists" in info.value.errors["name"]
    with pytest.raises(ValidationFailed, match="name"):
        plan.save_baseline(session, editor, "   ")


def test_slippage_per_task_workstream_and_phase(session, editor, org):
    a = make(session, editor, org, "A", date(2019, 4, 1), date(2019, 4, 30), reference="A",
             workstream_id=org.workstream_id)
    b = make(session, editor, org, "B", date(2019, 5, 1), date(2019, 5, 31), reference="B")
    c = tasks.create_task(session, editor, title="C", phase_id=org.phase2_id, reference="C",
                          start_date=date(2019, 6, 1), due_date=date(2019, 6, 30))
    session.commit()
    plan.save_baseline(session, editor, "Original", as_of=date(2019, 3, 29))
    session.commit()
    # A finishes 5 days late; B is re-planned 10 days later; C comes in 2 days early.
    tasks.update_task(session, editor, a.id, a.version, status="done", completed_date=date(2019, 5, 5))
    tasks.update_task(session, editor, b.id, b.version, start_date=date(2019, 5, 11), due_date=date(2019, 6, 10))
    tasks.update_task(session, editor, c.id, c.version, due_date=date(2019, 6, 28))
    make(session, editor, org, "New since the baseline", date(2019, 7, 1), date(2019, 7, 5))
    session.commit()
    frame = plan.slippage_frame(session)
    assert dict(zip(frame["Ref"], frame["Slippage (days)"], strict=True)) == {"B": 10, "A": 5, "C": -2}
    assert list(frame["Ref"]) == ["B", "A", "C"]  # worst first
    assert frame.set_index("Ref").loc["B", "Start slip (days)"] == 10
    assert list(plan.slippage_frame(session, only_slipped=True)["Ref"]) == ["B", "A"]
    by_ws = plan.slippage_summary(session, "workstream").set_index("Workstream")
    assert by_ws.loc["SENDIASS", "Worst slippage (days)"] == 5
    assert by_ws.loc[plan.NO_WORKSTREAM, "Tasks late"] == 1
    assert by_ws.loc[plan.NO_WORKSTREAM, "Total days late"] == 10
    by_phase = plan.slippage_summary(session, "phase").set_index("Phase")
    assert by_phase.loc["Exploration and intelligence gathering", "Total days late"] == 15
    assert by_phase.loc["Exploration and intelligence gathering", "Average slippage (days)"] == 7.5
    assert by_phase.loc["Submission to SEND Executive", "Worst slippage (days)"] == -2


def test_slippage_uses_the_latest_baseline_unless_one_is_chosen(session, editor, org):
    a = make(session, editor, org, "A", date(2019, 4, 1), date(2019, 4, 30), reference="A")
    session.commit()
    first = plan.save_baseline(session, editor, "First", as_of=date(2019, 3, 1))
    tasks.update_task(session, editor, a.id, a.version, due_date=date(2019, 5, 10))
    plan.save_baseline(session, editor, "Re-baselined", as_of=date(2019, 5, 1))
    tasks.update_task(session, editor, a.id, a.version, due_date=date(2019, 5, 13))
    session.commit()
    assert plan.slippage_frame(session)["Slippage (days)"].tolist() == [3]
    assert plan.slippage_frame(session, first.id)["Slippage (days)"].tolist() == [13]
    assert plan.baseline_due_dates(session) == {a.id: date(2019, 5, 10)}
    assert plan.baseline_due_dates(session, first.id) == {a.id: date(2019, 4, 30)}


def test_deleting_a_baseline_or_a_task(session, editor, org):
    a = make(session, editor, org, "A", date(2019, 4, 1), date(2019, 4, 30), reference="A")
    baseline = plan.save_baseline(session, editor, "Original")
    session.commit()
    tasks.delete_task(session, editor, a.id, a.version)
    session.commit()
    assert session.scalar(select(BaselineItem.task_id)) is None  # the baseline keeps the task's copy
    assert plan.slippage_frame(session).empty
    plan.delete_baseline(session, editor, baseline.id)
    session.commit()
    assert session.scalar(select(func.count()).select_from(Baseline)) == 0
    assert session.scalar(select(func.count()).select_from(BaselineItem)) == 0
    with pytest.raises(NotFound):
        plan.delete_baseline(session, editor, baseline.id)


def test_insert_consultation_template_creates_linked_tasks_through_the_task_services(session, editor, org):
    before = make(session, editor, org, "SEND Executive decision", date(2019, 12, 2), date(2019, 12, 5),
                  reference="SUB-05")
    session.commit()
    created = plan.insert_consultation_template(session, editor, date(2020, 1, 6), org.phase2_id,
                                                workstream_id=org.workstream_id, owner_id=org.person_id,
                                                consultation_weeks=12, prefix="con", after_task_id=before.id,
                                                call_in_working_days=5)
    session.commit()
    assert [t.reference for t in created] == [f"CON-{n:02d}" for n in range(1, 10)]
    by_ref = {t.reference: t for t in created}
    assert by_ref["CON-05"].title == "Consultation live"
    assert (by_ref["CON-05"].start_date, by_ref["CON-05"].due_date) == (date(2020, 2, 10), date(2020, 5, 4))
    assert by_ref["CON-07"].is_milestone and by_ref["CON-04"].is_milestone
    assert all(t.phase_id == org.phase2_id and t.owner_id == org.person_id for t in created)
    links = set(session.execute(select(TaskDependency.predecessor_id, TaskDependency.successor_id)).all())
    assert (before.id, by_ref["CON-01"].id) in links
    assert (by_ref["CON-06"].id, by_ref["CON-07"].id) in links and (by_ref["CON-04"].id, by_ref["CON-07"].id) in links
    assert len(links) == 11  # 10 within the template + 1 to the task it follows
    creates = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.entity == "task", AuditEvent.action == "create"))
    assert creates == 10
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.entity == "plan")).all()
    assert event.changes["tasks"]["after"][0] == "CON-01"
    # The template's chain is the critical path of this plan.
    view = plan.plan_view(session)
    assert set(view.chains[0]) >= {"SUB-05", "CON-01", "CON-05", "CON-06", "CON-07", "CON-08"}


def test_template_refuses_used_references_and_changes_nothing(session, editor, org):
    make(session, editor, org, "Existing", date(2020, 1, 1), date(2020, 1, 2), reference="CON-03")
    session.commit()
    with pytest.raises(ValidationFailed) as info:
        plan.insert_consultation_template(session, editor, date(2020, 1, 6), org.phase_id)
    assert "CON-03" in info.value.errors["prefix"]
    with pytest.raises(ValidationFailed) as info:
        plan.insert_consultation_template(session, editor, date(2020, 1, 6), org.phase_id, prefix="X Y",
                                          consultation_weeks=20)
    assert set(info.value.errors) == {"prefix", "consultation_weeks"}
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Task)) == 1


def test_viewers_and_commissioners_cannot_change_the_plan(session, viewer, commissioner, editor, org):
    make(session, editor, org, "A", date(2019, 4, 1), date(2019, 4, 30))
    baseline = plan.save_baseline(session, editor, "Original")
    session.commit()
    for actor in (viewer, commissioner):
        with pytest.raises(PermissionDenied, match="change the plan"):
            plan.save_baseline(session, actor, "Mine")
        with pytest.raises(PermissionDenied):
            plan.delete_baseline(session, actor, baseline.id)
        with pytest.raises(PermissionDenied):
            plan.insert_consultation_template(session, actor, date(2020, 1, 6), org.phase_id)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Baseline)) == 1
    assert session.scalar(select(func.count()).select_from(Task)) == 1


def test_reads_issue_a_fixed_number_of_statements(session, editor, org, engine):
    """Plan reads do not issue a statement per task: the count is the same for 3 tasks and for 60."""
    from sqlalchemy import event

    def count_statements() -> int:
        seen: list[str] = []

        def listener(*args):
            seen.append(args[2])

        event.listen(engine, "before_cursor_execute", listener)
        try:
            plan.plan_view(session)
            plan.slippage_frame(session)
            plan.slippage_summary(session, "phase")
            plan.baselines_frame(session)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    def add(n: int, offset: int) -> None:
        previous = None
        for i in range(n):
            t = make(session, editor, org, f"T{offset + i}", date(2020, 1, 1) + timedelta(days=i),
                     date(2020, 1, 3) + timedelta(days=i))
            if previous is not None:
                tasks.add_dependency(session, editor, previous.id, t.id)
            previous = t
        session.commit()

    add(3, 0)
    plan.save_baseline(session, editor, "B1")
    session.commit()
    small = count_statements()
    add(57, 100)
    large = count_statements()
    assert small == large
