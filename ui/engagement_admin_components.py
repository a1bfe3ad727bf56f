"""Engagement page components for looking after the record: survey import, retention and erasure,
and the managed lists of themes and partner organisations."""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from review import engagement
from review.engagement.importer import FIELDS, ImportReport, check_rows, import_inputs, read_table, suggest_mapping
from review.platform.errors import DomainError, ValidationFailed
from review.platform.roles import Actor
from ui import data, tables
from ui.feedback import field_error, refusal_text, write
from ui.forms import confirm_button, kept
from ui.text import plain

# ------------------------------------------------------------------ import

def _import(actor: Actor, frame: pd.DataFrame, mapping: dict[str, Any], activity_id: int, valid_only: bool,
            redact: bool, source: str, rows: int) -> None:
    def message(report: ImportReport) -> str:
        skipped = f" {len(report.rejected)} rejected row(s) were left out." if report.rejected else ""
        return f"Imported {report.imported} input(s) from {source}.{skipped}"

    # A refused file (ImportRefused) shows its one "file" message, as other refusals show their field messages.
    if write(lambda session: import_inputs(session, actor, frame, mapping, activity_id, valid_only, redact, source),
             message, refusal_kind="error", reason=refusal_text,
             progress_text=f"Importing {rows:,} row(s) from {plain(source)}..."):
        st.session_state["eng_import_nonce"] = st.session_state.get("eng_import_nonce", 0) + 1


def show_import(actor: Actor, activities: pd.DataFrame) -> None:
    """Upload, map columns, see which rows would be rejected and why, then import."""
    st.caption("Import survey responses, one row per response, from a CSV file or an Excel workbook (first sheet). "
               "Themes must match the managed list; pseudonyms look like P-001. Nothing is imported while any row "
               "fails, unless you choose to import only the valid rows.")
    open_activities = activities[~activities["Erased"]] if not activities.empty else activities
    if open_activities.empty:
        st.info("Add the survey as an engagement activity first; responses are imported into it.",
                icon=":material/upload_file:")
        return
    labels = {int(r.id): f"{r.Start:%d %b %Y} · {r.Activity}" for r in open_activities.itertuples()}
    surveys = [i for i, t in zip(open_activities["id"], open_activities["Type"], strict=True) if t == "Survey"]
    default = list(labels).index(int(surveys[0])) if surveys else 0
    activity_id = st.selectbox("Import into activity", list(labels), index=default, format_func=labels.get,
                               key="eng_import_activity")
    nonce = st.session_state.get("eng_import_nonce", 0)
    upload = st.file_uploader("Survey file (CSV or Excel)", type=["csv", "xlsx"], key=f"eng_import_file_{nonce}")
    if upload is None:
        return
    try:
        with st.spinner(f"Reading {plain(upload.name)}..."):
            frame = read_table(upload.getvalue(), upload.name)
    except ValidationFailed as exc:
        st.error(exc.errors.get("file", str(exc)), icon=":material/error:")
        return
    st.markdown(f"**{plain(upload.name)}**: {len(frame):,} row(s). The first rows:")
    tables.show(frame.head(5), hide_index=True)
    st.markdown("**Match the file's columns to the fields**")
    suggestion = suggest_mapping(list(frame.columns))
    options: list[str | None] = [None, *frame.columns]
    mapping: dict[str, Any] = {}
    columns = st.columns(4)
    for n, (fld, (label, _)) in enumerate(FIELDS.items()):
        with columns[n % 4]:
            mapping[fld] = st.selectbox(label, options, index=options.index(suggestion[fld]) if suggestion[fld] else 0,
                                        format_func=lambda c: "(not in the file)" if c is None else c,
                                        key=f"eng_map_{fld}_{nonce}")
    redact = st.checkbox("Redact identifiers found in free text (otherwise rows holding them are rejected)",
                         key=f"eng_import_redact_{nonce}")
    try:
        with st.spinner(f"Checking {len(frame):,} row(s) against the engagement rules..."), \
                data.reading() as session:
            report = check_rows(session, actor, frame, mapping, activity_id, redact)
    except DomainError as exc:
        for fld, message in getattr(exc, "errors", {"file": str(exc)}).items():
            st.error(plain(f"{FIELDS.get(fld, (fld,))[0]}: {message}"), icon=":material/error:")
        return
    st.markdown(f"**Check:** {plain(report.summary)}.")
    if report.rejected:
        st.warning(f"{len(report.rejected)} row(s) would be rejected. Correct them in the file and upload it again, "
                   "or import only the valid rows.", icon=":material/rule:")
        tables.show(report.rejected_frame(), hide_index=True)
    if not report.valid:
        st.error("There are no valid rows to import.", icon=":material/error:")
        return
    if report.rejected:
        st.button(f"Import only the {len(report.valid)} valid row(s)", type="primary", key="eng_import_valid",
                  icon=":material/upload:", on_click=_import,
                  args=(actor, frame, mapping, activity_id, True, redact, upload.name, len(report.valid)))
    else:
        st.button(f"Import all {len(report.valid)} row(s)", type="primary", key="eng_import_all",
                  icon=":material/upload:", on_click=_import,
                  args=(actor, frame, mapping, activity_id, False, redact, upload.name, len(report.valid)))


