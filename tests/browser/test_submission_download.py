"""The submission pack in a real browser: an editor generates it from live data, a SEND Executive viewer
downloads the Word document and it opens with the paper's sections and options table."""
from __future__ import annotations

import docx

from review.submission.pack import OPTION_TABLE_COLUMNS, PAPER_SECTIONS, PID_SECTIONS
from tests.browser.conftest import screenshot, sign_in_as, wait_for_heading, wait_idle


def open_submission_page(page) -> None:
    page.get_by_role("link", name="Submission pack").first.click()
    wait_for_heading(page, "Submission pack")
    wait_idle(page)


def test_editor_generates_and_viewer_downloads_the_pack(page, app_url, tmp_path):
    sign_in_as(page, app_url, "Project team (editor)")
    open_submission_page(page)
    page.get_by_text("1. Purpose of the report").first.wait_for()
    page.get_by_role("button", name="Generate the pack from live data").click()
    page.get_by_text("Pack 1 generated from live data").wait_for()
    wait_idle(page)
    page.get_by_role("button", name="Mark pack 1 as issued").click()
    page.get_by_text("Pack 1 is marked issued to SEND Executive").wait_for()
    wait_idle(page)
    screenshot(page, "submission-editor")

    page.get_by_role("button", name="Sign out").click()  # then sign in as a SEND Executive viewer
    page.get_by_role("button", name="Sign in", exact=True).wait_for()
    wait_idle(page)
    sign_in_as(page, app_url, "SEND Executive Group (viewer)")
    open_submission_page(page)
    assert page.get_by_role("button", name="Generate the pack from live data").count() == 0
    page.get_by_text("Issued to SEND Executive: Pack 1, issued").wait_for()
    screenshot(page, "submission-viewer")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the issued pack (Word)").click()
    download = info.value
    assert download.suggested_filename.endswith("-pack-1.docx")
    path = tmp_path / download.suggested_filename
    download.save_as(str(path))

    document = docx.Document(str(path))
    found = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert all(h in found for h in [*PAPER_SECTIONS, *PID_SECTIONS])
    tables = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert OPTION_TABLE_COLUMNS in tables
    assert len(document.inline_shapes) >= 1 or "matplotlib" in "\n".join(p.text for p in document.paragraphs)
