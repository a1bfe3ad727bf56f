"""Decisions page components: the log, the full record in the council's layout and the record/edit form."""
from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from review.contracts import register as contracts
from review.decisions import log as decisions
from review.decisions.log import CALL_IN_LABELS, TYPE_LABELS, DecisionRecord
from review.plan import tasks
from review.platform import exports
from review.platform.roles import Actor
from ui import data, download, tables
from ui.feedback import field_error, refusal_text, write
from ui.forms import confirm_button, read_fields
from ui.navigation import PAGE_BY_KEY
from ui.text import plain

DATE_FORMAT = "DD MMM YYYY"
MIN_DATE, MAX_DATE = date(2000, 1, 1), date(2100, 12, 31)
LOG_SHOWN = ["Ref", "Decision", "Type", "Decision date", "Decision maker", "Key decision", "Published",
             "Call-in ends", "Status"]
ALT_COLUMNS = {"option": "Option considered", "reason_rejected": "Why it was rejected"}
CONSULTEE_COLUMNS = {"consultee": "Consultee (group or post)", "comments": "Their comments"}


def load_lookups() -> dict[str, dict[int, str]]:
    with data.reading() as session:
        return {"contract": contracts.contract_options(session), "task": tasks.task_choices(session)}


# ------------------------------------------------------------------ log

def decision_log_csv(frame: pd.DataFrame) -> bytes:
    """The decision log download: the columns shown, formulas neutralised."""
    return exports.to_csv_bytes(frame[LOG_SHOWN])


def show_log(frame: pd.DataFrame) -> None:
    tables.show(frame[LOG_SHOWN], hide_index=True, column_config={
        "Decision": st.column_config.TextColumn("Decision", width="medium"),
        "Decision date": st.column_config.DateColumn("Decision date", format=DATE_FORMAT),
        "Published": st.column_config.DateColumn("Published", format=DATE_FORMAT),
        "Call-in ends": st.column_config.DateColumn("Call-in ends", format=DATE_FORMAT,
                                                   help="Last working day of the call-in period"),
        "Key decision": st.column_config.CheckboxColumn("Key decision"),
    })
    download.button("Download the decision log (CSV)", lambda: decision_log_csv(frame),
                    "decision-log.csv", "text/csv", icon=":material/download:")


# ------------------------------------------------------------------ full record

def _or_none(text: str | None, none: str = "Not recorded.") -> str:
    """Stored text as plain text (see ui.text), or the placeholder in italics."""
    return plain(text) if text else f"*{none}*"


def _demote_headings(text: str | None) -> str | None:
    """Headings inside a field become bold lines, so they do not compete with the record's own sections."""
    if not text:
        return text
    return "  \n".join(f"**{plain(line.lstrip('#').strip())}**" if line.startswith("#") else plain(line)
                       for line in text.splitlines())