# ------------------------------------------------------------------ retention and erasure

def _erase_activity(actor: Actor, activity_id: int, version: int) -> None:
    if write(lambda session: engagement.erase_activity(session, actor, activity_id, version),
             lambda erased: f"Personal data erased from the activity and {erased} input(s). Theme counts are kept; "
                            "the erasure is in the audit log."):
        st.session_state.pop("eng_confirm_erase_activity", None)


def _erase_participant(actor: Actor, pseudonym: str) -> None:
    write(lambda session: engagement.erase_participant(session, actor, pseudonym),
          lambda erased: f"Erased the personal data of {erased} input(s) from {pseudonym.upper()}. Theme counts are "
                         "kept.", reason=refusal_text)
    st.session_state.pop("eng_confirm_erase_participant", None)


def _ask_erase_participant() -> None:
    value = (st.session_state.get("eng_erase_pseudonym") or "").strip()
    if value:
        st.session_state["eng_confirm_erase_participant"] = value.upper()


def show_retention(actor: Actor) -> None:
    """Records past their retention review, erasure of an activity or of one participant."""
    with data.reading() as session:
        due = engagement.retention_due_frame(session, actor)
    st.subheader("Past their retention-review date")
    if due.empty:
        st.success("No engagement records are past their retention-review date.", icon=":material/check_circle:")
    else:
        tables.show(due.drop(columns=["id", "version"]), hide_index=True,
                    column_config={"Start": st.column_config.DateColumn(format="DD MMM YYYY"),
                                   "Retention review": st.column_config.DateColumn(format="DD MMM YYYY")})
        st.caption("Erase the personal data, or, if there is a reason to keep it, set a later retention-review "
                   "date on the Activities tab (the change is audited).")
        labels = {int(r.id): r.Activity for r in due.itertuples()}
        versions = dict(zip(due["id"], due["version"], strict=True))
        activity_id = kept(st.selectbox, "Activity", list(labels), format_func=labels.get,
                           key="eng_retention_activity", choices=labels)
        confirm_button("eng_confirm_erase_activity", activity_id, ask="Erase this activity's personal data...",
                       question=f"Erase the personal data of **{plain(labels[activity_id])}**? Pseudonyms, needs, "
                                "quotes, districts and follow-ups of its inputs and the activity summary are removed "
                                "for good. Themes, sentiment, dates and the number of participants stay, so theme "
                                "counts do not change.",
                       yes="Yes, erase the personal data", on_yes=_erase_activity,
                       args=(actor, activity_id, int(versions[activity_id])), widgets="eng_erase_activity",
                       icon=":material/delete_forever:", ask_icon=":material/delete_sweep:")

    st.subheader("Erase one participant's data")
    st.caption("For a request to erase: every input recorded under the pseudonym loses its personal parts.")
    with st.form("eng_erase_participant_form"):
        st.text_input("Participant pseudonym", key="eng_erase_pseudonym", max_chars=20, placeholder="P-001")
        st.form_submit_button("Erase this participant's data...", icon=":material/person_remove:",
                              on_click=_ask_erase_participant)
    pseudonym = st.session_state.get("eng_confirm_erase_participant")
    if pseudonym:
        st.warning(f"Erase the personal data of every input from **{plain(pseudonym)}**? This cannot be undone.",
                   icon=":material/delete_forever:")
        c1, c2 = st.columns(2)
        c1.button("Yes, erase", type="primary", key="eng_erase_participant_yes", on_click=_erase_participant,
                  args=(actor, pseudonym))
        if c2.button("Cancel", key="eng_erase_participant_no"):
            st.session_state.pop("eng_confirm_erase_participant", None)
            st.rerun()


# ------------------------------------------------------------------ themes and partners

def _add_theme(actor: Actor, form: str, prefix: str) -> None:
    s = st.session_state
    if write(lambda session: engagement.create_theme(session, actor, s.get(f"{prefix}_name"),
                                                     s.get(f"{prefix}_description")),
             f"Theme added: {s.get(f'{prefix}_name')}.", form=form):
        s["eng_theme_nonce"] = s.get("eng_theme_nonce", 0) + 1


def _update_theme(actor: Actor, form: str, prefix: str, theme_id: int, version: int) -> None:
    s = st.session_state
    changes = {f: s.get(f"{prefix}_{f}") for f in ("name", "description", "sort_order", "active")}
    write(lambda session: engagement.update_theme(session, actor, theme_id, version, **changes), "Theme saved.",
          form=form)


