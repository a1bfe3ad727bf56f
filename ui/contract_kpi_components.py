"""A contract's KPIs on its detail: the KPI table, every recorded value, a chosen KPI's trend against its target
and, for editors, the forms to record a value, add a KPI, and correct or delete a KPI or a recorded value.

A correction form is drawn from the record as it was when the user chose it (kept in session state until it is
saved, deleted or reloaded): a save by someone else in between is refused by the service and shown, and the
user's input stays in the form."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from review.contracts import register as contracts
from review.contracts.register import KPI_UNIT_MAX, RATING_LABELS
from review.platform.roles import Actor
from ui import charts, data, tables
from ui.contract_charts import kpi_trend_chart, kpi_trend_summary, kpi_trend_table
from ui.contract_fields import date_col, date_field, invalid_message, number_field, read_fields, text_field
from ui.feedback import field_error, refusal_text, write
from ui.forms import confirm_button, warn_stale
from ui.text import plain

RATE_BY_TARGET = "Rate against the target"
KPI_KEYS = {k: k for k in contracts.KPI_FIELDS}
VALUE_KEYS = {k: k for k in contracts.KPI_VALUE_FIELDS}
KPI_LOADED, VALUE_LOADED = "kpi_fix_loaded", "kpi_value_fix_loaded"
CONFIRM_KPI, CONFIRM_VALUE = "confirm_delete_kpi", "confirm_delete_kpi_value"


def _forget(*keys: str) -> None:
    for key in keys:
        st.session_state.pop(key, None)


def _refresh(*keys: str) -> None:
    """Send these pickers' choices back to the browser after a save that changed their labels (a KPI's name, a
    value's period): a browser still holding the old label would otherwise lose the choice on its next rerun."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _kpi_pickers(contract_id: int) -> tuple[str, ...]:
    """The keys of the pickers that show this contract's KPI names."""
    nonce = st.session_state.get("kpi_value_nonce", 0)
    return (f"kpi_fix_choice_{contract_id}", f"kpi_value_fix_kpi_{contract_id}", f"kpi_trend_{contract_id}",
            f"kv_{contract_id}_{nonce}_kpi_id")


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _rating_choice(rating: str | None) -> str:
    return RATE_BY_TARGET if rating is None else RATING_LABELS[rating]


# ------------------------------------------------------------------ fields

def kpi_fields(form: str, prefix: str, values: dict[str, Any]) -> None:
    """Inputs for a KPI's fields, each followed by its validation message."""
    text_field(form, prefix, "name", "KPI name *", values.get("name"), max_chars=200)
    c1, c2 = st.columns(2)
    with c1:
        text_field(form, prefix, "unit", "Unit", values.get("unit"), max_chars=KPI_UNIT_MAX,
                   placeholder="e.g. families per quarter")
        number_field(form, prefix, "frequency_months", "Return every (months)", values.get("frequency_months", 3))
        date_field(form, prefix, "first_period_end", "First period ends *", values.get("first_period_end"))
    with c2:
        number_field(form, prefix, "target", "Target", values.get("target"), step=1.0)
        st.checkbox("Higher is better", values.get("higher_is_better", True), key=f"{prefix}_higher_is_better")
        number_field(form, prefix, "return_due_days", "Return due (days after period end)",
                     values.get("return_due_days", 30))


def value_fields(form: str, prefix: str, values: dict[str, Any]) -> None:
    """Inputs for a KPI value: period, value, rating (None: rated against the target) and note."""
    date_field(form, prefix, "period_end", "Period ending *", values.get("period_end"),
               help="The last day of the reporting period, e.g. 31/12/2019 for October to December.")
    number_field(form, prefix, "value", "Value *", values.get("value"), step=1.0)
    ratings = [None, *RATING_LABELS]
    st.selectbox("Rating", ratings, index=ratings.index(values.get("rating")), key=f"{prefix}_rating",
                 format_func=_rating_choice,
                 help=f"'{RATE_BY_TARGET}' rates the value from the KPI's target: green when met, amber within "
                      "10% of it, red beyond.")
    field_error(form, "rating")
    text_field(form, prefix, "note", "Note", values.get("note"))


