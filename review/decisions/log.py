"""The decision log: officer key decisions and executive decisions, their call-in and their links.

A decision holds what regulation 13 of the Local Authorities (Executive Arrangements) (Meetings and
Access to Information) (England) Regulations 2012 requires in a written record: the decision and its
date, the reasons, alternatives considered and rejected, conflicts of interest declared by an executive
member consulted, and any dispensation. People are recorded by post or portfolio, not by name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from review.models import Task
from review.models.contracts import Contract, ContractExtension
from review.models.decisions import Decision, DecisionAlternative, DecisionConsultee, DecisionContract, DecisionTask
from review.models.submissions import Submission
from review.platform import audit, clock
from review.platform import record_helpers as records
from review.platform.config import DEFAULT_CALL_IN_WORKING_DAYS, get_settings
from review.platform.errors import ValidationFailed
from review.platform.parsing import BOOL, DATE, IDS, TEXT, WHOLE, declare, is_invalid, parse, report_invalid
from review.platform.roles import Actor, Permission, require
from review.platform.validation import Problems, clean_text
from review.platform.working_days import add_working_days

# A call-in period longer than this many working days is almost certainly a typing slip.
MAX_CALL_IN_WORKING_DAYS = 30
# Key decisions must appear on the forward plan 28 clear days before they are taken (2012 regulations, reg 9).
FORWARD_PLAN_CLEAR_DAYS = 28


class DecisionType(StrEnum):
    OFFICER_KEY = "officer_key"
    OFFICER = "officer"
    EXECUTIVE = "executive"

    @property
    def label(self) -> str:
        return TYPE_LABELS[self.value]


TYPE_LABELS = {"officer_key": "Officer key decision", "officer": "Officer decision (non-key)",
               "executive": "Executive decision"}
# References read <prefix>-<year>-<words of the title>, as in the log's first entry, OKD-2019-KIDS-HUBS.
REFERENCE_PREFIXES = {"officer_key": "OKD", "officer": "OD", "executive": "ED"}
REFERENCE_MAX = 30
_MINOR_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with"}


class CallInStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CALLED_IN = "called_in"
    CAN_BE_IMPLEMENTED = "can_be_implemented"
    IMPLEMENTED = "implemented"

    @property
    def label(self) -> str:
        return CALL_IN_LABELS[self.value]


CALL_IN_LABELS = {"draft": "Draft", "published": "Published (in call-in period)", "called_in": "Called in",
                  "can_be_implemented": "Can be implemented", "implemented": "Implemented"}

DECISION_FIELDS = (
    "reference", "title", "decision_type", "decision", "decision_date", "reasons", "executive_member_portfolio",
    "executive_member_comments", "conflicts_of_interest", "dispensation", "decision_maker_post", "circulation",
    "publication_date", "key_decision", "forward_plan_reference", "call_in_working_days", "call_in_status",
)
LIST_FIELDS = ("alternatives", "consultees", "contract_ids", "task_ids")
LINK_FIELDS = ("submission_id",)  # set by the service that creates the entry (review.submission.papers), not by forms
EDITABLE_FIELDS = DECISION_FIELDS + LIST_FIELDS
_TEXT_FIELDS = ("reference", "title", "decision", "reasons", "executive_member_portfolio",
                "executive_member_comments", "conflicts_of_interest", "dispensation", "decision_maker_post",
                "circulation", "forward_plan_reference")


def call_in_deadline(published: date | datetime, working_days: int = DEFAULT_CALL_IN_WORKING_DAYS) -> date:
    """The last day of the call-in period: the `working_days`-th working day after publication.

    Weekends and bank holidays in England and Wales are skipped; 0 means no call-in period (the
    publication date itself).
    """
    if working_days < 0:
        raise ValueError("The call-in period cannot be negative.")
    day = published.date() if isinstance(published, datetime) else published
    return add_working_days(day, working_days)


def deadline_of(decision: Decision) -> date | None:
    """The decision's call-in deadline, once it has a publication date."""
    if decision.publication_date is None:
        return None
    return call_in_deadline(decision.publication_date, decision.call_in_working_days)


# ---------------------------------------------------------------- validation

FIELD_PARSERS = {**declare(DATE, ("decision_date", "publication_date")), **declare(TEXT, _TEXT_FIELDS),
                 "key_decision": BOOL, "call_in_working_days": WHOLE, **declare(IDS, ("contract_ids", "task_ids"))}


