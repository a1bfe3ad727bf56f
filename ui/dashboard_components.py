"""Executive dashboard tiles: RAG, the override form (project team), and one bordered tile per topic that links
to its page."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

import pandas as pd
import pyarrow as pa
import streamlit as st
from sqlalchemy.orm import Session

from review.plan import rag, raid
from review.plan.rag import Rag, RagStatus, rules_frame
from review.platform import clock, privacy
from review.platform.roles import Actor, Permission
from review.platform.wording import days_late, days_to_go
from review.reports import dashboard
from review.reports.dashboard import Dashboard
from review.reports.highlight_report import highlight_report_html, report_filename
from ui import charts, download, palette, tables
from ui.feedback import field_error, write
from ui.navigation import PAGE_BY_KEY
from ui.text import plain

BADGE_COLOURS = {Rag.RED: "red", Rag.AMBER: "orange", Rag.GREEN: "green"}
DATE = st.column_config.DateColumn(format="DD MMM YYYY", width=100)
SLIPPAGE = st.column_config.NumberColumn(help="Days later than in the latest baseline")
# Column widths (px) that keep a full-width table in view on a 1366 px screen; the title takes what is left.
REF = st.column_config.TextColumn(width=70)
TITLE = st.column_config.TextColumn(width=270)
OWNER = st.column_config.TextColumn(width=170)
DAYS = st.column_config.TextColumn(width=125)


@contextmanager
def tile(title: str, actor: Actor, *page_keys: str) -> Iterator[None]:
    """A bordered tile with a heading, its content, then a link to the first of its pages the role may open."""
    with st.container(border=True):
        st.subheader(title)
        yield
        links = [PAGE_BY_KEY[k] for k in page_keys]
        openable = [p for p in links if actor.can(p.permission)]
        for page in openable[:2]:
            st.page_link(page.path, label=f"Open {page.label}", icon=page.icon)
        if not openable:
            st.caption(f"Your role cannot open the {links[0].label} page.")


def badge(rag_value: Rag) -> None:
    st.badge(rag_value.label, color=BADGE_COLOURS[rag_value], icon=":material/circle:")


# ------------------------------------------------------------------ RAG

def _status_text(status: RagStatus) -> str:
    why = plain("; ".join(status.reasons) or "all rules green")
    text = f"Computed **{status.computed.label.lower()}**: {why}."
    if status.override:
        o = status.override
        text += (f"  \n:material/edit_note: Set to **{o.rag.label.lower()}** by {plain(o.set_by)} on "
                 f"{o.set_on:%d %b %Y}: {plain(o.reason)}")
    return text


def _rag_cell(value: str) -> str:
    colour = {"Red": palette.RED, "Amber": palette.AMBER, "Green": palette.GREEN}.get(value)
    text = palette.INK if value == "Amber" else "white"
    return f"background-color: {colour}; color: {text}; font-weight: bold" if colour else ""


def show_rag(v: View) -> None:
    d = v.d
    overall = d.rag.overall
    with st.container(border=True):
        left, right = st.columns([1, 4], vertical_alignment="center")
        with left:
            st.subheader("Overall status")
            badge(overall.shown)
        right.markdown(_status_text(overall))
    with st.container(border=True):
        st.subheader("Status by workstream")
        frame = d.rag.frame()
        frame = frame[frame["Scope"] != "Whole review"]
        if frame.empty:
            st.info("No workstream has tasks yet.")
        else:
            columns = ["Scope", "RAG", "Computed", "Why"] + (["Override"] if frame["Override"].any() else [])
            shown = frame[columns].rename(columns={"Scope": "Workstream", "Why": "Why (rules not green)"})
            tables.show(shown.style.map(_rag_cell, subset=["RAG", "Computed"]), hide_index=True,
                        column_config={"Workstream": st.column_config.TextColumn(width=230),
                                       # the columns fit a 1366 px screen, with or without an override column
                                       "Why (rules not green)": st.column_config.TextColumn(
                                           width=290 if "Override" in columns else 470),
                                       "Override": st.column_config.TextColumn(width=180),
                                       "RAG": st.column_config.TextColumn(width="small"),
                                       "Computed": st.column_config.TextColumn(width="small")})
        plan_page = PAGE_BY_KEY["plan"]
        st.page_link(plan_page.path, label="Open Plan and baselines (slippage by workstream)", icon=plan_page.icon)
    with st.expander("How the RAG is worked out"):
        tables.show(v.tables["rules"], hide_index=True)
        st.caption("The project team may override a computed RAG with a reason; the reason is shown beside it and "
                   "the change is kept in the audit log. Slippage is measured against the newest baseline.")


def _set_override(actor: Actor, form: str) -> None:
    s = st.session_state
    scope = s.get("rag_scope")
    value, reason = s.get("rag_value"), s.get("rag_reason")
    if write(lambda session: rag.set_override(session, actor, None if scope == 0 else scope, value, reason),
             "RAG override saved; it shows with its reason until cleared.", form=form,
             invalid="The override was not saved. Please correct the fields marked below.", refusal_kind="error"):
        s["rag_reason"] = ""


def _clear_override(actor: Actor, scope: int | None) -> None:
    write(lambda session: rag.clear_override(session, actor, scope), "Override cleared: the computed RAG shows again.")


def show_override_form(actor: Actor, d: Dashboard) -> None:
    """Project team and admins: set or clear a manual RAG, with a reason."""
    if not actor.can(Permission.EDIT_PLAN):
        return
    scopes = {0: "Whole review"} | {s.workstream_id: s.name for s in d.rag.workstreams if s.workstream_id}
    in_force = {0: d.rag.overall.override} if d.rag.overall.override else {}
    in_force |= {s.workstream_id: s.override for s in d.rag.workstreams if s.override and s.workstream_id}
    form = "rag_override"
    with st.expander("Override a RAG (project team)", icon=":material/edit_note:"):
        with st.form(form):
            c1, c2 = st.columns([2, 1])
            c1.selectbox("For", list(scopes), format_func=scopes.get, key="rag_scope")
            c2.selectbox("RAG", [r.value for r in (Rag.RED, Rag.AMBER, Rag.GREEN)], key="rag_value",
                         format_func=lambda v: Rag(v).label)
            with c2:
                field_error(form, "rag")
            st.text_area("Reason *", key="rag_reason", max_chars=1000,
                         help=f"At least {rag.REASON_MIN_LENGTH} characters; shown next to the RAG and in the report.")
            field_error(form, "reason")
            st.form_submit_button("Save override", type="primary", icon=":material/save:", on_click=_set_override,
                                  args=(actor, form))
        for scope, override in in_force.items():
            st.button(f"Clear the override on {plain(scopes.get(scope, 'this workstream'))} ({override.rag.label})",
                      key=f"rag_clear_{scope}", on_click=_clear_override, args=(actor, None if scope == 0 else scope))


# ------------------------------------------------------------------ the dashboard as drawn

@dataclass
class View:
    """The dashboard as a role sees it, with its read-only tables ready to draw: gaps blanked, days in words, the
    columns shown, already in Arrow. Read once per data version for each role (`data.cached_for_role`), so an
    Executive member's run only draws them: turning the frames into Arrow on every run was a fifth of a warm run."""

    d: Dashboard
    tables: dict[str, pa.Table]


