"""One way of saying days late, times in the council's local time, and no "None" in tables people read."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from review.platform.wording import blank_missing, days_late, days_to_go, local_time_text


def test_days_to_go_says_overdue_in_words_never_a_negative_number():
    assert [days_to_go(d) for d in (-16, -1, 0, 1, 4)] == [
        "16 days overdue", "1 day overdue", "today", "1 day", "4 days"]


def test_days_late_matches_days_to_go_and_is_blank_when_not_late():
    assert days_late(16) == days_to_go(-16) == "16 days overdue"
    assert days_late(1) == "1 day overdue"
    assert days_late(0) == ""  # a blocked task that is not past its date


def test_local_time_is_uk_time_with_the_zone_named():
    assert local_time_text(datetime(2019, 11, 15, 9, 30, tzinfo=UTC)) == "15 Nov 2019 09:30 GMT"
    assert local_time_text(datetime(2019, 7, 1, 23, 30, tzinfo=UTC)) == "02 Jul 2019 00:30 BST"
    assert local_time_text(datetime(2019, 7, 1, 8, 0)) == "01 Jul 2019 09:00 BST"  # naive: stored UTC


def test_blank_missing_blanks_text_gaps_and_keeps_numbers_and_dates_typed():
    frame = pd.DataFrame({"Owner": ["A", None], "Score": pd.array([12, None], dtype="Int64"),
                          "End": [date(2019, 9, 27), None], "Mixed": [1, "fewer than 5"]})
    out = blank_missing(frame)
    assert list(out["Owner"]) == ["A", ""]
    assert str(out["Score"].dtype) == "Int64" and list(out["End"])[0] == date(2019, 9, 27)
    assert list(out["Mixed"]) == [1, "fewer than 5"]
    assert frame["Owner"].isna().sum() == 1  # a copy: the caller's frame is unchanged
