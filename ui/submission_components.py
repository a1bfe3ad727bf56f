"""Submission pack page components: choose a paper, generate and download the pack, preview it as the Word
document lays it out, the change report, and the editors' forms (paper, options, alignment, decision)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from review.decisions import log as decisions
from review.models.submissions import Submission
from review.plan import organisation, tasks
from review.platform.errors import ValidationFailed
from review.platform.roles import Actor
from review.submission import pack as submission_pack
from review.submission import papers as submissions
from ui import charts, data, download, forms, palette
from ui.charts import cached_chart, finish
from ui.costing_components import evaluate as evaluate_costs
from ui.feedback import field_error, flash, write
from ui.navigation import PAGE_BY_KEY
from ui.text import plain, plain_frame

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CHOICE_KEY = "submission_choice"
DATE_LIMITS = {"min_value": date(2000, 1, 1), "max_value": date(2100, 12, 31), "format": "DD/MM/YYYY"}


# ------------------------------------------------------------------ shared

# The preview shows at most this many rows of a table (the Word pack has them all), so the page stays quick.
PREVIEW_ROWS = 40

def _nothing_saved(exc: ValidationFailed) -> str:
    """Submission forms list every refused field in the message as well as next to its input."""
    return "Nothing was saved. " + " ".join(f"{k}: {v}" for k, v in exc.errors.items())


def load_submissions() -> pd.DataFrame:
    return data.cached(submissions.submissions_frame)


@dataclass
class Preview:
    """What the page shows of the pack's content from live data: the preview's blocks ready to draw (tables cut to
    PREVIEW_ROWS, cells escaped), the last pack's stamp and the options. Long lists are read only as far as the
    preview shows them (with how many rows there are), so the preview costs the same on a plan of any size."""

    blocks: list[submission_pack.Block]
    previous_stamp: str | None
    options: pd.DataFrame


def _preview(session, submission_id: int) -> Preview:
    """The pack's content, the cost scenarios evaluated through the costing page's cache, and its outline."""
    content = submissions.preview(session, submission_id, evaluate=evaluate_costs, max_rows=PREVIEW_ROWS)
    blocks = [replace(b, frame=plain_frame(b.frame)) if b.kind == "table" else b
              for b in submission_pack.outline(content, max_rows=PREVIEW_ROWS)]
    return Preview(blocks, content.previous_stamp, content.options)


def preview(submission_id: int) -> Preview:
    """The preview, read once per data version and shared by every session (the next reader only draws it)."""
    return data.cached(_preview, submission_id)


def _changes(session, submission_id: int) -> tuple[list[dict[str, Any]], str | None]:
    return submissions.changes_since_last_pack(session, submission_id, evaluate=evaluate_costs)


def changes(submission_id: int) -> tuple[list[dict[str, Any]], str | None]:
    """The changes since the last pack and its stamp: every row is compared, so this is read only when its tab is
    open, once per data version for every session."""
    return data.cached(_changes, submission_id)


def choose_submission(papers: pd.DataFrame) -> int:
    """A pick list of papers, the one for the latest meeting first."""
    labels = {int(r["id"]): f"{r['Meeting date']:%d %b %Y} · {r['Meeting']} · {r['Title']}"
              for r in papers.to_dict("records")}
    if st.session_state.get(CHOICE_KEY) not in labels:
        st.session_state[CHOICE_KEY] = next(iter(labels))
    if len(labels) == 1:
        return next(iter(labels))
    return st.selectbox("Paper", list(labels), format_func=labels.get, key=CHOICE_KEY)


def load_submission(submission_id: int) -> Submission:
    with data.reading() as session:
        return submissions.get_submission(session, submission_id)


def loaded_version(submission: Submission) -> int:
    """The version of the paper this user opened (kept across reruns so a stale save is refused)."""
    return forms.loaded_version("submission_loaded", submission.id, submission.version, "paper",
                                reload_key="reload_submission")


def _reloaded() -> None:
    st.session_state.pop("submission_loaded", None)


# ------------------------------------------------------------------ the pack: generate, download, history

def _generate(actor: Actor, submission_id: int, version: int) -> bool:
    def act(session):
        pack = submissions.generate_pack(session, actor, submission_id, version, evaluate=evaluate_costs)
        return pack.number, len(pack.changes)

    def message(result) -> str:
        number, changed = result
        if number == 1:
            return "Pack 1 generated from live data. Download it below."
        return (f"Pack {number} generated from live data: {changed} change(s) since pack {number - 1} "
                "(see 'Changes since the last pack').")

    return bool(write(act, message, invalid=_nothing_saved, progress_text=None))  # the caller's status shows it
def _issue(actor: Actor, pack_id: int, number: int) -> None:
    write(lambda session: submissions.issue_pack(session, actor, pack_id),
          f"Pack {number} is marked issued to SEND Executive; viewers now download it.")


def _draft_docx(submission_id: int) -> bytes:
    """A Word pack built now from live data, not stored or issued (for readers when none is issued yet)."""
    with data.reading() as session:
        content = submissions.preview(session, submission_id, evaluate=evaluate_costs)
    return submission_pack.build_docx(content)


def show_pack_bar(actor: Actor, submission: Submission, version: int, can_edit: bool) -> None:
    """The pack: readers download the latest issued one; editors generate, download and mark a pack issued.

    The bar says when the pack was generated and when (and by whom) it was issued, in UK time.
    """
    with data.reading() as session:
        pack = submissions.latest_pack(session, submission.id)
        issued = submissions.latest_issued_pack(session, submission.id)
        stamp = submission_pack.stamp_of(pack)
        latest = (pack.id, pack.number, pack.document, pack.filename, pack.issued_at is not None) if pack else None
        given = (submissions.issued_text(issued), issued.document, issued.filename) if issued else None
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        if given is not None:
            st.success(f"Issued to SEND Executive: {given[0]}.", icon=":material/verified:")
        if can_edit and latest is not None:
            st.markdown(f"**Latest generated pack:** {stamp}" + ("" if latest[4] else " (not issued yet)") + ".")
        if given is None and (latest is None or not can_edit):
            st.info("No pack has been issued to SEND Executive yet." +
                    (" Check the preview, generate the pack, then mark it issued." if can_edit else
                     " You can download a draft built from today's data; the project team issues the pack."),
                    icon=":material/article:")
    with right:
        if given is not None and not can_edit:
            download.button("Download the issued pack (Word)", given[1], given[2], DOCX_MIME,
                            icon=":material/download:", key="download_issued", type="primary",
                            width="stretch")
        elif not can_edit:
            download.built_on_click("Download a draft from live data (Word)", lambda: _draft_docx(submission.id),
                                    f"draft-{submissions.pack_filename(submission, 0).replace('-pack-0', '')}",
                                    DOCX_MIME, key="download_draft",
                                    preparing="Building the draft pack from live data...",
                                    icon=":material/draft:", width="stretch")
        if can_edit and latest is not None:
            download.button("Download the latest pack (Word)", latest[2], latest[3], DOCX_MIME,
                            icon=":material/download:", key="download_latest", type="primary",
                            width="stretch")
            if not latest[4]:
                st.button(f"Mark pack {latest[1]} as issued", icon=":material/verified:", key="issue_pack",
                          on_click=_issue, args=(actor, latest[0], latest[1]), width="stretch")
        if can_edit and st.button("Generate the pack from live data", icon=":material/refresh:", key="generate_pack",
                                  width="stretch"):
            # In the script run, not a callback: the page (and the last run's message) is redrawn at once and the
            # status shows progress while the pack is built; the outcome is flashed after the rerun.
            with st.status("Generating the pack from live data...", expanded=False) as status:
                generated = _generate(actor, submission.id, version)
                status.update(label="Pack generated." if generated else "The pack was not generated.",
                              state="complete" if generated else "error")
            st.rerun()


def show_history(submission_id: int) -> None:
    with data.reading() as session:
        frame = submissions.packs_frame(session, submission_id)
    if frame.empty:
        st.info("No pack has been generated yet.", icon=":material/history:")
        return
    st.dataframe(frame.drop(columns=["id"]), hide_index=True)
    labels = {int(r["id"]): f"Pack {r['Pack']} ({r['Generated']})" for r in frame.to_dict("records")}
    pack_id = forms.kept(st.selectbox, "Download an earlier pack", list(labels), format_func=labels.get,
                         key="history_pack", choices=labels)
    with data.reading() as session:
        pack = submissions.get_pack(session, pack_id)
        document, filename = pack.document, pack.filename
        changes = submission_pack.changes_frame(pack.changes or [])
        number = pack.number
    download.button(f"Download pack {number}", document, filename, DOCX_MIME, icon=":material/download:",
                    key="download_history")
    if number > 1:
        st.caption(f"What pack {number} reported as changed since pack {number - 1}:")
        if changes.empty:
            st.caption("Nothing had changed.")
        else:
            st.dataframe(changes, hide_index=True)


def show_changes(submission_id: int) -> None:
    """What the live figures would change compared with the last generated pack."""
    changed, previous_stamp = changes(submission_id)
    if previous_stamp is None:
        st.info("No pack has been generated yet, so there is nothing to compare with.", icon=":material/compare:")
        return
    if not changed:
        st.success(f"No figure or table row has changed since {plain(previous_stamp)}.",
                   icon=":material/check_circle:")
        return
    st.warning(f"{len(changed)} change(s) since {plain(previous_stamp)}. Generate the pack again to "
               "send the Executive the current figures.", icon=":material/difference:")
    st.dataframe(submission_pack.changes_frame(changed), hide_index=True)


# ------------------------------------------------------------------ preview (the same outline as the Word pack)

@cached_chart
def chart_figure(chart: submission_pack.Chart) -> go.Figure:
    frame = pd.DataFrame({"label": chart.labels, "value": chart.values})
    text = {"GBP": "£%{x:,.0f}", "%": "%{x:.0f}%"}.get(chart.unit, "%{x:,.0f}")
    fig = px.bar(frame, x="value", y="label", orientation="h", color_discrete_sequence=[palette.NAVY])
    fig.update_traces(texttemplate=text, textposition="outside", cliponaxis=False)
    fig.update_yaxes(autorange="reversed")
    top = max(chart.values) if chart.values else 1
    fig.update_xaxes(range=[0, (115 if chart.unit == "%" else top * 1.3) or 1])
    if chart.unit == "GBP":
        fig.update_xaxes(tickprefix="£", tickformat=",.0f")
    return finish(fig, chart.title, chart.value_title, None, max(240, 60 * len(chart.labels) + 100))


def show_preview(preview: Preview) -> None:
    """Render the pack's outline: what the Word document will contain, block by block."""
    note = "What the next pack will contain, from the tracker's data now."
    if preview.previous_stamp:
        note += (f" The latest generated pack is {plain(preview.previous_stamp)}; 'Changes since the last "
                 "pack' lists any figure or row that differs.")
    st.caption(note)
    for block in preview.blocks:
        if block.kind == "title":
            st.subheader(plain(block.text))
        elif block.kind == "cover":
            with st.container(border=True):
                st.markdown("  \n".join(f"**{plain(label)}:** {plain(value)}" for label, value in block.rows))
        elif block.kind == "heading":
            marker = {1: "###", 2: "####", 3: "#####"}.get(block.level, "#####")
            st.markdown(f"{marker} {plain(block.text)}")
        elif block.kind == "paragraph":
            st.markdown(plain(block.text))
        elif block.kind == "bullets":
            st.markdown("\n".join(f"- {plain(item)}" for item in block.items))
        elif block.kind == "note":
            st.caption(f":material/info: {plain(block.text)}")
        elif block.kind == "table":
            if block.text:
                st.caption(plain(block.text))
            st.table(block.frame, hide_index=True, border="horizontal")  # escaped by _preview
        elif block.kind == "chart":
            charts.show(chart_figure(block.chart))


