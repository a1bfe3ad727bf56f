"""RAID log components: filters, the log, the heat maps, and the add and edit forms (project team)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from review.plan import organisation, raid
from review.plan import timeline as plan
from review.plan.raid import IMPACT_WORDS, KIND_LABELS, LIKELIHOOD_WORDS, STATUS_LABELS, RaidKind
from review.platform import clock, exports
from review.platform.roles import Actor
from ui import charts, data, download, forms, plan_charts, tables
from ui.feedback import field_error, write
from ui.forms import confirm_button, read_fields
from ui.text import plain

TABLE_COLUMNS = ["Ref", "Type", "Title", "Status", "Owner", "Workstream", "Score", "Rating", "Residual score",
                 "Residual rating", "Mitigation", "Review by", "Review overdue", "Linked tasks"]
# The on-screen log: the columns that fit a 1366 px screen (the reference's letter gives the type: R- risk,
# A- assumption, I- issue, D- dependency); the CSV and the edit tab hold the rest (workstream, bands, mitigation).
SHOWN_COLUMNS = ["Ref", "Title", "Status", "Owner", "Score", "Residual score", "Review by", "Review overdue",
                 "Linked tasks"]
SCORE_OPTIONS = [None, 1, 2, 3, 4, 5]


DEFAULT_STATUSES = ["open", "monitoring"]


def show_filters() -> tuple[list[str], list[str]]:
    """The log's filters. They are kept while another tab is open (only the open tab runs, and Streamlit forgets a
    widget it did not draw); the edit tab lists the items they let through."""
    c1, c2 = st.columns(2)
    if forms.kept_key("raid_statuses") not in st.session_state:
        st.session_state.setdefault("raid_statuses", DEFAULT_STATUSES)
    kinds = forms.kept(c1.multiselect, "Type", list(KIND_LABELS), format_func=KIND_LABELS.get, key="raid_kinds",
                       valid=forms.within(KIND_LABELS))
    statuses = forms.kept(c2.multiselect, "Status", list(STATUS_LABELS), format_func=STATUS_LABELS.get,
                          key="raid_statuses", valid=forms.within(STATUS_LABELS))
    return kinds, statuses


def chosen_filters() -> tuple[list[str], list[str]]:
    """The log's filters as last chosen, for a tab that does not draw them."""
    return (st.session_state.get(forms.kept_key("raid_kinds"), []),
            st.session_state.get(forms.kept_key("raid_statuses"), DEFAULT_STATUSES))


def raid_csv(frame: pd.DataFrame) -> bytes:
    """The RAID log download: the table's columns and the description, formulas neutralised."""
    return exports.to_csv_bytes(frame[TABLE_COLUMNS + ["description"]].rename(columns={"description": "Description"}))


def show_log(frame: pd.DataFrame) -> None:
    if frame.empty:
        st.info("Nothing in the RAID log matches these filters.", icon=":material/filter_alt_off:")
        return
    st.caption(f"{len(frame)} item(s), highest risk score first. Score = likelihood x impact (1 to 25): "
               "Low 1-4, Medium 5-10, High 12-25; the residual score is after mitigation. References start R- for a "
               "risk, A- assumption, I- issue, D- dependency.")
    tables.show(frame[SHOWN_COLUMNS], column_config={
        "Ref": st.column_config.TextColumn(width=55, help="R- risk, A- assumption, I- issue, D- dependency"),
        "Title": st.column_config.TextColumn(width=230),
        "Status": st.column_config.TextColumn(width=85),
        "Owner": st.column_config.TextColumn(width=135),
        "Score": st.column_config.NumberColumn(width=60, help="Likelihood x impact (1-25), before mitigation: "
                                                              "Low 1-4, Medium 5-10, High 12-25"),
        "Residual score": st.column_config.NumberColumn("Residual", width=70,
                                                        help="Likelihood x impact after mitigation"),
        "Review by": st.column_config.DateColumn(format="DD MMM YYYY", width=95),
        "Review overdue": st.column_config.CheckboxColumn("Overdue", width=65, help="The review date has passed"),
        "Linked tasks": st.column_config.TextColumn("Tasks", width=95),
    })
    download.button("Download the RAID log (CSV)", lambda: raid_csv(frame),
                    "raid-log.csv", "text/csv", icon=":material/download:")