def show_record(record: DecisionRecord) -> None:
    """The record laid out like the council's decision record form, with call-in and links."""
    d = record.decision
    st.subheader(plain(d.title))
    m = st.columns(4)
    m[0].metric("Status", record.status_label.split(" (")[0])
    m[1].metric("Decision date", f"{d.decision_date:%d %b %Y}" if d.decision_date else "not set")
    m[2].metric("Published", f"{d.publication_date:%d %b %Y}" if d.publication_date else "not yet")
    if record.call_in_deadline:
        days = record.days_left_in_call_in
        delta = None if days is None or days < 0 else ("ends today" if days == 0 else f"{days} days left")
        m[3].metric("Call-in period ends", f"{record.call_in_deadline:%d %b %Y}", delta, delta_color="off",
                    delta_arrow="off")
    else:
        m[3].metric("Call-in period ends", "after publication")
    for warning in record.warnings:
        st.warning(plain(warning), icon=":material/warning:")
    st.caption(f"{plain(d.reference)} · {record.type_label} · "
               f"{'Key decision' if d.key_decision else 'Not a key decision'}"
               f" · Forward plan reference: {plain(d.forward_plan_reference or 'not recorded')} · Call-in period: "
               f"{d.call_in_working_days} working days (weekends and bank holidays in England and Wales skipped)")
    if record.paper:
        show_paper(record.paper)

    st.markdown("#### 1. Decision")
    st.markdown(_or_none(d.decision))
    st.markdown("#### 2. Reasons for the decision")
    st.markdown(_demote_headings(d.reasons) or "*None recorded.*")
    st.markdown("#### 3. Alternative options considered and rejected")
    if record.alternatives:
        for i, alt in enumerate(record.alternatives, start=1):
            with st.container(border=True):
                st.markdown(f"**Option {i}:** {plain(alt['option'])}  \n**Why it was rejected:** "
                            f"{_or_none(alt['reason_rejected'], 'No reason recorded.')}")
    else:
        st.markdown("*Not recorded.*")
    st.markdown("#### 4. Consultation")
    portfolio = plain(d.executive_member_portfolio or "Executive Member")
    st.markdown(f"**(a) Comments of the {portfolio}**  \n{_or_none(d.executive_member_comments)}")
    st.markdown("**(b) Comments of other consultees**")
    if record.consultees:
        st.markdown("\n".join(f"- **{plain(c['consultee'])}**: {_or_none(c['comments'], 'no comments recorded')}"
                              for c in record.consultees))
    else:
        st.markdown("*No other consultees recorded.*")
    left, right = st.columns(2)
    left.markdown(f"**Conflicts of interest declared**  \n{_or_none(d.conflicts_of_interest, 'Nothing declared.')}")
    right.markdown(f"**Dispensation granted**  \n{_or_none(d.dispensation, 'No dispensation.')}")
    st.markdown("#### 5. Decision taken by")
    st.markdown(f"{plain(d.decision_maker_post) or '*Post not recorded*'}"
                + (f", {d.decision_date:%d %B %Y}" if d.decision_date else ""))
    st.markdown("#### 6. Copies of the agreed document to")
    st.markdown(_or_none(d.circulation))

    st.markdown("#### Linked records")
    left, middle, right = st.columns(3)
    with left:
        st.markdown("**Contracts**")
        st.markdown("\n".join(f"- {plain(c['reference'])} {plain(c['title'])}" for c in record.contracts)
                    or "*No contract linked.*")
    with middle:
        st.markdown("**Tasks**")
        st.markdown("\n".join(f"- {plain(t['reference'])} {plain(t['title'])}" for t in record.tasks)
                    or "*No task linked.*")
    with right:
        st.markdown("**Contract extensions it authorised**")
        st.markdown("\n".join(f"- {plain(e['contract'])}: {e['start']:%d %b %Y} to {e['end']:%d %b %Y}"
                              for e in record.extensions) or "*No extension.*")


def show_paper(paper: dict[str, Any]) -> None:
    """The paper to the SEND Executive the decision was taken on (set when the decision was recorded on it)."""
    st.caption(f"From the paper: {plain(paper['title'])} ({plain(paper['meeting'])}, "
               f"{paper['meeting_date']:%d %b %Y})")
    page = PAGE_BY_KEY["submission"]
    st.page_link(page.path, label=f"Open the {page.label.lower()}", icon=page.icon)


# ------------------------------------------------------------------ record / edit form

FIELD_KEYS = ("reference", "title", "decision_type", "key_decision", "forward_plan_reference", "decision",
              "decision_date", "reasons", "executive_member_portfolio", "executive_member_comments",
              "conflicts_of_interest", "dispensation", "decision_maker_post", "circulation", "publication_date",
              "call_in_working_days", "call_in_status", "contract_ids", "task_ids")


def _rows_from_editor(initial: list[dict[str, Any]], state: dict[str, Any] | None, columns: dict[str, str]
                      ) -> list[dict[str, Any]]:
    """Apply a data editor's edits (edited, added and deleted rows) to the rows it started from."""
    state = state or {}
    rows = [dict(r) for r in initial]
    for position, cells in (state.get("edited_rows") or {}).items():
        rows[int(position)].update(cells)
    deleted = {int(i) for i in state.get("deleted_rows") or []}
    rows = [r for i, r in enumerate(rows) if i not in deleted]
    rows += [dict(r) for r in state.get("added_rows") or []]
    back = {label: field for field, label in columns.items()}
    return [{back.get(k, k): v for k, v in r.items()} for r in rows]


