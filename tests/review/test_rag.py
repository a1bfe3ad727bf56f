"""RAG: each rule on its own, the overall status, overrides with reasons, permissions and audit."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from review.models import AuditEvent
from review.models.plan import RagOverride
from review.plan import organisation, rag, tasks
from review.plan import timeline as plan
from review.plan.rag import Rag
from review.platform.errors import NotFound, PermissionDenied, ValidationFailed

TODAY = date(2019, 11, 15)


def make(session, actor, org, title, due, status="in_progress", workstream_id=None, start=None):
    task = tasks.create_task(session, actor, title=title, phase_id=org.phase_id, start_date=start or date(2019, 8, 1),
                             due_date=due, status=status, workstream_id=workstream_id)
    session.commit()
    return task


def rule(status: rag.RagStatus, key: str) -> rag.RuleResult:
    return next(r for r in status.results if r.rule.key == key)


def test_everything_on_time_is_green(session, editor, org):
    make(session, editor, org, "On time", date(2019, 11, 30), workstream_id=org.workstream_id)
    make(session, editor, org, "Done late but done", date(2019, 11, 1), status="done")
    report = rag.rag_report(session, TODAY)
    assert report.overall.computed == Rag.GREEN and report.overall.shown == Rag.GREEN
    assert [r.rag for r in report.overall.results] == [Rag.GREEN] * 3
    assert rule(report.overall, "slippage").finding == "no baseline to compare with"


def test_due_today_is_not_overdue_and_cancelled_tasks_never_are(session, editor, org):
    make(session, editor, org, "Due today", TODAY)
    make(session, editor, org, "Cancelled", date(2019, 9, 1), status="cancelled")
    assert rule(rag.rag_report(session, TODAY).overall, "overdue").rag == Rag.GREEN


@pytest.mark.parametrize(("due", "expected"), [
    (date(2019, 11, 14), Rag.AMBER),  # 1 day late
    (date(2019, 10, 26), Rag.AMBER),  # exactly 20 days late
    (date(2019, 10, 25), Rag.RED),  # 21 days late
])
def test_overdue_rule(session, editor, org, due, expected):
    make(session, editor, org, "Late", due, workstream_id=org.workstream_id)
    report = rag.rag_report(session, TODAY)
    result = rule(report.overall, "overdue")
    assert result.rag == expected
    assert f"the worst by {(TODAY - due).days} days" in result.finding
    assert report.workstreams[0].computed == expected


@pytest.mark.parametrize(("due", "expected"), [(date(2019, 11, 29), Rag.AMBER), (date(2019, 11, 8), Rag.RED)])
def test_blocked_rule(session, editor, org, due, expected):
    make(session, editor, org, "Blocked", due, status="blocked")
    assert rule(rag.rag_report(session, TODAY).overall, "blocked").rag == expected


@pytest.mark.parametrize(("days_later", "expected"), [(0, Rag.GREEN), (4, Rag.GREEN), (5, Rag.AMBER),
                                                      (19, Rag.AMBER), (20, Rag.RED), (-3, Rag.GREEN)])
def test_slippage_rule_against_the_latest_baseline(session, editor, org, days_later, expected):
    task = make(session, editor, org, "Re-planned", date(2019, 12, 2))
    plan.save_baseline(session, editor, "Original")
    session.commit()
    from datetime import timedelta

    tasks.update_task(session, editor, task.id, task.version, due_date=date(2019, 12, 2) + timedelta(days=days_later))
    session.commit()
    result = rule(rag.rag_report(session, TODAY).overall, "slippage")
    assert result.rag == expected
    assert rag.rag_report(session, TODAY).overall.measures.worst_slippage_days == days_later


def test_slippage_of_finished_tasks_does_not_count(session, editor, org):
    task = make(session, editor, org, "Finished late", date(2019, 10, 1))
    plan.save_baseline(session, editor, "Original")
    tasks.update_task(session, editor, task.id, task.version, status="done", completed_date=date(2019, 11, 1))
    session.commit()
    assert rule(rag.rag_report(session, TODAY).overall, "slippage").rag == Rag.GREEN


def test_each_workstream_gets_its_own_rag_and_the_review_the_worst(session, editor, admin, org):
    other = organisation.create_workstream(session, admin, "Customer Services", "CS")
    quiet = organisation.create_workstream(session, admin, "Local Offer and Communications", "LO")
    session.commit()
    make(session, editor, org, "Badly late", date(2019, 10, 1), workstream_id=org.workstream_id)
    make(session, editor, org, "Blocked", date(2019, 12, 1), status="blocked", workstream_id=other.id)
    make(session, editor, org, "On time", date(2019, 12, 1), workstream_id=quiet.id)
    make(session, editor, org, "No workstream", date(2019, 12, 1))
    report = rag.rag_report(session, TODAY)
    by_name = {s.name: s.computed for s in report.workstreams}
    assert by_name == {"SENDIASS": Rag.RED, "Customer Services": Rag.AMBER, "Local Offer and Communications":
                       Rag.GREEN, plan.NO_WORKSTREAM: Rag.GREEN}
    assert report.overall.computed == Rag.RED
    assert report.overall.measures.overdue == 1 and report.overall.measures.blocked == 1
    assert any("Overdue tasks: 1 overdue" in reason for reason in report.overall.reasons)
    frame = report.frame()
    assert list(frame["Scope"])[0] == "Whole review"


def test_override_needs_a_reason_and_shows_instead_of_the_computed_rag(session, editor, org):
    make(session, editor, org, "Badly late", date(2019, 10, 1), workstream_id=org.workstream_id)
    with pytest.raises(ValidationFailed) as info:
        rag.set_override(session, editor, None, "amber", "  ok ")
    assert "reason" in info.value.errors
    with pytest.raises(ValidationFailed) as info:
        rag.set_override(session, editor, None, "purple", "A sufficiently long reason")
    assert "rag" in info.value.errors
    rag.set_override(session, editor, None, "amber", "Paper moved to the December Executive by agreement.")
    session.commit()
    report = rag.rag_report(session, TODAY)
    assert (report.overall.computed, report.overall.shown) == (Rag.RED, Rag.AMBER)
    assert report.overall.override.reason.startswith("Paper moved")
    assert report.overall.override.set_by == "Test Editor"
    assert report.workstreams[0].shown == Rag.RED  # the workstream has no override
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.entity == "rag_override")).all()
    assert event.username == "test-editor"
    assert event.changes["rag"] == {"before": None, "after": "amber"}
    assert event.changes["reason"]["after"].startswith("Paper moved")


def test_a_new_override_replaces_the_old_and_clearing_goes_back_to_computed(session, editor, admin, org):
    make(session, editor, org, "Late", date(2019, 11, 1), workstream_id=org.workstream_id)
    rag.set_override(session, editor, org.workstream_id, "green", "Agreed with the Head of Service today.")
    rag.set_override(session, admin, org.workstream_id, "red", "Supplier has withdrawn; escalated to SEND Exec.")
    session.commit()
    assert len(rag.current_overrides(session)) == 1
    old = session.scalars(select(RagOverride).order_by(RagOverride.id)).first()
    assert old.cleared_at is not None and old.cleared_by == "test-admin"
    ws = rag.rag_report(session, TODAY).workstreams[0]
    assert ws.shown == Rag.RED and ws.computed == Rag.AMBER
    rag.clear_override(session, editor, org.workstream_id)
    session.commit()
    assert rag.rag_report(session, TODAY).workstreams[0].shown == Rag.AMBER
    with pytest.raises(NotFound):
        rag.clear_override(session, editor, org.workstream_id)
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "rag_override")
                              .order_by(AuditEvent.id)).all()
    assert actions == ["create", "create", "clear"]


def test_viewers_and_commissioners_cannot_override(session, viewer, commissioner, editor, org):
    for actor in (viewer, commissioner):
        with pytest.raises(PermissionDenied):
            rag.set_override(session, actor, None, "green", "Looks fine to me, honestly.")
        with pytest.raises(PermissionDenied):
            rag.clear_override(session, actor, None)
    session.rollback()
    assert rag.current_overrides(session) == {}


def test_override_for_a_missing_workstream_is_refused(session, editor, org):
    with pytest.raises(ValidationFailed, match="workstream"):
        rag.set_override(session, editor, 424242, "green", "A long enough reason here.")


def test_rules_are_published_for_the_page():
    frame = rag.rules_frame()
    assert list(frame["Rule"]) == ["Overdue tasks", "Blocked tasks", "Slippage against the baseline", "Overall"]
    assert "20 days" in frame.loc[0, "Red when"]