def view(session: Session, actor: Actor) -> View:
    d = dashboard.dashboard(session, actor)
    return View(d, _ready_tables(d))


def _ready_tables(d: Dashboard) -> dict[str, pa.Table]:
    ready = {"rules": tables.ready(rules_frame())}
    if not d.milestones.empty:
        milestones = d.milestones.assign(**{"Days to go": d.milestones["Days to go"].map(days_to_go)})
        ready["milestones"] = tables.ready(
            milestones[["Ref", "Milestone", "Owner", "Due", "Days to go", "Slippage (days)"]])
    if not d.attention.empty:
        attention = d.attention.assign(**{"Days late": d.attention["Days late"].map(days_late)})
        ready["attention"] = tables.ready(attention[["Ref", "Task", "Owner", "Status", "Due", "Days late"]])
    if not d.top_risks.empty:
        ready["risks"] = tables.ready(d.top_risks[["Ref", "Risk", "Score", "Rating", "Residual score"]])
    deadlines = d.deadlines.data if d.deadlines.available and isinstance(d.deadlines.data, pd.DataFrame) else None
    if deadlines is not None and not deadlines.empty:
        shown = deadlines[[c for c in ["Date", "Days remaining", "What", "Record"] if c in deadlines.columns]].head(10)
        if "Days remaining" in shown:
            shown = shown.assign(**{"Days remaining": shown["Days remaining"].map(days_to_go)})
        ready["deadlines"] = tables.ready(shown)
    figures = (d.engagement.data or {}) if d.engagement.available else {}
    if figures.get("top_themes"):
        themes = pd.DataFrame(figures["top_themes"], columns=["theme", "count"])
        ready["themes"] = tables.ready(themes.rename(columns={"theme": "Top themes", "count": "Mentions"})
                                 .astype({"Mentions": str}))
    return ready


# ------------------------------------------------------------------ tiles

