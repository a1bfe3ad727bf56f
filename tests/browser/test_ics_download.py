"""'What needs attention' in a real browser: a SEND Executive viewer downloads the .ics file from the Contracts
page (and the home page) and it parses as iCalendar with one all-day event per date."""
from __future__ import annotations

from datetime import date

from icalendar import Calendar

from tests.browser.conftest import screenshot, sign_in_as, wait_for_heading, wait_idle

# The demo data as at 15 Nov 2019, twelve months ahead (see data/demo/contracts.csv and decisions.json).
EXPECTED = [
    (date(2019, 10, 30), "KPI return due: KH-2017-02"),            # overdue return for the quarter to 30 Sep
    (date(2019, 11, 19), "Call-in period ends: OKD-2019-KIDS-OUTREACH"),
    (date(2019, 12, 31), "Notice deadline: KH-2017-02"),
    (date(2020, 1, 30), "KPI return due: KH-2016-01"),
    (date(2020, 1, 30), "KPI return due: KH-2016-01"),
    (date(2020, 3, 31), "Contract end: KH-2017-02"),
    (date(2020, 6, 30), "Notice deadline: KH-2016-01"),
    (date(2020, 9, 30), "Contract end: KH-2016-01"),
]


def events_in(path) -> list[tuple[date, str]]:
    calendar = Calendar.from_ical(path.read_bytes())
    events = calendar.walk("VEVENT")
    for event in events:
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert isinstance(start, date) and (end - start).days == 1  # all-day events
        assert event.get("uid") and event.walk("VALARM")
    return sorted((e.decoded("dtstart"), str(e.get("summary"))) for e in events)


def download(page, button_name: str, tmp_path, name: str):
    with page.expect_download() as info:
        page.get_by_role("button", name=button_name).first.click()
    file = info.value
    assert file.suggested_filename == "send-iag-review-dates.ics"
    path = tmp_path / name
    file.save_as(str(path))
    return path


def test_viewer_downloads_the_dates_as_icalendar(page, app_url, tmp_path):
    sign_in_as(page, app_url, "SEND Executive Group (viewer)")
    page.get_by_role("link", name="Home", exact=True).first.click()
    page.get_by_text("What needs attention").first.wait_for()
    home_file = download(page, "Add these dates to your calendar (.ics)", tmp_path, "home.ics")
    screenshot(page, "home-attention-viewer")

    page.get_by_role("link", name="Contracts", exact=True).first.click()
    wait_for_heading(page, "Contracts")
    wait_idle(page)
    assert page.get_by_role("button", name="Record extension").count() == 0  # viewers read only
    page.get_by_role("tab", name="What needs attention").click()
    wait_idle(page)
    screenshot(page, "contracts-attention-viewer")
    contracts_file = download(page, "Add these dates to your calendar (.ics)", tmp_path, "contracts.ics")

    for path in (home_file, contracts_file):
        got = events_in(path)
        assert [d for d, _ in got] == [d for d, _ in EXPECTED]
        for (day, summary), (want_day, prefix) in zip(got, EXPECTED, strict=True):
            assert day == want_day and summary.startswith(prefix), (day, summary)
    assert "X-WR-CALNAME:SEND IAG Review: dates needing attention" in contracts_file.read_text()