def _add_partner(actor: Actor, form: str, prefix: str) -> None:
    s = st.session_state
    if write(lambda session: engagement.create_partner(session, actor, s.get(f"{prefix}_name"),
                                                       s.get(f"{prefix}_short_name"),
                                                       s.get(f"{prefix}_also_known_as")),
             f"Partner added: {s.get(f'{prefix}_name')}.", form=form):
        s["eng_partner_nonce"] = s.get("eng_partner_nonce", 0) + 1


def _update_partner(actor: Actor, form: str, prefix: str, partner_id: int, version: int) -> None:
    s = st.session_state
    changes = {f: s.get(f"{prefix}_{f}") for f in ("name", "short_name", "also_known_as", "active")}
    write(lambda session: engagement.update_partner(session, actor, partner_id, version, **changes),
          "Partner saved.", form=form)


def show_lists(actor: Actor) -> None:
    """The managed theme list and the partner organisations (their spellings are data)."""
    with data.reading() as session:
        themes = engagement.themes_frame(session)
        partners = engagement.partners_frame(session)
    left, right = st.columns(2)
    with left:
        st.subheader("Themes")
        st.caption("Inputs are tagged with these. Retire a theme rather than delete it: its counts stay.")
        if themes.empty:
            st.info("No themes yet.")
        else:
            tables.show(themes.drop(columns=["id", "version"]), hide_index=True)
        form, prefix = "eng_add_theme", f"eng_theme_new_{st.session_state.get('eng_theme_nonce', 0)}"
        with st.form(form):
            st.text_input("New theme *", key=f"{prefix}_name", max_chars=120)
            field_error(form, "name")
            st.text_input("Description", key=f"{prefix}_description")
            st.form_submit_button("Add theme", icon=":material/add:", on_click=_add_theme, args=(actor, form, prefix))
        if not themes.empty:
            rows = themes.set_index("id")
            theme_names = rows["Theme"].to_dict()
            theme_id = kept(st.selectbox, "Theme to change", list(rows.index), format_func=theme_names.get,
                            key="eng_edit_theme", choices=rows.index)
            row = rows.loc[theme_id]
            form, prefix = f"eng_theme_{theme_id}", f"eng_theme_{theme_id}_{row['version']}"
            with st.form(form):
                st.text_input("Name *", row["Theme"], key=f"{prefix}_name", max_chars=120)
                field_error(form, "name")
                st.text_input("Description", row["Description"], key=f"{prefix}_description")
                c1, c2 = st.columns(2)
                c1.number_input("Order in lists", value=int(row["Order"]), step=10, key=f"{prefix}_sort_order")
                c2.checkbox("In use (untick to retire)", bool(row["Active"]), key=f"{prefix}_active")
                st.form_submit_button("Save theme", icon=":material/save:", on_click=_update_theme,
                                      args=(actor, form, prefix, int(theme_id), int(row["version"])))
    with right:
        st.subheader("Partner organisations")
        st.caption("Record each organisation's own spelling and any others seen in documents "
                   "(the forum writes HPCI; the 2019 decision record wrote HCPI).")
        if partners.empty:
            st.info("No partner organisations yet.")
        else:
            tables.show(partners.drop(columns=["id", "version"]), hide_index=True)
        form, prefix = "eng_add_partner", f"eng_partner_new_{st.session_state.get('eng_partner_nonce', 0)}"
        with st.form(form):
            st.text_input("Organisation *", key=f"{prefix}_name", max_chars=160)
            field_error(form, "name")
            c1, c2 = st.columns(2)
            c1.text_input("Short name", key=f"{prefix}_short_name", max_chars=30)
            c2.text_input("Also written as", key=f"{prefix}_also_known_as", max_chars=160)
            st.form_submit_button("Add partner", icon=":material/add:", on_click=_add_partner,
                                  args=(actor, form, prefix))
        if not partners.empty:
            rows = partners.set_index("id")
            partner_names = rows["Organisation"].to_dict()
            partner_id = kept(st.selectbox, "Partner to change", list(rows.index), format_func=partner_names.get,
                              key="eng_edit_partner", choices=rows.index)
            row = rows.loc[partner_id]
            form, prefix = f"eng_partner_{partner_id}", f"eng_partner_{partner_id}_{row['version']}"
            with st.form(form):
                st.text_input("Organisation *", row["Organisation"], key=f"{prefix}_name", max_chars=160)
                field_error(form, "name")
                c1, c2 = st.columns(2)
                c1.text_input("Short name", row["Short name"], key=f"{prefix}_short_name", max_chars=30)
                c2.text_input("Also written as", row["Also written as"], key=f"{prefix}_also_known_as", max_chars=160)
                st.checkbox("Active", bool(row["Active"]), key=f"{prefix}_active")
                st.form_submit_button("Save partner", icon=":material/save:", on_click=_update_partner,
                                      args=(actor, form, prefix, int(partner_id), int(row["version"])))
