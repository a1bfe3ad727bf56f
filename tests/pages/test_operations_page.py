"""AppTest of the Operations page: administrators only, the check result, backups listed, the warning shown."""
from __future__ import annotations

import pytest

from review.operations import backup
from review.platform import db
from review.platform.config import get_settings
from review.platform.roles import SYSTEM, Role
from tests.pages.conftest import texts

PAGE = "pages/15_Operations.py"


@pytest.mark.parametrize("role", [Role.EDITOR, Role.COMMISSIONER, Role.VIEWER])
def test_only_administrators_open_operations(open_page, role):
    at = open_page(PAGE, role)
    assert not at.exception
    assert "cannot use the Operations page" in texts(at)
    assert not at.get("download_button")


@pytest.mark.both_engines
def test_operations_shows_check_backups_and_download(open_page, tmp_path, monkeypatch, page_engine):
    folder = tmp_path / "backups"
    monkeypatch.setenv(backup.BACKUP_DIR_ENV, str(folder))
    at = open_page(PAGE, Role.ADMIN)
    assert not at.exception
    shown = texts(at)
    assert "parents' personal data" in shown
    assert "No backup has been written, downloaded or restored yet." in shown
    checks = at.dataframe[0].value
    assert list(checks["Check"]) == ["database", "schema", "demo accounts", "last backup"]
    assert checks.set_index("Check").loc["last backup", "Status"] == "Warning"
    assert "NOT encrypted" in shown
    assert [d.proto.label for d in at.get("download_button")] == ["Download a backup now"]
    assert "matches the plan" not in shown  # the critical-path comparison runs when asked
    at.button(key="ops_plan_check").click().run()
    assert "Critical path: OK. The stored critical path matches the plan." in texts(at)

    engine = db.make_engine(get_settings().database_url)
    backup.write(engine, folder / "review-backup-20191115T010000Z.zip", None, SYSTEM)
    engine.dispose()
    monkeypatch.setenv("REVIEW_BACKUP_PASSPHRASE", "a passphrase for the app")
    at = open_page(PAGE, Role.ADMIN)
    assert not at.exception
    frames = [d.value for d in at.dataframe]
    assert frames[0].set_index("Check").loc["last backup", "Status"] == "OK"
    assert list(frames[1]["File"]) == ["review-backup-20191115T010000Z.zip"]
    assert frames[2].iloc[0]["What"] == "Written to a file"
    assert "encrypted with the deployment's backup passphrase" in texts(at)
