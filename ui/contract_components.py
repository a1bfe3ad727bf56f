"""Contracts page components: the register, a contract's detail (timeline, extensions; its KPIs are in
`ui.contract_kpi_components`) and the forms."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from sqlalchemy.orm import Session

from review.contracts import register as contracts
from review.contracts.register import ContractSummary
from review.decisions import log as decisions
from review.plan import organisation
from review.platform import clock
from review.platform.roles import Actor
from ui import charts, data, download, palette, tables
from ui.contract_fields import (
    date_col,
    date_field,
    invalid_message,
    money_col,
    number_field,
    read_fields,
    text_field,
)
from ui.contract_kpi_components import show_kpis
from ui.feedback import field_error, refusal_text, write
from ui.forms import confirm_button, kept
from ui.text import plain

STATUS_COLOURS = {"Active": palette.GREEN, "Extended": palette.NAVY, "Expiring": palette.AMBER,
                  "In notice": palette.RED, "Ended": palette.GREY, "Not started": palette.LIGHT_GREY}
LABEL_GAP_SHARE = 0.15  # marker labels closer than this share of the time axis are stacked
TIMELINE_COLOURS = {"Original term": palette.NAVY, "Extension used": palette.LIGHT_BLUE,
                    "Extension options left": palette.LIGHT_GREY}
REGISTER_SHOWN = ["Ref", "Contract", "Provider", "VCSE", "Status", "Start", "Current end", "Extensions used",
                  "Extensions left", "Last possible end", "Notice deadline", "Days to notice deadline",
                  "Annual value (£)", "Illustrative values"]


def load_lookups() -> dict[str, dict[int, str]]:
    with data.reading() as session:
        return {"owner": organisation.lookups(session)["owner"], "decision": decisions.decision_options(session)}


# ------------------------------------------------------------------ register

def show_register(frame: pd.DataFrame, csv: bytes) -> None:
    counts = frame["Status"].value_counts()
    cols = st.columns(5)
    for col, label in zip(cols, ["Active", "Extended", "Expiring", "In notice", "Ended"], strict=True):
        col.metric(label, int(counts.get(label, 0)))
    tables.show(frame[REGISTER_SHOWN], hide_index=True, column_config={
        "Contract": st.column_config.TextColumn("Contract", width="medium"),
        "VCSE": st.column_config.CheckboxColumn("VCSE", help="Voluntary, community or social enterprise provider"),
        "Start": date_col("Start"), "Current end": date_col("Current end"),
        "Last possible end": date_col("Last possible end"), "Notice deadline": date_col("Notice deadline"),
        "Days to notice deadline": st.column_config.NumberColumn("Days to notice deadline", format="%d days"),
        "Annual value (£)": money_col("Annual value"),
        "Illustrative values": st.column_config.CheckboxColumn("Illustrative values",
                                                              help="The values are illustrative, not real figures"),
    })
    if frame["Illustrative values"].any():
        st.caption(":material/info: Values marked illustrative are demo figures, not the council's.")
    download.button("Download the register (CSV)", csv, "contract-register.csv", "text/csv",
                    icon=":material/download:")


# ------------------------------------------------------------------ timeline chart

def timeline_chart(summary: ContractSummary, today: date) -> go.Figure:
    """Bars for the original term, each extension and the options left; lines for the notice deadline,
    the last possible end and today."""
    bars = contracts.timeline_frame(summary)
    fig = go.Figure()
    for kind, group in bars.groupby("Kind", sort=False):
        fig.add_trace(go.Bar(
            y=group["Period"], base=pd.to_datetime(group["Start"]), orientation="h", name=kind,
            x=[(pd.Timestamp(e) + pd.Timedelta(days=1) - pd.Timestamp(s)).total_seconds() * 1000
               for s, e in zip(group["Start"], group["End"], strict=True)],
            marker_color=TIMELINE_COLOURS[kind],
            customdata=list(zip([f"{d:%d %b %Y}" for d in group["Start"]], [f"{d:%d %b %Y}" for d in group["End"]],
                                strict=True)),
            hovertemplate="%{y}: %{customdata[0]} to %{customdata[1]}<extra></extra>"))
    markers = sorted([(summary.notice_deadline, "Notice deadline", palette.RED, "dash"),
                      (summary.last_possible_end, "Last possible end", palette.DARK_GREY, "dot"),
                      (today, "Today", palette.GREEN, "solid")])
    first = min(summary.contract.start_date, today)
    span = max((max(summary.last_possible_end, today) - first).days, 1)
    row, rows, previous = 0, 0, None
    for day, label, colour, dash in markers:
        # Labels of dates close together are stacked rather than printed over each other.
        row = row + 1 if previous is not None and (day - previous).days < span * LABEL_GAP_SHARE else 0
        rows, previous = max(rows, row), day
        fig.add_vline(x=pd.Timestamp(day).value / 1e6, line_dash=dash, line_color=colour)
        fig.add_annotation(x=pd.Timestamp(day), y=1.02 + row * 0.14, yref="paper", text=f"{label}: {day:%d %b %Y}",
                           showarrow=False, font={"color": colour, "size": 11}, yanchor="bottom")
    fig.update_xaxes(type="date", tickformat="%b %Y")
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=list(bars["Period"]))
    fig.update_layout(barmode="overlay", legend={"orientation": "h", "y": -0.25})
    charts.finish(fig, f"{summary.contract.reference}: contract term, extensions and notice deadline",
                  "Date (month and year)", "Period of the contract", 360 + 40 * rows)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 90 + 40 * rows, "b": 10})
    return fig


def timeline_table(summary: ContractSummary) -> pd.DataFrame:
    """The contract timeline's data: each period with its dates, then the key dates drawn as lines."""
    bars = contracts.timeline_frame(summary)
    periods = pd.DataFrame({"What": bars["Period"], "Kind": bars["Kind"],
                            "From": [f"{d:%d %b %Y}" for d in bars["Start"]],
                            "To": [f"{d:%d %b %Y}" for d in bars["End"]]})
    dates = pd.DataFrame({"What": ["Notice deadline", "Last possible end"], "Kind": ["Date", "Date"],
                          "From": [f"{summary.notice_deadline:%d %b %Y}", f"{summary.last_possible_end:%d %b %Y}"],
                          "To": ["", ""]})
    return pd.concat([periods, dates], ignore_index=True)


