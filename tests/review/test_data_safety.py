"""Deleting records keeps what cannot be rebuilt: a paper with packs is kept, a baseline's dates stay in the audit."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from review.models import AuditEvent
from review.models.submissions import SubmissionPack
from review.plan import tasks
from review.plan import timeline as plan
from review.platform.errors import ValidationFailed
from review.submission import papers as submissions


def test_a_paper_with_generated_packs_cannot_be_deleted(session, editor):
    paper = submissions.create_submission(session, editor, title="Proposals for SEND IAG",
                                          meeting="SEND Executive Group", author="Head of SEND",
                                          meeting_date=date(2019, 12, 5))
    session.commit()
    submissions.generate_pack(session, editor, paper.id)
    session.commit()
    with pytest.raises(ValidationFailed, match="1 generated pack") as refused:
        submissions.delete_submission(session, editor, paper.id, paper.version)
    assert "submission" in refused.value.errors
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SubmissionPack)) == 1
    assert submissions.get_submission(session, paper.id).title == "Proposals for SEND IAG"


def test_a_paper_without_packs_can_still_be_deleted(session, editor):
    paper = submissions.create_submission(session, editor, title="A draft", meeting="SEND Executive Group",
                                          author="Head of SEND", meeting_date=date(2019, 12, 5))
    session.commit()
    submissions.delete_submission(session, editor, paper.id, paper.version)
    session.commit()
    assert session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)) == "delete"


def test_a_deleted_baseline_keeps_its_dates_in_the_audit_event(session, editor, org):
    task = tasks.create_task(session, editor, reference="EXP-01", title="Map the services", phase_id=org.phase_id,
                             start_date=date(2019, 4, 1), due_date=date(2019, 5, 31))
    tasks.create_task(session, editor, title="Milestone", phase_id=org.phase_id, due_date=date(2019, 6, 1),
                      is_milestone=True)
    baseline = plan.save_baseline(session, editor, "Original plan", "agreed 5 April", as_of=date(2019, 4, 5))
    session.commit()
    plan.delete_baseline(session, editor, baseline.id)
    session.commit()
    event = session.scalar(select(AuditEvent).where(AuditEvent.entity == "baseline", AuditEvent.action == "delete"))
    before = {field: change["before"] for field, change in event.changes.items()}
    assert before["name"] == "Original plan" and before["as_of"] == "2019-04-05" and before["note"] == "agreed 5 April"
    items = sorted(before["tasks"], key=lambda i: i["title"])
    assert items == [
        {"task_id": task.id, "reference": "EXP-01", "title": "Map the services", "start": "2019-04-01",
         "due": "2019-05-31", "milestone": False},
        {"task_id": items[1]["task_id"], "reference": items[1]["reference"], "title": "Milestone", "start": None,
         "due": "2019-06-01", "milestone": True},
    ]


def test_the_highlight_report_shows_hostile_text_as_text(session, admin, editor, org):
    from datetime import UTC, datetime

    from review.plan import rag
    from review.reports import dashboard, highlight_report

    tasks.create_task(session, editor, title="<img src='http://127.0.0.1:9/x.png'> ![p](http://127.0.0.1:9/y.png)",
                      phase_id=org.phase_id, due_date=date(2019, 10, 1), status="in_progress")
    rag.set_override(session, editor, None, "amber", "<a href='http://evil.example'>Agreed</a> with the Executive.")
    session.commit()
    html = highlight_report.highlight_report_html(dashboard.dashboard(session, admin, date(2019, 11, 15)),
                                                  datetime(2019, 11, 15, 9, 30, tzinfo=UTC))
    assert "<img" not in html and "<a href" not in html
    assert "&lt;img src=&#x27;http://127.0.0.1:9/x.png&#x27;&gt;" in html and "&lt;a href=" in html
