"""The submission pack: live figures gathered from every capability, one outline of the paper and its project
initiation document (PID), the Word document built from that outline, and the snapshot that lets a later
pack say what changed.

The page previews the same outline (`outline(content)`), so what the SEND Executive reads in Word is what
the project team saw on screen. The pack never shows a figure it could not pull: a section with nothing to show
says so in words.
"""
from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from review import engagement
from review.contracts.register import contracts_frame
from review.costing import COST_COLUMNS
from review.costing import scenarios as cost_scenarios
from review.costing.inputs import ScenarioInputs
from review.costing.scenario import ScenarioResult, evaluate_scenario
from review.decisions.log import decisions_frame
from review.models import Task, TaskSchedule
from review.models.plan import BaselineItem
from review.models.submissions import (
    StrategicPriority,
    Submission,
    SubmissionAction,
    SubmissionAlignment,
    SubmissionOption,
)
from review.plan import network, raid, tasks, timeline
from review.platform import audit, clock, text_policy
from review.platform.errors import NotFound
from review.platform.privacy import NOT_SHOWN
from review.platform.roles import Actor, Role
from review.platform.wording import local_time_text
from review.submission.fields import AUDITED_FIELDS, STATUS_LABELS

# Aggregate counts below this are suppressed when shown to viewers (BRIEF: engagement data is personal).
SUPPRESS_BELOW = 5
MONEY_COLUMNS = ("Whole-life cost (GBP)", "Average annual cost (GBP)")

OPTION_TABLE_COLUMNS = ["Option", "Cost scenario", "Whole-life cost (GBP)", "Total FTE", "Average annual cost (GBP)",
                        "Contract years", "Preferred"]


# ====================================================================== content

@dataclass
class Part:
    """Rows drawn from another capability with where they come from, or (not available) the reason there are
    none."""

    frame: pd.DataFrame
    source: str
    headline: str = ""
    available: bool = True
    total: int | None = None  # rows in all when `frame` holds only the first of them (the page's preview)

    @property
    def rows(self) -> int:
        return len(self.frame) if self.total is None else self.total


def _no_part(reason: str) -> Part:
    return Part(pd.DataFrame(), reason, available=False)


@dataclass
class PackContent:
    """Everything the pack shows, pulled from live data at one moment: every row for the Word pack, or with a row
    limit (the page's preview) the first rows of the long lists with how many there are (`complete` is False)."""

    submission: dict[str, Any]
    as_at: date
    generated_at: datetime
    data_version: int
    pack_number: int | None
    generated_by: str | None
    options: pd.DataFrame
    costing_source: str
    finance: Part
    alignment: pd.DataFrame
    engagement: Part
    risks: Part
    timetable: Part
    milestones: Part
    progress: pd.DataFrame
    task_list: Part
    overdue: int
    team: pd.DataFrame
    contracts: Part
    decisions: Part
    actions: pd.DataFrame
    complete: bool = True
    changes: list[dict[str, Any]] | None = field(default_factory=list)  # None: not worked out (the preview)
    previous_stamp: str | None = None

    @property
    def preferred(self) -> pd.Series | None:
        rows = self.options[self.options["Preferred"] == "Yes"]
        return rows.iloc[0] if len(rows) else None

    @property
    def stamp(self) -> str:
        pack = f"Pack {self.pack_number}" if self.pack_number else "Live preview"
        return (f"{pack}: figures as at {self.as_at:%d %B %Y}, pulled {local_time_text(self.generated_at)}, "
                f"data version {self.data_version}")


# The costing model's evaluation of a scenario's inputs. The page passes the costing page's cached one (keyed on the
# inputs), so a pack after an unrelated change, or after the costing page, does not compute the scenarios again.
Evaluate = Callable[[ScenarioInputs], ScenarioResult]


# ====================================================================== other capabilities

# ---------------------------------------------------------------- cost scenarios

def scenario_choices(session: Session) -> dict[int, str]:
    """Saved phone-line cost scenarios {id: name}."""
    return {s.id: s.name for s in cost_scenarios.list_scenarios(session)}


def scenario_link_problem(session: Session, scenario_id: int) -> str | None:
    """Why an option cannot be linked to this scenario, or None when it can."""
    if scenario_id not in scenario_choices(session):
        return "That cost scenario does not exist; choose one from the list."
    return None


def scenario_figures(session: Session, scenario_ids: list[int], evaluate: Evaluate = evaluate_scenario,
                     ) -> tuple[dict[int, dict[str, Any]], str]:
    """Whole-life cost, FTE and the year-by-year build-up of each scenario, computed from its saved inputs."""
    figures: dict[int, dict[str, Any]] = {}
    for scenario_id in scenario_ids:
        try:
            scenario = cost_scenarios.get_scenario(session, scenario_id)
        except NotFound:
            continue
        result = evaluate(cost_scenarios.scenario_inputs(scenario))
        summary = result.summary
        yearly = result.cost.yearly.rename(columns=COST_COLUMNS)
        yearly = yearly[[c for c in ("Year", "Adviser FTE", "Team leader FTE", "Staff costs (GBP)",
                                     "Telephony and CRM licences (GBP)", "Set-up, recruitment and training (GBP)",
                                     "Overheads and other running costs (GBP)", "Total cost (GBP)")
                         if c in yearly.columns]]
        figures[scenario_id] = {
            "name": scenario.name, "whole_life_cost": float(summary["whole_life_cost"]),
            "total_fte": float(summary["total_fte"]), "average_annual_cost": float(summary["average_annual_cost"]),
            "first_year_cost": float(summary["first_year_cost"]), "cost_per_call": float(summary["cost_per_call"]),
            "contract_years": int(summary["contract_years"]), "annual_calls": float(summary["annual_calls"]),
            "illustrative": bool(scenario.is_illustrative), "recommended": bool(scenario.is_recommended),
            "yearly": yearly,
        }
    return figures, ("Phone-line cost scenarios: whole-life cost and FTE recomputed by the costing model from each "
                     "scenario's saved inputs when the pack was generated.")


# ---------------------------------------------------------------- RAID log

def _risks(session: Session) -> Part:
    frame = raid.open_risks(session)
    frame["Score"] = [f"{s} ({li}x{im})" if not _is_blank(s) else "" for s, li, im in
                      zip(frame["Score"], frame["Likelihood"], frame["Impact"], strict=True)]
    columns = ["Ref", "Risk", "Owner", "Score", "Rating", "Residual score", "Mitigation"]
    return Part(frame[columns].reset_index(drop=True),
                "RAID log: open risks, highest score first (score = likelihood x impact, each from 1 to 5).")


# ---------------------------------------------------------------- plan (tasks, critical path and baseline)

