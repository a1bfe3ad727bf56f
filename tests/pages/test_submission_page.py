"""AppTest of the Submission pack page: every role reads it; editors draft and generate; viewers download only."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from review.decisions import log as decisions
from review.models import Task
from review.models.decisions import Decision
from review.models.submissions import Submission, SubmissionPack
from review.plan import tasks
from review.platform import db
from review.platform.config import get_settings
from review.platform.roles import SYSTEM, Role
from review.submission import pack as submission_pack
from review.submission import papers as submissions
from tests.pages.conftest import shown, texts

pytestmark = pytest.mark.both_engines  # each test runs on SQLite and on PostgreSQL

PAGE = "pages/10_Submission.py"
EDITOR_TABS = ["Edit the paper", "Options", "Strategic alignment", "Decision and actions", "Start a new paper"]


def query(fn):
    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:
        result = fn(session)
    engine.dispose()
    return result


def demo_paper() -> tuple[int, int, int]:
    """(id, version, packs) of the demo paper."""
    def read(session):
        paper = session.scalar(select(Submission))
        packs = session.scalar(select(func.count()).select_from(SubmissionPack))
        return paper.id, paper.version, packs
    return query(read)


def button(at, label):
    return next(b for b in at.button if b.label == label)


def open_tab(at, name):
    """Choose a tab, as a click does: the page reruns and runs only that tab's content."""
    at.session_state["submission_tab"] = name
    return at.run()


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_preview_of_the_demo_paper(open_page, role):
    at = open_page(PAGE, role)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    page = texts(at)
    assert "Submission pack" in page
    assert "1. Purpose of the report" in page and "4. Options appraisal" in page
    assert "Appendix A: Project initiation document" in page and "A9. Project controls" in page
    assert "No pack has been issued to SEND Executive yet" in page
    tabs = [t.label for t in at.tabs]
    can_edit = role in (Role.ADMIN, Role.EDITOR)
    assert all((name in tabs) == can_edit for name in EDITOR_TABS)
    assert ("Generate the pack from live data" in [b.label for b in at.button]) == can_edit
    assert at.get("plotly_chart")


def test_only_the_open_tab_runs_and_each_tab_runs_when_opened(open_page):
    at = open_page(PAGE, Role.EDITOR)
    assert at.session_state["submission_tab"] == "Preview"
    assert not at.get("form") and not at.text_area  # the editors' forms wait until their tab is opened
    assert "Save the paper" not in texts(at) and "1. Purpose of the report" in texts(at)
    expected = {"Changes since the last pack": "No pack has been generated yet, so there is nothing to compare",
                "Pack history": "No pack has been generated yet.", "Edit the paper": "Sections of the paper",
                "Options": "Edit an option", "Strategic alignment": "Manage the list of priorities and duties",
                "Decision and actions": "Actions from the decision", "Start a new paper": None}
    for tab, shown_text in expected.items():
        open_tab(at, tab)
        assert not at.exception, (tab, at.exception)
        assert "1. Purpose of the report" not in texts(at)  # the preview is not built behind another tab
        if shown_text:
            assert shown_text in texts(at) + " ".join(e.label for e in at.expander), tab
    assert "Start the paper" in [b.label for b in at.button]


def test_viewer_downloads_a_draft_then_the_issued_pack(open_page):
    paper_id, _, _ = demo_paper()
    at = open_page(PAGE, Role.VIEWER)
    assert not at.exception
    assert not at.get("form") and not at.text_input and not at.text_area
    [draft] = at.get("download_button")  # before any pack: a draft built from live data
    assert draft.proto.label == "Download a draft from live data (Word)"
    pack_id = query(lambda s: submissions.generate_pack(s, SYSTEM, paper_id).id)
    at.run()
    assert "No pack has been issued to SEND Executive yet" in texts(at)  # generated is not issued
    query(lambda s: submissions.issue_pack(s, SYSTEM, pack_id))
    at.run()
    assert "Issued to SEND Executive: Pack 1, issued " in texts(at) and "by system" in texts(at)
    downloads = at.get("download_button")
    assert downloads and downloads[0].proto.label == "Download the issued pack (Word)"
    assert "Mark pack 1 as issued" not in [b.label for b in at.button]


