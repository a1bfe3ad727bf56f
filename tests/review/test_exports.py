"""Every CSV and Excel download neutralises spreadsheet formulas (OWASP CSV injection), on both engines."""
from __future__ import annotations

import ast
import csv
import io
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from review import engagement
from review.contracts import register as contracts
from review.costing import downloads, scenarios
from review.decisions import log as decisions
from review.plan import raid, tasks
from review.platform import exports
from review.platform.config import PROJECT_ROOT
from review.reports import audit_log
from ui.decision_components import decision_log_csv
from ui.engagement_insights_components import theme_counts_csv
from ui.raid_components import raid_csv

HOSTILE = "=cmd|' /C calc'!A0"
HYPERLINK = '=HYPERLINK("http://evil","x")'


def cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8"))) for cell in row]


def assert_no_formula(data: bytes) -> None:
    dangerous = [c for c in cells(data) if c.startswith(exports.FORMULA_TRIGGERS)
                 and not exports._PLAIN_NUMBER.fullmatch(c)]
    assert dangerous == []


def assert_neutralised(data: bytes, hostile: str = HOSTILE) -> None:
    assert "'" + hostile in cells(data), "the hostile text should be in the file, quoted"
    assert_no_formula(data)


# ------------------------------------------------------------------ the helper itself

@pytest.mark.parametrize("text", ["=1+1", "+1 555", "-2+3", "@SUM(A1)", "\t=1", "\r=1", HOSTILE, HYPERLINK, "-"])
def test_text_that_a_spreadsheet_would_run_gets_a_quote(text):
    assert exports.neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Plain text", "", "a=b", "5", "-5", "+3.25", "-1e3", 12, -3.5, None,
                                   date(2019, 1, 1)])
def test_other_values_are_left_alone(value):
    assert exports.neutralise(value) == value


def test_csv_keeps_numbers_as_numbers_and_quotes_text():
    frame = pd.DataFrame({"Name": [HOSTILE, "-5", "ok"], "Cost": [-120.5, 3.0, 0.0], "Count": [-1, 2, 3]})
    rows = list(csv.reader(io.StringIO(exports.to_csv_bytes(frame).decode())))
    assert rows[0] == ["Name", "Cost", "Count"]
    assert rows[1] == ["'" + HOSTILE, "-120.5", "-1"]
    assert rows[2] == ["-5", "3.0", "2"]


def test_a_hostile_column_header_is_neutralised_too():
    data = exports.to_csv_bytes(pd.DataFrame({"=1+2": ["x"]}))
    assert data.decode().splitlines()[0] == "'=1+2"


def test_excel_has_no_formula_cells_and_keeps_numbers():
    data = exports.to_excel_bytes({"Sheet": pd.DataFrame({"Name": [HYPERLINK, "=1+1"], "Value": [-3, 4.5]})})
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values == [["Name", "Value"], ["'" + HYPERLINK, -3], ["'=1+1", 4.5]]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


# ------------------------------------------------------------------ each download, with a hostile record

def test_tasks_csv(session, editor, org):
    tasks.create_task(session, editor, title=HOSTILE, description="@SUM(1+1)", phase_id=org.phase_id)
    session.commit()
    data = tasks.tasks_csv(session)
    assert_neutralised(data)
    assert "'@SUM(1+1)" in cells(data)


def test_contract_register_csv(session, editor):
    contracts.create_contract(session, editor, reference="KH-1", title=HOSTILE, provider_name="+KIDS",
                              start_date=date(2016, 10, 1), original_end_date=date(2019, 9, 30))
    session.commit()
    data = contracts.register_csv(session)
    assert_neutralised(data)
    assert "'+KIDS" in cells(data)


def test_decision_log_csv(session, editor):
    decisions.create_decision(session, editor, reference="OKD-1", title=HOSTILE)
    session.commit()
    assert_neutralised(decision_log_csv(decisions.decisions_frame(session)))


def test_raid_log_csv(session, editor):
    raid.create_item(session, editor, kind="risk", title=HOSTILE, description="-1+1", likelihood=4, impact=4,
                     review_date=date(2019, 12, 1))
    session.commit()
    data = raid_csv(raid.raid_frame(session))
    assert_neutralised(data)
    assert "'-1+1" in cells(data)