def _timetables(session: Session, limit: int | None = None) -> tuple[Part, Part]:
    """The timetable (milestones and the implementation steps: the last phase's tasks) and the milestones alone,
    cancelled tasks left out, by due date, with the critical path and the latest baseline's due dates; the first
    `limit` rows of each (all without one) and how many there are. Five statements at most, whatever the plan's size."""
    network.ensure_fresh(session)  # the critical marks include this session's unsaved changes
    latest = timeline.latest_baseline_id_query()
    has_baseline = session.scalar(select(BaselineItem.id).where(BaselineItem.baseline_id == latest).limit(1))
    extra = {"critical": select(TaskSchedule.critical).where(TaskSchedule.task_id == Task.id).scalar_subquery()}
    if has_baseline is not None:
        extra["Baseline due"] = (select(BaselineItem.due_date)
                                 .where(BaselineItem.task_id == Task.id, BaselineItem.baseline_id == latest)
                                 .scalar_subquery())
    live = Task.status != tasks.TaskStatus.CANCELLED.value
    milestone = Task.is_milestone.is_(True)
    last_phase = select(func.max(aliased(Task).phase_id)).scalar_subquery()

    def part(chosen: Any, source: str) -> Part:
        read = tasks.report_frame(
            session, limit, where=chosen & live, extra=extra,
            order_by=(Task.due_date.is_(None), Task.due_date, Task.reference.is_not(None), Task.reference, Task.id))
        rows = read.frame
        frame = rows[["Ref", "Task", "Owner", "Start", "Due", "Status"]].copy()
        frame["Ref"] = _refs(rows)
        frame["Milestone"] = ["Yes" if m else "" for m in rows["Milestone"]]
        frame["Critical path"] = ["Yes" if c else "" for c in rows["critical"]]
        if has_baseline is not None:
            frame["Baseline due"] = rows["Baseline due"].tolist()
            source += " Baseline due dates are from the latest baseline."
        return Part(frame, source, total=read.total)

    return (part(or_(milestone, Task.phase_id == last_phase),
                 "Task plan: milestones and implementation steps, with the critical path from the plan view."),
            part(milestone, "Task plan: milestones, with the critical path from the plan view."))


def _refs(rows: pd.DataFrame) -> list[str]:
    """Each task's reference, or #id for a task without one (so every row of a pack table has a key)."""
    return [ref or f"#{i}" for ref, i in zip(rows["Ref"], rows["id"], strict=True)]


# ---------------------------------------------------------------- engagement

# The pack is read by the SEND Executive Group (viewers), so engagement counts are pulled as a viewer sees
# them: the engagement service suppresses counts below its threshold for roles without personal-data access.
PACK_READER = Actor(None, "submission-pack", "SEND Executive Group (readers of the pack)", Role.VIEWER)


def _engagement(session: Session) -> Part:
    read = engagement.engagement_counts(session, PACK_READER)  # once, for the themes and the headline
    counts = engagement.theme_counts_of(read)
    frame = counts[["Theme", "Mentions"]].rename(columns={"Mentions": "Inputs raising the theme"})
    frame["count"] = pd.to_numeric(counts["Mentions"], errors="coerce")  # suppressed counts become NaN
    if counts.empty:
        return Part(frame.reset_index(drop=True), "Parent engagement record.")
    h = engagement.headline_of(read)
    headline = (f"The engagement record holds {_count(h['activities'], 'activities')} with "
                f"{_count(h['participants'], 'participants')}, who gave {_count(h['inputs'], 'inputs')}. The project "
                f"team has recorded {_count(h['responses'], 'responses')} ('you said, we did'), "
                f"{_count(h['responses_done'], 'done')}; {_count(h['needs_without_response'], 'needs')} are still "
                "without a response.")
    source = f"Parent engagement record: themes parents raised, counts below {SUPPRESS_BELOW} suppressed."
    if h.get("not_shown") or (counts["Mentions"] == NOT_SHOWN).any():
        source += (" Where a total would give a small count away, a larger count is 'not shown' as well, so that "
                   "no count below 5 can be worked out by subtraction.")
    return Part(frame.reset_index(drop=True), source, headline)


def _count(value: Any, noun: str) -> str:
    """'12 inputs', 'fewer than 5 inputs', or 'a number of inputs not shown' (a secondary-suppressed total)."""
    if value == NOT_SHOWN:
        return f"a number of {noun} (not shown, to protect small counts)"
    return f"{value} {noun}"


# ---------------------------------------------------------------- contracts and decisions

def _contracts(session: Session) -> Part:
    frame = contracts_frame(session)
    columns = ["Ref", "Contract", "Provider", "Current end", "Last possible end", "Notice deadline", "Annual value (£)",
               "Status"]
    return Part(frame[columns].reset_index(drop=True),
                "Contract register: current end, last possible end and the notice deadline, computed today.")


def _decisions(session: Session) -> Part:
    frame = decisions_frame(session)
    columns = ["Ref", "Decision", "Type", "Decision date", "Decision maker", "Status"]
    return Part(frame[columns].reset_index(drop=True), "Decision log: decisions on record for the review.")


# ====================================================================== gathering

def _options(session: Session, submission_id: int, evaluate: Evaluate,
             ) -> tuple[pd.DataFrame, str, dict[int, dict[str, Any]]]:
    options = list(session.scalars(select(SubmissionOption).where(SubmissionOption.submission_id == submission_id)
                                  .order_by(SubmissionOption.sequence, SubmissionOption.id)))
    linked = sorted({o.scenario_id for o in options if o.scenario_id is not None})
    figures, source = scenario_figures(session, linked, evaluate)
    rows = []
    for o in options:
        fig = figures.get(o.scenario_id) if o.scenario_id is not None else None
        if o.scenario_id is None:
            scenario = "Not linked to a cost scenario"
        elif fig is None:
            scenario = f"Scenario #{o.scenario_id} no longer exists"
        else:
            flags = [w for w, on in (("recommended", fig["recommended"]), ("illustrative", fig["illustrative"])) if on]
            scenario = fig["name"] + (f" ({', '.join(flags)})" if flags else "")
        rows.append({
            "option_id": o.id, "scenario_id": o.scenario_id, "Option": o.title, "Cost scenario": scenario,
            "Whole-life cost (GBP)": fig["whole_life_cost"] if fig else math.nan,
            "Total FTE": fig["total_fte"] if fig else math.nan,
            "Average annual cost (GBP)": fig["average_annual_cost"] if fig else math.nan,
            "Contract years": fig["contract_years"] if fig else None,
            "Preferred": "Yes" if o.is_preferred else "", "Description": o.description or "",
            "Advantages": o.advantages or "", "Disadvantages": o.disadvantages or "",
        })
    frame = pd.DataFrame(rows, columns=["option_id", "scenario_id", *OPTION_TABLE_COLUMNS, "Description",
                                        "Advantages", "Disadvantages"])
    return frame, source, figures


