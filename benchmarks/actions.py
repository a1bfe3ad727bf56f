"""Time what a click does at demo size: each button or form action's service call (the demo database as built,
SQLite), to know which actions need words on screen while they run (issue 16: progress on every action over a
second).

    python benchmarks/actions.py            # one line per action: seconds (median of --repeat runs)

Figures on the project's machine are in the pull request; tests never assert timings.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("REVIEW_TODAY", "2019-11-15")
os.environ.pop("DATABASE_URL", None)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import openpyxl  # noqa: E402
from dashboard import build_demo  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from review.costing import downloads, scenarios  # noqa: E402
from review.engagement.importer import check_rows, import_inputs, read_table, suggest_mapping  # noqa: E402
from review.models import Task  # noqa: E402
from review.models.engagement import EngagementActivity  # noqa: E402
from review.models.submissions import Submission  # noqa: E402
from review.operations import backup, check  # noqa: E402
from review.plan import tasks  # noqa: E402
from review.platform import clock, db  # noqa: E402
from review.platform.config import get_settings  # noqa: E402
from review.platform.roles import Actor, Role  # noqa: E402
from review.reports import attention, calendar_export  # noqa: E402
from review.reports.dashboard import dashboard  # noqa: E402
from review.reports.highlight_report import highlight_report_html  # noqa: E402
from review.submission import pack as submission_pack  # noqa: E402
from review.submission import papers as submissions  # noqa: E402

ADMIN = Actor(1, "admin", "Administrator", Role.ADMIN)
SURVEY_ROWS = 1_240


def survey_workbook(rows: int) -> bytes:
    """A survey export as the council's survey tool writes it: one response a row."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Respondent ID", "What would help", "Themes", "Sentiment", "District"])
    for n in range(rows):
        sheet.append([f"P-{n % 900 + 100:03d}", f"One number to call for SEND questions ({n})",
                      "Confusion over who to call; Waiting times", "negative", "East Herts"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="progress_actions_"))
    path = folder / "progress_actions.db"
    build_demo(path)
    engine = db.make_engine(f"sqlite:///{path}")
    settings = get_settings()
    workbook = survey_workbook(SURVEY_ROWS)

    def read(work: Callable) -> Callable[[], object]:
        def run() -> object:
            with db.unit_of_work(engine) as session:
                return work(session)
        return run

    def rolled_back(work: Callable) -> Callable[[], object]:
        def run() -> object:
            with engine.connect() as conn, conn.begin() as tx:
                session = Session(bind=conn)
                try:
                    return work(session)
                finally:
                    session.close()
                    tx.rollback()
        return run

    with db.unit_of_work(engine) as session:
        survey = session.scalars(select(EngagementActivity.id)).first()
        submission = session.scalars(select(Submission)).first()
        submission_id, submission_version = submission.id, submission.version
        some = session.scalars(select(Task).limit(20)).all()
        edits = {t.id: (t.version, {"percent_complete": 50}) for t in some}
        one = some[0]
        scenario = scenarios.recommended_scenario(session) or scenarios.list_scenarios(session)[0]
        inputs = scenarios.scenario_inputs(scenario)
    frame = read_table(workbook, "survey.xlsx")
    mapping = suggest_mapping(list(frame.columns))
    d = read(lambda s: dashboard(s, ADMIN))()
    result = scenarios.evaluate(scenario)

    steps: dict[str, Callable[[], object]] = {
        "Save a task (ui.feedback.write, one record)": rolled_back(
            lambda s: tasks.update_task(s, ADMIN, one.id, one.version, percent_complete=40)),
        "Tasks: save 20 table edits": rolled_back(lambda s: tasks.apply_task_edits(s, ADMIN, edits)),
        "Tasks: build 'Download all tasks (CSV)'": read(lambda s: tasks.tasks_csv(s)),
        f"Engagement: read a {SURVEY_ROWS:,}-row workbook (preview)": lambda: read_table(workbook, "survey.xlsx"),
        f"Engagement: check {SURVEY_ROWS:,} rows (preview)": read(
            lambda s: check_rows(s, ADMIN, frame, mapping, survey)),
        f"Engagement: import {SURVEY_ROWS:,} rows": rolled_back(
            lambda s: import_inputs(s, ADMIN, frame, mapping, survey, source="survey.xlsx")),
        "Phone-line costs: save a scenario": rolled_back(
            lambda s: scenarios.create_scenario(s, ADMIN, "Timing copy", inputs)),
        "Phone-line costs: evaluate a scenario": lambda: scenarios.evaluate(scenario),
        "Operations: health check (page load)": lambda: check.run(engine, settings, backup.backup_dir()),
        "Operations: build 'Download a backup now'": lambda: backup.take_recorded(
            engine, None, ADMIN, backup.DOWNLOADED, backup.default_file_name(datetime.now(UTC), False)),
        "Dashboard: the dashboard's data": read(lambda s: dashboard(s, ADMIN)),
        "Dashboard: build the highlight report": lambda: highlight_report_html(d, clock.now_utc()),
        "Home: build the calendar (.ics)": read(
            lambda s: calendar_export.attention_calendar(attention.upcoming_dates(s))),
        "Submission: build a draft pack (Word)": read(
            lambda s: submission_pack.build_docx(submissions.preview(s, submission_id))),
        "Submission: generate the pack": rolled_back(
            lambda s: submissions.generate_pack(s, ADMIN, submission_id, submission_version)),
    }
    steps["Phone-line costs: build the results (Excel)"] = lambda: downloads.tables_excel(
        downloads.result_tables("Timing", result))
    for name, step in steps.items():
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            step()
            times.append(time.perf_counter() - started)
        print(f"{statistics.median(times):7.2f} s  {name}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
