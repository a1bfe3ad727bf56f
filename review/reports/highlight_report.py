"""The highlight report: the executive dashboard's content as one dated, printable HTML page."""
from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import Any

import pandas as pd

from review.plan.rag import Rag, RagStatus, rules_frame
from review.platform import clock
from review.platform.privacy import NOT_SHOWN_NOTE
from review.reports.dashboard import Dashboard

RAG_HEX = {Rag.RED: "#c0392b", Rag.AMBER: "#e6a117", Rag.GREEN: "#2e8540"}

CSS = """
body { font-family: Arial, Helvetica, sans-serif; color: #1b1b1b; margin: 2rem auto; max-width: 60rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin-top: 1.6rem;
  border-bottom: 2px solid #1d4f91; padding-bottom: 0.2rem; }
.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.4rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #c8ccd0; padding: 0.3rem 0.45rem; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
.rag { display: inline-block; min-width: 4.5rem; padding: 0.15rem 0.5rem; border-radius: 0.25rem; color: #fff;
  font-weight: bold; text-align: center; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.rag-amber { color: #1b1b1b; }
.note { color: #555; font-size: 0.85rem; }
.figures { display: flex; gap: 2rem; flex-wrap: wrap; } .figure strong { display: block; font-size: 1.3rem; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } table { page-break-inside: auto; }
  tr { page-break-inside: avoid; } }
"""


def _pill(rag: Rag) -> str:
    extra = " rag-amber" if rag == Rag.AMBER else ""
    return f'<span class="rag{extra}" style="background:{RAG_HEX[rag]}">{escape(rag.label)}</span>'


def _cell(value: Any) -> str:
    if value is None or (not isinstance(value, (list, dict, str)) and pd.isna(value)):
        return ""
    if isinstance(value, (date, datetime)):
        return f"{value:%d %b %Y}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return escape(str(value))


def _table(frame: pd.DataFrame, columns: list[str] | None = None, empty: str = "Nothing to show.",
           formats: dict[str, Any] | None = None) -> str:
    if frame is None or frame.empty:
        return f"<p>{escape(empty)}</p>"
    columns = [c for c in (columns or list(frame.columns)) if c in frame.columns]
    formats = formats or {}
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{formats.get(c, _cell)(row[c])}</td>" for c in columns) + "</tr>"
                   for _, row in frame.iterrows())
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _status_line(status: RagStatus) -> str:
    why = "; ".join(status.reasons) or "all rules green"
    text = f"{_pill(status.shown)} <strong>{escape(status.name)}</strong>"
    if status.override:
        o = status.override
        text += (f" (computed {escape(status.computed.label.lower())}; set to {escape(o.rag.label.lower())} by "
                 f"{escape(o.set_by)} on {o.set_on:%d %b %Y}: {escape(o.reason)})")
    return f"<p>{text}</p><p class='note'>Computed from the rules: {escape(why)}.</p>"


def _engagement(d: Dashboard) -> str:
    e = d.engagement
    if not e.available:
        return f"<p>{escape(e.message)}</p>"
    data = e.data or {}
    figures = [("Activities", data.get("activities")), ("Participants", data.get("participants")),
               ("Things parents said", data.get("inputs")), ("Needs without a response yet",
                                                            data.get("needs_without_response"))]
    html = "<div class='figures'>" + "".join(
        f"<div class='figure'><strong>{_cell(v)}</strong>{escape(k)}</div>" for k, v in figures if v is not None
    ) + "</div>"
    themes = pd.DataFrame(data.get("top_themes") or [], columns=["theme", "count"]).rename(
        columns={"theme": "Theme", "count": "Mentions"})
    html += "<p><strong>Top themes</strong></p>" + _table(themes, empty="No themes recorded yet.")
    if data.get("suppressed"):
        html += "<p class='note'>Counts below 5 are shown as 'fewer than 5' to protect families' privacy.</p>"
    if data.get("not_shown"):
        html += f"<p class='note'>{escape(NOT_SHOWN_NOTE)}</p>"
    return html