# ------------------------------------------------------------------ new paper and the paper's fields

def _read(prefix: str, fields: list[str]) -> dict[str, Any]:
    return forms.read_fields(prefix, fields)


HEADER_FIELDS = ["title", "meeting", "meeting_date", "report_of", "author", "status", "key_decision", "task_id"]


def _header_inputs(form: str, prefix: str, values: dict[str, Any], task_labels: dict[int, str]) -> None:
    st.text_input("Title *", values.get("title") or "", key=f"{prefix}_title", max_chars=200)
    field_error(form, "title")
    c1, c2, c3 = st.columns(3)
    with c1:
        st.text_input("Meeting *", values.get("meeting") or "SEND Executive Group", key=f"{prefix}_meeting",
                      max_chars=120)
        field_error(form, "meeting")
    with c2:
        st.date_input("Meeting date *", values.get("meeting_date"), key=f"{prefix}_meeting_date", **DATE_LIMITS)
        field_error(form, "meeting_date")
    with c3:
        statuses = list(submissions.STATUS_LABELS)
        st.selectbox("Status", statuses, index=statuses.index(values.get("status") or "drafting"),
                     format_func=submissions.STATUS_LABELS.get, key=f"{prefix}_status")
        field_error(form, "status")
    c1, c2, c3 = st.columns(3)
    with c1:
        st.text_input("Report of", values.get("report_of") or "", key=f"{prefix}_report_of", max_chars=160,
                      help="The officer who presents the report, e.g. Operations Director Specialist Services.")
    with c2:
        st.text_input("Author *", values.get("author") or "", key=f"{prefix}_author", max_chars=160)
        field_error(form, "author")
    with c3:
        options = [None, *task_labels]
        current = values.get("task_id")
        st.selectbox("Tracker task for the paper", options, index=options.index(current) if current in options else 0,
                     format_func=lambda i: "(none)" if i is None else task_labels[i], key=f"{prefix}_task_id")
    st.checkbox("Key decision", bool(values.get("key_decision")), key=f"{prefix}_key_decision",
                help="Key decisions need 28 clear days' notice on the forward plan.")


