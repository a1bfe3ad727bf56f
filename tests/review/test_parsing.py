"""The declarative parsing of service input: each kind reads what it should, marks what it cannot, and
validation turns the marker into the field's message instead of an exception."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from review.plan import tasks
from review.platform.errors import ValidationFailed
from review.platform.parsing import (
    BOOL,
    DATE,
    IDS,
    MONEY,
    TEXT,
    WHOLE,
    Fields,
    Invalid,
    declare,
    is_invalid,
    report_invalid,
    text,
)
from review.platform.validation import Problems


@pytest.mark.parametrize("raw, expected", [
    ("2019-12-05", date(2019, 12, 5)), (datetime(2019, 12, 5, 10, 30), date(2019, 12, 5)), ("", None), (None, None),
    (float("nan"), None),
])
def test_dates(raw, expected):
    assert DATE(raw) == expected


@pytest.mark.parametrize("raw, expected", [(12, 12), (12.0, 12), ("12", 12), (" 7 ", 7), ("", None), (None, None),
                                           (float("nan"), None)])
def test_whole_numbers(raw, expected):
    assert WHOLE(raw) == expected


@pytest.mark.parametrize("raw", ["abc", 2.5, "2.5", "inf", [1]])
def test_what_is_not_a_whole_number_is_marked_not_raised(raw):
    assert WHOLE(raw) == Invalid(raw, "whole number")


def test_money_text_bool_and_ids():
    assert MONEY("£185,000.5") == Decimal("185000.50") and MONEY("") is None
    assert MONEY("lots") == Invalid("lots", "amount") and is_invalid(MONEY("NaN"))
    assert TEXT("  a need  ") == "a need" and TEXT("   ") is None and text(single_line=True)("a\nb") == "a b"
    assert BOOL(1) is True and BOOL(None) is False
    assert IDS([3, "1", 3.0]) == [1, 3] and IDS(None) == []
    assert is_invalid(IDS(["x"])) and is_invalid(IDS("1,2")) and is_invalid(IDS(5))


def test_a_declaration_reads_only_the_fields_given_and_reports_each_marker_once():
    fields = Fields({**declare(DATE, ("start", "end")), "owner_id": WHOLE, "title": TEXT})
    v = fields.parse({"start": "not a day", "owner_id": "abc", "title": " T ", "other": " kept "})
    assert v == {"start": Invalid("not a day", "date"), "owner_id": Invalid("abc", "whole number"), "title": "T",
                 "other": " kept "}
    problems = Problems()
    report_invalid(problems, v, ("date",))
    assert problems.errors == {"start": "'not a day' is not a date; use YYYY-MM-DD."} and v["start"] is None
    report_invalid(problems, v)
    assert problems.errors["owner_id"] == "'abc' is not a whole number." and v["owner_id"] is None


def test_a_task_with_a_non_numeric_phase_is_a_validation_message_not_a_crash(session, editor, org):
    with pytest.raises(ValidationFailed) as info:
        tasks.create_task(session, editor, title="A task", phase_id="abc", due_date="31/12/2019")
    assert info.value.errors["phase_id"] == "'abc' is not a whole number."
    assert info.value.errors["due_date"] == "'31/12/2019' is not a date; use YYYY-MM-DD."