def _parse(values: dict[str, Any]) -> dict[str, Any]:
    """The declared fields parsed, and the alternatives and consultees tables without their empty rows."""
    out = parse(values, FIELD_PARSERS)
    if "alternatives" in out:
        out["alternatives"] = [
            {"option": clean_text(a.get("option")), "reason_rejected": clean_text(a.get("reason_rejected"))}
            for a in (out["alternatives"] or [])
            if clean_text(a.get("option")) or clean_text(a.get("reason_rejected"))]
    if "consultees" in out:
        out["consultees"] = [
            {"consultee": clean_text(c.get("consultee")), "comments": clean_text(c.get("comments"))}
            for c in (out["consultees"] or []) if clean_text(c.get("consultee")) or clean_text(c.get("comments"))]
    return out


def _validate(session: Session, v: dict[str, Any], decision_id: int | None = None,
              today: date | None = None) -> None:
    problems = Problems()
    report_invalid(problems, v, ("date", "choices"))
    if not v.get("reference"):
        problems.add("reference", "Enter the decision's reference.")
    elif len(v["reference"]) > 30:
        problems.add("reference", "Keep the reference to 30 characters.")
    elif session.scalar(select(Decision.id).where(Decision.reference == v["reference"],
                                                  Decision.id != (decision_id or -1))):
        problems.add("reference", f"Reference {v['reference']} is already used by another decision.")
    if not v.get("title"):
        problems.add("title", "Enter the title (the same title as on the forward plan).")
    elif len(v["title"]) > 300:
        problems.add("title", "Keep the title to 300 characters.")
    if v.get("decision_type") not in TYPE_LABELS:
        problems.add("decision_type", f"Type must be one of: {', '.join(TYPE_LABELS.values())}.")
    status = v.get("call_in_status")
    if status not in CALL_IN_LABELS:
        problems.add("call_in_status", f"Status must be one of: {', '.join(CALL_IN_LABELS.values())}.")
    days = v.get("call_in_working_days")
    if is_invalid(days) or days is None:
        problems.add("call_in_working_days", "The call-in period is a whole number of working days (0 or more).")
        days = None
    elif days < 0:
        problems.add("call_in_working_days", "The call-in period cannot be below 0 working days.")
        days = None
    elif days > MAX_CALL_IN_WORKING_DAYS:
        problems.add("call_in_working_days", f"A call-in period of more than {MAX_CALL_IN_WORKING_DAYS} working "
                                             f"days looks like a slip; check the constitution.")
        days = None
    decided, published = v.get("decision_date"), v.get("publication_date")
    if decided and published and published < decided:
        problems.add("publication_date", f"The publication date ({published:%d %b %Y}) is before the decision "
                                         f"date ({decided:%d %b %Y}).")
    for i, alt in enumerate(v.get("alternatives") or [], start=1):
        if not alt["option"]:
            problems.add("alternatives", f"Alternative {i}: describe the option that was considered.")
        elif not alt["reason_rejected"]:
            problems.add("alternatives", f"Alternative {i}: give the reason it was rejected.")
    for i, c in enumerate(v.get("consultees") or [], start=1):
        if not c["consultee"]:
            problems.add("consultees", f"Consultee {i}: name the group or post consulted.")
        elif len(c["consultee"]) > 200:
            problems.add("consultees", f"Consultee {i}: keep the name to 200 characters.")
    ids = v.get("contract_ids") or []
    if ids and len(session.scalars(select(Contract.id).where(Contract.id.in_(ids))).all()) != len(ids):
        problems.add("contract_ids", "A linked contract is not in the register.")
    ids = v.get("task_ids") or []
    if ids and len(session.scalars(select(Task.id).where(Task.id.in_(ids))).all()) != len(ids):
        problems.add("task_ids", "A linked task no longer exists.")
    if status in CALL_IN_LABELS and status != CallInStatus.DRAFT.value:
        # A published record must carry what regulation 13 requires.
        for key, message in (("decision", "Record the decision before publishing."),
                             ("decision_date", "Record the date of the decision before publishing."),
                             ("reasons", "Record the reasons for the decision before publishing."),
                             ("decision_maker_post", "Record the post of the officer who took the decision."),
                             ("publication_date", "Record the date the decision was published.")):
            if not v.get(key) and key not in problems.errors:
                problems.add(key, message)
        if v.get("conflicts_of_interest") and not v.get("dispensation"):
            problems.add("dispensation", "A conflict of interest is recorded: record the dispensation granted (or "
                                         "the Chief Legal Officer's advice) before publishing.")
        if (status in (CallInStatus.CAN_BE_IMPLEMENTED.value, CallInStatus.IMPLEMENTED.value) and published
                and days is not None):
            deadline = call_in_deadline(published, days)
            today = today or clock.today()
            if days > 0 and published <= today <= deadline:  # the period is running on the app's today
                problems.add("call_in_status", f"The call-in period runs until {deadline:%d %b %Y}; the decision "
                                               f"can be implemented after that.")
    problems.raise_if_any()