def test_editor_generates_the_pack_and_sees_the_change_report_after_an_edit(open_page):
    paper_id, version, packs = demo_paper()
    assert packs == 0
    at = open_page(PAGE, Role.EDITOR)
    button(at, "Generate the pack from live data").click().run()
    assert not at.exception
    assert "Pack 1 generated from live data" in texts(at)
    assert demo_paper()[2] == 1
    assert "Latest generated pack:" in texts(at) and "(not issued yet)" in texts(at)
    button(at, "Mark pack 1 as issued").click().run()
    assert "Pack 1 is marked issued to SEND Executive" in texts(at)
    assert "Issued to SEND Executive: Pack 1, issued " in texts(at)
    assert query(lambda s: s.scalar(select(SubmissionPack.issued_by))) == "demo-editor"
    # someone changes a timetable step; the preview then reports the difference before regenerating
    def move(session):
        task = session.scalar(select(Task).where(Task.reference == "PLN-03"))
        tasks.update_task(session, SYSTEM, task.id, task.version, due_date=date(2020, 5, 1))
    query(move)
    open_tab(at, "Changes since the last pack")
    assert "change(s) since pack 1" in texts(at)
    button(at, "Generate the pack from live data").click().run()
    assert "Pack 2 generated from live data" in texts(at)


def test_editor_saves_the_paper_and_a_stale_save_is_refused(open_page):
    paper_id, version, _ = demo_paper()
    at = open_tab(open_page(PAGE, Role.EDITOR), "Edit the paper")
    prefix = f"paper_{paper_id}_{version}"
    at.selectbox(key=f"{prefix}_status").select("in_review")
    at.text_area(key=f"{prefix}_purpose").input("A shorter purpose.")
    button(at, "Save the paper").click().run()
    assert not at.exception
    assert "Paper saved." in texts(at)
    saved = query(lambda s: s.get(Submission, paper_id))
    assert (saved.status, saved.purpose, saved.version) == ("in_review", "A shorter purpose.", version + 1)

    # another editor's form, opened before that save, is refused with the other change shown
    stale = open_page(PAGE, Role.EDITOR)
    stale.session_state["submission_loaded"] = (paper_id, version)
    open_tab(stale, "Edit the paper")
    assert "Someone else has saved this paper" in texts(stale)
    stale.text_input(key=f"{prefix}_title").input("A stale title")
    button(stale, "Save the paper").click().run()
    assert "saved this submission after you opened it" in texts(stale)
    assert query(lambda s: s.get(Submission, paper_id)).title != "A stale title"


def test_editor_sees_field_errors(open_page):
    paper_id, version, _ = demo_paper()
    at = open_tab(open_page(PAGE, Role.EDITOR), "Edit the paper")
    at.text_input(key=f"paper_{paper_id}_{version}_title").input("")
    button(at, "Save the paper").click().run()
    assert "Enter the title of the paper." in texts(at)


def test_editor_records_the_decision_and_adds_an_action_as_a_task(open_page):
    paper_id, version, _ = demo_paper()
    at = open_tab(open_page(PAGE, Role.EDITOR), "Decision and actions")
    assert "Recording the decision also enters it in the decision log as a draft" in texts(at)
    prefix = f"decision_{paper_id}_{version}"
    at.text_area(key=f"{prefix}_decision").input("The in-house office-hours phone line is agreed.")
    button(at, "Record the decision").click().run()
    assert "Decision recorded; the paper is now Decided and in the decision log as OKD-2019-SEND-INFORMATION." \
        in texts(at)
    assert any(shown(c.value).startswith("In the decision log as **OKD-2019-SEND-INFORMATION** (Draft).")
               for c in at.caption)
    version = query(lambda s: s.get(Submission, paper_id)).version
    at.text_input(key="add_action_0_title").input("Build the detailed project plan")
    button(at, "Add the action as a task").click().run()
    assert not at.exception
    assert "Action added as task ACT-01" in texts(at)
    frame = query(lambda s: submissions.actions_frame(s, paper_id))
    assert frame["Action"].tolist() == ["Build the detailed project plan"] and frame["Owner"].iloc[0]
    assert query(lambda s: s.get(Submission, paper_id)).version > version
    # the decision can be corrected once actions exist
    paper = query(lambda s: s.get(Submission, paper_id))
    at.text_area(key=f"decision_{paper_id}_{paper.version}_decision").input("Option 4 agreed, with a pilot year.")
    button(at, "Record the decision").click().run()
    assert "Decision recorded" in texts(at)
    assert query(lambda s: s.get(Submission, paper_id)).decision == "Option 4 agreed, with a pilot year."
    # the same decision-log entry is updated, never a second one
    logged = query(lambda s: [(d.reference, d.decision) for d in s.scalars(select(Decision).where(
        Decision.submission_id == paper_id))])
    assert logged == [("OKD-2019-SEND-INFORMATION", "Option 4 agreed, with a pilot year.")]


