"""Decision log: call-in deadlines across weekends and bank holidays, regulation 13 contents, validation,
permissions, audit, stale versions, and the 2019 decision record in the demo data."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from review import demo
from review.contracts import register as contracts
from review.decisions import log as decisions
from review.decisions.log import call_in_deadline
from review.models import AuditEvent, Task
from review.models.decisions import Decision, DecisionAlternative, DecisionConsultee
from review.platform.errors import EditConflict, PermissionDenied, ValidationFailed
from review.platform.working_days import bank_holiday_name, is_working_day

TODAY = date(2019, 11, 15)  # REVIEW_TODAY in tests

PUBLISHED = {
    "decision": "To extend the contract while the review is undertaken.",
    "decision_date": date(2019, 3, 4),
    "reasons": "The original IAG review was some time ago.",
    "decision_maker_post": "Operations Director Specialist Services",
    "publication_date": date(2019, 3, 4),
    "call_in_status": "published",
}


def make(session, actor, **overrides):
    values = {"reference": "OKD-1", "title": "To extend the KIDS hubs contract"}
    values.update(overrides)
    decision = decisions.create_decision(session, actor, **values)
    session.commit()
    return decision


def audit_rows(session, action=None):
    query = select(AuditEvent).where(AuditEvent.entity == "decision")
    if action:
        query = query.where(AuditEvent.action == action)
    return session.scalars(query.order_by(AuditEvent.id)).all()


# ---------------------------------------------------------------- call-in deadlines

@pytest.mark.parametrize(("published", "days", "deadline"), [
    (date(2019, 3, 4), 5, date(2019, 3, 11)),      # Mon -> next Mon (the 2019 KIDS hubs decision)
    (date(2019, 3, 8), 5, date(2019, 3, 15)),      # Fri -> next Fri, over one weekend
    (date(2019, 3, 9), 5, date(2019, 3, 15)),      # published on a Saturday: counting starts Monday
    (date(2019, 3, 10), 1, date(2019, 3, 11)),     # Sunday + 1 working day
    (date(2019, 3, 4), 10, date(2019, 3, 18)),     # two weekends
    (date(2019, 3, 4), 0, date(2019, 3, 4)),       # no call-in period
    # Easter 2019: Good Friday 19 Apr, Easter Monday 22 Apr
    (date(2019, 4, 16), 5, date(2019, 4, 25)),
    (date(2019, 4, 18), 5, date(2019, 4, 29)),
    (date(2019, 4, 18), 1, date(2019, 4, 23)),
    (date(2019, 4, 19), 1, date(2019, 4, 23)),     # published on Good Friday itself
    # Christmas 2019: Wed 25 and Thu 26 Dec, then New Year's Day Wed 1 Jan 2020
    (date(2019, 12, 23), 5, date(2020, 1, 2)),
    (date(2019, 12, 24), 1, date(2019, 12, 27)),
    # Substitute days: Boxing Day 2020 on a Saturday -> Mon 28 Dec; Christmas 2021 at a weekend -> 27 and 28 Dec;
    # New Year's Day 2022 on a Saturday -> Mon 3 Jan
    (date(2020, 12, 24), 5, date(2021, 1, 5)),
    (date(2020, 12, 24), 1, date(2020, 12, 29)),
    (date(2021, 12, 24), 5, date(2022, 1, 5)),
    (date(2021, 12, 24), 1, date(2021, 12, 29)),
    # Early May bank holiday 2020 moved to Friday 8 May (VE Day)
    (date(2020, 5, 7), 5, date(2020, 5, 15)),
    # Spring and late summer bank holidays 2019
    (date(2019, 5, 24), 1, date(2019, 5, 28)),
    (date(2019, 8, 23), 1, date(2019, 8, 27)),
])
def test_call_in_deadline_skips_weekends_and_bank_holidays_in_england_and_wales(published, days, deadline):
    assert call_in_deadline(published, days) == deadline


def test_call_in_deadline_defaults_to_five_working_days_and_accepts_a_datetime():
    assert call_in_deadline(date(2019, 3, 4)) == date(2019, 3, 11)
    assert call_in_deadline(datetime(2019, 4, 16, 17, 30)) == date(2019, 4, 25)
    with pytest.raises(ValueError, match="cannot be negative"):
        call_in_deadline(date(2019, 3, 4), -1)


def test_bank_holidays_are_named():
    assert bank_holiday_name(date(2019, 4, 19)) == "Good Friday"
    assert bank_holiday_name(date(2019, 4, 22)) == "Easter Monday"
    assert bank_holiday_name(date(2019, 12, 26)) == "Boxing Day"
    assert "observed" in bank_holiday_name(date(2020, 12, 28)).lower()
    assert bank_holiday_name(date(2019, 4, 23)) is None
    assert not is_working_day(date(2019, 12, 25)) and is_working_day(date(2019, 12, 27))


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)), st.integers(min_value=0, max_value=20))
def test_call_in_deadline_is_the_nth_working_day_after_publication(published, days):
    deadline = call_in_deadline(published, days)
    between = [published + timedelta(days=i) for i in range(1, (deadline - published).days + 1)]
    assert sum(is_working_day(d) for d in between) == days
    assert days == 0 or is_working_day(deadline)


# ---------------------------------------------------------------- writes, validation, audit

def test_create_a_draft_then_publish_with_every_regulation_13_part(session, editor, org):
    draft = make(session, editor)
    assert (draft.call_in_status, draft.call_in_working_days, draft.version) == ("draft", 5, 1)
    decisions.update_decision(
        session, editor, draft.id, 1, **PUBLISHED, key_decision=True, forward_plan_reference="FP-1",
        executive_member_portfolio="Executive Member for Children's Services",
        executive_member_comments="Concurs.", conflicts_of_interest="Declared a family interest.",
        dispensation="Dispensation granted by the Standards Committee.",
        alternatives=[{"option": "Retender now", "reason_rejected": "Before the review reports"}],
        consultees=[{"consultee": "SEND Executive Group", "comments": None}])
    session.commit()
    record = decisions.decision_record(session, draft.id, today=date(2019, 3, 6))
    assert record.call_in_deadline == date(2019, 3, 11) and record.days_left_in_call_in == 5
    assert record.alternatives == [{"option": "Retender now", "reason_rejected": "Before the review reports"}]
    assert record.consultees == [{"consultee": "SEND Executive Group", "comments": None}]
    assert record.status_label == "Published (in call-in period)" and record.warnings == []
    assert draft.version == 2
    [event] = audit_rows(session, "update")
    assert event.changes["call_in_status"] == {"before": "draft", "after": "published"}
    assert event.changes["alternatives"]["after"] == ["Retender now | rejected because: Before the review reports"]
    assert event.record_version == 2


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"call_in_working_days": -1}, "call_in_working_days", "cannot be below 0"),
    ({"call_in_working_days": 2.5}, "call_in_working_days", "whole number"),
    ({"call_in_working_days": 45}, "call_in_working_days", "looks like a slip"),
    ({"publication_date": date(2019, 3, 1), "decision_date": date(2019, 3, 4)}, "publication_date",
     "before the decision date"),
    ({"reference": ""}, "reference", "Enter the decision's reference"),
    ({"title": " "}, "title", "forward plan"),
    ({"decision_type": "royal"}, "decision_type", "Type must be one of"),
    ({"call_in_status": "maybe"}, "call_in_status", "Status must be one of"),
    ({"call_in_status": "published"}, "reasons", "Record the reasons"),
    ({"call_in_status": "published"}, "decision_maker_post", "post of the officer"),
    ({"call_in_status": "published"}, "publication_date", "date the decision was published"),
    ({**PUBLISHED, "conflicts_of_interest": "Declared"}, "dispensation", "dispensation"),
    ({**PUBLISHED, "publication_date": date(2019, 11, 12), "call_in_status": "can_be_implemented"},
     "call_in_status", "runs until 19 Nov 2019"),
    ({"alternatives": [{"option": "Retender", "reason_rejected": ""}]}, "alternatives", "reason it was rejected"),
    ({"alternatives": [{"option": "", "reason_rejected": "Too soon"}]}, "alternatives", "describe the option"),
    ({"consultees": [{"consultee": "", "comments": "Agree"}]}, "consultees", "name the group or post"),
    ({"contract_ids": [99999]}, "contract_ids", "not in the register"),
    ({"task_ids": [99999]}, "task_ids", "no longer exists"),
    ({"decision_date": "4 March"}, "decision_date", "not a date"),
])
def test_each_validation_error_is_reported_against_its_field_and_changes_nothing(session, editor, changes, field,
                                                                                   words):
    decision = make(session, editor)
    with pytest.raises(ValidationFailed) as info:
        decisions.update_decision(session, editor, decision.id, 1, **changes)
    assert words in info.value.errors[field]
    session.rollback()
    fresh = session.get(Decision, decision.id)
    assert fresh.version == 1 and fresh.call_in_status == "draft"
    assert len(audit_rows(session, "update")) == 0


def test_can_be_implemented_once_the_call_in_period_is_over(session, editor):
    decision = make(session, editor, **{**PUBLISHED, "publication_date": date(2019, 11, 7),
                                        "decision_date": date(2019, 11, 7)})
    # Published Thu 7 Nov 2019: call-in ends Thu 14 Nov; REVIEW_TODAY is Fri 15 Nov.
    decisions.update_decision(session, editor, decision.id, 1, call_in_status="can_be_implemented")
    assert decision.call_in_status == "can_be_implemented"


def test_call_in_period_is_a_setting(session, editor, monkeypatch):
    monkeypatch.setenv("REVIEW_CALL_IN_DAYS", "10")
    decision = make(session, editor)
    assert decision.call_in_working_days == 10


def test_links_to_contracts_and_tasks_and_changing_only_a_list_moves_the_version_on(session, editor, org):
    from review.plan import tasks
    task = tasks.create_task(session, editor, reference="EXP-07", title="Status of contracts", phase_id=org.phase_id)
    contract = contracts.create_contract(session, editor, reference="KH-1", title="KIDS hubs", provider_name="KIDS",
                                         start_date=date(2016, 10, 1), original_end_date=date(2019, 9, 30),
                                         extension_options=2, extension_period_months=12)
    decision = make(session, editor, contract_ids=[contract.id], task_ids=[task.id])
    record = decisions.decision_record(session, decision.id)
    assert [c["reference"] for c in record.contracts] == ["KH-1"]
    assert [t["reference"] for t in record.tasks] == ["EXP-07"]
    decisions.update_decision(session, editor, decision.id, 1, task_ids=[])
    session.commit()
    assert decision.version == 2
    [event] = audit_rows(session, "update")
    assert event.changes == {"task_ids": {"before": [task.id], "after": []}}
    # Nothing changed: no new version, no audit row.
    decisions.update_decision(session, editor, decision.id, 2, task_ids=[], title=decision.title)
    assert decision.version == 2 and len(audit_rows(session, "update")) == 1
    contracts.add_extension(session, editor, contract.id, 1, decision_id=decision.id)
    record = decisions.decision_record(session, decision.id)
    assert record.extensions[0]["end"] == date(2020, 9, 30)


def test_stale_version_is_refused_with_the_other_change(session, editor, admin):
    decision = make(session, editor)
    decisions.update_decision(session, admin, decision.id, 1,
                              consultees=[{"consultee": "SEND Executive Group", "comments": "Agreed"}])
    session.commit()
    with pytest.raises(EditConflict) as info:
        decisions.update_decision(session, editor, decision.id, 1, title="Editor's title")
    [change] = info.value.their_changes
    assert (change.who, change.field) == ("test-admin", "consultees")
    session.rollback()
    assert session.get(Decision, decision.id).title == "To extend the KIDS hubs contract"


def test_viewer_and_commissioner_cannot_write_and_nothing_changes(session, editor, viewer, commissioner):
    decision = make(session, editor)
    for actor in (viewer, commissioner):
        with pytest.raises(PermissionDenied, match="cannot change the decision log"):
            decisions.create_decision(session, actor, reference="X", title="X")
        with pytest.raises(PermissionDenied):
            decisions.update_decision(session, actor, decision.id, 1, title="Changed")
        with pytest.raises(PermissionDenied):
            decisions.delete_decision(session, actor, decision.id, 1)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Decision)) == 1
    assert len(audit_rows(session)) == 1


def test_only_a_draft_can_be_deleted(session, editor):
    draft = make(session, editor, alternatives=[{"option": "A", "reason_rejected": "B"}])
    published = make(session, editor, reference="OKD-2", **PUBLISHED)
    with pytest.raises(ValidationFailed, match="Only a draft"):
        decisions.delete_decision(session, editor, published.id, 1)
    decisions.delete_decision(session, editor, draft.id, 1)
    session.commit()
    assert session.scalar(select(func.count()).select_from(DecisionAlternative)) == 0
    [event] = audit_rows(session, "delete")
    assert event.changes["alternatives"]["before"] == ["A | rejected because: B"]


def test_record_warns_about_a_missing_forward_plan_reference_and_an_unmarked_call_in(session, editor):
    decision = make(session, editor, **PUBLISHED, key_decision=True)
    record = decisions.decision_record(session, decision.id, today=TODAY)
    assert any("forward plan" in w for w in record.warnings)
    assert any("ended on 11 Mar 2019" in w for w in record.warnings)
    frame = decisions.decisions_frame(session)
    assert frame.loc[0, "Call-in ends"] == date(2019, 3, 11)
    assert decisions.open_call_ins(session, TODAY) == []
    assert decisions.open_call_ins(session, date(2019, 3, 11))[0]["deadline"] == date(2019, 3, 11)


# ---------------------------------------------------------------- references and the paper a decision came from

def test_suggested_references_follow_the_log_style_fit_and_are_not_reused(session, editor):
    title = "To extend the KIDS hubs contract"
    assert decisions.suggest_reference(session, "officer_key", date(2019, 3, 4), title) == "OKD-2019-EXTEND-KIDS-HUBS"
    make(session, editor, reference="OKD-2019-EXTEND-KIDS-HUBS")
    assert decisions.suggest_reference(session, "officer_key", date(2019, 3, 4), title) == \
        "OKD-2019-EXTEND-KIDS-HUBS-2"
    assert decisions.suggest_reference(session, "officer", date(2020, 1, 6), "The council's SEND phone line") == \
        "OD-2020-COUNCILS-SEND-PHONE"
    long = decisions.suggest_reference(session, "executive", None, "Supercalifragilistic" * 3)
    assert long == f"ED-{TODAY.year}" and len(long) <= decisions.REFERENCE_MAX


def test_a_decision_links_to_one_paper_at_most(session, editor):
    from review.submission import papers as submissions
    paper = submissions.create_submission(session, editor, title="SEND IAG proposals", meeting="SEND Executive Group",
                                          meeting_date=date(2019, 12, 5), author="Project Manager")
    linked = decisions.create_decision(session, editor, submission_id=paper.id, reference="OKD-1", title="T")
    session.commit()
    assert decisions.decision_for_submission(session, paper.id).id == linked.id
    assert audit_rows(session, "create")[0].changes["submission_id"] == {"before": None, "after": paper.id}
    with pytest.raises(ValidationFailed, match="already in the log as OKD-1"):
        decisions.create_decision(session, editor, submission_id=paper.id, reference="OKD-2", title="T")
    with pytest.raises(ValidationFailed, match="no longer exists"):
        decisions.create_decision(session, editor, submission_id=99999, reference="OKD-3", title="T")
    with pytest.raises(ValidationFailed) as info:  # the link is not a field forms can change
        decisions.update_decision(session, editor, linked.id, linked.version, submission_id=None)
    assert "submission_id" in info.value.errors
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Decision)) == 1


# ---------------------------------------------------------------- the 2019 decision in the demo data

def test_demo_holds_the_2019_decision_record_in_full(session):
    demo.load_demo(session, with_accounts=False)
    session.commit()
    decision = session.scalar(select(Decision).where(Decision.reference == "OKD-2019-KIDS-HUBS"))
    record = decisions.decision_record(session, decision.id, today=TODAY)
    assert decision.decision_date == date(2019, 3, 4)
    assert decision.decision_maker_post == "Operations Director Specialist Services"
    assert decision.executive_member_portfolio == "Executive Member for Children's Services"
    assert decision.key_decision and decision.call_in_status == "implemented"
    assert decision.decision.startswith("The decision is to extend")
    for step in ("Exploration, intelligence gathering", "Submission to SEND Executive",
                 "Building detailed project plan", "Determine status of contracts with Kids Hubs",
                 "Review and scope likely cost of telephone line"):
        assert step in decision.reasons
    [alternative] = record.alternatives
    assert alternative["option"].startswith("There is a retender of the Kids Hub services")
    assert alternative["reason_rejected"]
    assert [c["consultee"] for c in record.consultees] == ["SEND Executive Group"]
    assert record.call_in_deadline == date(2019, 3, 11)
    assert {"EXP-01", "EXP-07"} <= {t["reference"] for t in record.tasks}
    assert [c["reference"] for c in record.contracts] == ["KH-2016-01"]
    assert record.extensions[0]["start"] == date(2019, 10, 1)
    # Posts and portfolios only: no real person's name anywhere in the decision log.
    texts = " ".join(str(v) for d in session.scalars(select(Decision)) for v in vars(d).values())
    texts += " ".join(session.scalars(select(DecisionConsultee.consultee)))
    for name in ("Teresa", "Heritage", "Julie", "Reddish"):
        assert name not in texts
    hubs = contracts.contracts_frame(session, today=TODAY).set_index("Ref").loc["KH-2016-01"]
    assert hubs["Illustrative values"] and hubs["Status"] == "Extended"
    assert hubs["Current end"] > TODAY and hubs["Notice deadline"] > TODAY
    assert session.scalar(select(func.count()).select_from(Task)) > 0