def _phone_line(d: Dashboard) -> str:
    p = d.phone_line
    if not p.available or not p.data:
        return f"<p>{escape(p.message)}</p>"
    data = p.data
    html = (f"<p>Recommended scenario: <strong>{escape(data['scenario'])}</strong>"
            + (f" ({escape(data['delivery_model'])})" if data.get("delivery_model") else "") + "</p>")
    html += ("<div class='figures'>"
             f"<div class='figure'><strong>GBP {data['average_annual_cost']:,.0f}</strong>average annual cost</div>"
             f"<div class='figure'><strong>{data['total_fte']:.1f} FTE</strong>staff "
             f"({data['adviser_fte']:.1f} adviser FTE)</div>"
             f"<div class='figure'><strong>{data['annual_calls']:,.0f}</strong>calls a year</div></div>")
    if data.get("illustrative"):
        html += "<p class='note'>Illustrative figures, not yet agreed with finance.</p>"
    return html


def highlight_report_html(d: Dashboard, generated_at: datetime, title: str = "SEND IAG Review") -> str:
    """A self-contained HTML page (print it to PDF from the browser) dated with the dashboard's 'as at' date."""
    rag_table = d.rag.frame()
    rag_table = rag_table[rag_table["Scope"] != "Whole review"]
    rag_columns = ["Scope", "RAG", "Computed", "Why"] + (["Override"] if rag_table["Override"].any() else [])
    pill = {"RAG": lambda v: _pill(Rag(v.lower())), "Computed": lambda v: _pill(Rag(v.lower()))}
    parts = [
        f"<h1>{escape(title)}: highlight report</h1>",
        f"<p class='meta'>Figures as at {d.as_of:%A %d %B %Y}. Report produced {clock.local_time(generated_at)} "
        "(UK time).</p>",
        "<h2>Overall status</h2>", _status_line(d.rag.overall),
        "<h2>Workstreams</h2>",
        _table(rag_table.rename(columns={"Scope": "Workstream"}), ["Workstream", *rag_columns[1:]],
               "No workstreams with tasks.", pill),
        "<h2>Progress by phase</h2>",
        _table(d.progress.assign(**{"% done": (d.progress["Share done"] * 100).round(0).astype(int)}),
               ["Phase", "Tasks", "Done", "% done"], "No tasks yet."),
        "<h2>Milestones in the next 8 weeks</h2>",
        _table(d.milestones, ["Ref", "Milestone", "Owner", "Due", "Days to go", "Baseline due", "Slippage (days)"],
               "No milestones due in the next 8 weeks."),
        f"<h2>Overdue and blocked tasks ({d.overdue_total} overdue, {d.blocked_total} blocked)</h2>",
        _table(d.attention, ["Ref", "Task", "Workstream", "Owner", "Status", "Due", "Days late"],
               "Nothing is overdue or blocked."),
        "<h2>Top risks</h2>",
        _table(d.top_risks, ["Ref", "Risk", "Owner", "Score", "Rating", "Residual score", "Review by"],
               "No open risks."),
        "<h2>Contract and decision deadlines</h2>",
        (_table(d.deadlines.data, ["Date", "Days remaining", "What", "Record"], d.deadlines.message or "None due.",
                {"Days remaining": lambda v: escape(clock.days_text(v))})
         if d.deadlines.available else f"<p>{escape(d.deadlines.message)}</p>"),
        "<h2>Parent engagement</h2>", _engagement(d),
        "<h2>Phone line</h2>", _phone_line(d),
        "<h2>How the RAG is worked out</h2>", _table(rules_frame()),
        "<p class='note'>The project team may override a computed RAG; the reason is shown beside it and the "
        "change is kept in the audit log.</p>",
    ]
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{escape(title)} highlight report {d.as_of:%Y-%m-%d}</title><style>{CSS}</style></head><body>"
            + "\n".join(parts) + "</body></html>")


def report_filename(d: Dashboard) -> str:
    return f"send-iag-review-highlight-report-{d.as_of:%Y-%m-%d}.html"