# ------------------------------------------------------------------ contract form

CONTRACT_KEYS = {
    "reference": "reference", "title": "title", "department": "department", "description": "description",
    "provider_name": "provider_name", "provider_number": "provider_number", "is_vcse": "is_vcse",
    "is_sme": "is_sme", "owner_id": "owner_id", "procurement_route": "procurement_route",
    "award_date": "award_date", "start_date": "start_date", "original_end_date": "original_end_date",
    "review_date": "review_date", "extension_options": "extension_options",
    "extension_period_months": "extension_period_months", "notice_period_months": "notice_period_months",
    "notice_given_on": "notice_given_on", "annual_value": "annual_value",
    "total_value_to_date": "total_value_to_date", "values_illustrative": "values_illustrative",
}


def contract_fields(form: str, prefix: str, values: dict[str, Any], owners: dict[int, str]) -> None:
    """Inputs for every contract field, each followed by its validation message if any."""
    c1, c2 = st.columns([1, 3])
    with c1:
        text_field(form, prefix, "reference", "Reference *", values.get("reference"), max_chars=30)
    with c2:
        text_field(form, prefix, "title", "Title *", values.get("title"), max_chars=200)
    text_field(form, prefix, "description", "Description", values.get("description"), area=True)
    c1, c2, c3, c4 = st.columns([3, 2, 1, 1])
    with c1:
        text_field(form, prefix, "provider_name", "Provider *", values.get("provider_name"), max_chars=200)
    with c2:
        text_field(form, prefix, "provider_number", "Charity or company number", values.get("provider_number"),
                   max_chars=30)
    with c3:
        st.checkbox("VCSE provider", bool(values.get("is_vcse")), key=f"{prefix}_is_vcse",
                    help="Voluntary, community or social enterprise: Best Value guidance needs at least 3 months' "
                         "notice before its funding is reduced or ended.")
    with c4:
        st.checkbox("SME", bool(values.get("is_sme")), key=f"{prefix}_is_sme")
    c1, c2, c3 = st.columns(3)
    with c1:
        text_field(form, prefix, "department", "Department", values.get("department"), max_chars=120)
    with c2:
        options = [None, *owners]
        current = values.get("owner_id")
        st.selectbox("Contract owner", options, index=options.index(current) if current in options else 0,
                     format_func=lambda i: "(none)" if i is None else owners[i], key=f"{prefix}_owner_id")
        field_error(form, "owner_id")
    with c3:
        text_field(form, prefix, "procurement_route", "Procurement route", values.get("procurement_route"),
                   max_chars=120)
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        date_field(form, prefix, "award_date", "Award date", values.get("award_date"))
    with c2:
        date_field(form, prefix, "start_date", "Start date *", values.get("start_date"))
    with c3:
        date_field(form, prefix, "original_end_date", "Original end date *", values.get("original_end_date"))
    with c4:
        date_field(form, prefix, "review_date", "Review date", values.get("review_date"))
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        number_field(form, prefix, "extension_options", "Extension options (number of periods)",
                     values.get("extension_options", 0))
    with c2:
        number_field(form, prefix, "extension_period_months", "Each extension period (months)",
                     values.get("extension_period_months", 0))
    with c3:
        number_field(form, prefix, "notice_period_months", "Notice period (months)",
                     values.get("notice_period_months", 3))
    with c4:
        date_field(form, prefix, "notice_given_on", "Notice given on", values.get("notice_given_on"),
                   help="Leave empty unless notice has been given; the contract is then 'in notice'.")
    c1, c2, c3 = st.columns(3)
    with c1:
        number_field(form, prefix, "annual_value", "Annual value (£)", values.get("annual_value"), step=1000.0)
    with c2:
        number_field(form, prefix, "total_value_to_date", "Total value to date (£)",
                     values.get("total_value_to_date"), step=1000.0)
    with c3:
        st.checkbox("Values are illustrative", bool(values.get("values_illustrative")),
                    key=f"{prefix}_values_illustrative")