def test_audit_log_csv(session, editor, org):
    tasks.create_task(session, editor, title=HOSTILE, phase_id=org.phase_id)
    session.commit()
    events = audit_log.events_in_words(session, audit_log.find_events(session, None, None, None, None, None,
                                                                       limit=100))
    assert_neutralised(exports.to_csv_bytes(events))


def test_engagement_theme_counts_csv(session, editor):
    engagement.create_theme(session, editor, HOSTILE)
    session.commit()
    assert_neutralised(theme_counts_csv(engagement.theme_counts(session, editor, include_unused=True)))


def test_costing_csv_comparison_and_excel(session, commissioner):
    first = scenarios.create_scenario(session, commissioner, HYPERLINK, {"annual_calls": 12000})
    second = scenarios.create_scenario(session, commissioner, HOSTILE, {"annual_calls": 6000})
    session.commit()
    result = scenarios.evaluate(first)
    tables = downloads.result_tables(first.name, result)
    assert_no_formula(exports.to_csv_bytes(downloads.tables_csv(tables)))
    assert_neutralised(exports.to_csv_bytes(scenarios.compare(session, [first.id, second.id])))
    book = openpyxl.load_workbook(io.BytesIO(downloads.tables_excel(tables)))
    formulas = [c.coordinate for sheet in book.worksheets for row in sheet.iter_rows() for c in row
                if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("="))]
    assert formulas == []
    texts = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'" + HYPERLINK in texts  # the scenario's name, neutralised
    numbers = [c.value for sheet in book.worksheets for row in sheet.iter_rows(min_row=2) for c in row[1:]
               if isinstance(c.value, int | float)]
    assert numbers  # figures stay numbers


# ------------------------------------------------------------------ no download bypasses the helper

# Downloads that are not spreadsheets (calendar, HTML report, Word pack) or whose bytes come from a function
# tested above.
SAFE_DATA_SOURCES = {
    "exports.to_csv_bytes", "tasks.tasks_csv", "contracts.register_csv", "decision_log_csv", "raid_csv",
    "theme_counts_csv", "_tables_csv_bytes", "_tables_excel_bytes", "calendar_export.attention_calendar",
    "html.encode", "_draft_docx", "_report_bytes", "given[1]", "latest[2]", "fresh_backup",
    "document", "document[0]", "csv", "all_tasks_csv",
}
# ui.download draws every download: `button` hands its `data` to st.download_button and `built_on_click` its
# `build` to `button`; their callers are scanned too, so the scan checks those callers' data sources instead.
PASS_THROUGH = {("download.py", "data"), ("download.py", "build")}
DOWNLOAD_CALLS = {"st.download_button", "download.button", "download.built_on_click", "button"}


def _data_argument(call: ast.Call) -> str:
    node = call.args[1] if len(call.args) > 1 else next(k.value for k in call.keywords if k.arg in ("data", "build"))
    if isinstance(node, ast.Lambda):
        node = node.body
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "partial":  # built on click: partial(f, ...)
        node = node.args[0]
    if isinstance(node, ast.Call):
        node = node.func
    return ast.unparse(node)


def test_every_download_button_gets_its_data_from_a_neutralising_source():
    found = []
    for path in [*Path(PROJECT_ROOT, "ui").glob("*.py"), *Path(PROJECT_ROOT, "pages").glob("*.py"),
                 Path(PROJECT_ROOT, "app.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in DOWNLOAD_CALLS \
                    and len(node.args) + len(node.keywords) >= 2:
                found.append((path.name, _data_argument(node)))
    assert len(found) >= 12
    assert [f for f in found if f[1] not in SAFE_DATA_SOURCES and f not in PASS_THROUGH] == []
    # "csv" in the contracts page is contracts.register_csv's result.
    contracts_page = Path(PROJECT_ROOT, "pages", "5_Contracts.py").read_text()
    assert "show_register(register, data.cached(contracts.register_csv))" in contracts_page
