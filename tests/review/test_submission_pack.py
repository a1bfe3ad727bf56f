"""The Word pack: its structure, its figures against the live cost scenarios, freshness and the change report."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date

import docx
import pandas as pd
import pytest
from sqlalchemy import func, select, text

from review.costing import scenarios
from review.costing.scenario import evaluate_scenario
from review.models import AuditEvent
from review.models.submissions import SubmissionPack
from review.plan import tasks
from review.platform import audit
from review.platform.config import PROJECT_ROOT
from review.platform.errors import EditConflict
from review.platform.wording import local_time_text
from review.submission import pack as submission_pack
from review.submission import papers as submissions
from review.submission.pack import APPENDIX_HEADINGS, OPTION_TABLE_COLUMNS, PAPER_SECTIONS, PID_SECTIONS, money


@pytest.fixture
def paper(session, editor, commissioner, org):
    """A paper with the standard options, two phone-line options linked to scenarios, one preferred."""
    office = scenarios.create_scenario(session, commissioner, "Office hours line", {"annual_calls": 12000})
    extended = scenarios.create_scenario(session, commissioner, "Extended hours line", {"annual_calls": 14000})
    tasks.create_task(session, editor, reference="SUB-05", title="Paper to SEND Executive Group",
                      phase_id=org.phase2_id, owner_id=org.person2_id, due_date=date(2019, 12, 5), is_milestone=True)
    tasks.create_task(session, editor, reference="PLN-03", title="Formal consultation", phase_id=org.phase2_id,
                      owner_id=org.person_id, start_date=date(2020, 2, 3), due_date=date(2020, 4, 24))
    p = submissions.create_submission(
        session, editor, title="SEND IAG proposals", meeting="SEND Executive Group", meeting_date=date(2019, 12, 5),
        author="SEND IAG Review Project Manager", report_of="Operations Director Specialist Services",
        key_decision=True, purpose="To agree a preferred option.",
        recommendations="Agree the preferred option\nAsk officers to build the plan",
        preferred_reasons="Parents asked for one place to call.")
    for title in ("Do nothing", "Retender the KIDS hubs service now", "Extend and complete the review"):
        submissions.add_option(session, editor, p.id, title=title)
    submissions.add_option(session, editor, p.id, title="Phone line, office hours", scenario_id=office.id,
                           is_preferred=True)
    submissions.add_option(session, editor, p.id, title="Phone line, extended hours", scenario_id=extended.id)
    submissions.add_standard_priorities(session, editor)
    frame = submissions.priorities_frame(session)
    local_offer = int(frame[frame["Priority or duty"] == "Local Offer duty"]["id"].iloc[0])
    submissions.set_alignment(session, editor, p.id, p.version, {local_offer: "Signposts the Local Offer"})
    session.commit()
    return p


def open_docx(pack: SubmissionPack) -> docx.document.Document:
    return docx.Document(io.BytesIO(pack.document))


def headings(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]


def options_table(document):
    for table in document.tables:
        if [c.text for c in table.rows[0].cells] == OPTION_TABLE_COLUMNS:
            return [[c.text for c in row.cells] for row in table.rows[1:]]
    raise AssertionError("The options appraisal table is missing")


def cover(document) -> dict[str, str]:
    return {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}


def test_the_pack_has_the_council_report_structure_and_the_pid(session, editor, paper):
    pack = submissions.generate_pack(session, editor, paper.id)
    session.commit()
    document = open_docx(pack)
    found = headings(document)
    for heading in [*PAPER_SECTIONS, *PID_SECTIONS, *APPENDIX_HEADINGS]:
        assert heading in found, heading
    assert found.index("1. Purpose of the report") < found.index("4. Options appraisal") < found.index(
        "13. Timetable") < found.index("A1. Project definition") < found.index("A9. Project controls")
    block = cover(document)
    assert block["Meeting"] == "SEND Executive Group" and block["Date of meeting"] == "05 December 2019"
    assert block["Report of"] == "Operations Director Specialist Services" and block["Key decision"] == "Yes"
    assert block["Author"] == "SEND IAG Review Project Manager" and block["Status"] == "Drafting"
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Agree the preferred option" in text and "The preferred option is: Phone line, office hours" in text
    assert document.core_properties.title == "SEND IAG proposals"


def test_option_costs_equal_the_linked_scenarios_in_the_database(session, editor, paper):
    pack = submissions.generate_pack(session, editor, paper.id)
    session.commit()
    rows = {r[0]: r for r in options_table(open_docx(pack))}
    assert list(rows) == ["Do nothing", "Retender the KIDS hubs service now", "Extend and complete the review",
                          "Phone line, office hours", "Phone line, extended hours"]
    for option in submissions.options_of(session, paper.id):
        row = rows[option.title]
        if option.scenario_id is None:
            assert row[1:5] == ["Not linked to a cost scenario", "n/a", "n/a", "n/a"]
            continue
        scenario = scenarios.get_scenario(session, option.scenario_id)
        summary = scenarios.evaluate(scenario).summary
        assert row[1] == scenario.name
        assert row[2] == money(summary["whole_life_cost"])
        assert row[3] == f"{summary['total_fte']:.1f}"
        assert row[4] == money(summary["average_annual_cost"])
        assert row[5] == str(summary["contract_years"])
    assert rows["Phone line, office hours"][6] == "Yes" and rows["Phone line, extended hours"][6] == ""


def test_charts_are_embedded_as_images(session, editor, paper):
    pytest.importorskip("matplotlib")
    pack = submissions.generate_pack(session, editor, paper.id)
    document = open_docx(pack)
    assert len(document.inline_shapes) >= 2  # options' whole-life cost and progress by phase
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert "Whole-life cost of each costed option" in captions


def test_each_generation_is_stamped_and_stored_with_its_figures(session, editor, paper):
    version_before = audit.data_version(session)
    pack = submissions.generate_pack(session, editor, paper.id)
    session.commit()
    assert (pack.number, pack.data_version, pack.as_at) == (1, version_before, date(2019, 11, 15))
    assert pack.changes == [] and pack.filename == f"submission-{paper.id}-2019-12-05-pack-1.docx"
    document = open_docx(pack)
    stamp = document.sections[0].footer.paragraphs[0].text
    assert f"data version {version_before}" in stamp and "figures as at 15 November 2019" in stamp
    assert f"data version {version_before}" in cover(document)["Figures"]
    office = next(o for o in submissions.options_of(session, paper.id) if o.title == "Phone line, office hours")
    figure = pack.snapshot["figures"][f"option.{office.id}.whole_life_cost"]
    expected = scenarios.evaluate(scenarios.get_scenario(session, office.scenario_id)).summary["whole_life_cost"]
    assert figure["value"] == round(expected, 2) and figure["unit"] == "GBP"
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity == "submission_pack")).one()
    assert event.changes["data_version"]["after"] == version_before


def test_changing_a_scenario_changes_the_figure_and_the_change_report_names_it(session, editor, commissioner,
                                                                              paper):
    first = submissions.generate_pack(session, editor, paper.id)
    session.commit()
    office = next(o for o in submissions.options_of(session, paper.id) if o.title == "Phone line, office hours")
    scenario = scenarios.get_scenario(session, office.scenario_id)
    old_cost = scenarios.evaluate(scenario).summary["whole_life_cost"]
    assert submissions.preview(session, paper.id).changes == []
    scenarios.update_scenario(session, commissioner, scenario.id, scenario.version, inputs={"annual_calls": 24000})
    session.commit()
    new_cost = scenarios.evaluate(scenario).summary["whole_life_cost"]
    assert new_cost != old_cost
    assert submissions.preview(session, paper.id).changes  # the page warns before regenerating
    second = submissions.generate_pack(session, editor, paper.id)
    session.commit()
    assert second.number == 2 and second.data_version > first.data_version
    assert options_table(open_docx(first))[3][2] == money(old_cost)
    assert options_table(open_docx(second))[3][2] == money(new_cost)
    [change] = [c for c in second.changes if c["what"].endswith("whole-life cost")]
    assert change["what"] == ("Option 'Phone line, office hours' (cost scenario 'Office hours line'): whole-life cost")
    assert (change["before"], change["after"]) == (money(round(old_cost, 2)), money(round(new_cost, 2)))
    report = "\n".join(" ".join(c.text for c in row.cells) for t in open_docx(second).tables for row in t.rows)
    assert "Office hours line" in report and "Changes since pack 1" in "\n".join(
        p.text for p in open_docx(second).paragraphs)
    unchanged = [c for c in second.changes if "Extended hours line" in c["what"]]
    assert unchanged == []


def test_table_rows_that_differ_are_reported(session, editor, paper):
    submissions.generate_pack(session, editor, paper.id)
    session.commit()
    consultation = session.scalar(select(tasks.Task).where(tasks.Task.reference == "PLN-03"))
    tasks.update_task(session, editor, consultation.id, consultation.version, due_date=date(2020, 5, 1))
    tasks.create_task(session, editor, reference="PLN-08", title="SEND phone line goes live",
                      phase_id=consultation.phase_id, due_date=date(2020, 7, 20), is_milestone=True)
    session.commit()
    pack = submissions.generate_pack(session, editor, paper.id)
    whats = {c["what"]: c for c in pack.changes}
    assert whats["Timetable: PLN-03, Due"]["before"] == "2020-04-24"
    assert whats["Timetable: PLN-03, Due"]["after"] == "2020-05-01"
    assert whats["Timetable: PLN-08"]["kind"] == "row added"


def test_the_timetable_shows_baseline_due_dates_and_the_critical_path(session, editor, paper):
    from review.plan import timeline as plan
    plan.save_baseline(session, editor, "Agreed plan", as_of=date(2019, 11, 1))
    consultation = session.scalar(select(tasks.Task).where(tasks.Task.reference == "PLN-03"))
    tasks.update_task(session, editor, consultation.id, consultation.version, due_date=date(2020, 5, 1))
    session.commit()
    timetable = submissions.preview(session, paper.id).timetable
    rows = timetable.frame.set_index("Ref")
    assert rows.loc["PLN-03", "Baseline due"] == date(2020, 4, 24) and rows.loc["PLN-03", "Due"] == date(2020, 5, 1)
    assert rows.loc["SUB-05", "Milestone"] == "Yes"
    assert "latest baseline" in timetable.source


def test_a_failing_capability_is_not_hidden_behind_a_friendly_section(session, editor, paper, monkeypatch):
    """The pack reads the RAID log directly: a bug there surfaces as an error, not as 'not available'."""
    def broken(*args, **kwargs):
        raise RuntimeError("bug in the RAID log")

    monkeypatch.setattr(submission_pack.raid, "open_risks", broken)
    with pytest.raises(RuntimeError, match="bug in the RAID log"):
        submissions.generate_pack(session, editor, paper.id)


def test_the_page_preview_shows_the_same_outline_as_the_document(session, editor, paper):
    content = submissions.preview(session, paper.id)
    preview = [b.text for b in submission_pack.outline(content) if b.kind == "heading"]
    pack = submissions.generate_pack(session, editor, paper.id)
    assert preview == headings(open_docx(pack))
    assert content.pack_number is None and content.stamp.startswith("Live preview")


def test_decision_and_actions_appear_in_the_pack(session, editor, paper, org):
    submissions.record_decision(session, editor, paper.id, paper.version, "Option 4 agreed.", date(2019, 12, 5),
                                "SEND Executive Group")
    submissions.add_action(session, editor, paper.id, paper.version, "Build the detailed plan", org.person2_id,
                           date(2020, 1, 24))
    session.commit()
    document = open_docx(submissions.generate_pack(session, editor, paper.id))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Decision of 05 December 2019 (SEND Executive Group): Option 4 agreed." in text
    actions = next(t for t in document.tables if [c.text for c in t.rows[0].cells][:2] == ["Ref", "Action"])
    assert [c.text for c in actions.rows[1].cells][:3] == ["ACT-01", "Build the detailed plan", "Project Manager"]


def test_the_preview_reads_the_first_rows_of_the_long_lists_as_the_word_pack_orders_them(session, editor, paper,
                                                                                          org):
    """With a row limit the task list, timetable and milestones hold their first rows and how many there are, the
    same rows the whole content starts with; the actions match the decision tab; no change report is guessed."""
    from review.plan import timeline as plan

    for n in range(1, 7):  # milestones in the first phase, steps in the last, some of each without a due date
        tasks.create_task(session, editor, title=f"Milestone {n}", owner_id=org.person_id, phase_id=org.phase_id,
                          is_milestone=True, due_date=date(2019, 6, n) if n % 3 else None)
        tasks.create_task(session, editor, title=f"Step {n}", owner_id=org.person2_id, phase_id=org.phase2_id,
                          due_date=date(2020, 2, n) if n % 2 else None, reference=f"PLN-5{n}" if n > 3 else None)
    plan.save_baseline(session, editor, "Agreed plan", as_of=date(2019, 11, 1))
    submissions.record_decision(session, editor, paper.id, paper.version, "Option 4 agreed.", date(2019, 12, 5),
                                "SEND Executive Group")
    submissions.add_action(session, editor, paper.id, paper.version, "Build the detailed plan", org.person2_id,
                           date(2020, 1, 24))
    submissions.generate_pack(session, editor, paper.id)
    session.commit()
    whole = submissions.preview(session, paper.id)
    first = submissions.preview(session, paper.id, max_rows=3)
    assert whole.complete and not first.complete
    for name in ("task_list", "timetable", "milestones"):
        all_rows, cut = getattr(whole, name), getattr(first, name)
        assert len(cut.frame) == 3 < len(all_rows.frame) == cut.total == cut.rows, name
        pd.testing.assert_frame_equal(cut.frame, all_rows.frame.head(3), check_dtype=False, obj=name)
    milestones = whole.timetable.frame[whole.timetable.frame["Milestone"] == "Yes"].reset_index(drop=True)
    pd.testing.assert_frame_equal(whole.milestones.frame, milestones)  # the Word pack's milestones as before
    expected = submissions.actions_frame(session, paper.id).drop(columns=["task_id"])  # the tab's own read
    pd.testing.assert_frame_equal(first.actions.reset_index(drop=True), expected)
    assert first.actions["Action"].tolist() == ["Build the detailed plan"]
    assert whole.overdue == first.overdue == int(tasks.status_counts(session)["Overdue"])
    notes = [b.text for b in submission_pack.outline(first, max_rows=3) if b.kind == "note"]
    assert f"Showing the first 3 of {whole.task_list.total:,} rows; the Word pack has them all." in notes
    assert first.changes is None and whole.changes == []
    assert f"The pack will list what has changed since {first.previous_stamp}." in notes
    with pytest.raises(ValueError, match="whole content"):
        submission_pack.snapshot_of(first)


def test_the_pack_evaluates_each_linked_scenario_once_through_the_evaluator_it_is_given(session, paper):
    asked = []

    def evaluate(inputs):
        asked.append(inputs)
        return evaluate_scenario(inputs)

    content = submissions.preview(session, paper.id, evaluate=evaluate)
    linked = [scenarios.get_scenario(session, int(i)) for i in content.options["scenario_id"].dropna()]
    assert sorted(asked, key=lambda i: i.annual_calls) == sorted(
        (scenarios.scenario_inputs(s) for s in linked), key=lambda i: i.annual_calls)
    assert len(asked) == 2
    pd.testing.assert_frame_equal(content.options, submissions.preview(session, paper.id).options)


def test_generation_refuses_a_stale_preview(session, editor, admin, paper):
    submissions.update_submission(session, admin, paper.id, paper.version, status="in_review")
    session.commit()
    with pytest.raises(EditConflict):
        submissions.generate_pack(session, editor, paper.id, paper.version - 1)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SubmissionPack)) == 0


def run_cli(*args, path):
    env = {**os.environ, "REVIEW_SQLITE_PATH": str(path)}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "review", *args], capture_output=True, text=True, cwd=PROJECT_ROOT,
                          env=env, timeout=300)


def test_cli_exports_the_latest_pack_and_reports_changes(tmp_path):
    path = tmp_path / "cli.db"
    assert run_cli("export-pack", "--help", path=path).returncode == 0
    assert run_cli("seed-demo", path=path).returncode == 0
    out = tmp_path / "pack.docx"
    first = run_cli("export-pack", "--out", str(out), path=path)
    assert first.returncode == 0, first.stderr
    assert "Wrote pack 1 of submission 1" in first.stdout
    document = docx.Document(str(out))
    assert "5. Preferred option" in headings(document)
    assert cover(document)["Date of meeting"] == "05 December 2019"
    second = run_cli("export-pack", "--out", str(out), "--submission", "1", path=path)
    assert second.returncode == 0 and "pack 2" in second.stdout and "since pack 1" in second.stdout
    missing = run_cli("export-pack", "--out", str(out), "--submission", "999", path=path)
    assert missing.returncode == 2 and "no longer exists" in missing.stderr


def test_without_the_chart_library_the_pack_says_where_a_chart_would_be(session, editor, paper, monkeypatch):
    monkeypatch.setattr(submission_pack, "chart_png", lambda chart: None)
    document = open_docx(submissions.generate_pack(session, editor, paper.id))
    assert len(document.inline_shapes) == 0
    text = "\n".join(p.text for p in document.paragraphs)
    assert "[Chart 'Whole-life cost of each costed option' not drawn" in text


def test_preview_outline_cuts_long_tables_but_the_pack_keeps_every_row():
    import pandas as pd

    from review.submission import pack as submission_pack
    frame = pd.DataFrame({"Ref": [f"T-{i}" for i in range(100)], "Task": ["x"] * 100})
    full = submission_pack._table("All tasks", frame)
    cut = submission_pack._table("All tasks", frame, max_rows=40)
    assert len(full) == 1 and len(full[0].frame) == 100
    assert len(cut[0].frame) == 40 and "first 40 of 100 rows" in cut[1].text


def test_control_characters_stored_before_the_text_policy_never_stop_the_pack(engine, session, editor, paper):
    """Text stored before the text policy (here written past the services with plain SQL) may hold characters
    Word's XML cannot: the pack leaves them out instead of failing. PostgreSQL cannot store NUL at all."""
    nul = "\x00" if engine.dialect.name == "sqlite" else "\x1f"
    with session.begin_nested():
        session.execute(text("UPDATE submission_options SET description = :d WHERE title = 'Do nothing'"),
                        {"d": "Keep\x0bthe hubs\ufffe as they are"})
        session.execute(text("UPDATE tasks SET title = :t WHERE reference = 'SUB-05'"),
                        {"t": f"Paper to SEND{nul} Executive Group"})
    session.commit()
    session.expire_all()
    document = open_docx(submissions.generate_pack(session, editor, paper.id))
    body = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for row in t.rows for c in row.cells])
    assert "Keepthe hubs as they are" in body
    assert "Paper to SEND Executive Group" in body
    assert not any(ch in body for ch in "\x00\x0b\x1f\ufffe")