def _task_labels() -> dict[int, str]:
    with data.reading() as session:
        return tasks.task_choices(session)


def show_new_paper_form(actor: Actor) -> None:
    form, prefix = "new_submission", f"new_sub_{st.session_state.get('new_sub_nonce', 0)}"

    def create() -> None:
        values = _read(prefix, HEADER_FIELDS)
        standard = st.session_state.get(f"{prefix}_standard", True)

        def act(session):
            paper = submissions.create_submission(session, actor, **values)
            if standard:
                submissions.add_standard_options(session, actor, paper.id)
            return paper.id

        if write(act, "Paper started. Fill in its sections in 'Edit the paper'.", form=form, invalid=_nothing_saved,
                 refusal_kind="error"):
            st.session_state["new_sub_nonce"] = st.session_state.get("new_sub_nonce", 0) + 1
            with data.reading() as session:
                st.session_state[CHOICE_KEY] = submissions.latest_submission_id(session)

    with st.form(form):
        _header_inputs(form, prefix, {}, _task_labels())
        st.checkbox("Start with the standard options (do nothing, retender now, extend and complete the review, "
                    "and one per saved phone-line cost scenario)", True, key=f"{prefix}_standard")
        st.form_submit_button("Start the paper", type="primary", icon=":material/add:", on_click=create)