def show_heat_maps() -> None:
    inherent = data.cached(raid.heat_map_counts, False)
    residual = data.cached(raid.heat_map_counts, True)
    if int(inherent.values.sum()) == 0:
        st.info("No open risks to plot.", icon=":material/info:")
        return
    left, right = st.columns(2)
    for where, grid, title, key in ((left, inherent, "Open risks before mitigation (number of risks)", "heat_inherent"),
                                    (right, residual, "Open risks after mitigation (residual)", "heat_residual")):
        charts.show(plan_charts.risk_heat_map(grid, title), key=key, where=where,
                    data=plan_charts.risk_grid_table(grid), summary=plan_charts.risk_grid_summary(grid, title))
    st.caption("Each cell is a likelihood and impact; the number is how many open risks sit there. Colours are the "
               "score bands (likelihood x impact): green Low (1-4), amber Medium (5-10), red High (12-25). A risk "
               "without residual scores is left off the right-hand map.")


# ------------------------------------------------------------------ forms

def _fields(form: str, prefix: str, values: dict[str, Any], people: dict[int, str], streams: dict[int, str],
            tasks: dict[int, str], linked: list[int]) -> None:
    def pick(label, options, field, fmt, current):
        index = options.index(current) if current in options else 0
        st.selectbox(label, options, index=index, key=f"{prefix}_{field}", format_func=fmt)
        field_error(form, field)

    c1, c2, c3 = st.columns([1, 3, 1])
    with c1:
        pick("Type *", list(KIND_LABELS), "kind", KIND_LABELS.get, values.get("kind", "risk"))
    with c2:
        st.text_input("Title *", values.get("title") or "", key=f"{prefix}_title", max_chars=raid.TITLE_MAX)
        field_error(form, "title")
    with c3:
        pick("Status", list(STATUS_LABELS), "status", STATUS_LABELS.get, values.get("status", "open"))
    st.text_area("Description", values.get("description") or "", key=f"{prefix}_description", height=80)
    c1, c2 = st.columns(2)
    with c1:
        pick("Owner", [None, *people], "owner_id", lambda i: "(none)" if i is None else people[i],
             values.get("owner_id"))
    with c2:
        pick("Workstream", [None, *streams], "workstream_id", lambda i: "(none)" if i is None else streams[i],
             values.get("workstream_id"))
    st.markdown("**Risks only**: likelihood and impact from 1 to 5, before and after mitigation.")
    c1, c2, c3, c4 = st.columns(4)
    for col, field, label, words in ((c1, "likelihood", "Likelihood", LIKELIHOOD_WORDS),
                                     (c2, "impact", "Impact", IMPACT_WORDS),
                                     (c3, "residual_likelihood", "Residual likelihood", LIKELIHOOD_WORDS),
                                     (c4, "residual_impact", "Residual impact", IMPACT_WORDS)):
        with col:
            pick(label, SCORE_OPTIONS, field, lambda v, w=words: "(not scored)" if v is None else f"{v} {w[v]}",
                 values.get(field))
    st.text_area("Mitigation or response", values.get("mitigation") or "", key=f"{prefix}_mitigation", height=80)
    c1, c2 = st.columns(2)
    with c1:
        st.date_input("Raised on", values.get("raised_on") or clock.today(), key=f"{prefix}_raised_on",
                      format="DD/MM/YYYY")
        field_error(form, "raised_on")
    with c2:
        st.date_input("Review by", values.get("review_date"), key=f"{prefix}_review_date", format="DD/MM/YYYY",
                      help="Needed for an open risk.")
        field_error(form, "review_date")
    st.multiselect("Linked tasks", list(tasks), default=[t for t in linked if t in tasks], key=f"{prefix}_tasks",
                   format_func=tasks.get)
    field_error(form, "task_ids")