def _create(actor: Actor, form: str, prefix: str) -> None:
    values = read_fields(prefix, CONTRACT_KEYS)

    def create(session: Session) -> tuple[int, str]:
        contract = contracts.create_contract(session, actor, **values)
        return contract.id, f"{contract.reference} {contract.title}"

    done = write(create, lambda r: f"Added contract {r[1]}.", form=form,
                 invalid=invalid_message("The contract was not added."))
    if done:
        st.session_state["add_contract_nonce"] = st.session_state.get("add_contract_nonce", 0) + 1
        st.session_state["contract_choice"] = done.result[0]


def show_add_form(actor: Actor, owners: dict[int, str]) -> None:
    form = "add_contract"
    prefix = f"addc_{st.session_state.get('add_contract_nonce', 0)}"
    with st.form(form):
        contract_fields(form, prefix, {"notice_period_months": contracts.BEST_VALUE_MIN_NOTICE_MONTHS}, owners)
        st.form_submit_button("Add contract", type="primary", icon=":material/add:", on_click=_create,
                              args=(actor, form, prefix))


def _update(actor: Actor, form: str, prefix: str, contract_id: int, version: int) -> None:
    values = read_fields(prefix, CONTRACT_KEYS)
    write(lambda session: contracts.update_contract(session, actor, contract_id, version, **values), "Contract saved.",
          form=form, invalid=invalid_message("Nothing was saved."))