def show_paper_form(actor: Actor, submission: Submission, version: int) -> None:
    """Every field of the paper and its PID, saved together with a version check."""
    form = f"paper_{submission.id}"
    prefix = f"paper_{submission.id}_{version}"
    values = {f: getattr(submission, f) for f in submissions.EDITABLE_FIELDS}
    fields = list(submissions.EDITABLE_FIELDS)

    def save() -> None:
        changes = _read(prefix, fields)
        if write(lambda s: submissions.update_submission(s, actor, submission.id, version, **changes),
                 "Paper saved.", form=form, invalid=_nothing_saved):
            _reloaded()

    with st.form(form):
        _header_inputs(form, prefix, values, _task_labels())
        st.markdown("**Sections of the paper**")
        for field, label in submissions.PAPER_TEXT_FIELDS.items():
            st.text_area(label, values.get(field) or "", key=f"{prefix}_{field}", height=110,
                         help="Blank lines separate paragraphs." if field != "recommendations" else
                         "One recommendation a line.")
        st.markdown("**Project initiation document (Appendix A)**")
        st.caption("The project team, plan and risks are filled in from live data.")
        for field, label in submissions.PID_TEXT_FIELDS.items():
            st.text_area(label, values.get(field) or "", key=f"{prefix}_{field}", height=90)
        st.form_submit_button("Save the paper", type="primary", icon=":material/save:", on_click=save)


