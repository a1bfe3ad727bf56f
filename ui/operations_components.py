"""Operations page pieces: the health check, the backup files and history, and the audited backup download."""
from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from review.operations import archive, backup, check
from review.platform.config import Settings
from review.platform.roles import Actor
from review.platform.wording import local_time_text
from ui import data, download

STATUS_WORDS = {check.Status.OK: "OK", check.Status.WARNING: "Warning", check.Status.CRITICAL: "Critical"}


def run_check(settings: Settings) -> list[check.Finding]:
    """The health check, with words on screen while it runs (it reaches the database and the backup folder). The
    critical-path comparison works the path out over every task, so it runs when asked (`show_plan_check`)."""
    with st.spinner("Running the health check..."):
        return check.run(data.engine(), settings, backup.backup_dir(), plan=False)


def show_plan_check() -> None:
    """`python -m review check`'s last check, on request: does the stored critical path match the plan?"""
    if st.button("Compare the stored critical path with the plan", key="ops_plan_check", icon=":material/route:",
                 help="The tracker stores the critical path whenever a task is saved; a task changed outside it "
                      "(by SQL) leaves it behind. This works the path out from every task to compare."):
        finding = check.plan_schedule(data.engine())
        show = st.success if finding.status == check.Status.OK else st.warning
        show(f"Critical path: {STATUS_WORDS[finding.status]}. {finding.message}")


def show_check(findings: list[check.Finding]) -> None:
    """The check result as `python -m review check` gives it, one row per check (plain text)."""
    worst = check.worst(findings)
    summary = (f"Health check: {STATUS_WORDS[worst]} (the same checks as `python -m review check`, "
               f"exit code {int(worst)}).")
    {check.Status.OK: st.success, check.Status.WARNING: st.warning, check.Status.CRITICAL: st.error}[worst](summary)
    st.dataframe(pd.DataFrame([{"Status": STATUS_WORDS[f.status], "Check": f.name, "Result": f.message}
                               for f in findings]), hide_index=True)


def show_backup_files(files: list[backup.BackupFile]) -> None:
    folder = backup.backup_dir()
    if folder is None:
        st.info(f"No backup folder is set ({backup.BACKUP_DIR_ENV}); nightly backups written elsewhere are listed "
                "below only through the audit trail.", icon=":material/folder_off:")
        return
    if not files:
        st.info(f"No backup files in {folder} yet.", icon=":material/folder_open:")
        return
    st.dataframe(pd.DataFrame([{"File": f.path.name, "Size (KB)": round(f.size / 1024),
                                "Written": local_time_text(f.modified)} for f in files[:20]]),
                 hide_index=True)


def show_history(frame: pd.DataFrame) -> None:
    if frame.empty:
        st.info("No backup has been written, downloaded or restored yet.", icon=":material/history:")
    else:
        st.dataframe(frame, hide_index=True, column_config={"Details": st.column_config.TextColumn(width="large")})


def download_button(actor: Actor) -> None:
    """A fresh backup to download, encrypted when the deployment has a passphrase; each download is audited."""
    passphrase = archive.configured_passphrase()
    file_name = backup.default_file_name(datetime.now(UTC), bool(passphrase))
    if passphrase:
        st.caption(f"The download is encrypted with the deployment's backup passphrase ({archive.PASSPHRASE_ENV}).")
    else:
        st.warning(f"No backup passphrase is set ({archive.PASSPHRASE_ENV}), so the download is NOT encrypted. "
                   "Keep it on council storage only and delete it when done.", icon=":material/lock_open:")

    def fresh_backup() -> bytes:
        return backup.take_recorded(data.engine(), passphrase, actor, backup.DOWNLOADED, file_name).content

    download.built_on_click("Download a backup now", fresh_backup, file_name, "application/octet-stream",
                            key="backup_download", preparing="Writing the backup of every table...",
                            icon=":material/download:", type="primary")