def test_a_refusal_by_the_decision_log_is_shown_and_nothing_is_saved(open_page):
    paper_id, version, _ = demo_paper()
    def publish_the_entry(session):
        submissions.record_decision(session, SYSTEM, paper_id, version, "Agreed.", date(2019, 12, 5),
                                    "SEND Executive Group")
        entry = decisions.decision_for_submission(session, paper_id)
        decisions.update_decision(session, SYSTEM, entry.id, entry.version, call_in_status="published",
                                  publication_date=date(2019, 12, 6))
    query(publish_the_entry)
    at = open_tab(open_page(PAGE, Role.EDITOR), "Decision and actions")
    paper = query(lambda s: s.get(Submission, paper_id))
    at.date_input(key=f"decision_{paper_id}_{paper.version}_decision_date").set_value(date(2019, 12, 9))
    button(at, "Record the decision").click().run()
    assert not at.exception
    assert "The decision log entry OKD-2019-SEND-INFORMATION cannot take this decision" in texts(at)
    assert query(lambda s: s.get(Submission, paper_id)).decision_date == date(2019, 12, 5)


def test_no_paper_yet_shows_an_empty_state(open_page):
    query(lambda s: [s.delete(p) for p in s.scalars(select(Submission))])
    viewer = open_page(PAGE, Role.VIEWER)
    assert "No paper has been started yet. The project team starts it here." in texts(viewer)
    editor = open_page(PAGE, Role.EDITOR)
    assert "Start the paper" in [b.label for b in editor.button]


def test_editor_adds_an_option_linked_to_a_scenario_and_delete_asks_for_confirmation(open_page):
    paper_id, _, _ = demo_paper()
    at = open_tab(open_page(PAGE, Role.EDITOR), "Options")
    scenario_id = next(iter(query(submission_pack.scenario_choices)))
    at.text_input(key="add_option_0_title").input("Phone line, pilot year")
    at.selectbox(key="add_option_0_scenario_id").select(scenario_id)
    button(at, "Add option").click().run()
    assert not at.exception
    assert "Option added." in texts(at)
    options = query(lambda s: [(o.title, o.scenario_id, o.id, o.version)
                               for o in submissions.options_of(s, paper_id)])
    added = next(o for o in options if o[0] == "Phone line, pilot year")
    assert added[1] == scenario_id

    at.selectbox(key="option_choice").select(added[2]).run()
    at.text_input(key=f"option_{added[2]}_{added[3]}_title").input("Phone line, pilot year (12 months)")
    button(at, "Save option").click().run()
    assert "Option saved." in texts(at)
    added = (*added[:3], added[3] + 1)
    titles = [o.title for o in query(lambda s: submissions.options_of(s, paper_id))]
    assert "Phone line, pilot year (12 months)" in titles
    button(at, "Delete option").click().run()
    assert "nothing was deleted" in texts(at)
    at.checkbox(key=f"option_{added[2]}_{added[3]}_confirm_delete").check()
    button(at, "Delete option").click().run()
    assert "Option deleted." in texts(at)
    assert not [o for o in query(lambda s: submissions.options_of(s, paper_id)) if "pilot" in o.title]