# ------------------------------------------------------------------ options

OPTION_INPUTS = ["title", "description", "advantages", "disadvantages", "scenario_id", "is_preferred", "sequence"]


def _option_inputs(form: str, prefix: str, values: dict[str, Any], scenarios: dict[int, str]) -> None:
    c1, c2 = st.columns([4, 1])
    with c1:
        st.text_input("Option *", values.get("title") or "", key=f"{prefix}_title", max_chars=200)
        field_error(form, "title")
    with c2:
        st.number_input("Order", 0, 99, int(values.get("sequence") or 0), key=f"{prefix}_sequence")
    st.text_area("Description", values.get("description") or "", key=f"{prefix}_description", height=80)
    c1, c2 = st.columns(2)
    c1.text_area("Advantages", values.get("advantages") or "", key=f"{prefix}_advantages", height=80)
    c2.text_area("Disadvantages", values.get("disadvantages") or "", key=f"{prefix}_disadvantages", height=80)
    c1, c2 = st.columns([3, 1])
    with c1:
        choices = [None, *scenarios]
        current = values.get("scenario_id")
        if current is not None and current not in choices:
            choices.append(current)
        st.selectbox("Cost scenario", choices, index=choices.index(current) if current in choices else 0,
                     format_func=lambda i: "(not a phone-line option)" if i is None else
                     scenarios.get(i, f"Scenario #{i} (no longer exists)"), key=f"{prefix}_scenario_id",
                     help="Whole-life cost and FTE are pulled from the scenario each time the pack is generated.")
        field_error(form, "scenario_id")
        if not scenarios:
            st.caption("No saved cost scenarios are available yet.")
    with c2:
        st.checkbox("Preferred option", bool(values.get("is_preferred")), key=f"{prefix}_is_preferred")


def show_options(actor: Actor, submission_id: int, content: Preview) -> None:
    with data.reading() as session:
        options = submissions.options_of(session, submission_id)
        scenarios = submission_pack.scenario_choices(session)
        loaded = {o.id: ({f: getattr(o, f) for f in OPTION_INPUTS}, o.version) for o in options}
    if content.options.empty:
        st.info("No options yet. Add them below, or start from the standard options.", icon=":material/list:")
    else:
        st.dataframe(submission_pack.display_frame(content.options[submission_pack.OPTION_TABLE_COLUMNS]),
                     hide_index=True)
    st.button("Add the standard options", icon=":material/playlist_add:", key="standard_options",
              on_click=lambda: write(
                  lambda s: submissions.add_standard_options(s, actor, submission_id),
                  lambda n: f"Added {n} option(s)." if n else "The standard options are all there already.",
                  invalid=_nothing_saved, refusal_kind="error"))
    if loaded:
        st.markdown("**Edit an option**")
        labels = {i: v[0]["title"] for i, v in loaded.items()}
        option_id = forms.kept(st.selectbox, "Option to edit", list(labels), format_func=labels.get,
                               key="option_choice", choices=labels)
        values, version = loaded[option_id]
        _edit_option_form(actor, option_id, version, values, scenarios)
    st.markdown("**Add an option**")
    _add_option_form(actor, submission_id, len(loaded) + 1, scenarios)