# ------------------------------------------------------------------ writes (form callbacks)

def _add_kpi(actor: Actor, form: str, prefix: str, contract_id: int) -> None:
    values = read_fields(prefix, KPI_KEYS)
    if write(lambda session: contracts.create_kpi(session, actor, contract_id, **values),
             f"KPI added: {values['name']}.", form=form, invalid=invalid_message("The KPI was not added.")):
        st.session_state["add_kpi_nonce"] = st.session_state.get("add_kpi_nonce", 0) + 1


def _record_value(actor: Actor, form: str, prefix: str) -> None:
    values = read_fields(prefix, {"kpi_id": "kpi_id", **VALUE_KEYS})
    kpi_id = values.pop("kpi_id")
    if write(lambda session: RATING_LABELS[contracts.record_kpi_value(session, actor, kpi_id, **values).rating],
             lambda rating: f"KPI value recorded (rated {rating}).", form=form,
             invalid=invalid_message("The value was not recorded.")):
        st.session_state["kpi_value_nonce"] = st.session_state.get("kpi_value_nonce", 0) + 1


def _update_kpi(actor: Actor, form: str, prefix: str, kpi_id: int, version: int, contract_id: int) -> None:
    values = read_fields(prefix, KPI_KEYS)
    if write(lambda session: contracts.update_kpi(session, actor, kpi_id, version, **values).name,
             lambda name: f"KPI saved: {name}.", form=form, invalid=invalid_message("Nothing was saved."),
             reason=refusal_text):
        _forget(KPI_LOADED, CONFIRM_KPI)
        _refresh(*_kpi_pickers(contract_id))


def _delete_kpi(actor: Actor, kpi_id: int, version: int, name: str, choice_key: str) -> None:
    _forget(CONFIRM_KPI)
    if write(lambda session: contracts.delete_kpi(session, actor, kpi_id, version),
             f"KPI deleted: {name}, with its recorded values. The audit log keeps a record.", reason=refusal_text):
        _forget(KPI_LOADED, choice_key)


def _update_value(actor: Actor, form: str, prefix: str, value_id: int, version: int, choice_key: str) -> None:
    values = read_fields(prefix, VALUE_KEYS)
    if write(lambda session: RATING_LABELS[contracts.update_kpi_value(session, actor, value_id, version,
                                                                      **values).rating],
             lambda rating: f"KPI value saved (rated {rating}).", form=form,
             invalid=invalid_message("Nothing was saved."), reason=refusal_text):
        _forget(VALUE_LOADED, CONFIRM_VALUE)
        _refresh(choice_key)


def _delete_value(actor: Actor, value_id: int, version: int, choice_key: str) -> None:
    _forget(CONFIRM_VALUE)
    if write(lambda session: contracts.delete_kpi_value(session, actor, value_id, version),
             "KPI value deleted. The audit log keeps a record.", reason=refusal_text):
        _forget(VALUE_LOADED, choice_key)


# ------------------------------------------------------------------ sections

def _table(kpis: pd.DataFrame, values: pd.DataFrame) -> None:
    tables.show(kpis.drop(columns=["id", "version", "higher_is_better"]), hide_index=True, column_config={
        "KPI": st.column_config.TextColumn("KPI", width="large"),
        "Latest period": date_col("Latest period ending"), "Next return due": date_col("Next return due"),
        "Every (months)": st.column_config.NumberColumn("Reported every", format="%d months")})
    if not values.empty:
        with st.expander(f"All KPI values ({len(values)})"):
            tables.show(values.drop(columns=["id", "version", "kpi_id"]), hide_index=True,
                        column_config={"Period end": date_col("Period ending"),
                                       "KPI": st.column_config.TextColumn("KPI", width="large")})


def _names(kpis: pd.DataFrame, only: pd.Series | None = None) -> dict[int, str]:
    """KPI id -> name, in the table's order; only the ids in `only` when given."""
    keep = None if only is None else {int(i) for i in only}
    return {int(i): name for i, name in zip(kpis["id"], kpis["KPI"], strict=True) if keep is None or int(i) in keep}