def _snapshot(decision: Decision, lists: dict[str, Any]) -> dict[str, Any]:
    snap = audit.snapshot(decision, (*DECISION_FIELDS, *LINK_FIELDS))
    snap["alternatives"] = [f"{a['option']} | rejected because: {a['reason_rejected']}"
                            for a in lists.get("alternatives", [])]
    snap["consultees"] = [f"{c['consultee']}: {c['comments'] or '(no comments)'}" for c in lists.get("consultees", [])]
    snap["contract_ids"] = list(lists.get("contract_ids", []))
    snap["task_ids"] = list(lists.get("task_ids", []))
    return snap


def _lists_of(session: Session, decision_id: int) -> dict[str, Any]:
    alternatives = session.scalars(select(DecisionAlternative).where(DecisionAlternative.decision_id == decision_id)
                                   .order_by(DecisionAlternative.position, DecisionAlternative.id))
    consultees = session.scalars(select(DecisionConsultee).where(DecisionConsultee.decision_id == decision_id)
                                 .order_by(DecisionConsultee.position, DecisionConsultee.id))
    return {
        "alternatives": [{"option": a.option, "reason_rejected": a.reason_rejected} for a in alternatives],
        "consultees": [{"consultee": c.consultee, "comments": c.comments} for c in consultees],
        "contract_ids": sorted(session.scalars(select(DecisionContract.contract_id)
                                               .where(DecisionContract.decision_id == decision_id))),
        "task_ids": sorted(session.scalars(select(DecisionTask.task_id)
                                           .where(DecisionTask.decision_id == decision_id))),
    }


def _write_lists(session: Session, decision_id: int, lists: dict[str, Any]) -> None:
    for model in (DecisionAlternative, DecisionConsultee, DecisionContract, DecisionTask):
        session.execute(delete(model).where(model.decision_id == decision_id))
    session.add_all([DecisionAlternative(decision_id=decision_id, position=i, **a)
                     for i, a in enumerate(lists["alternatives"])])
    session.add_all([DecisionConsultee(decision_id=decision_id, position=i, **c)
                     for i, c in enumerate(lists["consultees"])])
    session.add_all([DecisionContract(decision_id=decision_id, contract_id=i) for i in lists["contract_ids"]])
    session.add_all([DecisionTask(decision_id=decision_id, task_id=i) for i in lists["task_ids"]])


def _validate_paper_link(session: Session, submission_id: int | None) -> None:
    if submission_id is None:
        return
    if session.get(Submission, submission_id) is None:
        raise ValidationFailed({"submission_id": "The paper this decision was taken on no longer exists."})
    linked = decision_for_submission(session, submission_id)
    if linked is not None:
        raise ValidationFailed({"submission_id": f"The paper's decision is already in the log as {linked.reference}."})


def suggest_reference(session: Session, decision_type: str, decision_date: date | None, title: str) -> str:
    """A reference not yet used, in the log's style: OKD-2019-KIDS-HUBS (type, year, the title's main words)."""
    stem = f"{REFERENCE_PREFIXES.get(decision_type, 'D')}-{(decision_date or clock.today()).year}"
    words = [w.upper() for w in re.findall(r"[A-Za-z0-9]+", re.sub(r"['’]", "", title or ""))
             if w.lower() not in _MINOR_WORDS]
    used = set(session.scalars(select(Decision.reference).where(Decision.reference.like(f"{stem}%"))))
    n = 1
    while True:
        suffix = "" if n == 1 else f"-{n}"
        reference = stem
        for word in words:  # whole words only, as many as fit
            if len(f"{reference}-{word}{suffix}") > REFERENCE_MAX:
                break
            reference = f"{reference}-{word}"
        reference += suffix
        if reference not in used:
            return reference
        n += 1


# ---------------------------------------------------------------- writes

