"""Task services: create, update, delete, validation, cycles, permissions, audit, stale versions."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from review.models import AuditEvent, Task, TaskComment, TaskDependency
from review.plan import tasks
from review.platform.errors import EditConflict, NotFound, PermissionDenied, ValidationFailed
from review.platform.roles import Actor, Role


def make(session, actor, org, **overrides):
    values = {"title": "Map SENDIASS demand", "phase_id": org.phase_id, "owner_id": org.person_id,
              "start_date": date(2019, 4, 1), "due_date": date(2019, 5, 31)}
    values.update(overrides)
    task = tasks.create_task(session, actor, **values)
    session.commit()
    return task


def audit_rows(session, action=None):
    query = select(AuditEvent).where(AuditEvent.entity == "task")
    if action:
        query = query.where(AuditEvent.action == action)
    return session.scalars(query.order_by(AuditEvent.id)).all()


def test_create_sets_defaults_and_audits(session, editor, org):
    task = make(session, editor, org, reference="EXP-06")
    assert (task.status, task.priority, task.percent_complete, task.version) == ("not_started", "medium", 0, 1)
    [event] = audit_rows(session, "create")
    assert event.username == "test-editor" and event.record_id == str(task.id)
    assert event.changes["title"] == {"before": None, "after": "Map SENDIASS demand"}
    assert event.changes["due_date"]["after"] == "2019-05-31"


def test_update_changes_fields_bumps_version_and_records_before_after(session, editor, org):
    task = make(session, editor, org)
    tasks.update_task(session, editor, task.id, 1, status="in_progress", percent_complete=40)
    session.commit()
    fresh = session.get(Task, task.id)
    assert (fresh.status, fresh.percent_complete, fresh.version) == ("in_progress", 40, 2)
    [event] = audit_rows(session, "update")
    assert event.changes == {"status": {"before": "not_started", "after": "in_progress"},
                             "percent_complete": {"before": 0, "after": 40}}
    assert event.record_version == 2


def test_marking_done_sets_completed_date_and_full_progress(session, editor, org):
    task = make(session, editor, org)
    tasks.update_task(session, editor, task.id, 1, status="done")
    assert task.completed_date == date(2019, 11, 15)  # REVIEW_TODAY in tests
    assert task.percent_complete == 100
    tasks.update_task(session, editor, task.id, 2, status="in_progress", percent_complete=80)
    assert task.completed_date is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"due_date": date(2019, 3, 1)}, "due_date"),
        ({"percent_complete": 101}, "percent_complete"),
        ({"percent_complete": -1}, "percent_complete"),
        ({"percent_complete": 12.5}, "percent_complete"),
        ({"completed_date": date(2019, 5, 1)}, "completed_date"),
        ({"owner_id": 99999}, "owner_id"),
        ({"phase_id": 99999}, "phase_id"),
        ({"status": "finished"}, "status"),
        ({"priority": "urgent"}, "priority"),
        ({"due_date": "31/05/2019"}, "due_date"),
    ],
)
def test_each_validation_error_is_reported_against_its_field_and_changes_nothing(session, editor, org, changes,
                                                                                   field):
    task = make(session, editor, org)
    with pytest.raises(ValidationFailed) as info:
        tasks.update_task(session, editor, task.id, 1, **changes)
    assert field in info.value.errors
    session.rollback()
    fresh = session.get(Task, task.id)
    assert fresh.version == 1 and fresh.title == "Map SENDIASS demand"
    assert len(audit_rows(session, "update")) == 0


def test_create_with_several_problems_reports_them_all(session, editor, org):
    with pytest.raises(ValidationFailed) as info:
        tasks.create_task(session, editor, title="", phase_id=org.phase_id, start_date=date(2019, 5, 1),
                          due_date=date(2019, 4, 1), percent_complete=150)
    assert set(info.value.errors) == {"title", "due_date", "percent_complete"}
    assert "before the start date" in info.value.errors["due_date"]


def test_unknown_field_is_refused(session, editor, org):
    task = make(session, editor, org)
    with pytest.raises(ValidationFailed) as info:
        tasks.update_task(session, editor, task.id, 1, version=7)
    assert "version" in info.value.errors


def test_duplicate_reference_is_refused(session, editor, org):
    make(session, editor, org, reference="EXP-01")
    with pytest.raises(ValidationFailed) as info:
        make(session, editor, org, reference="EXP-01", title="Another")
    assert "already used" in info.value.errors["reference"]


def test_viewer_and_commissioner_cannot_write_and_nothing_changes(session, editor, viewer, commissioner, org):
    task = make(session, editor, org)
    for actor in (viewer, commissioner):
        with pytest.raises(PermissionDenied, match="cannot change tasks"):
            tasks.create_task(session, actor, title="Sneaky", phase_id=org.phase_id)
        with pytest.raises(PermissionDenied):
            tasks.update_task(session, actor, task.id, 1, title="Changed")
        with pytest.raises(PermissionDenied):
            tasks.delete_task(session, actor, task.id, 1)
        with pytest.raises(PermissionDenied):
            tasks.add_comment(session, actor, task.id, "hello")
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Task)) == 1
    assert session.get(Task, task.id).title == "Map SENDIASS demand"
    assert len(audit_rows(session)) == 1  # only the editor's create


def test_stale_version_is_refused_with_the_other_change_and_nothing_is_lost(session, editor, admin, org):
    task = make(session, editor, org)
    # Admin and editor both open version 1; admin saves first.
    tasks.update_task(session, admin, task.id, 1, status="blocked")
    session.commit()
    with pytest.raises(EditConflict) as info:
        tasks.update_task(session, editor, task.id, 1, title="Editor's new title")
    conflict = info.value
    assert (conflict.your_version, conflict.current_version) == (1, 2)
    assert [(c.who, c.field, c.before, c.after) for c in conflict.their_changes] == [
        ("test-admin", "status", "not_started", "blocked")]
    assert "test-admin" in str(conflict)
    # The closing advice is its own paragraph, so Markdown does not run it into the last listed change.
    assert str(conflict).endswith("(test-admin)\n\nReload to see their change, then make yours again.")
    session.rollback()
    fresh = session.get(Task, task.id)
    assert (fresh.status, fresh.title) == ("blocked", "Map SENDIASS demand")


def test_concurrent_flush_is_caught_by_the_version_column(engine, session, editor, org):
    """Two sessions load version 1; the second UPDATE matches no row and fails rather than overwrite."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    task = make(session, editor, org)
    with Session(engine) as a, Session(engine) as b:
        ta, tb = a.get(Task, task.id), b.get(Task, task.id)
        ta.title = "A"
        a.commit()
        tb.title = "B"
        with pytest.raises(StaleDataError):
            b.commit()
    session.expire_all()
    assert session.get(Task, task.id).title == "A"