def _read(prefix: str) -> dict[str, Any]:
    values = read_fields(prefix, FIELD_KEYS)
    for name, columns in (("alternatives", ALT_COLUMNS), ("consultees", CONSULTEE_COLUMNS)):
        key = f"{prefix}_{name}"
        values[name] = _rows_from_editor(st.session_state.get(f"{key}_initial", []), st.session_state.get(key),
                                         columns)
    return values


def _list_editor(form: str, prefix: str, name: str, rows: list[dict[str, Any]], columns: dict[str, str],
                 label: str) -> None:
    key = f"{prefix}_{name}"
    initial = [{label_: r.get(field) for field, label_ in columns.items()} for r in rows]
    st.session_state[f"{key}_initial"] = initial
    st.markdown(f"**{label}**")
    frame = pd.DataFrame(initial, columns=list(columns.values()))
    st.data_editor(frame, key=key, num_rows="dynamic", hide_index=True, width="stretch",
                   column_config={c: st.column_config.TextColumn(c, width="large") for c in columns.values()})
    field_error(form, name)


def decision_fields(form: str, prefix: str, values: dict[str, Any], lookups: dict[str, dict[int, str]]) -> None:
    """Every part of the record, in the order of the council's form; messages under their fields."""
    def text(field: str, label: str, area: bool = False, **kwargs: Any) -> None:
        (st.text_area if area else st.text_input)(label, values.get(field) or "", key=f"{prefix}_{field}", **kwargs)
        field_error(form, field)

    def day(field: str, label: str) -> None:
        st.date_input(label, values.get(field), key=f"{prefix}_{field}", format="DD/MM/YYYY", min_value=MIN_DATE,
                      max_value=MAX_DATE)
        field_error(form, field)

    def choose(field: str, label: str, options: dict[str, str]) -> None:
        keys = list(options)
        current = values.get(field)
        st.selectbox(label, keys, index=keys.index(current) if current in keys else 0, format_func=options.get,
                     key=f"{prefix}_{field}")
        field_error(form, field)

    c1, c2 = st.columns([1, 3])
    with c1:
        text("reference", "Reference *", max_chars=30)
    with c2:
        text("title", "Title * (as on the forward plan)", max_chars=300)
    c1, c2, c3 = st.columns([2, 1, 2])
    with c1:
        choose("decision_type", "Type of decision", TYPE_LABELS)
    with c2:
        st.checkbox("Key decision", bool(values.get("key_decision")), key=f"{prefix}_key_decision")
    with c3:
        text("forward_plan_reference", "Forward plan reference", max_chars=60)
    text("decision", "1. Decision", area=True)
    text("reasons", "2. Reasons for the decision (Markdown allowed)", area=True, height=200)
    _list_editor(form, prefix, "alternatives", values.get("alternatives") or [], ALT_COLUMNS,
                 "3. Alternative options considered and rejected (add a row for each)")
    c1, c2 = st.columns(2)
    with c1:
        text("executive_member_portfolio", "Executive Member (portfolio, not a name)", max_chars=200,
             placeholder="e.g. Executive Member for Children's Services")
    with c2:
        text("executive_member_comments", "4(a). Comments of the Executive Member", area=True)
    _list_editor(form, prefix, "consultees", values.get("consultees") or [], CONSULTEE_COLUMNS,
                 "4(b). Other consultees and their comments")
    c1, c2 = st.columns(2)
    with c1:
        text("conflicts_of_interest", "Conflicts of interest declared", area=True)
    with c2:
        text("dispensation", "Dispensation granted (or Chief Legal Officer's advice)", area=True)
    c1, c2 = st.columns(2)
    with c1:
        text("decision_maker_post", "5. Decision taken by (post)", max_chars=200)
    with c2:
        day("decision_date", "Date of the decision")
    text("circulation", "6. Copies of the agreed document to", area=True)
    c1, c2, c3 = st.columns(3)
    with c1:
        day("publication_date", "Publication date")
    with c2:
        days = values.get("call_in_working_days")
        st.number_input("Call-in period (working days)", value=int(days) if days is not None else 5, step=1,
                        key=f"{prefix}_call_in_working_days",
                        help="Set by the council's constitution; 0 if the decision is not subject to call-in.")
        field_error(form, "call_in_working_days")
    with c3:
        choose("call_in_status", "Status", CALL_IN_LABELS)
    c1, c2 = st.columns(2)
    with c1:
        linked = [i for i in values.get("contract_ids") or [] if i in lookups["contract"]]
        st.multiselect("Linked contracts", list(lookups["contract"]), default=linked,
                       format_func=lookups["contract"].get, key=f"{prefix}_contract_ids")
        field_error(form, "contract_ids")
    with c2:
        linked = [i for i in values.get("task_ids") or [] if i in lookups["task"]]
        st.multiselect("Linked tasks", list(lookups["task"]), default=linked,
                       format_func=lookups["task"].get, key=f"{prefix}_task_ids")
        field_error(form, "task_ids")


