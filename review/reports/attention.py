"""What needs attention: the dates coming up across contracts, decisions and KPI returns."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy.orm import Session

from review.contracts import register as contracts
from review.decisions import log as decisions
from review.platform import clock

# Far enough ahead to see a contract's end and its notice deadline together.
DEFAULT_HORIZON_DAYS = 365

KIND_LABELS = {
    "notice_deadline": "Notice deadline",
    "contract_end": "Contract end",
    "call_in_deadline": "Call-in period ends",
    "kpi_return": "KPI return due",
}
COLUMNS = ["Date", "Days remaining", "What", "Record", "Detail", "kind", "record_type", "record_id"]


def upcoming_dates(session: Session, today: date | None = None,
                   horizon_days: int = DEFAULT_HORIZON_DAYS) -> pd.DataFrame:
    """Contract ends, notice deadlines, call-in deadlines and KPI returns due from today to the horizon,
    soonest first, with the days remaining. KPI returns already overdue are included (negative days)."""
    today = today or clock.today()
    horizon = today + timedelta(days=horizon_days)
    rows: list[list] = []

    def add(day: date, kind: str, record: str, detail: str, record_type: str, record_id: int) -> None:
        rows.append([day, (day - today).days, KIND_LABELS[kind], record, detail, kind, record_type, record_id])

    for s in contracts.summaries(session, today):
        c = s.contract
        if s.status is contracts.ContractStatus.ENDED:
            continue
        name = f"{c.reference} {c.title}"
        if today <= s.current_end <= horizon:
            left = f"; {s.extensions_left} extension option(s) left, last possible end " \
                   f"{s.last_possible_end:%d %b %Y}" if s.extensions_left else "; no extension options left"
            add(s.current_end, "contract_end", name, f"Current end date of the contract with {c.provider_name}{left}.",
                "contract", c.id)
        if c.notice_given_on is None and today <= s.notice_deadline <= horizon:
            vcs = " (Best Value: a voluntary or community organisation needs at least 3 months' notice)" \
                if c.is_vcse else ""
            add(s.notice_deadline, "notice_deadline", name,
                f"Last day to give {c.notice_period_months} months' notice before the contract ends on "
                f"{s.current_end:%d %b %Y}{vcs}.", "contract", c.id)
    for d in decisions.open_call_ins(session, today):
        if d["deadline"] <= horizon:
            add(d["deadline"], "call_in_deadline", f"{d['reference']} {d['title']}",
                f"Published {d['published']:%d %b %Y}; call-in period of {d['working_days']} working days. "
                f"It can be implemented after this date unless called in.", "decision", d["decision_id"])
    for r in contracts.kpi_returns_due(session, today):
        if r["due"] <= horizon:
            late = " (overdue)" if r["due"] < today else ""
            add(r["due"], "kpi_return", r["contract"],
                f"{r['kpi']}: return for the period ending {r['period_end']:%d %b %Y}{late}.",
                "contract", r["contract_id"])
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["Date", "What", "Record"], kind="stable").reset_index(drop=True)