def test_a_simultaneous_save_is_a_domain_error_and_keeps_the_first(engine, session, editor, admin, org):
    """The second save loaded version 1 before the first committed; its commit is refused by the version column
    and reported as SimultaneousSave (a message for the user), not a database error; the first save stands."""
    from review.platform import db
    from review.platform.errors import SimultaneousSave

    task = make(session, editor, org)
    session.commit()
    with pytest.raises(SimultaneousSave, match="at the same moment"):
        with db.unit_of_work(engine) as second:
            second.get(Task, task.id).title = "Editor's title"  # loaded at version 1, not yet flushed
            with db.unit_of_work(engine) as first:
                tasks.update_task(first, admin, task.id, 1, status="blocked")
            # leaving the block commits: UPDATE ... WHERE version = 1 now matches no row
    session.expire_all()
    fresh = session.get(Task, task.id)
    assert (fresh.status, fresh.title, fresh.version) == ("blocked", "Map SENDIASS demand", 2)


def test_delete_removes_links_and_comments_and_keeps_an_audit_copy(session, editor, org):
    a, b = make(session, editor, org, title="A"), make(session, editor, org, title="B")
    tasks.add_dependency(session, editor, a.id, b.id)
    tasks.add_comment(session, editor, a.id, "Note")
    session.commit()
    tasks.delete_task(session, editor, a.id, a.version)
    session.commit()
    assert session.get(Task, a.id) is None
    assert session.scalar(select(func.count()).select_from(TaskDependency)) == 0
    assert session.scalar(select(func.count()).select_from(TaskComment)) == 0
    [event] = audit_rows(session, "delete")
    assert event.changes["title"] == {"before": "A", "after": None}
    assert event.changes["dependencies"]["before"] == [f"{a.id}->{b.id}"]


