"""Survey import: reading CSV and Excel, suggesting a column mapping, per-row validation with reasons,
all-or-nothing by default, valid rows only on request, redaction on request, permissions."""
from __future__ import annotations

import io

import pandas as pd
import pytest
from sqlalchemy import func, select

from review import engagement
from review.engagement.importer import ImportRefused, check_rows, import_inputs, read_table, suggest_mapping
from review.models import AuditEvent
from review.models.engagement import EngagementInput
from review.platform.errors import PermissionDenied, ValidationFailed

CSV = """Respondent ID,What would help?,Topics,In your own words,May we quote you?,Overall,District
P-101,One number to call,Confusion over who to call; Waiting times,Nobody picks up.,yes,negative,Stevenage
P-102,Evening opening,Wanting phone and web,,no,neutral,Watford
Jane Smith,Help with the plan,Help with EHCPs,,no,negative,Dacorum
P-104,Quicker replies,Waiting times,Call me on 07700 900123,yes,negative,Hertsmere
P-105,Transition help,Moving house,,maybe,positive,St Albans
,,,,,,
P-106,,,,,,
P-107,Clearer web pages,Wanting phone and web,It is all so confusing.,YES,Mixed,East Herts
"""


@pytest.fixture
def survey(session, editor):
    for name in ("Confusion over who to call", "Waiting times", "Wanting phone and web", "Help with EHCPs"):
        engagement.create_theme(session, editor, name)
    activity = engagement.create_activity(session, editor, title="Online survey", activity_type="survey",
                                          start_date="2019-06-01", participants=64, lawful_basis="consent",
                                          special_category_condition="explicit_consent",
                                          consent_form_version="v2.0")
    session.commit()
    return activity.id


def frame() -> pd.DataFrame:
    return read_table(CSV.encode("utf-8"), "survey.csv")


def mapping() -> dict[str, str | None]:
    return suggest_mapping(list(frame().columns))


def inputs(session) -> int:
    return session.scalar(select(func.count(EngagementInput.id)))


def test_mapping_is_suggested_from_the_headers():
    assert mapping() == {
        "participant": "Respondent ID", "need": "What would help?", "themes": "Topics",
        "quote": "In your own words", "consent_to_quote": "May we quote you?", "sentiment": "Overall",
        "district": "District", "follow_up": None,
    }


def test_each_bad_row_is_reported_with_its_spreadsheet_row_and_reason(session, editor, survey):
    report = check_rows(session, editor, frame(), mapping(), survey)
    rejected = dict(report.rejected)
    assert [row for row, _ in report.valid] == [2, 3, 9]
    assert set(rejected) == {4, 5, 6, 8}
    assert "pseudonym such as P-001" in " ".join(rejected[4])
    assert "phone number (07700 900123)" in " ".join(rejected[5])
    assert "Unknown theme 'Moving house'" in " ".join(rejected[6])
    assert "Consent to quote must be yes or no" in " ".join(rejected[6])
    assert "Record the need" in " ".join(rejected[8])
    assert report.blank_rows == 1
    assert list(report.rejected_frame().columns) == ["Row", "Why it was rejected"]


def test_nothing_is_imported_when_a_row_fails(session, editor, survey):
    with pytest.raises(ImportRefused) as info:
        import_inputs(session, editor, frame(), mapping(), survey)
    assert "nothing was imported" in info.value.errors["file"]
    assert len(info.value.report.rejected) == 4
    session.rollback()
    assert inputs(session) == 0


def test_valid_rows_only_when_the_user_chooses(session, editor, survey, viewer):
    report = import_inputs(session, editor, frame(), mapping(), survey, valid_only=True, source="survey.csv")
    session.commit()
    assert report.imported == 3 and inputs(session) == 3
    counts = engagement.theme_counts(session, editor).set_index("Theme")["Mentions"].to_dict()
    assert counts == {"Wanting phone and web": 2, "Confusion over who to call": 1, "Waiting times": 1}
    quotes = engagement.quotes_by_theme(session, viewer)
    assert set(quotes["Quote"]) == {"Nobody picks up.", "It is all so confusing."}
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).all()
    assert event.changes["inputs_imported"]["after"] == 3 and event.changes["rows_rejected"]["after"] == [4, 5, 6, 8]
    assert "survey.csv" in event.summary