def _save_option(actor: Actor, option_id: int, version: int, form: str, prefix: str) -> None:
    changes = _read(prefix, OPTION_INPUTS)
    write(lambda s: submissions.update_option(s, actor, option_id, version, **changes), "Option saved.", form=form,
          invalid=_nothing_saved)


def _delete_option(actor: Actor, option_id: int, version: int, prefix: str) -> None:
    if not st.session_state.get(f"{prefix}_confirm_delete"):
        flash("Tick 'Yes, delete this option' first; nothing was deleted.", "info")
        return
    write(lambda s: submissions.delete_option(s, actor, option_id, version), "Option deleted.",
          invalid=_nothing_saved)


def _edit_option_form(actor: Actor, option_id: int, version: int, values: dict[str, Any],
                      scenarios: dict[int, str]) -> None:
    form, prefix = f"option_{option_id}", f"option_{option_id}_{version}"
    with st.form(form):
        _option_inputs(form, prefix, values, scenarios)
        c1, c2, c3 = st.columns([1, 1, 2], vertical_alignment="center")
        c1.form_submit_button("Save option", type="primary", icon=":material/save:", on_click=_save_option,
                              args=(actor, option_id, version, form, prefix))
        c2.form_submit_button("Delete option", icon=":material/delete:", on_click=_delete_option,
                              args=(actor, option_id, version, prefix))
        c3.checkbox("Yes, delete this option", key=f"{prefix}_confirm_delete")


def _add_option(actor: Actor, submission_id: int, sequence: int, form: str, prefix: str) -> None:
    values = _read(prefix, OPTION_INPUTS)
    values["sequence"] = values.get("sequence") or sequence
    if write(lambda s: submissions.add_option(s, actor, submission_id, **values), "Option added.", form=form,
             invalid=_nothing_saved, refusal_kind="error"):
        st.session_state["add_option_nonce"] = st.session_state.get("add_option_nonce", 0) + 1


def _add_option_form(actor: Actor, submission_id: int, sequence: int, scenarios: dict[int, str]) -> None:
    form, prefix = "add_option", f"add_option_{st.session_state.get('add_option_nonce', 0)}"
    with st.form(form):
        _option_inputs(form, prefix, {"sequence": sequence}, scenarios)
        st.form_submit_button("Add option", icon=":material/add:", on_click=_add_option,
                              args=(actor, submission_id, sequence, form, prefix))


# ------------------------------------------------------------------ strategic alignment and the managed list

def _save_alignment(actor: Actor, submission_id: int, version: int, prefix: str, priority_ids: list[int]) -> None:
    wanted = {pid: st.session_state.get(f"{prefix}_how_{pid}") for pid in priority_ids
              if st.session_state.get(f"{prefix}_on_{pid}")}
    if write(lambda s: submissions.set_alignment(s, actor, submission_id, version, wanted),
             "Strategic alignment saved.", invalid=_nothing_saved):
        _reloaded()


def show_alignment(actor: Actor, submission: Submission, version: int) -> None:
    with data.reading() as session:
        priorities = submissions.priorities_frame(session)
        current = submissions.alignment_frame(session, submission.id)
    chosen = {int(r["priority_id"]): r["How the proposals support it"] for r in current.to_dict("records")}
    shown = priorities[priorities["Active"] | priorities["id"].isin(list(chosen))]
    if shown.empty:
        st.info("The list of strategic priorities is empty. Add the standard list or your own entries below.",
                icon=":material/flag:")
    else:
        prefix = f"align_{submission.id}_{version}"
        with st.form(f"alignment_{submission.id}"):
            for row in shown.to_dict("records"):
                pid = int(row["id"])
                c1, c2 = st.columns([2, 3])
                c1.checkbox(f"**{plain(row['Priority or duty'])}**"
                            + (f"  \n{plain(row['Source'])}" if row["Source"] else ""),
                            pid in chosen, key=f"{prefix}_on_{pid}")
                c2.text_input("How the proposals support it", chosen.get(pid) or "", key=f"{prefix}_how_{pid}",
                              label_visibility="collapsed", placeholder="How the proposals support it")
            st.form_submit_button("Save the alignment", type="primary", icon=":material/save:",
                                  on_click=_save_alignment,
                                  args=(actor, submission.id, version, prefix, [int(i) for i in shown["id"]]))
    with st.expander("Manage the list of priorities and duties"):
        show_priorities(actor, priorities)