# ------------------------------------------------------------------ extensions

def _extend(actor: Actor, form: str, prefix: str, contract_id: int, version: int) -> None:
    values = read_fields(prefix, {"decision_id": "decision_id", "end_date": "end_date", "value": "value",
                                  "note": "note"})
    write(lambda session: contracts.add_extension(session, actor, contract_id, version, **values).end_date,
          lambda ends: f"Extension recorded: the contract now ends on {ends:%d %b %Y}.", form=form,
          invalid=invalid_message("The extension was not recorded."))


def _remove_extension(actor: Actor, contract_id: int, version: int, extension_id: int) -> None:
    if write(lambda session: contracts.delete_extension(session, actor, contract_id, version, extension_id),
             "The latest extension was removed. The audit log keeps a record.", reason=refusal_text):
        st.session_state.pop("confirm_remove_extension", None)


def _extension_form(actor: Actor, summary: ContractSummary, decisions_by_id: dict[int, str]) -> None:
    contract = summary.contract
    if summary.extensions_left <= 0:
        st.caption(f"All {contract.extension_options} extension option(s) have been used; no further extension "
                   "is possible under this contract.")
        return
    form = f"extend_{contract.id}"
    prefix = f"ext_{contract.id}_{contract.version}"
    start = summary.current_end + timedelta(days=1)
    with st.form(form):
        st.markdown(f"**Use an extension option** ({summary.extensions_left} of {contract.extension_options} left, "
                    f"{contract.extension_period_months} months each). It starts on {start:%d %b %Y}, the day after "
                    "the current end.")
        field_error(form, "extension")
        field_error(form, "start_date")
        c1, c2, c3 = st.columns([3, 1, 1])
        with c1:
            options = [None, *decisions_by_id]
            st.selectbox("Authorised by decision *", options, format_func=lambda i: "(choose)" if i is None
                         else decisions_by_id[i], key=f"{prefix}_decision_id")
            field_error(form, "decision_id")
        with c2:
            date_field(form, prefix, "end_date", "Ends on", summary.next_extension_end)
        with c3:
            number_field(form, prefix, "value", "Value (£)", contract.annual_value, step=1000.0)
        text_field(form, prefix, "note", "Note", None)
        st.form_submit_button("Record extension", type="primary", icon=":material/more_time:", on_click=_extend,
                              args=(actor, form, prefix, contract.id, contract.version))


# ------------------------------------------------------------------ detail

def _facts(summary: ContractSummary) -> None:
    c = summary.contract

    def money(value: Any) -> str:
        return "not recorded" if value is None else f"£{value:,.0f}"

    left, right = st.columns(2)
    left.markdown(
        f"**Provider:** {plain(c.provider_name)}"
        + (f" (no. {plain(c.provider_number)})" if c.provider_number else "")
        + ("  \n**VCSE provider:** yes (Best Value notice applies)" if c.is_vcse else "")
        + f"  \n**Department:** {plain(c.department or 'not recorded')}"
        + f"  \n**Contract owner:** {plain(summary.owner or 'not recorded')}"
        + f"  \n**Procurement route:** {plain(c.procurement_route or 'not recorded')}"
        + (f"  \n**Awarded:** {c.award_date:%d %b %Y}" if c.award_date else "")
        + (f"  \n**Review date:** {c.review_date:%d %b %Y}" if c.review_date else ""))
    right.markdown(
        f"**Term:** {c.start_date:%d %b %Y} to {c.original_end_date:%d %b %Y} (original end)"
        f"  \n**Extension options:** {c.extension_options} x {c.extension_period_months} months; used "
        f"{summary.extensions_used}, left {summary.extensions_left}"
        f"  \n**Notice period:** {c.notice_period_months} months"
        + (f"; notice given on {c.notice_given_on:%d %b %Y}" if c.notice_given_on else "")
        + f"  \n**Annual value:** {money(c.annual_value)}  \n**Total value to date:** {money(c.total_value_to_date)}"
        + ("  \n:orange[**Values are illustrative**, not real figures.]" if c.values_illustrative else ""))
    if c.description:
        st.caption(plain(c.description))