def test_redaction_on_request_lets_a_row_with_identifiers_in(session, editor, survey):
    report = check_rows(session, editor, frame(), mapping(), survey, redact=True)
    assert 5 in report.redacted_rows and 5 not in dict(report.rejected)
    values = dict(report.valid)[5]
    assert values["quote"] == "Call me on [phone number removed]"


def test_an_excel_workbook_is_read_like_a_csv(session, editor, survey):
    buffer = io.BytesIO()
    frame().to_excel(buffer, index=False)
    workbook = read_table(buffer.getvalue(), "survey.xlsx")
    assert list(workbook.columns) == list(frame().columns)
    report = check_rows(session, editor, workbook, mapping(), survey)
    assert [row for row, _ in report.valid] == [2, 3, 9]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"a,b\n", "x.csv", "no rows"),
        (b"\xff\xfe\x00bad", "x.csv", "UTF-8"),
        (b"whatever", "x.pdf", "CSV file or an Excel"),
        (b"not a workbook", "x.xlsx", "could not be read"),
    ],
)
def test_unreadable_files_are_refused_plainly(data, name, message):
    with pytest.raises(ValidationFailed) as info:
        read_table(data, name)
    assert message in info.value.errors["file"]


def test_mapping_problems_are_reported_per_field(session, editor, survey):
    with pytest.raises(ValidationFailed) as info:
        check_rows(session, editor, frame(), {"participant": "Respondent ID", "quote": "Respondent ID"}, survey)
    assert "Map at least the need" in info.value.errors["need"]
    assert "more than one field" in info.value.errors["participant"]
    with pytest.raises(ValidationFailed) as info:
        check_rows(session, editor, frame(), {"need": "No such column"}, survey)
    assert "no column called" in info.value.errors["need"]


def test_readers_cannot_import(session, viewer, commissioner, survey):
    for actor in (viewer, commissioner):
        with pytest.raises(PermissionDenied):
            import_inputs(session, actor, frame(), mapping(), survey, valid_only=True)
    assert inputs(session) == 0


def test_command_line_import_and_retention_list(tmp_path, monkeypatch, capsys):
    """The engagement commands (registered through review.cli.EXTRA_COMMANDS) on an embedded database."""
    import argparse

    from review.engagement import cli
    from review.platform import db
    from review.platform.roles import SYSTEM

    monkeypatch.setenv("REVIEW_SQLITE_PATH", str(tmp_path / "cli.db"))
    engine = db.make_engine()
    db.upgrade(engine)
    with db.unit_of_work(engine) as session:
        engagement.create_theme(session, SYSTEM, "Waiting times")
        engagement.create_theme(session, SYSTEM, "Wanting phone and web")
        engagement.create_theme(session, SYSTEM, "Confusion over who to call")
        activity_id = engagement.create_activity(session, SYSTEM, title="Survey", activity_type="survey",
                                                 start_date="2017-06-01", lawful_basis="public_task").id
    engine.dispose()
    (tmp_path / "survey.csv").write_text(CSV)
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())

    def run(*argv: str) -> int:
        args = parser.parse_args(list(argv))
        return args.handler(args)

    assert run("engagement-import", "--activity", str(activity_id), "--file", str(tmp_path / "survey.csv")) == 2
    assert "row 4:" in capsys.readouterr().err
    assert run("engagement-import", "--activity", str(activity_id), "--file", str(tmp_path / "survey.csv"),
               "--valid-only") == 0
    assert "Imported 3 input(s)" in capsys.readouterr().out
    assert run("engagement-retention") == 0
    assert "Survey\treview due 01 Jun 2019" in capsys.readouterr().out
