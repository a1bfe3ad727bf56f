"""The Word pack's tables never break a word across lines ("Milesto/ne", "PLN-/04"): every column is at least as
wide as its longest word, and the columns still fit the page."""
from __future__ import annotations

from datetime import date

import pandas as pd
from docx.shared import Cm

from review.plan import tasks
from review.submission import pack as submission_pack
from review.submission import papers as submissions
from review.submission.pack import TEXT_WIDTH_CM, column_widths_cm
from tests.review.test_submission_pack import open_docx, paper  # noqa: F401 - the paper fixture

TIMETABLE_HEADER = ["Ref", "Task", "Owner", "Start", "Due", "Status", "Milestone", "Critical path", "Baseline due"]


def _widest_word_cm(header: str, values: list[str]) -> float:
    return max(submission_pack._text_cm(w, bold) for w, bold in
               [(w, True) for w in header.split()] + [(w, False) for v in values for w in v.split()])


def test_the_timetable_columns_fit_their_longest_word_and_the_page(session, editor, paper, org):  # noqa: F811
    for n in range(1, 9):  # a plan with many steps and long owners' posts, as in the demo
        tasks.create_task(session, editor, reference=f"IMP-{n:02d}", title=f"Implementation step {n} with a long "
                          "title that wraps over several lines", phase_id=org.phase2_id, owner_id=org.person2_id,
                          start_date=date(2020, 1, n), due_date=date(2020, 2, n), is_milestone=n % 2 == 0)
    session.commit()
    pack = submissions.generate_pack(session, editor, paper.id, paper.version)
    document = open_docx(pack)
    table = next(t for t in document.tables if [c.text for c in t.rows[0].cells][:7] == TIMETABLE_HEADER[:7])
    header = [c.text for c in table.rows[0].cells]
    assert not table.autofit
    widths = [column.width for column in table.columns]
    assert sum(widths) <= Cm(TEXT_WIDTH_CM) + Cm(0.05)
    for i, name in enumerate(header):
        values = [row.cells[i].text for row in table.rows[1:]]
        assert widths[i] >= Cm(_widest_word_cm(name, values)), (name, widths[i] / 360000)
        assert all(row.cells[i].width == widths[i] for row in table.rows)  # cell widths set too (Word uses them)


def test_short_columns_give_up_room_but_never_below_their_longest_word():
    frame = pd.DataFrame({"Ref": ["PLN-04"] * 3, "Task": ["A long task title that wraps"] * 3,
                          "Owner": ["Operations Director Specialist Services"] * 3,
                          **{f"Date {i}": ["04 Mar 2019"] * 3 for i in range(6)}, "Milestone": ["Yes"] * 3})
    widths = column_widths_cm(frame)
    assert abs(sum(widths) - TEXT_WIDTH_CM) < 0.01
    for width, column in zip(widths, frame.columns, strict=True):
        assert width >= _widest_word_cm(column, list(frame[column])), column