def _create(actor: Actor, form: str, prefix: str) -> None:
    values = _read(prefix)

    def create(session: Session) -> tuple[int, str]:
        decision = decisions.create_decision(session, actor, **values)
        return decision.id, f"{decision.reference} {decision.title}"

    done = write(create, lambda r: f"Decision recorded: {r[1]}. Open it in the 'Full record' tab.", form=form,
                 invalid="The decision was not recorded. Please correct the fields marked below.",
                 refusal_kind="error")
    if done:
        st.session_state["add_decision_nonce"] = st.session_state.get("add_decision_nonce", 0) + 1
        st.session_state["decision_choice"] = done.result[0]


def show_add_form(actor: Actor, lookups: dict[str, dict[int, str]], call_in_days: int) -> None:
    form = "add_decision"
    prefix = f"addd_{st.session_state.get('add_decision_nonce', 0)}"
    st.caption("A draft can be saved with just a reference and a title. To publish, the record needs the decision, "
               "its date, reasons and the decision maker's post (regulation 13).")
    with st.form(form):
        decision_fields(form, prefix, {"call_in_working_days": call_in_days, "call_in_status": "draft",
                                       "decision_type": "officer_key"}, lookups)
        st.form_submit_button("Record decision", type="primary", icon=":material/gavel:", on_click=_create,
                              args=(actor, form, prefix))


def _update(actor: Actor, form: str, prefix: str, decision_id: int, version: int) -> None:
    values = _read(prefix)
    write(lambda session: decisions.update_decision(session, actor, decision_id, version, **values),
          "Decision saved.", form=form)


def _delete(actor: Actor, decision_id: int, version: int) -> None:
    if write(lambda session: decisions.delete_decision(session, actor, decision_id, version),
             "Draft deleted. The audit log keeps a copy of what it held.", reason=refusal_text):
        st.session_state.pop("decision_choice", None)
        st.session_state.pop("confirm_delete_decision", None)


def show_edit_form(actor: Actor, decision_id: int, lookups: dict[str, dict[int, str]]) -> None:
    with data.reading() as session:
        values = decisions.editable_values(session, decision_id)
    version = values["version"]
    form = f"edit_decision_{decision_id}"
    prefix = f"editd_{decision_id}_{version}"
    with st.expander("Edit this decision"):
        with st.form(form):
            decision_fields(form, prefix, values, lookups)
            st.form_submit_button("Save decision", type="primary", icon=":material/save:", on_click=_update,
                                  args=(actor, form, prefix, decision_id, version))
        if values["call_in_status"] == "draft":
            confirm_button("confirm_delete_decision", decision_id, ask="Delete this draft...",
                           question="Delete this draft? The audit log keeps a record.", yes="Yes, delete the draft",
                           on_yes=_delete, args=(actor, decision_id, version), widgets="delete_decision")
