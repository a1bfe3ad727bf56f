"""The Word submission pack is an accessible document (issue 13): heading styles, repeated table header rows,
alternative text on every image, a title and its language; the highlight report declares its language."""
from __future__ import annotations

import io
from datetime import UTC, datetime

import docx
import pytest
from docx.oxml.ns import qn

from review.reports.dashboard import dashboard
from review.reports.highlight_report import highlight_report_html
from review.submission import pack as submission_pack
from review.submission import papers as submissions
from tests.review.test_submission_pack import paper  # noqa: F401  (the fixture)


@pytest.fixture
def document(session, editor, paper):  # noqa: F811
    pytest.importorskip("matplotlib")
    generated = submissions.generate_pack(session, editor, paper.id)
    return docx.Document(io.BytesIO(generated.document))


def test_every_image_has_alternative_text_naming_its_values(document):
    pictures = [shape._inline.docPr for shape in document.inline_shapes]
    assert len(pictures) >= 2
    for picture in pictures:
        descr = picture.get("descr") or ""
        assert descr.startswith("Bar chart: ") and ":" in descr.split(". ", 1)[1], descr
        assert picture.get("title")
    assert any("Phone line, office hours" in p.get("descr") for p in pictures)  # the options' costs, in words


def test_tables_with_a_header_row_repeat_it_on_each_page(document):
    data_tables = [t for t in document.tables if len(t.columns) > 2]
    assert data_tables
    for table in data_tables:
        header = table.rows[0]._tr.trPr
        flag = header.find(qn("w:tblHeader")) if header is not None else None
        assert flag is not None and flag.get(qn("w:val")) == "true"
        assert all(run.bold for cell in table.rows[0].cells for p in cell.paragraphs for run in p.runs if run.text)


def test_title_language_and_heading_styles(document, paper):  # noqa: F811
    assert document.core_properties.title == paper.title
    assert document.core_properties.language == "en-GB"
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:lang")).get(qn("w:val")) == "en-GB"
    for name in ("Normal", "Heading 1", "Heading 2", "Caption"):
        assert document.styles[name].element.rPr.find(qn("w:lang")).get(qn("w:val")) == "en-GB"
    styles = {p.style.name for p in document.paragraphs if p.text in submission_pack.PAPER_SECTIONS}
    assert styles and all(s.startswith("Heading") for s in styles)


def test_chart_alt_text_lists_every_value():
    chart = submission_pack.Chart("Whole-life cost", ["A", "B"], [1_500_000, 250_000], "Cost", "GBP")
    assert submission_pack.chart_alt_text(chart) == "Bar chart: Whole-life cost (Cost). A: £1.5m; B: £250k"


def test_highlight_report_declares_its_language_and_header_cells(session, editor, paper):  # noqa: F811
    html = highlight_report_html(dashboard(session, editor), datetime(2019, 11, 15, tzinfo=UTC))
    assert html.startswith("<!DOCTYPE html><html lang='en-GB'>")
    assert "<th scope='col'>" in html and "<title>" in html
