"""Import files that expand: a workbook is refused by its uncompressed size before it is parsed, and reading stops
one row past the row limit (workbooks streamed in openpyxl's read-only mode, CSV read with a row cap)."""
from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest

from review.engagement import importer
from review.engagement.importer import MAX_ROWS, read_table
from review.platform.errors import ValidationFailed


def _workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _with_huge_shared_string(workbook: bytes, megabytes: int) -> bytes:
    """The workbook with its shared strings replaced by one string of `megabytes` MB (deflates to a few hundred KB),
    written in chunks so the test itself never holds it."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if not item.filename.endswith("sharedStrings.xml"):
                target.writestr(item, source.read(item.filename))
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                         b'main" count="1" uniqueCount="1"><si><t>')
            chunk = b"A" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(chunk)
            member.write(b"</t></si></sst>")
    return out.getvalue()


def test_a_workbook_that_expands_is_refused_before_it_is_parsed(monkeypatch):
    bomb = _with_huge_shared_string(_workbook([["Need"], ["One number to call"]]), 300)
    assert len(bomb) < importer.MAX_BYTES  # small on the wire: only its uncompressed size gives it away
    monkeypatch.setattr(importer.openpyxl, "load_workbook",
                        lambda *a, **k: pytest.fail("the workbook was parsed"))
    started = time.perf_counter()
    with pytest.raises(ValidationFailed) as refused:
        read_table(bomb, "survey.xlsx")
    assert time.perf_counter() - started < 5
    assert "expands to" in refused.value.errors["file"] and "50 MB of text" in refused.value.errors["file"]


def test_a_workbook_within_the_limits_is_still_read():
    data = _workbook([["Respondent ID", "Need", "Count"], ["P-101", "One number", 3], ["P-102", None, 2.5], [],
                      ["P-103", "Evening opening", 1], [], [], []])
    frame = read_table(data, "survey.xlsx")
    assert list(frame.columns) == ["Respondent ID", "Need", "Count"]
    assert frame.values.tolist() == [["P-101", "One number", "3"], ["P-102", "", "2.5"], ["", "", ""],
                                     ["P-103", "Evening opening", "1"]]  # empty rows at the end are dropped


def test_reading_a_long_sheet_stops_one_row_past_the_limit(monkeypatch):
    data = _workbook([["Need"], *([f"Need {n}"] for n in range(MAX_ROWS * 3))])
    pulled = []
    real_load = openpyxl.load_workbook

    def counting_load(*args, **kwargs):
        book = real_load(*args, **kwargs)
        assert kwargs.get("read_only") is True
        sheet = book.worksheets[0]
        real_rows = sheet.iter_rows

        def iter_rows(*a, **k):
            for row in real_rows(*a, **k):
                pulled.append(1)
                yield row
        sheet.iter_rows = iter_rows
        return book

    monkeypatch.setattr(importer.openpyxl, "load_workbook", counting_load)
    with pytest.raises(ValidationFailed) as refused:
        read_table(data, "survey.xlsx")
    assert f"more than {MAX_ROWS:,} rows" in refused.value.errors["file"]
    assert len(pulled) == 1 + MAX_ROWS + 1  # header, the rows allowed, the one too many


def test_exactly_the_row_limit_is_accepted():
    data = _workbook([["Need"], *([f"Need {n}"] for n in range(MAX_ROWS))])
    assert len(read_table(data, "survey.xlsx")) == MAX_ROWS


def test_a_long_csv_is_refused_and_read_only_up_to_the_limit(monkeypatch):
    text = "Need\n" + "".join(f"Need {n}\n" for n in range(MAX_ROWS * 10))
    seen = {}
    real_read_csv = importer.pd.read_csv

    def spying_read_csv(*args, **kwargs):
        seen.update(kwargs)
        return real_read_csv(*args, **kwargs)

    monkeypatch.setattr(importer.pd, "read_csv", spying_read_csv)
    with pytest.raises(ValidationFailed) as refused:
        read_table(text.encode(), "survey.csv")
    assert f"more than {MAX_ROWS:,} rows" in refused.value.errors["file"]
    assert seen["nrows"] == MAX_ROWS + 1