def create_decision(session: Session, actor: Actor, *, submission_id: int | None = None, **values: Any) -> Decision:
    """Record a decision (a draft unless a status is given) with its alternatives, consultees and links.

    `alternatives`: [{"option", "reason_rejected"}]; `consultees`: [{"consultee", "comments"}];
    `contract_ids`, `task_ids`: ids to link. The call-in period defaults to the council's setting.
    `submission_id`: the paper the decision was taken on (one entry per paper).
    """
    require(actor, Permission.EDIT_DECISIONS)
    records.reject_unknown(values, EDITABLE_FIELDS)
    v = {"decision_type": DecisionType.OFFICER_KEY.value, "call_in_status": CallInStatus.DRAFT.value,
         "key_decision": False, "call_in_working_days": get_settings().call_in_working_days,
         "alternatives": [], "consultees": [], "contract_ids": [], "task_ids": [], **_parse(values)}
    _validate(session, v)
    _validate_paper_link(session, submission_id)
    decision = Decision(**{k: v.get(k) for k in DECISION_FIELDS}, submission_id=submission_id)
    session.add(decision)
    session.flush()
    lists = {k: v[k] for k in ("alternatives", "consultees", "contract_ids", "task_ids")}
    _write_lists(session, decision.id, lists)
    session.flush()
    audit.record(session, actor, "decision", decision.id, "create", audit.diff({}, _snapshot(decision, lists)),
                 decision.version, summary=f"{decision.reference} {decision.title}")
    return decision


def get_decision(session: Session, decision_id: int) -> Decision:
    """The decision, or NotFound when someone has deleted it."""
    return records.get_or_not_found(session, Decision, decision_id,
                                    "This decision no longer exists; someone may have deleted it.")


def update_decision(session: Session, actor: Actor, decision_id: int, expected_version: int | None,
                    **changes: Any) -> Decision:
    """Change a decision (fields and/or its lists), refusing the change if someone saved it since you loaded it."""
    require(actor, Permission.EDIT_DECISIONS)
    records.reject_unknown(changes, EDITABLE_FIELDS)
    decision = records.load_for_edit(session, Decision, "decision", decision_id, expected_version)
    current_lists = _lists_of(session, decision_id)
    before = _snapshot(decision, current_lists)
    current = records.current_values(decision, DECISION_FIELDS)
    v = {**current, **current_lists, **_parse(changes)}
    _validate(session, v, decision_id=decision.id)
    new_fields = {k: v.get(k) for k in DECISION_FIELDS}
    new_lists = {k: v[k] for k in current_lists}
    if new_fields == current and new_lists == current_lists:
        return decision
    if new_lists != current_lists:
        _write_lists(session, decision.id, new_lists)  # before the fields, so the decision is updated once
        decision.updated_at = clock.now_utc()  # the record changed even if only a list did: move its version on
    for key, value in new_fields.items():
        setattr(decision, key, value)
    session.flush()
    audit.record(session, actor, "decision", decision.id, "update",
                 audit.diff(before, _snapshot(decision, new_lists)), decision.version,
                 summary=f"{decision.reference} {decision.title}")
    return decision


def delete_decision(session: Session, actor: Actor, decision_id: int, expected_version: int | None) -> None:
    """Delete a draft. A published decision is a public record: it stays (change its status instead)."""
    require(actor, Permission.EDIT_DECISIONS)
    decision = records.load_for_edit(session, Decision, "decision", decision_id, expected_version)
    if decision.call_in_status != CallInStatus.DRAFT.value:
        raise ValidationFailed({"call_in_status": "Only a draft can be deleted; a published decision is a public "
                                                  "record."})
    if session.scalar(select(ContractExtension.id).where(ContractExtension.decision_id == decision_id)):
        raise ValidationFailed({"decision": "A contract extension cites this decision; it cannot be deleted."})
    before = _snapshot(decision, _lists_of(session, decision_id))
    records.record_deleted(session, actor, "decision", decision, before,
                           summary=f"{before['reference']} {before['title']}")


# ---------------------------------------------------------------- reads

@dataclass
class DecisionRecord:
    """Everything the full record view shows."""

    decision: Decision
    alternatives: list[dict[str, Any]] = field(default_factory=list)
    consultees: list[dict[str, Any]] = field(default_factory=list)
    contracts: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    extensions: list[dict[str, Any]] = field(default_factory=list)
    call_in_deadline: date | None = None
    days_left_in_call_in: int | None = None
    warnings: list[str] = field(default_factory=list)
    paper: dict[str, Any] | None = None  # the submission it was taken on: id, title, meeting, meeting_date

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.decision.decision_type, self.decision.decision_type)

    @property
    def status_label(self) -> str:
        return CALL_IN_LABELS.get(self.decision.call_in_status, self.decision.call_in_status)