def test_an_editor_marks_a_pack_issued_and_readers_get_the_latest_issued(session, editor, viewer, paper):
    from review.platform.errors import PermissionDenied

    first = submissions.generate_pack(session, editor, paper.id)
    session.commit()
    assert submissions.latest_issued_pack(session, paper.id) is None
    with pytest.raises(PermissionDenied):
        submissions.issue_pack(session, viewer, first.id)
    submissions.issue_pack(session, editor, first.id)
    session.commit()
    second = submissions.generate_pack(session, editor, paper.id)
    session.commit()
    issued = submissions.latest_issued_pack(session, paper.id)
    assert issued.id == first.id and second.issued_at is None  # a newer pack is not issued until marked
    assert issued.issued_by == "test-editor" and "Pack 1, issued " in submissions.issued_text(issued)
    event = session.scalar(select(AuditEvent).where(AuditEvent.entity == "submission_pack",
                                                    AuditEvent.action == "issue"))
    assert event.record_id == str(first.id) and "issued to SEND Executive" in event.summary
    frame = submissions.packs_frame(session, paper.id)
    assert list(frame["Issued"]) == ["Not issued", local_time_text(first.issued_at)]


def test_word_table_columns_never_break_a_word():
    wide = pd.DataFrame({
        "Ref": ["PLN-04", "EXP-15"], "Task": ["Consult parents and carers on the proposed model " * 2] * 2,
        "Owner": ["Head of SEND Commissioning"] * 2, "Start": ["02 Dec 2019"] * 2, "Due": ["12 Dec 2019"] * 2,
        "Status": ["In progress"] * 2, "Milestone": ["Yes", ""], "Critical path": ["Yes", ""],
        "Baseline due": ["10 Dec 2019"] * 2,
    })
    widths = submission_pack.column_widths_cm(wide)
    assert abs(sum(widths) - submission_pack.TEXT_WIDTH_CM) < 0.01
    for column, width in zip(wide.columns, widths, strict=True):
        longest_word = max(len(w) for v in [column, *wide[column]] for w in str(v).split())
        assert width >= longest_word * submission_pack.CHAR_CM, (column, width)