def test_delete_of_missing_or_stale_task(session, editor, org):
    task = make(session, editor, org)
    tasks.update_task(session, editor, task.id, 1, title="New")
    session.commit()
    with pytest.raises(EditConflict):
        tasks.delete_task(session, editor, task.id, 1)
    with pytest.raises(NotFound):
        tasks.delete_task(session, editor, 424242, 1)


def test_dependency_cycle_is_refused_naming_the_loop(session, editor, org):
    a = make(session, editor, org, title="Alpha", reference="A1")
    b = make(session, editor, org, title="Beta", reference="B1")
    c = make(session, editor, org, title="Gamma", reference="C1")
    tasks.add_dependency(session, editor, a.id, b.id)
    tasks.add_dependency(session, editor, b.id, c.id)
    with pytest.raises(ValidationFailed) as info:
        tasks.add_dependency(session, editor, c.id, a.id)
    message = info.value.errors["predecessor_id"]
    assert "loop" in message
    assert "A1 Alpha -> B1 Beta -> C1 Gamma -> A1 Alpha" in message
    with pytest.raises(ValidationFailed, match="itself"):
        tasks.add_dependency(session, editor, a.id, a.id)
    with pytest.raises(ValidationFailed, match="already exists"):
        tasks.add_dependency(session, editor, a.id, b.id)
    assert session.scalar(select(func.count()).select_from(TaskDependency)) == 2


def test_set_predecessors_adds_and_removes(session, editor, org):
    a, b, c = (make(session, editor, org, title=t) for t in "ABC")
    tasks.set_predecessors(session, editor, c.id, [a.id, b.id])
    assert sorted(tasks.predecessors_of(session, c.id)) == sorted([a.id, b.id])
    tasks.set_predecessors(session, editor, c.id, [b.id])
    assert tasks.predecessors_of(session, c.id) == [b.id]
    assert tasks.successors_of(session, b.id) == [c.id]


def test_table_edits_apply_all_or_nothing(session, editor, org):
    a, b = make(session, editor, org, title="A", reference="A"), make(session, editor, org, title="B", reference="B")
    with pytest.raises(ValidationFailed) as info:
        tasks.apply_task_edits(session, editor, {a.id: (1, {"status": "in_progress"}),
                                                 b.id: (1, {"percent_complete": 300})})
    assert "B: percent_complete" in info.value.errors
    session.rollback()
    assert session.get(Task, a.id).status == "not_started"
    changed = tasks.apply_task_edits(session, editor, {a.id: (1, {"status": "in_progress"}),
                                                       b.id: (1, {"percent_complete": 30})})
    session.commit()
    assert changed == 2
    assert session.get(Task, b.id).percent_complete == 30


def test_comments(session, editor, org):
    task = make(session, editor, org)
    with pytest.raises(ValidationFailed):
        tasks.add_comment(session, editor, task.id, "   ")
    tasks.add_comment(session, editor, task.id, "Spoke to the forum")
    [comment] = tasks.comments_of(session, task.id)
    assert (comment.author, comment.body) == ("Test Editor", "Spoke to the forum")


def test_task_pages_count_the_matches_and_read_one_page(session, editor, org):
    for i in range(5):
        make(session, editor, org, title=f"Step {i}", due_date=date(2019, 6, 1 + i))
    make(session, editor, org, title="100% sure_thing", due_date=date(2019, 7, 1))
    pages = [tasks.task_page(session, tasks.TaskFilter(text="step"), page=n, page_size=2) for n in (1, 2, 3)]
    assert [list(p.tasks["Task"]) for p in pages] == [["Step 0", "Step 1"], ["Step 2", "Step 3"], ["Step 4"]]
    assert {(p.matching, p.pages) for p in pages} == {(5, 3)} and [p.page for p in pages] == [1, 2, 3]
    assert tasks.task_page(session, tasks.TaskFilter(text="step"), page=7, page_size=2).first == 4  # the last
    # A typed % or _ is looked for as itself, in SQL as in filter_tasks.
    assert list(tasks.task_page(session, tasks.TaskFilter(text="0% s")).tasks["Task"]) == ["100% sure_thing"]
    assert tasks.task_page(session, tasks.TaskFilter(text="step_")).matching == 0
    empty = tasks.task_page(session, tasks.TaskFilter(text="nothing like it"))
    assert (empty.matching, empty.pages, len(empty.tasks)) == (0, 1, 0)


