"""The executive dashboard's content and the highlight report, on small data and on the demo data set."""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import event

from review import demo
from review.plan import rag, raid, tasks
from review.plan.rag import Rag
from review.reports import dashboard, highlight_report

TODAY = date(2019, 11, 15)


def test_upcoming_milestones_are_the_next_8_weeks_with_baseline_slippage(session, editor, org):
    from review.plan import timeline as plan
    def milestone(title, due, **extra):
        return tasks.create_task(session, editor, title=title, phase_id=org.phase_id, is_milestone=True,
                                 start_date=due, due_date=due, **extra)

    paper = milestone("Paper to SEND Executive", date(2019, 12, 5), reference="SUB-05")
    milestone("Too far ahead", date(2020, 1, 11))
    milestone("Already passed", date(2019, 11, 14))
    milestone("Done already", date(2019, 12, 1), status="done", completed_date=date(2019, 12, 1))
    tasks.create_task(session, editor, title="Not a milestone", phase_id=org.phase_id, due_date=date(2019, 12, 1))
    session.commit()
    plan.save_baseline(session, editor, "Original")
    tasks.update_task(session, editor, paper.id, paper.version, start_date=date(2019, 12, 9),
                      due_date=date(2019, 12, 9))
    milestone("Last day of the window", date(2020, 1, 10))
    session.commit()
    frame = dashboard.upcoming_milestones(session, TODAY)
    assert list(frame["Milestone"]) == ["Paper to SEND Executive", "Last day of the window"]
    assert frame.loc[0, "Days to go"] == 24 and frame.loc[0, "Slippage (days)"] == 4
    assert frame.isna().loc[1, "Slippage (days)"]  # added after the baseline


def test_needs_attention_lists_overdue_and_blocked_worst_first(session, editor, org):
    def task(title, due, status="in_progress"):
        return tasks.create_task(session, editor, title=title, phase_id=org.phase_id, due_date=due, status=status)

    task("Seven days late", date(2019, 11, 8))
    task("Fifteen days late", date(2019, 10, 31))
    task("Blocked, not yet due", date(2019, 12, 1), status="blocked")
    task("Fine", date(2019, 12, 1))
    task("Done late", date(2019, 10, 1), status="done")
    session.commit()
    frame = dashboard.needs_attention(session, TODAY)
    assert list(frame["Task"]) == ["Fifteen days late", "Seven days late", "Blocked, not yet due"]
    assert list(frame["Days late"]) == [15, 7, 0]


def test_the_demo_dashboard_fills_every_tile(session, admin):
    demo.load_demo(session, with_accounts=True)
    session.commit()
    d = dashboard.dashboard(session, admin, TODAY)
    assert d.rag.overall.computed == Rag.RED and d.rag.overall.shown == Rag.AMBER  # the demo's override
    assert {s.name: s.computed for s in d.rag.workstreams}["SEND IAG Review project team"] == Rag.RED
    assert d.progress["Tasks"].sum() == 31
    assert list(d.milestones["Ref"]) == ["SUB-05"] and d.milestones.loc[0, "Slippage (days)"] == 28
    assert set(d.attention["Ref"]) == {"EXP-15", "SUB-01", "SUB-03"}
    assert d.overdue_total == 3 and d.blocked_total == 1
    assert d.top_risks.loc[0, "Ref"] == "R-01" and len(d.top_risks) == 5
    assert sum(d.raid_counts.values()) == 11  # 12 items, one closed
    for tile in (d.deadlines, d.engagement, d.phone_line):
        assert isinstance(tile, dashboard.External) and (tile.available or tile.message)


def test_highlight_report_is_dated_escaped_and_complete(session, admin, editor, org):
    t = tasks.create_task(session, editor, title="<script>alert(1)</script> late", phase_id=org.phase_id,
                          due_date=date(2019, 10, 1), status="in_progress", workstream_id=org.workstream_id)
    raid.create_item(session, editor, kind="risk", title="Finance & pay award", likelihood=4, impact=4,
                     review_date=date(2019, 12, 1))
    rag.set_override(session, editor, None, "amber", "Agreed with the Executive on 6 November.")
    session.commit()
    d = dashboard.dashboard(session, admin, TODAY)
    html = highlight_report.highlight_report_html(d, datetime(2019, 11, 15, 9, 30, tzinfo=UTC))
    assert "Figures as at Friday 15 November 2019" in html
    assert "Report produced 15 Nov 2019 09:30 GMT (UK time)" in html  # the council's local time, said so
    assert "UTC" not in html and ">-" not in html  # no negative 'days to go'; late dates say 'N days overdue'
    summer = highlight_report.highlight_report_html(d, datetime(2019, 7, 1, 9, 30, tzinfo=UTC))
    assert "Report produced 01 Jul 2019 10:30 BST" in summer
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "Finance &amp; pay award" in html
    for heading in ("Overall status", "Workstreams", "Progress by phase", "Milestones in the next 8 weeks",
                    "Overdue and blocked tasks", "Top risks", "Contract and decision deadlines", "Parent engagement",
                    "Phone line", "How the RAG is worked out"):
        assert f"<h2>{heading}" in html
    assert "computed red; set to amber by Test Editor" in html
    assert highlight_report.report_filename(d) == "send-iag-review-highlight-report-2019-11-15.html"
    assert t.id


def test_dashboard_statements_do_not_grow_with_tasks(session, engine, admin, editor, org):
    """The same number of SQL statements for a few tasks and for many (no statement per task)."""

    def add(start: int, n: int) -> None:
        for i in range(start, start + n):
            tasks.create_task(session, editor, title=f"T{i}", phase_id=org.phase_id,
                              due_date=date(2019, 11, 1 + i % 28), status="blocked" if i % 5 == 0 else "in_progress",
                              is_milestone=i % 7 == 0, workstream_id=org.workstream_id if i % 2 else None)
            if i % 9 == 0:
                raid.create_item(session, editor, kind="risk", title=f"R{i}", likelihood=3, impact=3,
                                 review_date=date(2019, 12, 1))
        session.commit()

    def statements() -> int:
        seen: list[str] = []

        def listener(*args):
            seen.append(args[2])

        event.listen(engine, "before_cursor_execute", listener)
        try:
            dashboard.dashboard(session, admin, TODAY)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    add(0, 3)
    small = statements()
    add(3, 80)
    assert statements() == small


def test_highlight_report_explains_suppressed_and_not_shown_engagement_counts(session, admin):
    from dataclasses import replace

    from review.platform.privacy import FEWER_THAN, NOT_SHOWN, NOT_SHOWN_NOTE

    d = dashboard.dashboard(session, admin, TODAY)
    figures = {"activities": 7, "participants": NOT_SHOWN, "inputs": 40, "needs_without_response": FEWER_THAN,
               "top_themes": [{"theme": "Waiting times", "count": 12}], "suppressed": True, "not_shown": True}
    html = highlight_report.highlight_report_html(replace(d, engagement=dashboard.External(True, "", figures)),
                                                  datetime(2019, 11, 15, 9, 30, tzinfo=UTC))
    assert "shown as &#x27;fewer than 5&#x27;" in html or "shown as 'fewer than 5'" in html
    assert NOT_SHOWN_NOTE.replace('"', "&quot;") in html
    plain = replace(d, engagement=dashboard.External(True, "", {**figures, "participants": 151, "suppressed": False,
                                                                 "not_shown": False}))
    html = highlight_report.highlight_report_html(plain, datetime(2019, 11, 15, tzinfo=UTC))
    assert "not shown" not in html and "to protect families" not in html