def test_the_timetable_lists_the_milestones_and_last_phase_as_the_task_list_gives_them(session, editor, paper,
                                                                                        org):
    """The timetable's own query picks, orders and marks the rows as working from the whole task list does."""
    from review.plan import timeline as plan

    plan.save_baseline(session, editor, "Agreed plan", as_of=date(2019, 11, 1))
    phase1, phase2 = org.phase_id, org.phase2_id
    made = {
        "early milestone": dict(phase_id=phase1, is_milestone=True, due_date=date(2019, 6, 1), reference="EXP-09"),
        "exploration step": dict(phase_id=phase1, start_date=date(2019, 5, 1), due_date=date(2019, 5, 30)),
        "no reference": dict(phase_id=phase2, start_date=date(2020, 1, 6), due_date=date(2020, 1, 31)),
        "no dates": dict(phase_id=phase2, reference="PLN-09"),
        "same due": dict(phase_id=phase2, reference="PLN-01", start_date=date(2020, 1, 6), due_date=date(2020, 1, 31)),
        "cancelled": dict(phase_id=phase2, reference="PLN-07", status="cancelled", due_date=date(2020, 3, 1)),
    }
    for title, values in made.items():
        tasks.create_task(session, editor, title=title.capitalize(), owner_id=org.person_id, **values)
    pln = session.scalar(select(tasks.Task.id).where(tasks.Task.reference == "PLN-01"))
    tasks.add_dependency(session, editor, pln, session.scalar(select(tasks.Task.id).where(
        tasks.Task.reference == "PLN-03")))
    session.commit()
    every = tasks.tasks_frame(session)
    every["Ref"] = [ref or f"#{i}" for ref, i in zip(every["Ref"], every["id"], strict=True)]
    wanted = every[(every["Milestone"] | (every["phase_id"] == every["phase_id"].max()))
                   & (every["status"] != tasks.TaskStatus.CANCELLED.value)].sort_values(["Due", "Ref"],
                                                                                        na_position="last")
    critical = plan.compute_critical_path(session).critical
    due = plan.baseline_due_dates(session)
    frame = submissions.preview(session, paper.id).timetable.frame
    assert frame["Ref"].tolist() == wanted["Ref"].tolist() and len(frame) > 5
    assert frame["Owner"].tolist() == wanted["Owner"].tolist()
    assert frame["Critical path"].tolist() == ["Yes" if i in critical else "" for i in wanted["id"]]
    assert frame["Baseline due"].tolist() == [due.get(i) for i in wanted["id"]]
    assert "Yes" in frame["Critical path"].tolist() and "" in frame["Critical path"].tolist()
