"""Operations: health check, backups, and a backup download (administrators)."""
from __future__ import annotations

import streamlit as st

from review.operations import backup
from ui import data, operations_components
from ui.page import setup_page

ctx = setup_page("operations")
st.title("Operations")
st.caption("Is the tracker healthy, and is its record backed up? Commands for the server are in the README "
           "(backup, restore, check).")
st.warning("Backups hold every record, including parents' personal data from engagement activities. Encrypt them, "
           "keep them on council storage only, and delete copies you no longer need.", icon=":material/shield:")

st.subheader("Health check")
operations_components.show_check(operations_components.run_check(ctx.settings))
operations_components.show_plan_check()

st.subheader("Backup files")
operations_components.show_backup_files(backup.list_backups(backup.backup_dir()))

st.subheader("Backups written, downloaded and restored")
with data.reading() as session:
    operations_components.show_history(backup.history_frame(session, ctx.actor))

st.subheader("Download a backup")
operations_components.download_button(ctx.actor)
