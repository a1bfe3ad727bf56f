"""An administrator downloads a backup from the Operations page in a real browser: the file is a whole backup
of the demo data, and the download is in the audit trail (shown on the page after it)."""
from __future__ import annotations

from review.operations import archive
from tests.browser.conftest import screenshot, sign_in_as, wait_for_heading, wait_idle


def test_administrator_downloads_a_backup(page, app_url, tmp_path):
    sign_in_as(page, app_url, "Administrator")
    page.get_by_role("link", name="Operations", exact=True).first.click()
    wait_for_heading(page, "Operations")
    assert page.get_by_text("parents' personal data").count() >= 1
    with page.expect_download() as info:
        page.get_by_role("button", name="Download a backup now").click()
    file = info.value
    assert file.suggested_filename.startswith("review-backup-") and file.suggested_filename.endswith(".zip")
    path = tmp_path / file.suggested_filename
    file.save_as(str(path))
    taken = archive.from_bytes(path.read_bytes())
    assert taken.manifest["tables"]["tasks"]["rows"] > 20
    assert "sign_in_sessions" not in taken.tables  # the admin's own sign-in is not in it

    page.reload()
    wait_for_heading(page, "Operations")
    wait_idle(page)
    # The data grid draws on a canvas; its accessible cells are in the DOM but hidden.
    page.get_by_text("Downloaded from the app").first.wait_for(state="attached", timeout=30_000)
    screenshot(page, "operations-admin")