def _finance(options: pd.DataFrame, figures: dict[int, dict[str, Any]]) -> Part:
    """The year-by-year cost of the preferred option's scenario."""
    preferred = options[options["Preferred"] == "Yes"]
    if not len(preferred) or pd.isna(preferred.iloc[0]["scenario_id"]):
        return _no_part("The preferred option has no phone-line cost scenario, so there is no cost build-up.")
    fig = figures.get(int(preferred.iloc[0]["scenario_id"]))
    if fig is None:
        return _no_part("The preferred option's cost scenario no longer exists.")
    yearly = fig.get("yearly")
    if yearly is None or not isinstance(yearly, pd.DataFrame):
        return _no_part("The costing model gives no year-by-year table for this scenario.")
    return Part(yearly.reset_index(drop=True), f"Cost build-up of scenario '{fig['name']}' by contract year.")


def _submission_fields(submission: Submission) -> dict[str, Any]:
    values = {k: getattr(submission, k) for k in AUDITED_FIELDS}
    values["id"] = submission.id
    values["version"] = submission.version
    values["status_label"] = STATUS_LABELS.get(submission.status, submission.status)
    return values


def _alignment(session: Session, submission_id: int) -> pd.DataFrame:
    query = (select(StrategicPriority.name, StrategicPriority.source, SubmissionAlignment.how)
             .join(SubmissionAlignment, SubmissionAlignment.priority_id == StrategicPriority.id)
             .where(SubmissionAlignment.submission_id == submission_id)
             .order_by(StrategicPriority.sort_order, StrategicPriority.name))
    rows = [{"Priority or duty": n, "Source": s or "", "How the proposals support it": h or ""}
            for n, s, h in session.execute(query)]
    return pd.DataFrame(rows, columns=["Priority or duty", "Source", "How the proposals support it"])


def actions_frame(session: Session, submission_id: int) -> pd.DataFrame:
    """The decision's actions with their tasks' live owner, due date and status (two statements)."""
    actions = session.scalars(select(SubmissionAction).where(SubmissionAction.submission_id == submission_id)
                              .order_by(SubmissionAction.id)).all()
    linked = [a.task_id for a in actions if a.task_id]
    # always one query (an empty id list would mean "every task"), so the page's statement count stays fixed
    frame = tasks.tasks_frame(session, tasks.TaskFilter(ids=linked or [-1]))
    by_id = {int(r.id): r for r in frame.itertuples()}
    rows = []
    for action in actions:
        task = by_id.get(action.task_id) if action.task_id else None
        rows.append({"task_id": action.task_id, "Ref": task.Ref if task else "", "Action": action.title,
                     "Owner": task.Owner if task else "", "Due": task.Due if task else None,
                     "Status": task.Status if task else "Task deleted"})
    return pd.DataFrame(rows, columns=["task_id", "Ref", "Action", "Owner", "Due", "Status"])


def gather(session: Session, submission_id: int, pack_number: int | None = None,
           generated_by: str | None = None, evaluate: Evaluate = evaluate_scenario,
           max_rows: int | None = None) -> PackContent:
    """Pull every figure and table the pack shows, now, from the live data.

    With `max_rows` (the page's preview) the task list, timetable and milestones hold their first `max_rows` rows
    and how many there are, so the preview costs the same on a plan of any size; the Word pack reads every row.
    """
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFound("This submission no longer exists; someone may have deleted it.")
    data_version = audit.data_version(session)
    listed = tasks.report_frame(session, max_rows)
    task_list = listed.frame[["Ref", "Task", "Phase", "Owner", "Status", "Due", "% complete"]].copy()
    task_list["Ref"] = _refs(listed.frame)
    options, costing_source, figures = _options(session, submission_id, evaluate)
    today = clock.today()
    timetable, milestones = _timetables(session, max_rows)
    return PackContent(
        submission=_submission_fields(submission), as_at=today, generated_at=clock.now_utc(),
        data_version=data_version, pack_number=pack_number, generated_by=generated_by, options=options,
        costing_source=costing_source, finance=_finance(options, figures),
        alignment=_alignment(session, submission_id), engagement=_engagement(session), risks=_risks(session),
        timetable=timetable, milestones=milestones,
        progress=tasks.progress_by_phase(session),
        task_list=Part(task_list, "All tasks in the tracker", total=listed.total),
        overdue=tasks.status_counts(session, today)["Overdue"], team=tasks.owner_counts(session),
        contracts=_contracts(session), decisions=_decisions(session),
        actions=actions_frame(session, submission_id).drop(columns=["task_id"]), complete=max_rows is None,
    )


# ====================================================================== snapshot and change report

