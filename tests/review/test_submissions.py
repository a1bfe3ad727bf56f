"""Submission records: the paper, options linked to cost scenarios, strategic alignment, decision and actions.

Every write is role-checked, validated, audited and version-checked.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from review.costing import scenarios
from review.decisions import log as decisions
from review.models import AuditEvent, Task
from review.models.decisions import Decision
from review.models.submissions import Submission, SubmissionOption, SubmissionPack
from review.platform.errors import EditConflict, NotFound, PermissionDenied, ValidationFailed
from review.submission import papers as submissions

PAPER = {"title": "SEND IAG proposals", "meeting": "SEND Executive Group", "meeting_date": date(2019, 12, 5),
         "author": "SEND IAG Review Project Manager", "report_of": "Operations Director Specialist Services",
         "purpose": "To agree a preferred option.", "key_decision": True}


def make_paper(session, actor, **overrides):
    paper = submissions.create_submission(session, actor, **{**PAPER, **overrides})
    session.commit()
    return paper


def events(session, entity="submission"):
    return list(session.scalars(select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id)))


@pytest.fixture
def scenario(session, commissioner):
    s = scenarios.create_scenario(session, commissioner, "Office hours line", {"annual_calls": 12000})
    session.commit()
    return s


# ------------------------------------------------------------------ the paper

def test_create_sets_drafting_and_audits(session, editor):
    paper = make_paper(session, editor)
    assert (paper.status, paper.version, paper.key_decision) == ("drafting", 1, True)
    [event] = events(session)
    assert event.action == "create" and event.username == "test-editor" and event.record_id == str(paper.id)
    assert event.changes["meeting_date"] == {"before": None, "after": "2019-12-05"}
    assert event.changes["title"]["after"] == "SEND IAG proposals"


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": "  "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"meeting": ""}, "meeting"),
    ({"meeting_date": None}, "meeting_date"),
    ({"meeting_date": "5/12/2019"}, "meeting_date"),
    ({"author": None}, "author"),
    ({"status": "approved"}, "status"),
    ({"status": "decided"}, "status"),
    ({"task_id": 99999}, "task_id"),
    ({"report_of": "x" * 161}, "report_of"),
])
def test_each_validation_error_is_reported_against_its_field(session, editor, changes, field):
    paper = make_paper(session, editor)
    with pytest.raises(ValidationFailed) as info:
        submissions.update_submission(session, editor, paper.id, paper.version, **changes)
    assert field in info.value.errors
    session.rollback()
    assert session.get(Submission, paper.id).version == 1
    assert len(events(session)) == 1


def test_unknown_fields_are_refused(session, editor):
    paper = make_paper(session, editor)
    with pytest.raises(ValidationFailed) as info:
        submissions.update_submission(session, editor, paper.id, 1, decision="Sneaked in")
    assert "decision" in info.value.errors


def test_update_records_before_and_after_and_refuses_a_stale_version(session, editor, admin):
    paper = make_paper(session, editor)
    submissions.update_submission(session, admin, paper.id, 1, status="in_review", background="Since 2019...")
    session.commit()
    [_, event] = events(session)
    assert event.changes["status"] == {"before": "drafting", "after": "in_review"}
    assert event.record_version == 2
    with pytest.raises(EditConflict) as info:
        submissions.update_submission(session, editor, paper.id, 1, title="My stale title")
    assert "test-admin" in str(info.value) and "status" in str(info.value)
    session.rollback()
    assert session.get(Submission, paper.id).title == "SEND IAG proposals"


def test_saving_unchanged_values_writes_nothing(session, editor):
    paper = make_paper(session, editor)
    submissions.update_submission(session, editor, paper.id, 1, title="SEND IAG proposals")
    session.commit()
    assert paper.version == 1 and len(events(session)) == 1


def test_viewers_and_commissioners_change_nothing(session, editor, viewer, commissioner, scenario, org):
    paper = make_paper(session, editor)
    option = submissions.add_option(session, editor, paper.id, title="Do nothing")
    session.commit()
    before = len(list(session.scalars(select(AuditEvent))))
    for actor in (viewer, commissioner, None):
        attempts = [
            lambda a=actor: submissions.create_submission(session, a, **PAPER),
            lambda a=actor: submissions.update_submission(session, a, paper.id, paper.version, title="x"),
            lambda a=actor: submissions.delete_submission(session, a, paper.id, paper.version),
            lambda a=actor: submissions.add_option(session, a, paper.id, title="x"),
            lambda a=actor: submissions.update_option(session, a, option.id, option.version, title="x"),
            lambda a=actor: submissions.delete_option(session, a, option.id, option.version),
            lambda a=actor: submissions.add_standard_options(session, a, paper.id),
            lambda a=actor: submissions.set_alignment(session, a, paper.id, paper.version, {}),
            lambda a=actor: submissions.add_standard_priorities(session, a),
            lambda a=actor: submissions.create_priority(session, a, "New duty"),
            lambda a=actor: submissions.record_decision(session, a, paper.id, paper.version, "Agreed",
                                                        date(2019, 12, 5)),
            lambda a=actor: submissions.add_action(session, a, paper.id, paper.version, "Do it", org.person_id),
            lambda a=actor: submissions.generate_pack(session, a, paper.id),
        ]
        for attempt in attempts:
            with pytest.raises(PermissionDenied):
                attempt()
        session.rollback()
    assert len(list(session.scalars(select(AuditEvent)))) == before
    assert session.scalar(select(func.count()).select_from(SubmissionPack)) == 0
    # everyone reads
    assert list(submissions.submissions_frame(session)["Title"]) == ["SEND IAG proposals"]


def test_latest_submission_is_the_one_for_the_latest_meeting(session, editor):
    assert submissions.latest_submission_id(session) is None
    later = make_paper(session, editor, meeting_date=date(2020, 3, 5), title="Later")
    make_paper(session, editor, title="Earlier")
    assert submissions.latest_submission_id(session) == later.id
    assert list(submissions.submissions_frame(session)["Title"]) == ["Later", "Earlier"]


def test_delete_removes_the_paper_with_its_options_and_keeps_an_audit_copy(session, editor):
    paper = make_paper(session, editor)
    submissions.add_option(session, editor, paper.id, title="Do nothing")
    session.commit()
    with pytest.raises(EditConflict):
        submissions.delete_submission(session, editor, paper.id, 0)
    submissions.delete_submission(session, editor, paper.id, paper.version)
    session.commit()
    assert session.scalar(select(func.count()).select_from(SubmissionOption)) == 0
    assert events(session)[-1].action == "delete"
    with pytest.raises(NotFound):
        submissions.get_submission(session, paper.id)


# ------------------------------------------------------------------ options

def test_options_link_to_existing_cost_scenarios_only(session, editor, scenario):
    paper = make_paper(session, editor)
    option = submissions.add_option(session, editor, paper.id, title="Phone line", scenario_id=scenario.id)
    session.commit()
    assert option.scenario_id == scenario.id and option.sequence == 1
    with pytest.raises(ValidationFailed) as info:
        submissions.add_option(session, editor, paper.id, title="Ghost line", scenario_id=scenario.id + 999)
    assert "does not exist" in info.value.errors["scenario_id"]
    with pytest.raises(ValidationFailed) as info:
        submissions.add_option(session, editor, paper.id, title=" ")
    assert "title" in info.value.errors
    with pytest.raises(ValidationFailed) as info:
        submissions.add_option(session, editor, paper.id, title="PHONE LINE")
    assert "already has an option" in info.value.errors["title"]


def test_only_one_option_is_preferred(session, editor):
    paper = make_paper(session, editor)
    first = submissions.add_option(session, editor, paper.id, title="Extend and complete", is_preferred=True)
    second = submissions.add_option(session, editor, paper.id, title="Phone line")
    session.commit()
    submissions.update_option(session, editor, second.id, second.version, is_preferred=True)
    session.commit()
    assert (first.is_preferred, second.is_preferred) == (False, True)
    updates = [e for e in events(session, "submission_option") if e.action == "update"]
    assert {e.record_id for e in updates} == {str(first.id), str(second.id)}
    with pytest.raises(EditConflict):
        submissions.update_option(session, editor, first.id, 1, title="Stale")


def test_standard_options_cover_the_decision_record_and_each_scenario_once(session, editor, scenario):
    paper = make_paper(session, editor)
    assert submissions.add_standard_options(session, editor, paper.id) == 4
    assert submissions.add_standard_options(session, editor, paper.id) == 0
    session.commit()
    titles = [o.title for o in submissions.options_of(session, paper.id)]
    assert titles == ["Do nothing", "Retender the KIDS hubs service now", "Extend and complete the review",
                      "Phone line: Office hours line"]
    assert submissions.options_of(session, paper.id)[3].scenario_id == scenario.id


def test_delete_option_is_version_checked_and_audited(session, editor):
    paper = make_paper(session, editor)
    option = submissions.add_option(session, editor, paper.id, title="Do nothing")
    session.commit()
    with pytest.raises(EditConflict):
        submissions.delete_option(session, editor, option.id, option.version + 1)
    submissions.delete_option(session, editor, option.id, option.version)
    session.commit()
    assert events(session, "submission_option")[-1].changes["title"] == {"before": "Do nothing", "after": None}


# ------------------------------------------------------------------ strategic alignment

def test_standard_priorities_are_added_once_and_names_are_unique(session, editor):
    assert submissions.add_standard_priorities(session, editor) == len(submissions.STANDARD_PRIORITIES)
    assert submissions.add_standard_priorities(session, editor) == 0
    frame = submissions.priorities_frame(session)
    assert {"Local Offer duty", "SENDIASS statutory duty"} <= set(frame["Priority or duty"])
    assert "Children and Families Act 2014 s.32" in set(frame["Source"])
    with pytest.raises(ValidationFailed) as info:
        submissions.create_priority(session, editor, "local offer DUTY")
    assert "already in the list" in info.value.errors["name"]


def test_retired_priorities_leave_the_active_list(session, editor):
    duty = submissions.create_priority(session, editor, "Best Value duty", "Local Government Act 1999 s.3")
    session.commit()
    submissions.update_priority(session, editor, duty.id, duty.version, active=False)
    session.commit()
    assert submissions.priorities_frame(session, active_only=True).empty
    with pytest.raises(EditConflict):
        submissions.update_priority(session, editor, duty.id, 1, name="Renamed")


def test_alignment_is_replaced_audited_and_bumps_the_paper_version(session, editor):
    paper = make_paper(session, editor)
    submissions.add_standard_priorities(session, editor)
    ids = dict(zip(submissions.priorities_frame(session)["Priority or duty"],
                   submissions.priorities_frame(session)["id"], strict=True))
    submissions.set_alignment(session, editor, paper.id, 1, {ids["Local Offer duty"]: "Signposts the Local Offer",
                                                             ids["SENDIASS statutory duty"]: "Refers to SENDIASS"})
    session.commit()
    assert paper.version == 2
    submissions.set_alignment(session, editor, paper.id, 2, {ids["Local Offer duty"]: "Improves the Local Offer"})
    session.commit()
    frame = submissions.alignment_frame(session, paper.id)
    assert frame[["Priority or duty", "How the proposals support it"]].values.tolist() == [
        ["Local Offer duty", "Improves the Local Offer"]]
    assert events(session)[-1].changes["strategic_alignment"]["after"] == {
        str(ids["Local Offer duty"]): "Improves the Local Offer"}
    with pytest.raises(EditConflict):
        submissions.set_alignment(session, editor, paper.id, 2, {})
    with pytest.raises(ValidationFailed):
        submissions.set_alignment(session, editor, paper.id, paper.version, {99999: "Not a priority"})


# ------------------------------------------------------------------ decision and actions

def test_decision_marks_the_paper_decided_and_actions_become_tasks_with_owners(session, editor, org):
    paper = make_paper(session, editor)
    with pytest.raises(ValidationFailed) as info:
        submissions.add_action(session, editor, paper.id, paper.version, "Build the plan", org.person_id)
    assert "Record the decision" in info.value.errors["title"]
    with pytest.raises(ValidationFailed) as info:
        submissions.record_decision(session, editor, paper.id, paper.version, " ", date(2019, 12, 4))
    assert set(info.value.errors) == {"decision", "decision_date"}
    submissions.record_decision(session, editor, paper.id, paper.version, "Option 4 agreed.", date(2019, 12, 5),
                                "SEND Executive Group")
    session.commit()
    assert (paper.status, paper.decision) == ("decided", "Option 4 agreed.")
    task = submissions.add_action(session, editor, paper.id, paper.version, "Build the detailed plan",
                                  org.person2_id, date(2020, 1, 24))
    second = submissions.add_action(session, editor, paper.id, paper.version, "Brief the forum", org.person_id)
    session.commit()
    assert (task.reference, second.reference) == ("ACT-01", "ACT-02")
    assert (task.owner_id, task.phase_id, task.due_date) == (org.person2_id, org.phase2_id, date(2020, 1, 24))
    assert task.start_date == date(2019, 12, 5)
    frame = submissions.actions_frame(session, paper.id)
    assert frame[["Ref", "Action", "Owner"]].values.tolist() == [
        ["ACT-01", "Build the detailed plan", "Project Manager"], ["ACT-02", "Brief the forum", "SENDIASS Manager"]]
    assert any(e.entity == "task" and e.action == "create" for e in session.scalars(select(AuditEvent)))
    with pytest.raises(ValidationFailed) as info:
        submissions.add_action(session, editor, paper.id, paper.version, "No owner", None)
    assert "owner_id" in info.value.errors
    with pytest.raises(EditConflict):
        submissions.add_action(session, editor, paper.id, 1, "Stale", org.person_id)


def test_a_deleted_action_task_is_shown_as_deleted(session, editor, org):
    paper = make_paper(session, editor)
    submissions.record_decision(session, editor, paper.id, 1, "Agreed.", date(2019, 12, 5))
    task = submissions.add_action(session, editor, paper.id, paper.version, "Build the plan", org.person_id)
    session.commit()
    from review.plan import tasks
    tasks.delete_task(session, editor, task.id, task.version)
    session.commit()
    [row] = submissions.actions_frame(session, paper.id).to_dict("records")
    assert (row["Action"], row["Status"]) == ("Build the plan", "Task deleted")
    assert session.get(Task, task.id) is None


# ------------------------------------------------------------------ the decision in the decision log

def paper_with_options(session, editor, **overrides):
    paper = make_paper(session, editor, preferred_reasons="Parents asked for one place to call.", **overrides)
    submissions.add_option(session, editor, paper.id, title="Do nothing", description="Let the contract end.",
                           disadvantages="Leaves the gap parents described.")
    submissions.add_option(session, editor, paper.id, title="Retender the KIDS hubs service now")
    submissions.add_option(session, editor, paper.id, title="Phone line in house", is_preferred=True)
    session.commit()
    return paper


def log_entries(session):
    return list(session.scalars(select(Decision).order_by(Decision.id)))


def test_recording_the_decision_creates_one_linked_log_entry_prefilled_from_the_paper(session, editor):
    paper = paper_with_options(session, editor)
    submissions.record_decision(session, editor, paper.id, paper.version, "The in-house phone line is agreed.",
                                date(2019, 12, 5), "SEND Executive Group")
    session.commit()
    [entry] = log_entries(session)
    assert entry.submission_id == paper.id
    assert (entry.reference, entry.title, entry.decision_type, entry.call_in_status) == (
        "OKD-2019-SEND-IAG-PROPOSALS", "SEND IAG proposals", "officer_key", "draft")
    assert (entry.decision, entry.decision_date, entry.key_decision) == (
        "The in-house phone line is agreed.", date(2019, 12, 5), True)
    assert entry.reasons == "Parents asked for one place to call."
    assert entry.decision_maker_post == "SEND Executive Group"
    record = decisions.decision_record(session, entry.id)
    assert record.alternatives == [
        {"option": "Do nothing: Let the contract end.",
         "reason_rejected": "Not the preferred option. The paper's disadvantages: Leaves the gap parents described."},
        {"option": "Retender the KIDS hubs service now", "reason_rejected": "Not the preferred option."}]
    assert record.paper == {"id": paper.id, "title": "SEND IAG proposals", "meeting": "SEND Executive Group",
                            "meeting_date": date(2019, 12, 5)}
    assert decisions.decision_for_submission(session, paper.id).id == entry.id
    [created] = [e for e in events(session, "decision")]
    assert (created.action, created.username, created.record_id) == ("create", "test-editor", str(entry.id))
    assert created.changes["submission_id"] == {"before": None, "after": paper.id}
    assert events(session)[-1].summary == "Decision recorded: SEND IAG proposals"


def test_recording_again_updates_the_same_entry_and_keeps_what_the_log_added(session, editor, admin):
    paper = paper_with_options(session, editor)
    submissions.record_decision(session, editor, paper.id, paper.version, "Agreed.", date(2019, 12, 5))
    session.commit()
    [entry] = log_entries(session)
    record = decisions.decision_record(session, entry.id)
    better = [{**record.alternatives[0], "reason_rejected": "Needs would not be met."}, record.alternatives[1]]
    decisions.update_decision(session, admin, entry.id, entry.version, alternatives=better,
                              consultees=[{"consultee": "Parent carer forum", "comments": "Supports it."}])
    submissions.update_submission(session, editor, paper.id, paper.version, key_decision=False)
    session.commit()
    version = entry.version
    submissions.record_decision(session, editor, paper.id, paper.version, "Agreed, with a pilot year.",
                                date(2019, 12, 6))
    session.commit()
    assert [e.id for e in log_entries(session)] == [entry.id]  # no second entry
    assert (entry.reference, entry.decision, entry.decision_date) == (
        "OKD-2019-SEND-IAG-PROPOSALS", "Agreed, with a pilot year.", date(2019, 12, 6))
    assert (entry.key_decision, entry.decision_type, entry.version) == (False, "officer", version + 1)
    record = decisions.decision_record(session, entry.id)
    assert record.alternatives == better  # the reason written in the log is kept
    assert record.consultees == [{"consultee": "Parent carer forum", "comments": "Supports it."}]
    update = events(session, "decision")[-1]
    assert (update.action, update.username) == ("update", "test-editor")
    assert set(update.changes) == {"decision", "decision_date", "decision_type", "key_decision"}


def test_a_viewer_cannot_record_a_decision_and_nothing_changes(session, editor, viewer):
    paper = paper_with_options(session, editor)
    before = len(list(session.scalars(select(AuditEvent))))
    with pytest.raises(PermissionDenied):
        submissions.record_decision(session, viewer, paper.id, paper.version, "Agreed.", date(2019, 12, 5))
    session.rollback()
    assert log_entries(session) == []
    assert (session.get(Submission, paper.id).status, paper.decision) == ("drafting", None)
    assert len(list(session.scalars(select(AuditEvent)))) == before


def test_a_refusal_by_the_decision_log_leaves_neither_record_changed(session, editor):
    paper = paper_with_options(session, editor)
    with pytest.raises(ValidationFailed):  # refused by the paper's own checks: no log entry either
        submissions.record_decision(session, editor, paper.id, paper.version, "", date(2019, 12, 5))
    session.rollback()
    assert log_entries(session) == []
    submissions.record_decision(session, editor, paper.id, paper.version, "Agreed.", date(2019, 12, 5),
                                "SEND Executive Group")
    session.commit()
    [entry] = log_entries(session)
    decisions.update_decision(session, editor, entry.id, entry.version, call_in_status="published",
                              publication_date=date(2019, 12, 6))
    session.commit()
    versions, count = (paper.version, entry.version), len(list(session.scalars(select(AuditEvent))))
    # a decision dated after the entry was published is refused by the log, so the paper keeps its decision too
    with pytest.raises(ValidationFailed) as info:
        submissions.record_decision(session, editor, paper.id, paper.version, "Agreed later.", date(2019, 12, 9))
    assert set(info.value.errors) == {"decision_log"}
    assert "OKD-2019-SEND-IAG-PROPOSALS" in info.value.errors["decision_log"]
    assert "before the decision date" in info.value.errors["decision_log"]
    session.rollback()
    paper, entry = session.get(Submission, paper.id), session.get(Decision, entry.id)
    assert (paper.decision, paper.decision_date, entry.decision, entry.decision_date) == (
        "Agreed.", date(2019, 12, 5), "Agreed.", date(2019, 12, 5))
    assert (paper.version, entry.version) == versions
    assert len(list(session.scalars(select(AuditEvent)))) == count


def test_a_stale_paper_is_refused_before_the_log_is_touched(session, editor, admin):
    paper = paper_with_options(session, editor)
    stale = paper.version
    submissions.update_submission(session, admin, paper.id, stale, background="Since 2019...")
    session.commit()
    with pytest.raises(EditConflict):
        submissions.record_decision(session, editor, paper.id, stale, "Agreed.", date(2019, 12, 5))
    session.rollback()
    assert log_entries(session) == []


def test_deleting_the_paper_keeps_its_log_entry_unlinked(session, editor):
    paper = paper_with_options(session, editor)
    submissions.record_decision(session, editor, paper.id, paper.version, "Agreed.", date(2019, 12, 5))
    session.commit()
    submissions.delete_submission(session, editor, paper.id, paper.version)
    session.commit()
    [entry] = log_entries(session)
    assert entry.submission_id is None and decisions.decision_record(session, entry.id).paper is None
    assert events(session)[-1].changes["decision_log"] == {"before": "OKD-2019-SEND-IAG-PROPOSALS", "after": None}