def _days(days: int) -> str:
    return f"in {days} days" if days > 0 else ("today" if days == 0 else f"{-days} days ago")


def show_detail(actor: Actor, frame: pd.DataFrame, can_edit: bool, lookups: dict[str, dict[int, str]]) -> None:
    labels = {int(r.id): f"{r.Ref} {r.Contract}" for r in frame.itertuples()}
    # The tab runs only when open: come back to the same contract.
    contract_id = kept(st.selectbox, "Contract", list(labels), format_func=labels.get, key="contract_choice",
                       choices=labels)
    today = clock.today()
    with data.reading() as session:
        summary = contracts.contract_summary(session, contract_id, today)
    c = summary.contract
    m = st.columns(4)
    m[0].metric("Status", summary.status.label,
                f"{summary.extensions_used} of {c.extension_options} extensions used", delta_color="off",
                delta_arrow="off")
    m[1].metric("Current end", f"{summary.current_end:%d %b %Y}", _days(summary.days_to_end), delta_color="off",
                delta_arrow="off")
    m[2].metric("Notice deadline", f"{summary.notice_deadline:%d %b %Y}", _days(summary.days_to_notice_deadline),
                delta_color="off", delta_arrow="off")
    m[3].metric("Last possible end", f"{summary.last_possible_end:%d %b %Y}",
                f"{summary.extensions_left} extension option(s) left", delta_color="off", delta_arrow="off")
    if c.notice_given_on is None and 0 <= summary.days_to_notice_deadline <= 60:
        deadline = f"{summary.notice_deadline:%d %b %Y}"
        st.warning(f"The notice deadline is in {summary.days_to_notice_deadline} days ({deadline}). Decide whether "
                   "to extend or give notice before then.", icon=":material/alarm:")
    if summary.notice_given_late:
        st.warning("Notice was given after the notice deadline: the provider had less than the full notice period.",
                   icon=":material/warning:")
    _facts(summary)
    charts.show(timeline_chart(summary, today), key=f"contract_timeline_{summary.contract.id}",
                data=timeline_table(summary))

    st.subheader("Extension history")
    history = contracts.extensions_frame(summary)
    if history.empty:
        st.info("No extension has been used.", icon=":material/info:")
    else:
        tables.show(history.drop(columns=["decision_id", "id"]), hide_index=True, column_config={
            "Start": date_col("Start"), "End": date_col("End"), "Value (£)": money_col("Value"),
            "Authorised by": st.column_config.TextColumn("Authorised by decision", width="medium"),
            "Note": st.column_config.TextColumn("Note", width="large")})
    if can_edit:
        _extension_form(actor, summary, lookups["decision"])
        if summary.extensions:
            latest = summary.extensions[-1]
            confirm_button("confirm_remove_extension", latest["id"], ask="Remove the latest extension...",
                           question=f"Remove the latest extension ({latest['start']:%d %b %Y} to "
                                    f"{latest['end']:%d %b %Y})? The audit log keeps a record.",
                           yes="Yes, remove it", on_yes=_remove_extension,
                           args=(actor, c.id, c.version, latest["id"]), widgets="remove_extension")

    show_kpis(actor, c.id, can_edit, today)
    if can_edit:
        with st.expander("Edit this contract"):
            form = f"edit_contract_{c.id}"
            prefix = f"editc_{c.id}_{c.version}"
            with st.form(form):
                contract_fields(form, prefix, {k: getattr(c, k) for k in contracts.CONTRACT_FIELDS}, lookups["owner"])
                st.form_submit_button("Save contract", type="primary", icon=":material/save:", on_click=_update,
                                      args=(actor, form, prefix, c.id, c.version))