def _read(prefix: str) -> dict[str, Any]:
    return read_fields(prefix, raid.EDITABLE_FIELDS)


def _create(actor: Actor, form: str, prefix: str) -> None:
    values = _read(prefix)
    task_ids = st.session_state.get(f"{prefix}_tasks", [])
    if write(lambda session: raid.create_item(session, actor, task_ids=task_ids, **values).reference,
             lambda ref: f"Added {ref}: {values['title']}.", form=form,
             invalid="Nothing was added. Please correct the fields marked below.", refusal_kind="error"):
        st.session_state["raid_add_nonce"] = st.session_state.get("raid_add_nonce", 0) + 1


def _update(actor: Actor, form: str, prefix: str, item_id: int, version: int) -> None:
    values = _read(prefix)
    task_ids = st.session_state.get(f"{prefix}_tasks", [])

    def save(session: Session) -> None:
        raid.update_item(session, actor, item_id, version, task_ids=task_ids, **values)

    write(save, "RAID item saved.", form=form)


def _delete(actor: Actor, item_id: int, version: int) -> None:
    if write(lambda session: raid.delete_item(session, actor, item_id, version),
             "RAID item deleted. The audit log keeps a copy of what it held."):
        st.session_state.pop("raid_confirm_delete", None)
        st.session_state.pop("raid_edit_choice", None)


def _choices() -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    names = data.cached(organisation.lookups)
    return names["owner"], names["workstream"], data.cached(plan.open_task_options)


def show_add_form(actor: Actor) -> None:
    people, streams, tasks = _choices()
    form = "raid_add"
    prefix = f"raid_add_{st.session_state.get('raid_add_nonce', 0)}"
    with st.form(form):
        _fields(form, prefix, {"review_date": clock.today() + timedelta(weeks=4)}, people, streams, tasks, [])
        st.form_submit_button("Add to the RAID log", type="primary", icon=":material/add:", on_click=_create,
                              args=(actor, form, prefix))


def show_edit_form(actor: Actor, frame: pd.DataFrame) -> None:
    if frame.empty:
        st.info("No item matches the filters chosen on the Log tab; change them there to find the item.",
                icon=":material/filter_alt_off:")
        return
    labels = {int(r.id): f"{r.Ref} {r.Title}" for r in frame.itertuples()}
    item_id = forms.kept(st.selectbox, "Item to edit", list(labels), format_func=labels.get, key="raid_edit_choice",
                         choices=labels)
    row = frame.set_index("id").loc[item_id]
    version = int(row["version"])
    with data.reading() as session:
        item = raid.get_item(session, item_id)
        values = {f: getattr(item, f) for f in raid.EDITABLE_FIELDS}
        linked = raid.linked_task_ids(session, item_id)
    people, streams, tasks = _choices()
    form = f"raid_edit_{item_id}"
    prefix = f"raid_edit_{item_id}_{version}"
    with st.form(form):
        _fields(form, prefix, values, people, streams, tasks, linked)
        st.form_submit_button("Save item", type="primary", icon=":material/save:", on_click=_update,
                              args=(actor, form, prefix, item_id, version))
    confirm_button("raid_confirm_delete", item_id, ask="Delete this item...",
                   question=f"Delete **{plain(labels[item_id])}**? Closing it keeps it in the log; deleting removes "
                            "it.",
                   yes="Yes, delete this item", on_yes=_delete, args=(actor, item_id, version), widgets="raid_delete")


KIND_HELP = {RaidKind.RISK.label: "something that may happen and would affect the review",
             RaidKind.ASSUMPTION.label: "something taken as true for planning, to be checked",
             RaidKind.ISSUE.label: "something that has happened and needs action",
             RaidKind.DEPENDENCY.label: "something the review relies on from outside the project"}