def test_search_ignores_the_case_of_letters_beyond_ascii_on_both_engines(session, editor, org):
    """SQLite's own lower() folds only A-Z; PostgreSQL's folds every letter. The embedded engine registers a
    Unicode lower() so a search (and every case-insensitive name check) answers the same on both."""
    make(session, editor, org, title="ÉVALUATION des besoins ÖFFENTLICH", due_date=date(2019, 6, 1))
    found = tasks.task_page(session, tasks.TaskFilter(text="évaluation"))
    assert list(found.tasks["Task"]) == ["ÉVALUATION des besoins ÖFFENTLICH"]
    assert tasks.task_page(session, tasks.TaskFilter(text="öffentlich")).matching == 1
    assert session.scalar(select(func.lower("ÉMILIE ÖZ"))) == "émilie öz"


def test_reads_filters_overdue_and_progress(session, editor, org):
    make(session, editor, org, title="Late", due_date=date(2019, 11, 1))
    make(session, editor, org, title="Done", status="done", completed_date=date(2019, 5, 1),
         due_date=date(2019, 5, 1))
    make(session, editor, org, title="Next", phase_id=org.phase2_id, is_milestone=True,
         start_date=date(2019, 12, 1), due_date=date(2019, 12, 5), owner_id=org.person2_id)
    today = date(2019, 11, 15)
    frame = tasks.tasks_frame(session, today=today)
    assert list(frame["Task"]) == ["Done", "Late", "Next"]
    assert dict(zip(frame["Task"], frame["Overdue"], strict=True)) == {"Late": True, "Done": False, "Next": False}
    assert list(tasks.tasks_frame(session, tasks.TaskFilter(overdue_only=True), today)["Task"]) == ["Late"]
    assert list(tasks.tasks_frame(session, tasks.TaskFilter(owner_ids=[org.person2_id]), today)["Task"]) == ["Next"]
    assert list(tasks.tasks_frame(session, tasks.TaskFilter(statuses=["done"]), today)["Task"]) == ["Done"]
    assert list(tasks.tasks_frame(session, tasks.TaskFilter(text="lat"), today)["Task"]) == ["Late"]
    for f in (tasks.TaskFilter(overdue_only=True), tasks.TaskFilter(owner_ids=[org.person2_id]),
              tasks.TaskFilter(statuses=["done"]), tasks.TaskFilter(text="lat"), tasks.TaskFilter(open_only=True),
              tasks.TaskFilter(phase_ids=[org.phase2_id], milestones_only=True),
              tasks.TaskFilter(due_from=date(2019, 11, 1))):
        in_sql = tasks.tasks_frame(session, f, today)
        in_pandas = tasks.filter_tasks(frame, f)
        assert list(in_pandas["id"]) == list(in_sql["id"]), f
    mine = tasks.my_tasks(frame, Actor(1, "pm", "PM", Role.EDITOR, person_id=org.person2_id))
    assert list(mine["Task"]) == ["Next"]
    assert tasks.my_tasks(frame, Actor(1, "x", "X", Role.EDITOR)).empty
    progress = tasks.progress_by_phase(session).set_index("Phase")
    assert progress.loc["Exploration and intelligence gathering", "Share done"] == pytest.approx(1 / 2)
    assert progress.loc["Submission to SEND Executive", "Share done"] == 0
    counts = tasks.status_counts(session, today)
    assert (counts["Done"], counts["Not started"], counts["Overdue"]) == (1, 2, 1)
    milestones = tasks.next_milestones(session, today=today)
    assert list(milestones["Task"]) == ["Next"] and list(milestones["Days to go"]) == [20]
    assert b"Ref,Task,Phase" in tasks.tasks_csv(session)