def _json_value(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is str or kind is bool or kind is int:  # the common cells, without pd.isna
        return value
    if _is_blank(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        value = value.item()
    if isinstance(value, float):
        return round(value, 2)
    return audit.json_safe(value)


def _table_rows(frame: pd.DataFrame | None, key: str, columns: list[str] | None = None) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    columns = list(dict.fromkeys([key, *(c for c in (columns or list(frame.columns)) if c in frame.columns)]))
    values = {c: [_json_value(v) for v in frame[c].tolist()] for c in columns}  # column-wise: fewer pandas calls
    return [dict(zip(columns, row, strict=True)) for row in zip(*values.values(), strict=True)]


def snapshot_of(content: PackContent) -> dict[str, Any]:
    """The figures and table rows the pack shows, as JSON, to compare the next pack against (from content with
    every row: a preview's first rows would report the rest as removed)."""
    if not content.complete:
        raise ValueError("A snapshot needs the pack's whole content, not the preview's first rows.")
    figures: dict[str, dict[str, Any]] = {}

    def put(key: str, label: str, value: Any, unit: str = "") -> None:
        figures[key] = {"label": label, "value": _json_value(value), "unit": unit}

    for _, o in content.options.iterrows():
        name = f"Option '{o['Option']}'"
        if o["scenario_id"] is not None and not pd.isna(o["scenario_id"]):
            name += f" (cost scenario '{o['Cost scenario']}')"
            put(f"option.{o['option_id']}.whole_life_cost", f"{name}: whole-life cost", o["Whole-life cost (GBP)"],
                "GBP")
            put(f"option.{o['option_id']}.total_fte", f"{name}: total FTE", o["Total FTE"], "FTE")
            put(f"option.{o['option_id']}.average_annual_cost", f"{name}: average annual cost",
                o["Average annual cost (GBP)"], "GBP")
    preferred = content.preferred
    put("preferred_option", "Preferred option", preferred["Option"] if preferred is not None else None)
    put("status", "Status of the paper", content.submission["status_label"])
    for _, p in content.progress.iterrows():
        put(f"progress.{p['Phase']}", f"Tasks done in phase '{p['Phase']}'", f"{int(p['Done'])} of {int(p['Tasks'])}")
    put("tasks.overdue", "Overdue tasks", content.overdue)
    if content.engagement.available:
        for _, t in content.engagement.frame.iterrows():
            put(f"theme.{t['Theme']}", f"Engagement theme '{t['Theme']}': inputs", t["Inputs raising the theme"])
    if content.risks.available:
        put("risks.open", "Open risks", len(content.risks.frame))
    tables = {
        "options": {"title": "Options appraisal", "key": "Option",
                    "rows": _table_rows(content.options, "Option", ["Cost scenario", "Preferred"])},
        "timetable": {"title": "Timetable", "key": "Ref", "rows": _table_rows(content.timetable.frame, "Ref")},
        "tasks": {"title": "Task list", "key": "Ref",
                  "rows": _table_rows(content.task_list.frame, "Ref", ["Task", "Owner", "Status", "Due"])},
        "alignment": {"title": "Strategic alignment", "key": "Priority or duty",
                      "rows": _table_rows(content.alignment, "Priority or duty")},
        "actions": {"title": "Decision actions", "key": "Ref", "rows": _table_rows(content.actions, "Ref")},
    }
    if content.risks.available:
        tables["risks"] = {"title": "Risks", "key": "Ref", "rows": _table_rows(content.risks.frame, "Ref")}
    return {"stamp": {"as_at": content.as_at.isoformat(), "data_version": content.data_version,
                      "generated_at": content.generated_at.isoformat()},
            "figures": figures, "tables": tables}


def _show(value: Any, unit: str = "") -> str:
    if value is None:
        return "(none)"
    if unit == "GBP" and isinstance(value, (int, float)):
        return money(value)
    if unit == "FTE" and isinstance(value, (int, float)):
        return f"{value:.1f} FTE"
    return str(value)


def compare_snapshots(before: dict[str, Any] | None, after: dict[str, Any]) -> list[dict[str, Any]]:
    """What differs between two packs' snapshots: figures, and table rows added, removed or changed."""
    if not before:
        return []
    changes: list[dict[str, Any]] = []
    old_figs, new_figs = before.get("figures", {}), after.get("figures", {})
    for key in dict.fromkeys([*old_figs, *new_figs]):
        old, new = old_figs.get(key), new_figs.get(key)
        if old and new and old["value"] == new["value"]:
            continue
        label = (new or old)["label"]
        unit = (new or old).get("unit", "")
        changes.append({"kind": "figure", "what": label,
                        "before": _show(old["value"], unit) if old else "(not in the last pack)",
                        "after": _show(new["value"], unit) if new else "(no longer shown)"})
    old_tables, new_tables = before.get("tables", {}), after.get("tables", {})
    for name in dict.fromkeys([*old_tables, *new_tables]):
        old_t, new_t = old_tables.get(name, {}), new_tables.get(name, {})
        title = (new_t or old_t).get("title", name)
        key = (new_t or old_t).get("key")
        old_rows = {str(r.get(key)): r for r in old_t.get("rows", [])}
        new_rows = {str(r.get(key)): r for r in new_t.get("rows", [])}
        for row_key in dict.fromkeys([*old_rows, *new_rows]):
            old_r, new_r = old_rows.get(row_key), new_rows.get(row_key)
            if old_r is None:
                changes.append({"kind": "row added", "what": f"{title}: {row_key}", "before": "",
                                "after": _row_text(new_r or {}, key)})
            elif new_r is None:
                changes.append({"kind": "row removed", "what": f"{title}: {row_key}",
                                "before": _row_text(old_r, key), "after": ""})
            else:
                for column in dict.fromkeys([*old_r, *new_r]):
                    if old_r.get(column) != new_r.get(column):
                        changes.append({"kind": "row changed", "what": f"{title}: {row_key}, {column}",
                                        "before": _show(old_r.get(column)), "after": _show(new_r.get(column))})
    return changes


def _row_text(row: dict[str, Any], key: str) -> str:
    return "; ".join(f"{k}: {_show(v)}" for k, v in row.items() if k != key and v not in (None, ""))


def stamp_of(pack: Any) -> str | None:
    """A one-line description of a stored pack, for 'changes since ...'."""
    if pack is None:
        return None
    return (f"pack {pack.number} ({local_time_text(pack.generated_at)}, figures as at {pack.as_at:%d %B %Y}, "
            f"data version {pack.data_version})")


def changes_frame(changes: list[dict[str, Any]]) -> pd.DataFrame:
    """The changes since the last pack as a table (change, what, before, now)."""
    rows = [{"Change": c["kind"].capitalize(), "What": c["what"], "Before": c["before"], "Now": c["after"]}
            for c in changes]
    return pd.DataFrame(rows, columns=["Change", "What", "Before", "Now"])


# ====================================================================== the outline (shared by Word and the page)

NOT_APPLICABLE = "n/a"


def money(value: Any) -> str:
    """An amount as the paper shows it (£12,345), or n/a when blank."""
    if _is_blank(value):
        return NOT_APPLICABLE
    return f"£{float(value):,.0f}"


def fte(value: Any) -> str:
    """Full-time equivalents to one decimal place, or n/a when blank."""
    if _is_blank(value):
        return NOT_APPLICABLE
    return f"{float(value):.1f}"


@dataclass
class Chart:
    """A bar chart both renderers can draw: matplotlib for Word, plotly for the page."""

    title: str
    labels: list[str]
    values: list[float]
    value_title: str
    unit: str = ""  # "GBP", "%" or ""
    horizontal: bool = True


@dataclass
class Block:
    kind: str  # title, cover, heading, paragraph, bullets, table, chart, note
    text: str = ""
    level: int = 1
    items: list[str] = field(default_factory=list)
    frame: pd.DataFrame | None = None
    chart: Chart | None = None
    rows: list[tuple[str, str]] = field(default_factory=list)


def _paragraphs(text: str | None, missing: str) -> list[Block]:
    if not text or not text.strip():
        return [Block("note", missing)]
    return [Block("paragraph", p.strip()) for p in text.split("\n\n") if p.strip()]


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Money and FTE as text, dates as 05 Dec 2019, empty cells blank: how tables read in the paper."""
    def shown(column: str) -> list[str]:
        show = money if "(GBP)" in column or "(£)" in column else fte if "FTE" in column else _cell
        return [show(v) for v in frame[column].tolist()]

    return pd.DataFrame({column: shown(column) for column in frame.columns}, index=frame.index,
                        columns=frame.columns)  # built at once: a column at a time costs a copy a column


def _is_blank(value: Any) -> bool:
    """None, NaN, NaT and pandas NA: an empty cell."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and other non-scalars
        return False


def _cell(value: Any) -> str:
    if _is_blank(value):
        return ""
    if isinstance(value, (date, datetime, pd.Timestamp)):
        return f"{value:%d %b %Y}"
    if isinstance(value, bool):
        return "Yes" if value else ""
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def _table(caption: str, frame: pd.DataFrame, max_rows: int | None = None, total: int | None = None,
           ) -> list[Block]:
    """A table block; with max_rows (the page preview) a long table is cut short with a note saying so. `total` is
    how many rows there are when `frame` already holds only the first of them."""
    total = len(frame) if total is None else total
    if max_rows is None or total <= max_rows:
        return [Block("table", caption, frame=display_frame(frame))]
    return [Block("table", caption, frame=display_frame(frame.head(max_rows))),
            Block("note", f"Showing the first {max_rows:,} of {total:,} rows; the Word pack has them all.")]


def _part_blocks(part: Part, columns: list[str] | None = None, max_rows: int | None = None) -> list[Block]:
    if not part.available:
        return [Block("note", part.source)]
    frame = part.frame if columns is None else part.frame[[c for c in columns if c in part.frame.columns]]
    if frame.empty:
        return [Block("note", f"{part.source} Nothing recorded yet.")]
    return _table(part.source, frame, max_rows, part.rows)


def options_chart(content: PackContent) -> Chart | None:
    """A bar chart of the costed options' whole-life costs, or None when no option is costed."""
    costed = content.options.dropna(subset=["Whole-life cost (GBP)"])
    if costed.empty:
        return None
    return Chart("Whole-life cost of each costed option", costed["Option"].tolist(),
                 [float(v) for v in costed["Whole-life cost (GBP)"]], "Whole-life cost (GBP)", "GBP")


def progress_chart(content: PackContent) -> Chart | None:
    """A bar chart of the share of tasks done in each phase, or None when there are no tasks."""
    if content.progress.empty or content.progress["Tasks"].sum() == 0:
        return None
    return Chart("Progress of the review by phase", content.progress["Phase"].tolist(),
                 [round(float(v) * 100, 1) for v in content.progress["Share done"]], "Tasks done (% of live tasks)",
                 "%")


def themes_chart(content: PackContent) -> Chart | None:
    """A bar chart of the themes parents raised (shown counts only), or None when there are none."""
    part = content.engagement
    if not part.available or part.frame.empty:
        return None
    shown = part.frame.dropna(subset=["count"])  # suppressed counts are not drawn either
    if shown.empty:
        return None
    return Chart("Themes parents raised (themes whose count is shown)", shown["Theme"].tolist(),
                 [float(v) for v in shown["count"]], "Inputs tagged with the theme")


# Each section's content: a small function of the pack's content and the preview's row limit, returning blocks.
Section = Callable[[PackContent, int | None], list[Block]]


def _narrative(field_name: str, missing: str) -> Section:
    """A section that is only the paper's own text (paragraphs), or a note saying it is not written yet."""
    def section(content: PackContent, max_rows: int | None) -> list[Block]:
        return _paragraphs(content.submission.get(field_name), missing)
    return section


def _recommendations(content: PackContent, max_rows: int | None) -> list[Block]:
    recs = [line.strip(" -•\t") for line in (content.submission.get("recommendations") or "").splitlines()
            if line.strip()]
    if not recs:
        return [Block("note", "No recommendations have been written yet.")]
    return [Block("paragraph", "The SEND Executive Group is asked to:"), Block("bullets", items=recs)]


def _background(content: PackContent, max_rows: int | None) -> list[Block]:
    b = _paragraphs(content.submission.get("background"), "The background has not been written yet.")
    if content.decisions.available and not content.decisions.frame.empty:
        b += _table("Decisions on record (decision log).", content.decisions.frame, max_rows)
    return b


def _options_appraisal(content: PackContent, max_rows: int | None) -> list[Block]:
    if content.options.empty:
        return [Block("note", "No options have been added to the appraisal yet.")]
    b = [Block("paragraph", "Costs are whole-life costs over each scenario's contract years, computed from the "
                            "saved cost scenario when this pack was generated.")]
    b += _table("Options appraised", content.options[OPTION_TABLE_COLUMNS], max_rows)
    chart = options_chart(content)
    if chart:
        b.append(Block("chart", chart=chart))
    for _, o in content.options.iterrows():
        b.append(Block("heading", o["Option"], level=3))
        b += _paragraphs(o["Description"], "No description yet.")
        if o["Advantages"]:
            b.append(Block("paragraph", f"Advantages: {o['Advantages']}"))
        if o["Disadvantages"]:
            b.append(Block("paragraph", f"Disadvantages: {o['Disadvantages']}"))
    return b


def _preferred_option(content: PackContent, max_rows: int | None) -> list[Block]:
    preferred = content.preferred
    if preferred is None:
        return [Block("note", "No option has been marked as preferred yet.")]
    summary = f"The preferred option is: {preferred['Option']}."
    if not pd.isna(preferred["Whole-life cost (GBP)"]):
        summary += (f" Its whole-life cost is {money(preferred['Whole-life cost (GBP)'])} over "
                    f"{int(preferred['Contract years'])} years, with {fte(preferred['Total FTE'])} FTE "
                    f"(cost scenario '{preferred['Cost scenario']}').")
    return [Block("paragraph", summary), *_paragraphs(content.submission.get("preferred_reasons"),
                                                      "The reasons for the preferred option have not been written.")]


def _consultation(content: PackContent, max_rows: int | None) -> list[Block]:
    b = _paragraphs(content.submission.get("consultation_notes"), "No consultation narrative yet.")
    if content.engagement.headline:
        b.append(Block("paragraph", content.engagement.headline))
    b += _part_blocks(content.engagement, ["Theme", "Inputs raising the theme"], max_rows=max_rows)
    chart = themes_chart(content)
    if chart:
        b.append(Block("chart", chart=chart))
    return b


def _financial(content: PackContent, max_rows: int | None) -> list[Block]:
    b = _paragraphs(content.submission.get("financial_notes"), "No financial commentary yet.")
    if content.finance.available:
        return b + _table(content.finance.source, content.finance.frame, max_rows)
    return [*b, Block("note", content.finance.source)]


def _legal(content: PackContent, max_rows: int | None) -> list[Block]:
    return (_paragraphs(content.submission.get("legal_notes"), "No legal or procurement commentary yet.")
            + _part_blocks(content.contracts, max_rows=max_rows))


def _risk_section(content: PackContent, max_rows: int | None) -> list[Block]:
    return _part_blocks(content.risks, max_rows=max_rows)


def _strategic_alignment(content: PackContent, max_rows: int | None) -> list[Block]:
    if content.alignment.empty:
        return [Block("note", "The paper has not yet been aligned with the strategic priorities list.")]
    return _table("Strategic priorities and statutory duties", content.alignment, max_rows)


def _timetable_section(content: PackContent, max_rows: int | None) -> list[Block]:
    return _part_blocks(content.timetable, max_rows=max_rows)


def _decision_and_actions(content: PackContent, max_rows: int | None) -> list[Block]:
    s = content.submission
    if not s.get("decision"):
        return [Block("note", f"No decision has been recorded yet; the paper's status is '{s['status_label']}'.")]
    who = f" ({s['decided_by']})" if s.get("decided_by") else ""
    b = [Block("paragraph", f"Decision of {s['decision_date']:%d %B %Y}{who}: {s['decision']}")]
    if content.actions.empty:
        return [*b, Block("note", "No actions have been recorded from the decision yet.")]
    return [*b, Block("table", "Actions from the decision (tasks in the tracker)",
                      frame=display_frame(content.actions))]


def _appendix_list(content: PackContent, max_rows: int | None) -> list[Block]:
    return [Block("bullets", items=APPENDIX_HEADINGS)]


def _business_case(content: PackContent, max_rows: int | None) -> list[Block]:
    b = _paragraphs(content.submission.get("pid_business_case"), "The business case has not been written yet.")
    preferred = content.preferred
    if preferred is not None and not pd.isna(preferred["Whole-life cost (GBP)"]):
        b.append(Block("paragraph", f"Cost of the preferred option: {money(preferred['Whole-life cost (GBP)'])} "
                                    f"whole-life, {money(preferred['Average annual cost (GBP)'])} a year on average, "
                                    f"{fte(preferred['Total FTE'])} FTE."))
    return b


def _project_team(content: PackContent, max_rows: int | None) -> list[Block]:
    if content.team.empty:
        return [Block("note", "No task has an owner yet, so the team cannot be listed.")]
    return _table("Task owners by workstream", content.team, max_rows)


def _project_plan(content: PackContent, max_rows: int | None) -> list[Block]:
    b = [Block("paragraph", "The plan's milestones are below; section 13 gives the timetable of the implementation "
                            "steps and Appendix B every task with its owner and status.")]
    chart = progress_chart(content)
    if chart:
        b.append(Block("chart", chart=chart))
    milestones = content.milestones
    if milestones.available and not milestones.frame.empty:
        b += _table("Milestones", milestones.frame.drop(columns=["Milestone"]), max_rows, milestones.rows)
    return b


def _task_list(content: PackContent, max_rows: int | None) -> list[Block]:
    if content.task_list.frame.empty:
        return [Block("note", "No tasks yet.")]
    return _part_blocks(content.task_list, max_rows=max_rows)


def _cost_scenarios(content: PackContent, max_rows: int | None) -> list[Block]:
    costed = content.options.dropna(subset=["Whole-life cost (GBP)"])
    if costed.empty:
        return [Block("note", "No option is linked to a cost scenario.")]
    return [Block("table", content.costing_source, frame=display_frame(
        costed[["Option", "Cost scenario", "Whole-life cost (GBP)", "Average annual cost (GBP)", "Total FTE",
                "Contract years"]]))]


def _sources_and_changes(content: PackContent, max_rows: int | None) -> list[Block]:
    b = [Block("paragraph", f"{content.stamp}. Every figure in this pack was pulled from the SEND IAG Review Tracker "
                            "when the pack was generated; the data version identifies the state of the tracker's "
                            "records at that moment."),
         Block("bullets", items=[f"Options and costs: {content.costing_source}", f"Risks: {content.risks.source}",
                                 f"Timetable: {content.timetable.source}",
                                 f"Engagement: {content.engagement.source}",
                                 f"Contracts: {content.contracts.source}", f"Decisions: {content.decisions.source}"])]
    if content.previous_stamp is None:
        b.append(Block("note", "This is the first pack generated for this paper, so there is nothing to compare."))
    elif content.changes is None:  # the preview: they are worked out from every row, when the pack is generated
        b.append(Block("note", f"The pack will list what has changed since {content.previous_stamp}."))
    elif not content.changes:
        b.append(Block("paragraph", f"No figure or table row has changed since {content.previous_stamp}."))
    else:
        b.append(Block("table", f"Changes since {content.previous_stamp}", frame=changes_frame(content.changes)))
    return b


# The paper in the standard council report order, then the PID (appendix A) and the other appendices; tests and
# the page use these headings.
PID_HEADING = "Appendix A: Project initiation document"
PAPER_OUTLINE: list[tuple[str, Section]] = [
    ("1. Purpose of the report", _narrative("purpose", "The purpose of the report has not been written yet.")),
    ("2. Recommendations", _recommendations),
    ("3. Background", _background),
    ("4. Options appraisal", _options_appraisal),
    ("5. Preferred option", _preferred_option),
    ("6. Consultation and engagement", _consultation),
    ("7. Financial implications", _financial),
    ("8. Legal and procurement implications", _legal),
    ("9. Risks", _risk_section),
    ("10. Equalities", _narrative("equalities_notes", "No equalities commentary yet.")),
    ("11. Data protection", _narrative("data_protection_notes", "No data protection commentary yet.")),
    ("12. Strategic alignment", _strategic_alignment),
    ("13. Timetable", _timetable_section),
    ("14. Decision taken and actions", _decision_and_actions),
    ("15. Appendices", _appendix_list),
]
PID_OUTLINE: list[tuple[str, Section]] = [
    ("A1. Project definition", _narrative("pid_definition", "The project definition has not been written yet.")),
    ("A2. Project approach", _narrative("pid_approach", "The project approach has not been written yet.")),
    ("A3. Business case", _business_case),
    ("A4. Project team", _project_team),
    ("A5. Quality management approach",
     _narrative("pid_quality", "The quality management approach has not been written yet.")),
    ("A6. Risk management approach",
     _narrative("pid_risk_approach", "The risk management approach has not been written yet.")),
    ("A7. Communication management approach",
     _narrative("pid_communication", "The communication management approach has not been written yet.")),
    ("A8. Project plan", _project_plan),
    ("A9. Project controls", _narrative("pid_controls", "The project controls have not been written yet.")),
]
APPENDIX_OUTLINE: list[tuple[str, Section]] = [
    ("Appendix B: Task list", _task_list),
    ("Appendix C: Cost scenarios", _cost_scenarios),
    ("Appendix D: Data sources, freshness and changes since the last pack", _sources_and_changes),
]
PAPER_SECTIONS = [heading for heading, _ in PAPER_OUTLINE]
PID_SECTIONS = [heading for heading, _ in PID_OUTLINE]
APPENDIX_HEADINGS = [PID_HEADING, *(heading for heading, _ in APPENDIX_OUTLINE)]


def outline(content: PackContent, max_rows: int | None = None) -> list[Block]:
    """The paper and its PID as a list of blocks, in the order they appear.

    The Word pack shows every row; the page preview passes `max_rows` so that it stays quick on a large plan.
    """
    s = content.submission
    b: list[Block] = [Block("title", s["title"]), Block("cover", rows=[
        ("Meeting", s["meeting"]), ("Date of meeting", f"{s['meeting_date']:%d %B %Y}"), ("Title", s["title"]),
        ("Report of", s.get("report_of") or "-"), ("Author", s["author"]),
        ("Key decision", "Yes" if s.get("key_decision") else "No"), ("Status", s["status_label"]),
        ("Figures", content.stamp),
    ])]
    for heading, section in PAPER_OUTLINE:
        b += [Block("heading", heading), *section(content, max_rows)]
    b.append(Block("heading", PID_HEADING))
    for heading, section in PID_OUTLINE:
        b += [Block("heading", heading, level=2), *section(content, max_rows)]
    for heading, section in APPENDIX_OUTLINE:
        b += [Block("heading", heading), *section(content, max_rows)]
    return b


# ====================================================================== Word

def _compact(value: float, unit: str) -> str:
    """Axis ticks: £1.2m, £500k, 40%, 12."""
    if unit == "GBP":
        if abs(value) >= 1_000_000:
            return f"£{value / 1_000_000:.1f}m"
        return f"£{value / 1000:.0f}k" if abs(value) >= 1000 else f"£{value:.0f}"
    return f"{value:.0f}%" if unit == "%" else f"{value:,.0f}"


def chart_png(chart: Chart) -> bytes | None:
    """The chart as a PNG (matplotlib, no display needed), or None when matplotlib is not installed."""
    try:
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter, MaxNLocator
    except ImportError:
        return None
    height = max(2.2, 0.45 * len(chart.labels) + 1.2) if chart.horizontal else 3.2
    fig = Figure(figsize=(6.4, height), dpi=150)
    ax = fig.add_subplot()
    labels = [label if len(label) <= 60 else label[:59] + "…" for label in chart.labels]
    if chart.horizontal:
        bars = ax.barh(labels, chart.values, color="#1d4f91")
        ax.invert_yaxis()
        ax.set_xlabel(chart.value_title)
    else:
        bars = ax.bar(labels, chart.values, color="#1d4f91")
        ax.set_ylabel(chart.value_title)
    fmt = {"GBP": lambda v: f"£{v:,.0f}", "%": lambda v: f"{v:.0f}%"}.get(chart.unit, lambda v: f"{v:,.0f}")
    ax.bar_label(bars, labels=[fmt(v) for v in chart.values], padding=3, fontsize=8)
    axis = ax.xaxis if chart.horizontal else ax.yaxis
    axis.set_major_locator(MaxNLocator(nbins=5))
    axis.set_major_formatter(FuncFormatter(lambda v, _: _compact(v, chart.unit)))
    if chart.unit == "%":
        (ax.set_xlim if chart.horizontal else ax.set_ylim)(0, 115)
    else:
        top = max(chart.values) if chart.values else 1
        (ax.set_xlim if chart.horizontal else ax.set_ylim)(0, top * 1.25 or 1)
    ax.tick_params(labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def chart_alt_text(chart: Chart) -> str:
    """The alternative text of a chart image in the Word pack: what it shows and every value it draws."""
    values = "; ".join(f"{label}: {_compact(value, chart.unit)}" for label, value in
                       zip(chart.labels, chart.values, strict=True))
    return f"Bar chart: {chart.title} ({chart.value_title}). {values or 'No values.'}"


LANGUAGE = "en-GB"  # the pack's language, for screen readers and spelling (WCAG 3.1.1)


def _set_language(doc, language: str = LANGUAGE) -> None:
    """Mark the document's default run properties, and every style with its own, as written in `language`."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    parent = doc.styles.element
    for tag in ("w:docDefaults", "w:rPrDefault", "w:rPr"):  # the defaults every run inherits
        child = parent.find(qn(tag))
        if child is None:
            child = OxmlElement(tag)
            parent.insert(0, child) if tag == "w:docDefaults" else parent.append(child)
        parent = child
    _lang(parent, language)
    for style in doc.styles:
        if style.type in (1, 2):  # paragraph and character styles
            _lang(style.element.get_or_add_rPr(), language)
    doc.core_properties.language = language


def _lang(rpr, language: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), language)


def _shade(cell, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


TEXT_WIDTH_CM = 17.0  # A4 with 2 cm margins


CHAR_CM = 0.17  # width of a digit of 8.5 pt Arial (0.556 em)
EM_CM = 0.30  # 8.5 pt
CELL_PADDING_CM = 0.5  # Word's default cell margins, 0.19 cm each side, and a little room
MIN_TEXT_COLUMN_CM = 3.0
SHORT_CELL = 14  # characters: figures, dates, references, statuses
# Arial advance widths in em (regular): narrow letters and punctuation, capitals and wide letters, the rest ~0.556.
_NARROW = set("fijlrtI.,:;'-()/ ")
_WIDE = set("ABCDEFGHJKLNOPQRSTUVXYZmw")
BOLD_FACTOR = 1.1  # headers are bold


def _text_cm(text: str, bold: bool = False) -> float:
    """About how wide `text` sets in 8.5 pt Arial, in cm (no wrapping)."""
    ems = sum(0.3 if c in _NARROW else 0.94 if c in "MW" else 0.72 if c in _WIDE else 0.556 for c in text)
    return ems * EM_CM * (BOLD_FACTOR if bold else 1.0)


def _longest_word_cm(column: str, values: list[str]) -> float:
    """The narrowest a column can be without breaking a word ("Milesto/ne", "PLN-/04"): its longest word."""
    words = [(w, True) for w in str(column).split()] + [(w, False) for v in values for w in v.split()]
    return max((_text_cm(w, bold) for w, bold in words), default=0.0) + CELL_PADDING_CM


def unbroken_width_cm(frame: pd.DataFrame, column: Any) -> float:
    """The width a short column needs so that no word breaks ("Milestone", "PLN-04", "12 Dec 2019" as words)."""
    words = [len(w) for v in [column, *frame[column].tolist()] for w in str(v).split()] or [3]
    return max(words) * CHAR_CM * 1.1 + CELL_PADDING_CM  # the header is bold


def column_widths_cm(frame: pd.DataFrame, total: float = TEXT_WIDTH_CM) -> list[float]:
    """Column widths that fill the page: short columns (figures, dates) fit their longest value and header word;
    text columns share the rest by their typical length and wrap. When the columns do not all fit, short columns
    give up room first but no column becomes narrower than its longest word, so Word never breaks a word."""
    fixed: dict[int, float] = {}
    text: dict[int, float] = {}
    least: dict[int, float] = {}
    for i, column in enumerate(frame.columns):
        values = [str(v) for v in frame[column]]
        least[i] = _longest_word_cm(column, values)
        cells = [len(v) for v in values] or [0]
        header_word = max((len(w) for w in str(column).split()), default=3) * BOLD_FACTOR
        if max(cells) <= SHORT_CELL:
            fixed[i] = max(max(cells) * CHAR_CM + CELL_PADDING_CM, header_word * CHAR_CM + CELL_PADDING_CM,
                           max(_text_cm(v) for v in values) + CELL_PADDING_CM if values else 0.0,
                           3 * CHAR_CM + CELL_PADDING_CM)
        else:
            text[i] = max(min(sorted(cells)[len(cells) * 3 // 4], 40), header_word)
    widths = [0.0] * len(frame.columns)
    for i, w in fixed.items():
        widths[i] = w
    if not text:  # only short columns: stretch them to the page width
        scale = total / sum(widths)
        return [w * scale for w in widths]
    text_least = sum(least[i] for i in text)
    text_minimum = max(min(MIN_TEXT_COLUMN_CM * len(text), 0.7 * total), text_least)
    remaining = total - sum(fixed.values())
    if fixed and remaining < text_minimum:  # many figures: shrink them towards their longest word
        slack = sum(fixed[i] - min(least[i], fixed[i]) for i in fixed)
        need = text_minimum - remaining
        share = min(need / slack, 1.0) if slack else 0.0
        for i in fixed:
            widths[i] = fixed[i] - (fixed[i] - min(least[i], fixed[i])) * share
        remaining = total - sum(widths[i] for i in fixed)
    spare = remaining - text_least  # text columns: each its longest word, the rest by typical length
    weights = sum(text.values())
    for i, w in text.items():
        widths[i] = least[i] + max(spare, 0.0) * w / weights
    return widths


def _set_widths(table, widths_cm: list[float]) -> None:
    """Fixed column widths (Word and LibreOffice both honour them), rows kept whole, header repeated."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    table.autofit = False
    widths = [Cm(w) for w in widths_cm]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)


def _docx_table(doc, frame: pd.DataFrame, caption: str) -> None:
    from docx.shared import Pt

    if caption:
        p = doc.add_paragraph(caption, style="Caption")
        p.paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    for cell, column in zip(table.rows[0].cells, frame.columns, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(column))
        run.bold = True
        _shade(cell, "D9E2F3")
    for _, row in frame.iterrows():
        cells = table.add_row().cells
        for cell, value in zip(cells, row.tolist(), strict=True):
            cell.text = str(value)
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8.5)
    _set_widths(table, column_widths_cm(frame))
    doc.add_paragraph()


def _xml_safe_frame(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    if frame is None:
        return None
    out = frame.map(lambda v: text_policy.xml_safe(v) if isinstance(v, str) else v)
    out.columns = [text_policy.xml_safe(str(c)) for c in out.columns]
    return out


def _xml_safe_block(block: Block) -> Block:
    """The block without characters Word's XML cannot hold (text stored before the text policy, or typed into a
    field the policy keeps multi-line), so one stray control character never stops the pack."""
    safe = text_policy.xml_safe
    chart = block.chart
    if chart is not None:
        chart = replace(chart, title=safe(chart.title), labels=[safe(str(label)) for label in chart.labels],
                        value_title=safe(chart.value_title))
    return replace(block, text=safe(block.text), items=[safe(i) for i in block.items],
                   rows=[(safe(label), safe(value)) for label, value in block.rows],
                   frame=_xml_safe_frame(block.frame), chart=chart)


def build_docx(content: PackContent) -> bytes:
    """The pack as a Word document in the standard council report structure."""
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4
    section.left_margin = section.right_margin = Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
        doc.styles[name].font.name = "Arial"
    footer = section.footer.paragraphs[0]
    safe = text_policy.xml_safe
    footer.text = safe(content.stamp)
    footer.runs[0].font.size = Pt(8)
    props = doc.core_properties
    props.title = safe(content.submission["title"])
    props.author = safe(content.submission["author"])
    props.subject = safe(f"{content.submission['meeting']}, {content.submission['meeting_date']:%d %B %Y}")
    props.comments = safe(content.stamp)
    _set_language(doc)

    for block in map(_xml_safe_block, outline(content)):
        if block.kind == "title":
            doc.add_heading(block.text, level=0)
        elif block.kind == "cover":
            table = doc.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for label, value in block.rows:
                cells = table.add_row().cells
                cells[0].text = ""
                cells[0].paragraphs[0].add_run(label).bold = True
                _shade(cells[0], "D9E2F3")
                cells[1].text = value
            _set_widths(table, [4.0, TEXT_WIDTH_CM - 4.0])
            doc.add_paragraph()
        elif block.kind == "heading":
            if block.text == PID_HEADING:
                doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            doc.add_heading(block.text, level=block.level)
        elif block.kind == "paragraph":
            doc.add_paragraph(block.text)
        elif block.kind == "bullets":
            for item in block.items:
                doc.add_paragraph(item, style="List Bullet")
        elif block.kind == "note":
            run = doc.add_paragraph().add_run(block.text)
            run.italic = True
            run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
        elif block.kind == "table":
            _docx_table(doc, block.frame, block.text)
        elif block.kind == "chart":
            assert block.chart is not None
            png = chart_png(block.chart)
            if png is None:
                run = doc.add_paragraph().add_run(f"[Chart '{block.chart.title}' not drawn: the chart library "
                                                  "(matplotlib) is not installed on this server.]")
                run.italic = True
            else:
                doc.add_picture(io.BytesIO(png), width=Cm(15.5))
                picture = doc.inline_shapes[-1]._inline.docPr  # alternative text for screen readers
                picture.set("descr", chart_alt_text(block.chart))
                picture.set("title", block.chart.title)
                doc.add_paragraph(block.chart.title, style="Caption")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