def _trend(contract_id: int, kpis: pd.DataFrame, values: pd.DataFrame) -> None:
    names = _names(kpis, values["kpi_id"])
    kpi_id = st.selectbox("Trend of a KPI against its target", list(names), index=None, format_func=names.get,
                          key=f"kpi_trend_{contract_id}", placeholder="Choose a KPI to chart its values")
    if kpi_id is None:
        return
    kpi = kpis[kpis["id"] == kpi_id].iloc[0]
    target = None if pd.isna(kpi["Target"]) else float(kpi["Target"])
    points = values[values["kpi_id"] == kpi_id]
    charts.show(kpi_trend_chart(points, kpi["KPI"], kpi["Unit"], target, bool(kpi["higher_is_better"])),
                key=f"kpi_chart_{kpi_id}", data=kpi_trend_table(points, target),
                summary=kpi_trend_summary(points, kpi["KPI"], target))


def _kpi_forms(actor: Actor, contract_id: int, kpis: pd.DataFrame) -> None:
    left, right = st.columns(2)
    with left:
        form = "kpi_value"
        prefix = f"kv_{contract_id}_{st.session_state.get('kpi_value_nonce', 0)}"
        with st.form(form):
            st.markdown("**Record a KPI value**")
            if kpis.empty:
                st.caption("Add a KPI first.")
            names = _names(kpis)
            due = dict(zip(kpis["id"], kpis["Next return due"], strict=True))
            st.selectbox("KPI", list(names), format_func=names.get, key=f"{prefix}_kpi_id")
            value_fields(form, prefix, {})
            if due:
                st.caption("Next returns due: " + "; ".join(f"{plain(names[k])} by {d:%d %b %Y}" for k, d in due.items()
                                                            if d is not None))
            st.form_submit_button("Record value", icon=":material/add_chart:", on_click=_record_value,
                                  args=(actor, form, prefix), disabled=kpis.empty)
    with right:
        form = "add_kpi"
        prefix = f"kpi_{contract_id}_{st.session_state.get('add_kpi_nonce', 0)}"
        with st.form(form):
            st.markdown("**Add a KPI**")
            kpi_fields(form, prefix, {})
            st.form_submit_button("Add KPI", icon=":material/add:", on_click=_add_kpi,
                                  args=(actor, form, prefix, contract_id))


def _loaded(key: str, record_id: int, current: dict[str, Any], what: str) -> dict[str, Any]:
    """The record as its form was first drawn (kept until saved, deleted or reloaded). When someone else has
    saved it since, say so and offer to reload; saving as it is shows their change."""
    loaded = st.session_state.get(key)
    if not loaded or loaded["id"] != record_id:
        loaded = {"id": record_id, **current}
        st.session_state[key] = loaded
    if loaded["version"] != current["version"]:
        warn_stale(key, what)
    return loaded


def _correction_form(actor: Actor, what: str, loaded_key: str, record_id: int,
                     read: Callable[[Session, int], dict[str, Any]], names: tuple[str, str, str],
                     draw: Callable[[str, str, dict[str, Any]], None], on_save: Callable[..., None],
                     *extra: Any) -> tuple[dict[str, Any], int]:
    """The form correcting one record, drawn from the version it was first loaded at (`_loaded`). `names`: the
    form's name and its inputs' prefix (each followed by the record's id) and the save button's label;
    `on_save(actor, form, prefix, record_id, version, *extra)`. Returns the record as it is now and the version the
    form holds."""
    with data.reading() as session:
        current = read(session, record_id)
    loaded = _loaded(loaded_key, record_id, current, what)
    version = loaded["version"]
    form, prefix = f"{names[0]}_{record_id}", f"{names[1]}_{record_id}_{version}"
    with st.form(form):
        draw(form, prefix, loaded)
        st.form_submit_button(names[2], type="primary", icon=":material/save:", on_click=on_save,
                              args=(actor, form, prefix, record_id, version, *extra))
    return current, version