def test_task_labels_name_each_task_by_reference_and_title(session, editor, org):
    a = tasks.create_task(session, editor, title="Map current IAG services", phase_id=org.phase_id, reference="EXP-01")
    b = tasks.create_task(session, editor, title="Untitled reference", phase_id=org.phase_id)
    tasks.update_task(session, editor, b.id, b.version, reference="")  # new tasks get one; an editor may clear it
    session.commit()
    frame = tasks.tasks_frame(session)
    assert tasks.task_labels(frame) == {a.id: "EXP-01 Map current IAG services", b.id: f"#{b.id} Untitled reference"}
    assert tasks.task_labels(frame, exclude=a.id) == {b.id: f"#{b.id} Untitled reference"}
    assert tasks.task_labels(frame.iloc[0:0]) == {}


def test_predecessors_saved_from_a_stale_list_are_refused_and_a_change_moves_the_task_on(session, editor, org):
    a, b, c = (make(session, editor, org, title=t) for t in "ABC")
    loaded = c.version
    tasks.set_predecessors(session, editor, c.id, [a.id], loaded)  # someone else saves first
    session.commit()
    assert c.version == loaded + 1
    with pytest.raises(EditConflict) as info:
        tasks.set_predecessors(session, editor, c.id, [b.id], loaded)
    session.rollback()
    assert [ch.field for ch in info.value.their_changes] == ["predecessors"]
    assert tasks.predecessors_of(session, c.id) == [a.id]
    tasks.set_predecessors(session, editor, c.id, [a.id], c.version)  # no change: no new version
    assert c.version == loaded + 1
    with pytest.raises(ValidationFailed):
        tasks.set_predecessors(session, editor, c.id, ["abc"], c.version)


def test_the_report_frame_lists_what_the_task_frame_does_for_its_columns(session):
    """The submission pack's lean read gives the same tasks, in the same order, with the same cells."""
    from review import demo

    demo.load_demo(session, with_accounts=False)
    session.commit()
    full = tasks.tasks_frame(session)
    read = tasks.report_frame(session)
    lean = read.frame
    assert len(lean) == len(full) == read.total > 20
    for column in tasks.REPORT_COLUMNS:
        assert lean[column].tolist() == full[column].tolist(), column


def test_a_limited_report_gives_the_first_rows_and_how_many_match(session):
    """The preview's read: the first rows in the report's order, the count of every matching task, extra columns."""
    from review import demo

    demo.load_demo(session, with_accounts=False)
    session.commit()
    full = tasks.tasks_frame(session)
    first = tasks.report_frame(session, 7)
    assert first.total == len(full) and first.frame["id"].tolist() == full["id"].head(7).tolist()
    done = tasks.report_frame(session, 3, where=tasks.Task.status == "done",
                              extra={"title again": tasks.Task.title})
    wanted = full[full["status"] == "done"]
    assert done.total == len(wanted) > 3
    assert done.frame["id"].tolist() == wanted["id"].head(3).tolist()
    assert done.frame["title again"].tolist() == done.frame["Task"].tolist()
    nothing = tasks.report_frame(session, 5, where=tasks.Task.id < 0)
    assert nothing.total == 0 and nothing.frame.empty and list(nothing.frame.columns) == tasks.REPORT_COLUMNS


def test_owner_counts_give_each_owners_tasks_and_open_tasks_by_workstream(session):
    """The pack's project team: counted from the task list, tasks without an owner left out, sorted as they read."""
    from review import demo

    demo.load_demo(session, with_accounts=False)
    session.commit()
    every = tasks.tasks_frame(session)
    owned = every[every["Owner"] != ""]
    assert len(owned) < len(every) or owned["Owner"].nunique() > 3  # the demo has owners in several workstreams
    expected = sorted(
        (stream, owner, len(rows), int((~rows["status"].isin(tasks.CLOSED_STATUSES)).sum()))
        for (stream, owner), rows in owned.groupby(["Workstream", "Owner"]))
    counted = tasks.owner_counts(session)
    assert list(counted.itertuples(index=False, name=None)) == expected
    assert counted["Tasks"].sum() == len(owned) and counted["Open tasks"].sum() < len(owned)