def show_tiles(actor: Actor, v: View) -> None:
    """Charts and figures side by side; each table gets the page's full width so no column is cut at 1366 px."""
    d, ready = v.d, v.tables
    left, right = st.columns(2)
    with left:
        with tile("Progress by phase", actor, "plan"):
            if d.progress["Tasks"].sum() == 0:
                st.info("No tasks yet.")
            else:
                charts.show(charts.phase_progress(d.progress), key="dash_progress")
    with right:
        with tile("What parents told us", actor, "insights", "engagement"):
            _engagement(d, ready.get("themes"))
    with tile("Milestones in the next 8 weeks", actor, "plan"):
        if "milestones" not in ready:
            st.info("No milestones due in the next 8 weeks.", icon=":material/flag:")
        else:
            tables.show(ready["milestones"],
                        column_config={"Ref": REF, "Milestone": TITLE, "Owner": OWNER, "Due": DATE,
                                       "Days to go": DAYS, "Slippage (days)": SLIPPAGE})
    with tile("Overdue and blocked tasks", actor, "tasks", "plan"):
        c1, c2, _ = st.columns([1, 1, 2])
        c1.metric("Overdue", d.overdue_total)
        c2.metric("Blocked", d.blocked_total)
        if "attention" not in ready:
            st.success("Nothing is overdue or blocked.", icon=":material/check_circle:")
        else:
            tables.show(ready["attention"],
                        column_config={"Ref": REF, "Task": TITLE, "Owner": OWNER, "Due": DATE,
                                       "Status": st.column_config.TextColumn(width=95),
                                       "Days late": st.column_config.TextColumn("Late", width=125)})
    with tile("Top risks", actor, "raid"):
        counts = ", ".join(f"{n} {k.lower() if n == 1 else raid.KIND_PLURALS.get(k, k.lower() + 's')}"
                           for k, n in d.raid_counts.items())
        st.caption(f"Open in the RAID log: {counts}.")
        if "risks" not in ready:
            st.info("No open risks.")
        else:
            tables.show(ready["risks"],
                        column_config={"Ref": REF, "Risk": st.column_config.TextColumn(width=420),
                                       "Score": st.column_config.NumberColumn(help="Likelihood x impact, 1-25"),
                                       "Residual score": st.column_config.NumberColumn(
                                           "Residual", help="Score after mitigation")})
    with tile("Contract and decision deadlines", actor, "contracts", "decisions"):
        _external_table(d.deadlines, ready.get("deadlines"))
    with tile("Phone line", actor, "costs"):
        _phone_line(d)


def _external_table(ext, shown: pa.Table | None) -> None:
    if not ext.available:
        st.info(ext.message, icon=":material/hourglass_empty:")
        return
    frame = ext.data if isinstance(ext.data, pd.DataFrame) else pd.DataFrame()
    if shown is None:
        st.info(ext.message or "Nothing coming up.", icon=":material/event_available:")
        return
    tables.show(shown, column_config={"Date": DATE, "Days remaining": st.column_config.TextColumn("Days to go",
                                                                                                  width=125),
                                      "What": st.column_config.TextColumn(width=140)})
    if len(frame) > shown.num_rows:
        st.caption(f"The next {shown.num_rows} of {len(frame)} dates.")


def _engagement(d: Dashboard, themes: pa.Table | None) -> None:
    e = d.engagement
    if not e.available:
        st.info(e.message, icon=":material/hourglass_empty:")
        return
    figures = e.data or {}
    c1, c2, c3 = st.columns(3)
    c1.metric("Activities", figures.get("activities", "-"), help="Engagement activities held with parents")
    c2.metric("Participants", figures.get("participants", "-"))
    c3.metric("Open needs", figures.get("needs_without_response", "-"),
              help="Needs parents raised that have no 'we did' response yet")
    if themes is None:
        st.caption("No themes recorded yet.")
    else:
        tables.show(themes, hide_index=True)
    if figures.get("suppressed"):
        st.caption("Counts below 5 are shown as 'fewer than 5' to protect families' privacy.")
    if figures.get("not_shown"):
        st.caption(privacy.NOT_SHOWN_NOTE)


def _phone_line(d: Dashboard) -> None:
    p = d.phone_line
    if not p.available or not p.data:
        st.info(p.message, icon=":material/hourglass_empty:")
        return
    line = p.data
    st.markdown(f"Recommended scenario: **{plain(line['scenario'])}**"
                + (f" ({plain(line['delivery_model'])})" if line.get("delivery_model") else ""))
    c1, c2 = st.columns(2)
    c1.metric("Annual cost", f"£{line['average_annual_cost']:,.0f}",
              help=f"Average over the {line.get('contract_years') or ''} contract years, from the cost model")
    c2.metric("Staff (FTE)", f"{line['total_fte']:.1f}",
              help=f"{line['adviser_fte']:.1f} adviser FTE plus team leaders")
    st.caption(f"{line['annual_calls']:,.0f} calls a year; £{line['cost_per_call']:,.2f} a call.")
    if line.get("illustrative"):
        st.caption("Illustrative figures, not yet agreed with finance.")


def _report_bytes(d: Dashboard) -> bytes:
    return highlight_report_html(d, clock.now_utc()).encode("utf-8")


def show_report_download(d: Dashboard) -> None:
    # Built when clicked (Streamlit calls it then), not on every page run of every Executive member.
    download.built_on_click("Download the highlight report", partial(_report_bytes, d), report_filename(d),
                            "text/html", key="highlight_report", preparing="Writing the highlight report...",
                            icon=":material/print:",
                            help="A printable HTML file with the same content as this page, dated; open it and "
                            "print, or save as PDF.", width="stretch")