def _kpi_correction_fields(form: str, prefix: str, values: dict[str, Any]) -> None:
    kpi_fields(form, prefix, values)
    st.caption("Changing the target or direction does not re-rate values already recorded: correct those below, "
               "choosing 'Rate against the target'.")


def _value_correction_fields(form: str, prefix: str, values: dict[str, Any]) -> None:
    """The value's fields; the rating starts on 'Rate against the target' when it is the one the target gives."""
    value_fields(form, prefix, {**values, "rating": None if values["rating_follows_target"] else values["rating"]})


def _correct_kpi(actor: Actor, contract_id: int, kpis: pd.DataFrame) -> None:
    names = _names(kpis)
    choice_key = f"kpi_fix_choice_{contract_id}"
    kpi_id = st.selectbox("KPI to correct", list(names), format_func=names.get, key=choice_key)
    current, version = _correction_form(actor, "KPI", KPI_LOADED, kpi_id, contracts.kpi_editable_values,
                                        ("edit_kpi", "kpie", "Save KPI"), _kpi_correction_fields, _update_kpi,
                                        contract_id)
    count = current["values"]
    confirm_button(CONFIRM_KPI, kpi_id,
                   question=f"Delete KPI **{plain(names[kpi_id])}** and its {count} recorded "
                            f"value{'' if count == 1 else 's'}? The audit log keeps a record.",
                   yes="Yes, delete the KPI", ask="Delete this KPI...",
                   on_yes=_delete_kpi, args=(actor, kpi_id, version, names[kpi_id], choice_key))


def _correct_value(actor: Actor, contract_id: int, kpis: pd.DataFrame, values: pd.DataFrame) -> None:
    names = _names(kpis, values["kpi_id"])
    c1, c2 = st.columns(2)
    kpi_id = c1.selectbox("KPI", list(names), format_func=names.get, key=f"kpi_value_fix_kpi_{contract_id}")
    rows = values[values["kpi_id"] == kpi_id]  # newest period first
    labels = {int(i): f"{d:%d %b %Y}" for i, d in zip(rows["id"], rows["Period end"], strict=True)}
    choice_key = f"kpi_value_fix_choice_{kpi_id}"
    value_id = c2.selectbox("Period ending", list(labels), format_func=labels.get, key=choice_key)
    current, version = _correction_form(actor, "KPI value", VALUE_LOADED, value_id,
                                        contracts.kpi_value_editable_values, ("edit_kpi_value", "kve", "Save value"),
                                        _value_correction_fields, _update_value, choice_key)
    confirm_button(CONFIRM_VALUE, value_id,
                   question=f"Delete the value recorded for **{plain(names[kpi_id])}** for the period ending "
                            f"{labels[value_id]} ({_number(current['value'])}, {RATING_LABELS[current['rating']]})? "
                            "The audit log keeps a record.",
                   yes="Yes, delete the value", ask="Delete this value...",
                   on_yes=_delete_value, args=(actor, value_id, version, choice_key))


def show_kpis(actor: Actor, contract_id: int, can_edit: bool, today: date) -> None:
    """The contract's KPIs: table, values, trend; editors also get the forms and the corrections."""
    with data.reading() as session:
        kpis = contracts.kpis_frame(session, contract_id, today)
        values = contracts.kpi_values_frame(session, contract_id)
    st.subheader("KPIs")
    if kpis.empty:
        st.info("No KPIs are recorded for this contract.", icon=":material/info:")
    else:
        _table(kpis, values)
        if not values.empty:
            _trend(contract_id, kpis, values)
    if not can_edit:
        return
    _kpi_forms(actor, contract_id, kpis)
    # The expanders' state is kept on the server, so they stay open across a save's rerun.
    if not kpis.empty:
        with st.expander("Correct or delete a KPI", key="kpi_fix_open", on_change="rerun"):
            _correct_kpi(actor, contract_id, kpis)
    if not values.empty:
        with st.expander("Correct or delete a recorded KPI value", key="kpi_value_fix_open", on_change="rerun"):
            _correct_value(actor, contract_id, kpis, values)