def show_priorities(actor: Actor, priorities: pd.DataFrame) -> None:
    st.button("Add the standard list", key="standard_priorities", icon=":material/playlist_add:",
              on_click=lambda: write(lambda s: submissions.add_standard_priorities(s, actor),
                                     lambda n: f"Added {n} entr{'y' if n == 1 else 'ies'}." if n
                                     else "The standard entries are all in the list already.",
                                     invalid=_nothing_saved, refusal_kind="error"))
    if not priorities.empty:
        st.dataframe(priorities.drop(columns=["id", "version"]), hide_index=True)
        labels = {int(r["id"]): r["Priority or duty"] for r in priorities.to_dict("records")}
        pid = forms.kept(st.selectbox, "Entry to change", list(labels), format_func=labels.get,
                         key="priority_choice", choices=labels)
        _edit_priority_form(actor, priorities[priorities["id"] == pid].iloc[0].to_dict())
    _add_priority_form(actor)


PRIORITY_INPUTS = ["name", "source", "description", "active"]


def _save_priority(actor: Actor, priority_id: int, version: int, form: str, prefix: str) -> None:
    changes = _read(prefix, PRIORITY_INPUTS)
    write(lambda s: submissions.update_priority(s, actor, priority_id, version, **changes), "Entry saved.",
          form=form, invalid=_nothing_saved)


def _edit_priority_form(actor: Actor, row: dict[str, Any]) -> None:
    pid, version = int(row["id"]), int(row["version"])
    form, prefix = f"priority_{pid}", f"priority_{pid}_{version}"
    with st.form(form):
        st.text_input("Name *", row["Priority or duty"], key=f"{prefix}_name", max_chars=160)
        field_error(form, "name")
        st.text_input("Source", row["Source"], key=f"{prefix}_source", max_chars=200)
        st.text_area("Description", row["Description"], key=f"{prefix}_description", height=70)
        st.checkbox("Active (offered for new papers)", bool(row["Active"]), key=f"{prefix}_active")
        st.form_submit_button("Save entry", icon=":material/save:", on_click=_save_priority,
                              args=(actor, pid, version, form, prefix))


def _add_priority(actor: Actor, form: str, prefix: str) -> None:
    values = _read(prefix, ["name", "source", "description"])
    if write(lambda s: submissions.create_priority(s, actor, **values), "Entry added.", form=form,
             invalid=_nothing_saved, refusal_kind="error"):
        st.session_state["add_priority_nonce"] = st.session_state.get("add_priority_nonce", 0) + 1


def _add_priority_form(actor: Actor) -> None:
    form, prefix = "add_priority", f"add_priority_{st.session_state.get('add_priority_nonce', 0)}"
    with st.form(form):
        st.markdown("**Add an entry**")
        st.text_input("Name *", key=f"{prefix}_name", max_chars=160)
        field_error(form, "name")
        st.text_input("Source", key=f"{prefix}_source", max_chars=200,
                      placeholder="e.g. Children and Families Act 2014 s.30")
        st.text_area("Description", key=f"{prefix}_description", height=70)
        st.form_submit_button("Add entry", icon=":material/add:", on_click=_add_priority, args=(actor, form, prefix))


# ------------------------------------------------------------------ decision and actions

def _record_decision(actor: Actor, submission_id: int, version: int, form: str, prefix: str) -> None:
    values = _read(prefix, ["decision", "decision_date", "decided_by"])

    def record(session) -> str:
        submissions.record_decision(session, actor, submission_id, version, **values)
        return decisions.decision_for_submission(session, submission_id).reference

    if write(record, lambda reference: f"Decision recorded; the paper is now Decided and in the decision log as "
                                       f"{reference}.", form=form, invalid=_nothing_saved):
        _reloaded()


