"""Engagement page components: saving with the personal-data check, and the activity, input and
"you said, we did" forms.

A save that finds identifiers in free text is held back: the page lists what was found next to the
fields and offers "Redact and save" (one click) or "Save as written" (an audited confirmation).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from review import engagement
from review.platform import privacy
from review.platform.errors import DomainError, ValidationFailed
from review.platform.privacy import IdentifiersFound
from review.platform.roles import Actor
from ui import data, forms, tables
from ui.feedback import clear_field_errors, field_error, field_errors, flash, set_field_errors, write
from ui.readable import blank_missing

DATE_MIN, DATE_MAX = date(2000, 1, 1), date(2100, 12, 31)
Save = Callable[[Session, bool, dict[str, Any]], str]


# ------------------------------------------------------------------ saving with the identifier check

@dataclass
class Pending:
    """A save held back because free text looked like personal data."""

    save: Save
    values: dict[str, Any]
    findings: dict[str, list[tuple[str, str]]]
    after: Callable[[], None] | None = None


def _pending_key(form: str) -> str:
    return f"_pending_{form}"


def pending(form: str) -> Pending | None:
    return st.session_state.get(_pending_key(form))


def run_save(form: str, save: Save, values: dict[str, Any], confirm: bool = False,
             after: Callable[[], None] | None = None) -> bool:
    """Call the service in one transaction; show problems next to the fields; hold back identifiers."""
    try:
        with data.writing() as session:
            message = save(session, confirm, values)
    except IdentifiersFound as exc:
        set_field_errors(form, exc.errors)
        st.session_state[_pending_key(form)] = Pending(
            save, values, {f: [(x.label, x.text) for x in items] for f, items in exc.findings.items()}, after)
        return False  # show_pending, under the form, says so beside the text and offers the choices
    except ValidationFailed as exc:
        set_field_errors(form, exc.errors)
        st.session_state.pop(_pending_key(form), None)
        flash("Nothing was saved. Please correct the fields marked below.", "error")
        return False
    except DomainError as exc:
        st.session_state.pop(_pending_key(form), None)
        flash(str(exc), "warning")
        return False
    clear_field_errors(form)
    st.session_state.pop(_pending_key(form), None)
    if after:
        after()
    flash(message)
    return True


def _redact_and_save(form: str) -> None:
    held = pending(form)
    if held:
        run_save(form, held.save, privacy.redact_fields(held.values, held.findings), after=held.after)


def _save_as_written(form: str) -> None:
    held = pending(form)
    if held:
        run_save(form, held.save, held.values, confirm=True, after=held.after)


def _cancel_pending(form: str) -> None:
    st.session_state.pop(_pending_key(form), None)
    clear_field_errors(form)


FIELD_LABELS = {"title": "Title", "summary": "Summary", "facilitator": "Facilitator", "channel": "Channel or place",
                "consent_form_version": "Consent form version", "participant": "Participant pseudonym",
                "district": "District", "need": "Need raised", "quote": "Verbatim quote",
                "follow_up": "Follow-up action", "you_said": "You said", "we_did": "We did", "by_whom": "By whom"}


def show_pending(form: str) -> None:
    """The choices for a held-back save, drawn right under its form (beside the text that was checked):
    what was found in which field, "Redact and save", "Save as written" and "Go back and edit"."""
    held = pending(form)
    if not held:
        return
    with st.container(border=True, key=f"{form}_privacy_check"):
        st.markdown(":orange[:material/shield_person:] **Nothing was saved yet: some text looks like personal "
                    "data.**")
        for field, items in held.findings.items():
            found = ", ".join(f"{label} “{text}”" for label, text in items)
            st.text(f"{FIELD_LABELS.get(field, field.replace('_', ' ').capitalize())}: {found}")
        st.caption("Parents' records hold pseudonyms only. Redact the identifiers with one click, or confirm that "
                   "they are not personal data (for example a public helpline number); the confirmation is "
                   "recorded in the audit log.")
        c1, c2, c3 = st.columns(3)
        c1.button("Redact and save", type="primary", icon=":material/ink_eraser:", key=f"{form}_redact",
                  on_click=_redact_and_save, args=(form,), width="stretch")
        c2.button("Save as written (not personal data)", key=f"{form}_confirm", on_click=_save_as_written,
                  args=(form,), width="stretch")
        c3.button("Go back and edit", key=f"{form}_cancel", on_click=_cancel_pending, args=(form,), width="stretch")


def _bump(key: str) -> Callable[[], None]:
    def after() -> None:
        st.session_state[key] = st.session_state.get(key, 0) + 1
    return after


def loaded_version(kind: str, record_id: int, current: int) -> int:
    """The version the user opened (kept across reruns so someone else's save is not silently adopted)."""
    return forms.loaded_version(f"_loaded_{kind}", record_id, current, kind, reload_key=f"reload_{kind}")


def _forget_loaded(kind: str) -> Callable[[], None]:
    return lambda: st.session_state.pop(f"_loaded_{kind}", None)


def displayable(frame: pd.DataFrame) -> pd.DataFrame:
    """Ready for st.dataframe: count columns mixing numbers and "fewer than 5" become text; date columns
    become datetimes (blank when empty)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype != object:
            continue
        values = out[col].dropna()
        if len(values) and values.map(lambda v: isinstance(v, date)).all():
            out[col] = pd.to_datetime(out[col])  # an empty date then shows blank, not "None"
        elif values.map(lambda v: isinstance(v, str)).any() and values.map(lambda v: isinstance(v, int | float)).any():
            out[col] = out[col].map(str)
    return blank_missing(out)  # an empty End date or district shows blank, not "None"


def _read(prefix: str, fields: tuple[str, ...]) -> dict[str, Any]:
    return forms.read_fields(prefix, fields)


def _choice(label: str, options: dict[Any, str], current: Any, key: str, form: str, field: str,
            none_label: str | None = None) -> None:
    keys = ([None] if none_label else []) + list(options)
    index = keys.index(current) if current in keys else 0
    st.selectbox(label, keys, index=index, key=key,
                 format_func=lambda k: none_label if k is None else options.get(k, str(k)))
    field_error(form, field)


# ------------------------------------------------------------------ activities

def _activity_fields(form: str, prefix: str, values: dict[str, Any], partners: dict[int, str]) -> None:
    c1, c2 = st.columns([3, 2])
    with c1:
        st.text_input("Title *", values.get("title") or "", key=f"{prefix}_title", max_chars=200,
                      placeholder="e.g. Parent interviews, round 1")
        field_error(form, "title")
    with c2:
        _choice("Type *", engagement.ACTIVITY_TYPES, values.get("activity_type"), f"{prefix}_activity_type", form,
                "activity_type")
    c1, c2, c3, c4 = st.columns(4)
    for col, fld, label in ((c1, "start_date", "Date (or start) *"), (c2, "end_date", "End date")):
        with col:
            st.date_input(label, values.get(fld), key=f"{prefix}_{fld}", format="DD/MM/YYYY", min_value=DATE_MIN,
                          max_value=DATE_MAX)
            field_error(form, fld)
    with c3:
        st.number_input("Participants *", 0, 100_000, int(values.get("participants") or 0), step=1,
                        key=f"{prefix}_participants")
        field_error(form, "participants")
    with c4:
        _choice("Partner organisation", partners, values.get("partner_id"), f"{prefix}_partner_id", form,
                "partner_id", none_label="(none)")
    c1, c2 = st.columns(2)
    with c1:
        st.text_input("Facilitator", values.get("facilitator") or "", key=f"{prefix}_facilitator", max_chars=160,
                      help="The officer or organisation that ran it (a job title is enough).")
        field_error(form, "facilitator")
    with c2:
        st.text_input("Channel or place", values.get("channel") or "", key=f"{prefix}_channel", max_chars=160,
                      placeholder="e.g. Online form, KIDS hub Stevenage")
        field_error(form, "channel")
    st.text_area("Summary", values.get("summary") or "", key=f"{prefix}_summary", max_chars=5000,
                 help="What the activity was and how notes were taken. No names or contact details.")
    field_error(form, "summary")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        _choice("Lawful basis *", engagement.LAWFUL_BASES, values.get("lawful_basis", "public_task"),
                f"{prefix}_lawful_basis", form, "lawful_basis")
    with c2:
        _choice("Special category condition", engagement.SPECIAL_CATEGORY_CONDITIONS,
                values.get("special_category_condition") or "none", f"{prefix}_special_category_condition", form,
                "special_category_condition")
    with c3:
        st.text_input("Consent form version", values.get("consent_form_version") or "",
                      key=f"{prefix}_consent_form_version", max_chars=40, help="Required when consent is the basis.")
        field_error(form, "consent_form_version")
    with c4:
        st.date_input("Retention review", values.get("retention_review_date"), key=f"{prefix}_retention_review_date",
                      format="DD/MM/YYYY", min_value=DATE_MIN, max_value=DATE_MAX,
                      help="Leave empty for two years after the start date.")
        field_error(form, "retention_review_date")


def _create_activity(actor: Actor, form: str, prefix: str) -> None:
    values = _read(prefix, engagement.ACTIVITY_FIELDS)

    def save(session: Session, confirm: bool, v: dict[str, Any]) -> str:
        activity = engagement.create_activity(session, actor, confirm_identifiers=confirm, **v)
        return f"Activity added: {activity.title}."

    run_save(form, save, values, after=_bump("eng_activity_nonce"))


def _update_activity(actor: Actor, form: str, prefix: str, activity_id: int, version: int) -> None:
    values = _read(prefix, engagement.ACTIVITY_FIELDS)

    def save(session: Session, confirm: bool, v: dict[str, Any]) -> str:
        engagement.update_activity(session, actor, activity_id, version, confirm_identifiers=confirm, **v)
        return "Activity saved."

    run_save(form, save, values, after=_forget_loaded("activity"))


def show_activities(actor: Actor, activities: pd.DataFrame, partners: dict[int, str]) -> None:
    """The activities table, the add form and the edit form."""
    if activities.empty:
        st.info("No engagement activities yet. Add the first one below.", icon=":material/groups:")
    else:
        tables.show(displayable(activities.drop(columns=["id", "version"])), hide_index=True,
                    column_config={"Start": st.column_config.DateColumn(format="DD MMM YYYY"),
                                   "End": st.column_config.DateColumn(format="DD MMM YYYY"),
                                   "Retention review": st.column_config.DateColumn(format="DD MMM YYYY")})
    form = "eng_add_activity"
    prefix = f"eng_act_new_{st.session_state.get('eng_activity_nonce', 0)}"
    with st.expander("Add an activity", icon=":material/add:", expanded=bool(field_errors(form) or pending(form))):
        with st.form(form):
            _activity_fields(form, prefix, {"lawful_basis": "public_task"}, partners)
            st.form_submit_button("Add activity", type="primary", icon=":material/add:", on_click=_create_activity,
                                  args=(actor, form, prefix))
        show_pending(form)
    if activities.empty:
        return
    st.subheader("Edit an activity")
    labels = {int(r.id): f"{r.Start:%d %b %Y} · {r.Activity}" for r in activities.itertuples()}
    activity_id = forms.kept(st.selectbox, "Activity to edit", list(labels), format_func=labels.get,
                             key="eng_edit_activity", choices=labels)
    with data.reading() as session:
        values, current = engagement.activity_values(session, actor, activity_id)
    version = loaded_version("activity", activity_id, current)
    form = f"eng_edit_activity_{activity_id}"
    prefix = f"eng_act_{activity_id}_{version}"
    with st.form(form):
        _activity_fields(form, prefix, values, partners)
        st.form_submit_button("Save activity", type="primary", icon=":material/save:", on_click=_update_activity,
                              args=(actor, form, prefix, activity_id, version))
    show_pending(form)


# ------------------------------------------------------------------ inputs

def _input_fields(form: str, prefix: str, values: dict[str, Any], theme_options: dict[int, str]) -> None:
    c1, c2, c3 = st.columns([1, 1, 1])
    with c1:
        st.text_input("Participant pseudonym", values.get("participant") or "", key=f"{prefix}_participant",
                      max_chars=20, help="P-001 style, never a name. Leave empty for anonymous responses.")
        field_error(form, "participant")
    with c2:
        _choice("Sentiment", engagement.SENTIMENTS, values.get("sentiment"), f"{prefix}_sentiment", form,
                "sentiment", none_label="(not recorded)")
    with c3:
        st.text_input("District (optional)", values.get("district") or "", key=f"{prefix}_district", max_chars=80)
        field_error(form, "district")
    st.text_area("Need raised", values.get("need") or "", key=f"{prefix}_need", max_chars=2000,
                 help="In a sentence, what the parent needed. No names, contact details or NHS numbers.")
    field_error(form, "need")
    st.multiselect("Themes", list(theme_options), default=[t for t in values.get("theme_ids", [])
                                                           if t in theme_options],
                   format_func=lambda t: theme_options.get(t, str(t)), key=f"{prefix}_theme_ids")
    field_error(form, "theme_ids")
    c1, c2 = st.columns([4, 1])
    with c1:
        st.text_area("Verbatim quote", values.get("quote") or "", key=f"{prefix}_quote", max_chars=2000, height=80)
        field_error(form, "quote")
    with c2:
        st.checkbox("Consent to quote", bool(values.get("consent_to_quote")), key=f"{prefix}_consent_to_quote",
                    help="Only quotes with consent are shown in the insights.")
    st.text_input("Follow-up action", values.get("follow_up") or "", key=f"{prefix}_follow_up", max_chars=2000)
    field_error(form, "follow_up")


def _input_values(prefix: str, activity_id: int) -> dict[str, Any]:
    values = _read(prefix, tuple(f for f in engagement.INPUT_FIELDS if f != "activity_id"))
    values["activity_id"] = activity_id
    values["theme_ids"] = values.get("theme_ids") or []
    return values


def _add_input(actor: Actor, form: str, prefix: str, activity_id: int) -> None:
    def save(session: Session, confirm: bool, v: dict[str, Any]) -> str:
        item = engagement.add_input(session, actor, confirm_identifiers=confirm, **v)
        return f"Input recorded{f' for {item.participant}' if item.participant else ''}."

    run_save(form, save, _input_values(prefix, activity_id), after=_bump("eng_input_nonce"))


def _update_input(actor: Actor, form: str, prefix: str, input_id: int, version: int, activity_id: int) -> None:
    def save(session: Session, confirm: bool, v: dict[str, Any]) -> str:
        engagement.update_input(session, actor, input_id, version, confirm_identifiers=confirm, **v)
        return "Input saved."

    run_save(form, save, _input_values(prefix, activity_id), after=_forget_loaded("input"))


def _erase_input(actor: Actor, input_id: int, version: int) -> None:
    if write(lambda session: engagement.erase_input(session, actor, input_id, version),
             "The input's personal data was erased; its themes still count. The erasure is in the audit log."):
        st.session_state.pop("eng_confirm_erase_input", None)
        st.session_state.pop("_loaded_input", None)


def show_inputs(actor: Actor, activities: pd.DataFrame, theme_options: dict[int, str]) -> None:
    """Pick an activity; see, add and edit what participants said there."""
    if activities.empty:
        st.info("Add an engagement activity first; inputs are recorded against an activity.",
                icon=":material/groups:")
        return
    labels = {int(r.id): f"{r.Start:%d %b %Y} · {r.Activity}" for r in activities.itertuples()}
    activity_id = forms.kept(st.selectbox, "Activity", list(labels), format_func=labels.get,
                             key="eng_inputs_activity", choices=labels)
    erased = bool(activities.set_index("id").loc[activity_id, "Erased"])
    with data.reading() as session:
        frame = engagement.inputs_frame(session, actor, activity_id)
        suggestion = engagement.next_pseudonym(session)
        active_themes = engagement.themes(session, active_only=True)
    shown = ["Participant", "Need", "Themes", "Quote", "Consent to quote", "Sentiment", "District", "Follow-up",
             "Responded", "Erased"]
    if frame.empty:
        st.info("No inputs recorded for this activity yet.", icon=":material/forum:")
    else:
        st.caption(f"{len(frame)} input(s). Personal data: keep this view to the project team.")
        tables.show(displayable(frame[shown]), hide_index=True)
    if erased:
        st.info("This activity's personal data was erased at its retention review; no new inputs can be added.",
                icon=":material/delete_sweep:")
    else:
        form = "eng_add_input"
        prefix = f"eng_in_new_{st.session_state.get('eng_input_nonce', 0)}_{activity_id}"
        with st.expander("Add an input", icon=":material/add_comment:",
                         expanded=bool(field_errors(form) or pending(form)) or frame.empty):
            with st.form(form):
                _input_fields(form, prefix, {"participant": suggestion}, active_themes)
                st.form_submit_button("Add input", type="primary", icon=":material/add:", on_click=_add_input,
                                      args=(actor, form, prefix, activity_id))
            show_pending(form)
    if frame.empty:
        return
    st.subheader("Edit an input")
    input_labels = {int(r.id): f"{r.Participant or 'anonymous'} · {(r.Need or '(erased)')[:60]}"
                    for r in frame.itertuples()}
    input_id = forms.kept(st.selectbox, "Input to edit", list(input_labels), format_func=input_labels.get,
                          key="eng_edit_input", choices=input_labels)
    with data.reading() as session:
        values, current = engagement.input_values(session, actor, input_id)
        all_themes = engagement.themes(session)
    options = {t: n for t, n in all_themes.items() if t in active_themes or t in values["theme_ids"]}
    version = loaded_version("input", input_id, current)
    form = f"eng_edit_input_{input_id}"
    prefix = f"eng_in_{input_id}_{version}"
    with st.form(form):
        _input_fields(form, prefix, values, options)
        st.form_submit_button("Save input", type="primary", icon=":material/save:", on_click=_update_input,
                              args=(actor, form, prefix, input_id, version, activity_id))
    show_pending(form)
    if values.get("participant") or values.get("need") or values.get("quote"):
        forms.confirm_button(
            "eng_confirm_erase_input", input_id, ask="Erase this input's personal data...",
            question="Erase this input's pseudonym, need, quote, district and follow-up? Its themes and sentiment "
                     "stay so the theme counts do not change. This cannot be undone.",
            yes="Yes, erase the personal data", on_yes=_erase_input, args=(actor, input_id, version),
            widgets="eng_erase_input")


# ------------------------------------------------------------------ responses ("you said, we did")

def _response_fields(form: str, prefix: str, values: dict[str, Any], theme_options: dict[int, str],
                     need_options: dict[int, str]) -> None:
    c1, c2, c3 = st.columns(3)
    with c1:
        _choice("Theme", theme_options, values.get("theme_id"), f"{prefix}_theme_id", form, "theme_id",
                none_label="(general)")
    with c2:
        _choice("Status", engagement.RESPONSE_STATUSES, values.get("status", "planned"), f"{prefix}_status", form,
                "status")
    with c3:
        st.date_input("Date", values.get("response_date"), key=f"{prefix}_response_date", format="DD/MM/YYYY",
                      min_value=DATE_MIN, max_value=DATE_MAX, help="Set automatically to today when Done.")
        field_error(form, "response_date")
    st.text_area("You said *", values.get("you_said") or "", key=f"{prefix}_you_said", max_chars=2000, height=80,
                 placeholder="What parents told us, in general terms")
    field_error(form, "you_said")
    st.text_area("We did *", values.get("we_did") or "", key=f"{prefix}_we_did", max_chars=2000, height=80,
                 placeholder="What was done or is planned")
    field_error(form, "we_did")
    st.text_input("By whom", values.get("by_whom") or "", key=f"{prefix}_by_whom", max_chars=160,
                  placeholder="Team or job title")
    field_error(form, "by_whom")
    st.multiselect("Needs this answers", list(need_options), default=values.get("input_ids", []),
                   format_func=lambda i: need_options.get(i, f"#{i}"), key=f"{prefix}_input_ids",
                   help="The particular needs that this response answers; they leave the 'no response yet' list.")
    field_error(form, "input_ids")


def _create_response(actor: Actor, form: str, prefix: str) -> None:
    def save(session: Session, confirm: bool, v: dict[str, Any]) -> str:
        engagement.create_response(session, actor, confirm_identifiers=confirm, **v)
        return "Response recorded."

    values = _read(prefix, engagement.RESPONSE_FIELDS)
    values["input_ids"] = values.get("input_ids") or []
    run_save(form, save, values, after=_bump("eng_response_nonce"))


def _update_response(actor: Actor, form: str, prefix: str, response_id: int, version: int) -> None:
    def save(session: Session, confirm: bool, v: dict[str, Any]) -> str:
        engagement.update_response(session, actor, response_id, version, confirm_identifiers=confirm, **v)
        return "Response saved."

    values = _read(prefix, engagement.RESPONSE_FIELDS)
    values["input_ids"] = values.get("input_ids") or []
    run_save(form, save, values, after=_forget_loaded("response"))


def show_responses(actor: Actor, responses: pd.DataFrame, theme_options: dict[int, str]) -> None:
    """'You said, we did': the list, the add form and the edit form."""
    if responses.empty:
        st.info("No responses recorded yet. Record what was done about what parents said below.",
                icon=":material/campaign:")
    else:
        tables.show(displayable(responses.drop(columns=["id", "version"])), hide_index=True,
                    column_config={"Date": st.column_config.DateColumn(format="DD MMM YYYY")})
    with data.reading() as session:
        need_options = engagement.open_needs_options(session, actor)
    form = "eng_add_response"
    prefix = f"eng_resp_new_{st.session_state.get('eng_response_nonce', 0)}"
    with st.expander("Record a response", icon=":material/add:", expanded=bool(field_errors(form) or pending(form))):
        with st.form(form):
            _response_fields(form, prefix, {}, theme_options, need_options)
            st.form_submit_button("Add response", type="primary", icon=":material/add:", on_click=_create_response,
                                  args=(actor, form, prefix))
        show_pending(form)
    if responses.empty:
        return
    st.subheader("Edit a response")
    labels = {int(i): f"{theme} · {said[:60]}"
              for i, theme, said in zip(responses["id"], responses["Theme"], responses["You said"], strict=True)}
    response_id = forms.kept(st.selectbox, "Response to edit", list(labels), format_func=labels.get,
                             key="eng_edit_response", choices=labels)
    with data.reading() as session:
        values, current = engagement.response_values(session, response_id)
        options = engagement.open_needs_options(session, actor, include=values["input_ids"])
    version = loaded_version("response", response_id, current)
    form = f"eng_edit_response_{response_id}"
    prefix = f"eng_resp_{response_id}_{version}"
    with st.form(form):
        _response_fields(form, prefix, values, theme_options, options)
        st.form_submit_button("Save response", type="primary", icon=":material/save:", on_click=_update_response,
                              args=(actor, form, prefix, response_id, version))
    show_pending(form)