def decision_record(session: Session, decision_id: int, today: date | None = None) -> DecisionRecord:
    """One decision in full with its alternatives, consultees, linked contracts and tasks and extensions."""
    today = today or clock.today()
    decision = get_decision(session, decision_id)
    lists = _lists_of(session, decision_id)
    contracts = [{"id": i, "reference": ref, "title": title} for i, ref, title in session.execute(
        select(Contract.id, Contract.reference, Contract.title).join(DecisionContract)
        .where(DecisionContract.decision_id == decision_id).order_by(Contract.reference))]
    tasks = [{"id": i, "reference": ref or "", "title": title, "status": status} for i, ref, title, status in
             session.execute(select(Task.id, Task.reference, Task.title, Task.status).join(DecisionTask)
                             .where(DecisionTask.decision_id == decision_id).order_by(Task.reference))]
    extensions = [{"contract": f"{ref} {title}", "start": e.start_date, "end": e.end_date}
                  for e, ref, title in session.execute(
                      select(ContractExtension, Contract.reference, Contract.title)
                      .join(Contract, ContractExtension.contract_id == Contract.id)
                      .where(ContractExtension.decision_id == decision_id).order_by(ContractExtension.start_date))]
    deadline = deadline_of(decision)
    record = DecisionRecord(decision, lists["alternatives"], lists["consultees"], contracts, tasks, extensions,
                            deadline, (deadline - today).days if deadline else None)
    if decision.submission_id is not None:
        paper = session.get(Submission, decision.submission_id)
        assert paper is not None  # the foreign key keeps the paper while a decision refers to it
        record.paper = {"id": paper.id, "title": paper.title, "meeting": paper.meeting,
                        "meeting_date": paper.meeting_date}
    if decision.key_decision and not decision.forward_plan_reference:
        record.warnings.append(f"This is a key decision but no forward plan reference is recorded (key decisions "
                               f"need {FORWARD_PLAN_CLEAR_DAYS} clear days' notice on the forward plan).")
    if decision.conflicts_of_interest and not decision.dispensation:
        record.warnings.append("A conflict of interest is recorded without a dispensation.")
    if (decision.call_in_status == CallInStatus.PUBLISHED.value and deadline is not None and deadline < today):
        record.warnings.append(f"The call-in period ended on {deadline:%d %b %Y}; if it was not called in, mark it "
                               f"'Can be implemented'.")
    return record


LOG_COLUMNS = ["id", "version", "Ref", "Decision", "Type", "Decision date", "Decision maker", "Key decision",
               "Published", "Call-in (working days)", "Call-in ends", "Status", "call_in_status"]


def decisions_frame(session: Session, statuses: list[str] | None = None, text: str = "") -> pd.DataFrame:
    """The decision log, newest decision first, with each call-in deadline."""
    query = select(Decision).order_by(Decision.decision_date.desc(), Decision.id.desc())
    if statuses:
        query = query.where(Decision.call_in_status.in_(statuses))
    rows = []
    needle = text.strip().lower()
    for d in session.scalars(query):
        if needle and needle not in f"{d.reference} {d.title}".lower():
            continue
        rows.append([d.id, d.version, d.reference, d.title, TYPE_LABELS.get(d.decision_type, d.decision_type),
                     d.decision_date, d.decision_maker_post or "", d.key_decision, d.publication_date,
                     d.call_in_working_days, deadline_of(d), CALL_IN_LABELS.get(d.call_in_status, d.call_in_status),
                     d.call_in_status])
    return pd.DataFrame(rows, columns=LOG_COLUMNS)


def decision_for_submission(session: Session, submission_id: int) -> Decision | None:
    """The decision-log entry for the decision taken on a paper, if it has one."""
    return session.scalar(select(Decision).where(Decision.submission_id == submission_id))


def decision_options(session: Session) -> dict[int, str]:
    """id -> "reference title" for pick lists, newest first."""
    return {i: f"{ref} {title}" for i, ref, title in session.execute(
        select(Decision.id, Decision.reference, Decision.title)
        .order_by(Decision.decision_date.desc(), Decision.id.desc()))}


def editable_values(session: Session, decision_id: int) -> dict[str, Any]:
    """The decision's fields and lists, as the edit form starts from them."""
    decision = get_decision(session, decision_id)
    return {**records.current_values(decision, DECISION_FIELDS), **_lists_of(session, decision_id),
            "version": decision.version}


def open_call_ins(session: Session, today: date | None = None) -> list[dict[str, Any]]:
    """Published decisions whose call-in period has not yet ended."""
    today = today or clock.today()
    out = []
    for d in session.scalars(select(Decision).where(Decision.call_in_status == CallInStatus.PUBLISHED.value)):
        deadline = deadline_of(d)
        if deadline is not None and deadline >= today:
            out.append({"decision_id": d.id, "reference": d.reference, "title": d.title, "deadline": deadline,
                        "published": d.publication_date, "working_days": d.call_in_working_days})
    return out