def show_log_entry(submission_id: int) -> None:
    """Where the paper's decision stands in the decision log (the entry recording the decision makes)."""
    with data.reading() as session:
        entry = decisions.decision_for_submission(session, submission_id)
        status = decisions.CALL_IN_LABELS.get(entry.call_in_status, "").split(" (")[0] if entry else ""
    if entry is None:
        st.caption("Recording the decision also enters it in the decision log as a draft, filled in from this paper "
                   "(title, decision, date, reasons and the options not preferred).")
        return
    st.caption(f"In the decision log as **{plain(entry.reference)}** ({status}). Recording the decision again updates "
               f"that entry; complete it for publication (consultees, the decision maker's post, publication "
               f"date) on the Decisions page.")
    page = PAGE_BY_KEY["decisions"]
    st.page_link(page.path, label=f"Open {page.label}", icon=page.icon)


def show_decision(actor: Actor, submission: Submission, version: int) -> None:
    form, prefix = f"decision_{submission.id}", f"decision_{submission.id}_{version}"
    with st.form(form):
        st.text_area("Decision taken *", submission.decision or "", key=f"{prefix}_decision", height=100)
        field_error(form, "decision")
        c1, c2 = st.columns(2)
        with c1:
            st.date_input("Date of the decision *", submission.decision_date or submission.meeting_date,
                          key=f"{prefix}_decision_date", **DATE_LIMITS)
            field_error(form, "decision_date")
        c2.text_input("Decided by", submission.decided_by or submission.meeting, key=f"{prefix}_decided_by",
                      max_chars=160)
        field_error(form, "decision_log")
        st.form_submit_button("Record the decision", type="primary", icon=":material/gavel:",
                              on_click=_record_decision, args=(actor, submission.id, version, form, prefix))
    show_log_entry(submission.id)
    st.markdown("**Actions from the decision**")
    with data.reading() as session:
        actions = submissions.actions_frame(session, submission.id)
        lookups = organisation.lookups(session)
        default_phase = submissions.default_action_phase(session)
    if actions.empty:
        st.caption("No actions yet. Each action becomes a task (ACT-nn) with an owner in the tracker.")
    else:
        st.dataframe(actions.drop(columns=["task_id"]), hide_index=True)
    if not submission.decision:
        st.caption("Record the decision first; then add its actions here.")
        return
    _add_action_form(actor, submission.id, version, lookups, default_phase)


ACTION_INPUTS = ["title", "owner_id", "due_date", "phase_id"]


def _add_action(actor: Actor, submission_id: int, version: int, form: str, prefix: str) -> None:
    values = _read(prefix, ACTION_INPUTS)
    if write(lambda s: submissions.add_action(s, actor, submission_id, version, **values),
             lambda task: f"Action added as task {task.reference} with its owner.", form=form,
             invalid=_nothing_saved):
        st.session_state["add_action_nonce"] = st.session_state.get("add_action_nonce", 0) + 1
        _reloaded()


def _add_action_form(actor: Actor, submission_id: int, version: int, lookups: dict[str, dict[int, str]],
                     default_phase: int | None) -> None:
    form, prefix = "add_action", f"add_action_{st.session_state.get('add_action_nonce', 0)}"
    with st.form(form):
        st.text_input("Action *", key=f"{prefix}_title", max_chars=200)
        field_error(form, "title")
        c1, c2, c3 = st.columns(3)
        with c1:
            st.selectbox("Owner *", list(lookups["owner"]), format_func=lookups["owner"].get,
                         key=f"{prefix}_owner_id")
            field_error(form, "owner_id")
        with c2:
            st.date_input("Due date", None, key=f"{prefix}_due_date", **DATE_LIMITS)
            field_error(form, "due_date")
        with c3:
            phases = list(lookups["phase"])
            st.selectbox("Phase", phases, index=phases.index(default_phase) if default_phase in phases else 0,
                         format_func=lookups["phase"].get, key=f"{prefix}_phase_id")
        st.form_submit_button("Add the action as a task", icon=":material/add_task:", on_click=_add_action,
                              args=(actor, submission_id, version, form, prefix))
