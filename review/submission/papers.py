"""Papers to SEND Executive: the submission record, its options, strategic alignment, the decision and its
actions (which become tasks), and the generated packs with their freshness stamp and change report.

Every write checks the role, validates, records an audit event and refuses a stale version.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review.costing.scenario import evaluate_scenario
from review.decisions import log as decisions
from review.models import Person, Phase, Task
from review.models.decisions import Decision
from review.models.submissions import (
    StrategicPriority,
    Submission,
    SubmissionAction,
    SubmissionAlignment,
    SubmissionOption,
    SubmissionPack,
)
from review.plan import tasks
from review.platform import audit, clock, references
from review.platform import record_helpers as records
from review.platform.errors import ValidationFailed
from review.platform.parsing import BOOL, DATE, TEXT, WHOLE, Fields, declare, is_invalid, report_invalid
from review.platform.roles import Actor, Permission, require
from review.platform.validation import Problems, clean_text
from review.platform.wording import local_time_text
from review.submission import pack as submission_pack
from review.submission.fields import (  # noqa: F401 - part of this module's interface
    AUDITED_FIELDS,
    DECISION_FIELDS,
    EDITABLE_FIELDS,
    PAPER_TEXT_FIELDS,
    PID_TEXT_FIELDS,
    STATUS_LABELS,
    TEXT_FIELDS,
    SubmissionStatus,
)
from review.submission.pack import actions_frame  # noqa: F401 - part of this module's interface

TITLE_MAX = 200
NAME_MAX = 160
ACTION_PREFIX = "ACT"  # actions from a decision become tasks ACT-01, ACT-02, ...


OPTION_FIELDS = ("title", "description", "advantages", "disadvantages", "scenario_id", "is_preferred", "sequence")
PRIORITY_FIELDS = ("name", "source", "description", "sort_order", "active")

# The managed list starts from these; editors add, reword or retire entries as data.
STANDARD_PRIORITIES: list[tuple[str, str, str]] = [
    ("SEND Transformation: information and early help for families",
     "County SEND Transformation programme",
     "Families find clear, consistent information and advice early, without having to chase it."),
    ("SEND Transformation: co-production with parents and carers",
     "County SEND Transformation programme",
     "Services are shaped with parent carers through the parent carer forum."),
    ("Local Offer duty", "Children and Families Act 2014 s.30",
     "Publish and keep under review the information about SEND provision the council expects to be available."),
    ("SENDIASS statutory duty", "Children and Families Act 2014 s.32",
     "Arrange impartial, arm's-length information, advice and support for children, young people and parents."),
    ("Public sector equality duty", "Equality Act 2010 s.149",
     "Due regard to eliminating discrimination and advancing equality of opportunity."),
    ("Best Value duty", "Local Government Act 1999 s.3",
     "Economy, efficiency and effectiveness; fair notice to voluntary and community providers."),
]

# Options every appraisal of the KIDS hubs decision considers (2019 decision record, sections 1 and 3).
STANDARD_OPTIONS: list[tuple[str, str]] = [
    ("Do nothing", "Let the KIDS hubs contract run to its end with no replacement arrangement for SEND information "
                   "and advice beyond the Local Offer and SENDIASS."),
    ("Retender the KIDS hubs service now", "Retender the KIDS hubs service without finalising the review of SEND "
                                           "IAG services (the alternative rejected in the March 2019 decision)."),
    ("Extend and complete the review", "Use the contract extension to finish the review and bring proposals for "
                                       "the best way for families to get information, advice and guidance."),
]


# ---------------------------------------------------------------- validation helpers

PAPER_PARSERS = Fields({**declare(DATE, ("meeting_date", "decision_date")),
                        **declare(TEXT, ("title", "meeting", "report_of", "author", "decision", "decided_by",
                                         *TEXT_FIELDS)),
                        "task_id": WHOLE, "key_decision": BOOL})
OPTION_PARSERS = Fields({**declare(TEXT, ("title", "description", "advantages", "disadvantages")),
                         **declare(WHOLE, ("scenario_id", "sequence")), "is_preferred": BOOL})


def _check_length(problems: Problems, v: dict[str, Any], key: str, label: str, limit: int) -> None:
    if v.get(key) and len(v[key]) > limit:
        problems.add(key, f"Keep the {label} to {limit} characters (it has {len(v[key])}).")


def _validate_submission(session: Session, v: dict[str, Any]) -> None:
    problems = Problems()
    report_invalid(problems, v, ("date",))
    if not v.get("title"):
        problems.add("title", "Enter the title of the paper.")
    _check_length(problems, v, "title", "title", TITLE_MAX)
    if not v.get("meeting"):
        problems.add("meeting", "Enter the meeting the paper goes to, e.g. SEND Executive Group.")
    _check_length(problems, v, "meeting", "meeting name", 120)
    if v.get("meeting_date") is None and "meeting_date" not in problems.errors:
        problems.add("meeting_date", "Enter the date of the meeting.")
    if not v.get("author"):
        problems.add("author", "Enter the author of the paper.")
    for key, label in (("author", "author"), ("report_of", "'report of'"), ("decided_by", "'decided by'")):
        _check_length(problems, v, key, label, NAME_MAX)
    if v.get("status") not in STATUS_LABELS:
        problems.add("status", f"Status must be one of: {', '.join(STATUS_LABELS.values())}.")
    elif v["status"] == SubmissionStatus.DECIDED.value and not v.get("decision"):
        problems.add("status", "Record the decision taken before marking the paper Decided.")
    if is_invalid(v.get("task_id")) or (v.get("task_id") is not None
                                               and session.get(Task, v["task_id"]) is None):
        problems.add("task_id", "The linked task does not exist.")
    problems.raise_if_any()


def _touch(submission: Submission) -> None:
    """Bump the submission's version when its alignment or actions change, so stale forms are refused."""
    submission.updated_at = clock.now_utc()


# ---------------------------------------------------------------- strategic priorities (managed list)

def _validate_priority(session: Session, v: dict[str, Any], priority_id: int | None = None) -> None:
    problems = Problems()
    if not v.get("name"):
        problems.add("name", "Enter the name of the priority or duty.")
    elif len(v["name"]) > NAME_MAX:
        problems.add("name", f"Keep the name to {NAME_MAX} characters.")
    elif session.scalar(select(StrategicPriority.id).where(
            func.lower(StrategicPriority.name) == v["name"].lower(), StrategicPriority.id != (priority_id or -1))):
        problems.add("name", f"'{v['name']}' is already in the list.")
    _check_length(problems, v, "source", "source", 200)
    if WHOLE(v.get("sort_order")) is None or is_invalid(WHOLE(v.get("sort_order"))):
        problems.add("sort_order", "The order must be a whole number.")
    problems.raise_if_any()


def create_priority(session: Session, actor: Actor, name: str, source: str | None = None,
                    description: str | None = None, sort_order: int | None = None) -> StrategicPriority:
    """Add an entry to the managed list of strategic priorities and statutory duties."""
    require(actor, Permission.EDIT_SUBMISSIONS)
    if sort_order is None:
        sort_order = int(session.scalar(select(func.max(StrategicPriority.sort_order))) or 0) + 10
    v = {"name": clean_text(name), "source": clean_text(source), "description": clean_text(description),
         "sort_order": sort_order, "active": True}
    _validate_priority(session, v)
    v["sort_order"] = int(sort_order)
    priority = StrategicPriority(**v)
    session.add(priority)
    records.record_created(session, actor, "strategic_priority", priority, PRIORITY_FIELDS, summary=priority.name)
    return priority


def update_priority(session: Session, actor: Actor, priority_id: int, expected_version: int | None,
                    **changes: Any) -> StrategicPriority:
    """Reword, reorder or retire (active=False) an entry; retired entries stay on earlier papers."""
    require(actor, Permission.EDIT_SUBMISSIONS)
    records.reject_unknown(changes, PRIORITY_FIELDS)
    priority = records.load_for_edit(session, StrategicPriority, "strategic_priority", priority_id, expected_version)
    v = {**records.current_values(priority, PRIORITY_FIELDS), **changes}
    for key in ("name", "source", "description"):
        v[key] = clean_text(v[key])
    v["active"] = bool(v["active"])
    _validate_priority(session, v, priority_id)
    v["sort_order"] = int(v["sort_order"])
    records.apply_changes(session, actor, "strategic_priority", priority, PRIORITY_FIELDS, v,
                          summary=lambda p: p.name)
    return priority


def add_standard_priorities(session: Session, actor: Actor) -> int:
    """Add the standard entries that are not yet in the list; returns how many were added."""
    require(actor, Permission.EDIT_SUBMISSIONS)
    existing = {n.lower() for n in session.scalars(select(StrategicPriority.name))}
    added = 0
    for name, source, description in STANDARD_PRIORITIES:
        if name.lower() not in existing:
            create_priority(session, actor, name, source, description)
            added += 1
    return added


def priorities_frame(session: Session, active_only: bool = False) -> pd.DataFrame:
    """The managed list of strategic priorities and statutory duties as a table."""
    query = select(StrategicPriority).order_by(StrategicPriority.sort_order, StrategicPriority.name)
    if active_only:
        query = query.where(StrategicPriority.active.is_(True))
    rows = [{"id": p.id, "version": p.version, "Priority or duty": p.name, "Source": p.source or "",
             "Description": p.description or "", "Order": p.sort_order, "Active": p.active}
            for p in session.scalars(query)]
    return pd.DataFrame(rows, columns=["id", "version", "Priority or duty", "Source", "Description", "Order",
                                       "Active"])


# ---------------------------------------------------------------- submissions

def create_submission(session: Session, actor: Actor, **values: Any) -> Submission:
    """Start a paper. Required: title, meeting, meeting_date, author; status starts as drafting."""
    require(actor, Permission.EDIT_SUBMISSIONS)
    records.reject_unknown(values, EDITABLE_FIELDS)
    v = {"status": SubmissionStatus.DRAFTING.value, "key_decision": False, **PAPER_PARSERS.parse(values)}
    _validate_submission(session, v)
    submission = Submission(**{k: v.get(k) for k in EDITABLE_FIELDS})
    session.add(submission)
    records.record_created(session, actor, "submission", submission, AUDITED_FIELDS, summary=submission.title)
    return submission


def get_submission(session: Session, submission_id: int) -> Submission:
    """The paper, or NotFound when someone has deleted it."""
    return records.get_or_not_found(session, Submission, submission_id,
                                    "This submission no longer exists; someone may have deleted it.")


def update_submission(session: Session, actor: Actor, submission_id: int, expected_version: int | None,
                      **changes: Any) -> Submission:
    """Change fields of the paper, refusing the change if someone saved it since `expected_version`."""
    require(actor, Permission.EDIT_SUBMISSIONS)
    records.reject_unknown(changes, EDITABLE_FIELDS)
    submission = records.load_for_edit(session, Submission, "submission", submission_id, expected_version)
    v = {**records.current_values(submission, AUDITED_FIELDS), **PAPER_PARSERS.parse(changes)}
    _validate_submission(session, v)
    # Only EDITABLE_FIELDS can be in `changes`, so the decision fields keep their values; all are audited.
    records.apply_changes(session, actor, "submission", submission, AUDITED_FIELDS, v, summary=lambda s: s.title)
    return submission


def delete_submission(session: Session, actor: Actor, submission_id: int, expected_version: int | None) -> None:
    """Delete a paper with its options, alignment and actions (tasks made from actions stay; its decision-log
    entry stays, unlinked). Refused while the paper has generated packs: they are the record of what went to the
    SEND Executive, and deleting the paper would delete them."""
    require(actor, Permission.EDIT_SUBMISSIONS)
    submission = records.load_for_edit(session, Submission, "submission", submission_id, expected_version)
    packs = session.scalar(select(func.count(SubmissionPack.id)).where(SubmissionPack.submission_id == submission_id))
    if packs:
        raise ValidationFailed({"submission": f"This paper has {packs} generated pack(s), the record of what went "
                                              "to the SEND Executive, so it cannot be deleted. Keep it, or change "
                                              "its status instead."})
    before = audit.snapshot(submission, AUDITED_FIELDS)
    entry = decisions.decision_for_submission(session, submission_id)
    if entry is not None:
        before["decision_log"] = entry.reference
    records.record_deleted(session, actor, "submission", submission, before, summary=before.get("title"))
    if entry is not None:
        session.expire(entry, ["submission_id"])  # the database set it to NULL


def latest_submission_id(session: Session) -> int | None:
    """The paper for the latest meeting (newest first when two share a date)."""
    return session.scalar(select(Submission.id).order_by(Submission.meeting_date.desc(), Submission.id.desc())
                          .limit(1))


def submissions_frame(session: Session) -> pd.DataFrame:
    """Papers, latest meeting first, with how many packs each has."""
    packs = (select(SubmissionPack.submission_id, func.count(SubmissionPack.id).label("n"))
             .group_by(SubmissionPack.submission_id).subquery())
    query = (select(Submission.id, Submission.version, Submission.title, Submission.meeting, Submission.meeting_date,
                    Submission.author, Submission.status, packs.c.n)
             .outerjoin(packs, packs.c.submission_id == Submission.id)
             .order_by(Submission.meeting_date.desc(), Submission.id.desc()))
    rows = [{"id": r.id, "version": r.version, "Title": r.title, "Meeting": r.meeting,
             "Meeting date": r.meeting_date, "Author": r.author, "Status": STATUS_LABELS.get(r.status, r.status),
             "Packs generated": int(r.n or 0)} for r in session.execute(query)]
    return pd.DataFrame(rows, columns=["id", "version", "Title", "Meeting", "Meeting date", "Author", "Status",
                                       "Packs generated"])


# ---------------------------------------------------------------- options

def _validate_option(session: Session, v: dict[str, Any], submission_id: int, option_id: int | None = None) -> None:
    problems = Problems()
    if not v.get("title"):
        problems.add("title", "Enter a short name for the option.")
    elif session.scalar(select(SubmissionOption.id).where(
            SubmissionOption.submission_id == submission_id, SubmissionOption.id != (option_id or -1),
            func.lower(SubmissionOption.title) == v["title"].lower())):
        problems.add("title", f"The paper already has an option called '{v['title']}'.")
    _check_length(problems, v, "title", "option name", TITLE_MAX)
    if is_invalid(v.get("scenario_id")):
        problems.add("scenario_id", "Choose a cost scenario from the list.")
    elif v.get("scenario_id") is not None:
        problem = submission_pack.scenario_link_problem(session, v["scenario_id"])
        if problem:
            problems.add("scenario_id", problem)
    if is_invalid(v.get("sequence")):
        problems.add("sequence", "The order must be a whole number.")
    problems.raise_if_any()


def _clear_other_preferred(session: Session, actor: Actor, option: SubmissionOption) -> None:
    """Only one option is preferred: choosing one un-prefers the others (each change audited)."""
    others = session.scalars(select(SubmissionOption).where(
        SubmissionOption.submission_id == option.submission_id, SubmissionOption.id != option.id,
        SubmissionOption.is_preferred.is_(True))).all()
    for other in others:
        other.is_preferred = False
        session.flush()
        audit.record(session, actor, "submission_option", other.id, "update",
                     {"is_preferred": {"before": True, "after": False}}, other.version, summary=other.title)


def add_option(session: Session, actor: Actor, submission_id: int, **values: Any) -> SubmissionOption:
    """Add an option to the appraisal; link it to a cost scenario with scenario_id where one applies."""
    require(actor, Permission.EDIT_SUBMISSIONS)
    records.reject_unknown(values, OPTION_FIELDS)
    submission = get_submission(session, submission_id)
    if values.get("sequence") is None:
        values["sequence"] = len(submission.options) + 1
    v = {"is_preferred": False, **OPTION_PARSERS.parse(values)}
    _validate_option(session, v, submission_id)
    option = SubmissionOption(submission_id=submission_id, **{k: v.get(k) for k in OPTION_FIELDS})
    session.add(option)
    session.flush()
    if option.is_preferred:
        _clear_other_preferred(session, actor, option)
    audit.record(session, actor, "submission_option", option.id, "create",
                 audit.diff({}, audit.snapshot(option, ("submission_id", *OPTION_FIELDS))), option.version,
                 summary=option.title)
    return option


def update_option(session: Session, actor: Actor, option_id: int, expected_version: int | None,
                  **changes: Any) -> SubmissionOption:
    """Correct an option in the appraisal; refuses a stale version."""
    require(actor, Permission.EDIT_SUBMISSIONS)
    records.reject_unknown(changes, OPTION_FIELDS)
    option = records.load_for_edit(session, SubmissionOption, "submission_option", option_id, expected_version)
    before = audit.snapshot(option, OPTION_FIELDS)
    current = records.current_values(option, OPTION_FIELDS)
    v = {**current, **OPTION_PARSERS.parse(changes)}
    if v.get("scenario_id") == current["scenario_id"]:
        v_check = {**v, "scenario_id": None}  # an existing link is kept even if its scenario has gone
        _validate_option(session, v_check, option.submission_id, option.id)
    else:
        _validate_option(session, v, option.submission_id, option.id)
    if v == current:
        return option
    for key in OPTION_FIELDS:
        setattr(option, key, v[key])
    session.flush()
    if option.is_preferred and not current["is_preferred"]:
        _clear_other_preferred(session, actor, option)
    audit.record(session, actor, "submission_option", option.id, "update",
                 audit.diff(before, audit.snapshot(option, OPTION_FIELDS)), option.version, summary=option.title)
    return option


def delete_option(session: Session, actor: Actor, option_id: int, expected_version: int | None) -> None:
    """Delete an option from the appraisal after a version check, keeping it in the audit log."""
    require(actor, Permission.EDIT_SUBMISSIONS)
    option = records.load_for_edit(session, SubmissionOption, "submission_option", option_id, expected_version)
    before = audit.snapshot(option, ("submission_id", *OPTION_FIELDS))
    records.record_deleted(session, actor, "submission_option", option, before, summary=before.get("title"))


def add_standard_options(session: Session, actor: Actor, submission_id: int) -> int:
    """Add the options every appraisal considers, then one per saved phone-line cost scenario.

    Options already present (same name) are skipped; returns how many were added.
    """
    require(actor, Permission.EDIT_SUBMISSIONS)
    submission = get_submission(session, submission_id)
    have = {o.title.lower() for o in submission.options}
    have_scenarios = {o.scenario_id for o in submission.options if o.scenario_id is not None}
    added = 0
    for title, description in STANDARD_OPTIONS:
        if title.lower() not in have:
            add_option(session, actor, submission_id, title=title, description=description)
            added += 1
    for scenario_id, name in submission_pack.scenario_choices(session).items():
        title = f"Phone line: {name}"[:TITLE_MAX]
        if scenario_id not in have_scenarios and title.lower() not in have:
            add_option(session, actor, submission_id, title=title, scenario_id=scenario_id,
                       description="A SEND information and advice phone line costed in the linked scenario.")
            added += 1
    session.refresh(submission)
    return added


def options_of(session: Session, submission_id: int) -> list[SubmissionOption]:
    """A paper's options in their order."""
    return list(session.scalars(select(SubmissionOption).where(SubmissionOption.submission_id == submission_id)
                                .order_by(SubmissionOption.sequence, SubmissionOption.id)))


# ---------------------------------------------------------------- strategic alignment

def set_alignment(session: Session, actor: Actor, submission_id: int, expected_version: int | None,
                  alignment: dict[int, str | None]) -> Submission:
    """Make the paper's alignment exactly {priority id: how the proposals support it}."""
    require(actor, Permission.EDIT_SUBMISSIONS)
    submission = records.load_for_edit(session, Submission, "submission", submission_id, expected_version)
    problems = Problems()
    wanted: dict[int, str | None] = {}
    for key, how in alignment.items():
        priority_id = WHOLE(key)
        if not isinstance(priority_id, int) or session.get(StrategicPriority, priority_id) is None:
            problems.add(f"priority {key}", "That priority is not in the managed list.")
            continue
        wanted[priority_id] = clean_text(how)
    problems.raise_if_any()
    rows = {a.priority_id: a for a in session.scalars(select(SubmissionAlignment).where(
        SubmissionAlignment.submission_id == submission_id))}
    before = {str(k): a.how for k, a in rows.items()}
    for priority_id, row in rows.items():
        if priority_id not in wanted:
            session.delete(row)
    for priority_id, how in wanted.items():
        if priority_id in rows:
            rows[priority_id].how = how
        else:
            session.add(SubmissionAlignment(submission_id=submission_id, priority_id=priority_id, how=how))
    after = {str(k): v for k, v in wanted.items()}
    if before == after:
        return submission
    _touch(submission)
    session.flush()
    audit.record(session, actor, "submission", submission.id, "update",
                 {"strategic_alignment": {"before": before, "after": after}}, submission.version,
                 summary=submission.title)
    return submission


def alignment_frame(session: Session, submission_id: int) -> pd.DataFrame:
    """How the paper supports each strategic priority it is aligned with."""
    query = (select(StrategicPriority.id, StrategicPriority.name, StrategicPriority.source, SubmissionAlignment.how)
             .join(SubmissionAlignment, SubmissionAlignment.priority_id == StrategicPriority.id)
             .where(SubmissionAlignment.submission_id == submission_id)
             .order_by(StrategicPriority.sort_order, StrategicPriority.name))
    rows = [{"priority_id": i, "Priority or duty": n, "Source": s or "", "How the proposals support it": h or ""}
            for i, n, s, h in session.execute(query)]
    return pd.DataFrame(rows, columns=["priority_id", "Priority or duty", "Source", "How the proposals support it"])


# ---------------------------------------------------------------- decision and actions

def record_decision(session: Session, actor: Actor, submission_id: int, expected_version: int | None,
                    decision: str, decision_date: Any, decided_by: str | None = None) -> Submission:
    """Record the decision the meeting took: the paper's status becomes Decided, and the decision log gets the
    paper's entry (created the first time, updated after), in the caller's transaction with the paper's change."""
    require(actor, Permission.EDIT_SUBMISSIONS)
    require(actor, Permission.EDIT_DECISIONS)
    submission = records.load_for_edit(session, Submission, "submission", submission_id, expected_version)
    v = PAPER_PARSERS.parse({"decision": decision, "decision_date": decision_date, "decided_by": decided_by})
    problems = Problems()
    report_invalid(problems, v, ("date",))
    if not v.get("decision"):
        problems.add("decision", "Enter the decision the meeting took.")
    if v.get("decision_date") is None and "decision_date" not in problems.errors:
        problems.add("decision_date", "Enter the date of the decision.")
    elif v.get("decision_date") and v["decision_date"] < submission.meeting_date:
        problems.add("decision_date", f"The decision cannot come before the meeting "
                                      f"({submission.meeting_date:%d %b %Y}).")
    _check_length(problems, v, "decided_by", "'decided by'", NAME_MAX)
    problems.raise_if_any()
    before = audit.snapshot(submission, AUDITED_FIELDS)
    submission.decision = v["decision"]
    submission.decision_date = v["decision_date"]
    submission.decided_by = v.get("decided_by")
    submission.status = SubmissionStatus.DECIDED.value
    session.flush()
    audit.record(session, actor, "submission", submission.id, "update",
                 audit.diff(before, audit.snapshot(submission, AUDITED_FIELDS)), submission.version,
                 summary=f"Decision recorded: {submission.title}")
    _log_decision(session, actor, submission)
    return submission


# The reason given for an option the paper did not prefer, when the paper says nothing more about it.
NOT_PREFERRED = "Not the preferred option"


def _alternatives_from_options(options: list[SubmissionOption], kept: dict[str, str | None]) -> list[dict]:
    """The options the paper did not prefer, as the log's alternatives considered and rejected.

    The reason is one the log already gives for the same option (someone may have written a better one), else
    "Not the preferred option" with the paper's disadvantages of that option.
    """
    alternatives = []
    for option in options:
        if option.is_preferred:
            continue
        text = f"{option.title}: {option.description}" if option.description else option.title
        reason = kept.get(text) or (f"{NOT_PREFERRED}. The paper's disadvantages: {option.disadvantages}"
                                    if option.disadvantages else f"{NOT_PREFERRED}.")
        alternatives.append({"option": text, "reason_rejected": reason})
    return alternatives


def _decision_log_values(session: Session, submission: Submission, entry: Decision | None = None) -> dict[str, Any]:
    """What the decision log takes from the paper: title, decision, date, key decision flag and, when the paper
    has them, the preferred option's reasons, the other options as alternatives and who decided.

    Prefilled parts the paper leaves empty are left out, so an update keeps what was written in the log.
    """
    options = options_of(session, submission.id)
    values: dict[str, Any] = {"title": submission.title, "decision": submission.decision,
                              "decision_date": submission.decision_date, "key_decision": submission.key_decision}
    officer_types = (decisions.DecisionType.OFFICER_KEY.value, decisions.DecisionType.OFFICER.value)
    if entry is None or entry.decision_type in officer_types:  # an executive decision keeps its type
        values["decision_type"] = officer_types[0] if submission.key_decision else officer_types[1]
    if submission.preferred_reasons:
        values["reasons"] = submission.preferred_reasons
    if any(o.is_preferred for o in options):
        logged = decisions.editable_values(session, entry.id)["alternatives"] if entry is not None else []
        kept = {a["option"]: a["reason_rejected"] for a in logged}
        values["alternatives"] = _alternatives_from_options(options, kept)
    if submission.decided_by:
        values["decision_maker_post"] = submission.decided_by
    return values


def _log_decision(session: Session, actor: Actor, submission: Submission) -> Decision:
    """Create or update the paper's decision-log entry through the decisions service (checked and audited).

    The log's refusals are reported under "decision_log", as the paper's form has none of the log's fields.
    """
    entry = decisions.decision_for_submission(session, submission.id)
    values = _decision_log_values(session, submission, entry)
    try:
        if entry is None:
            reference = decisions.suggest_reference(session, values["decision_type"], submission.decision_date,
                                                    submission.title)
            return decisions.create_decision(session, actor, submission_id=submission.id, reference=reference,
                                             **values)
        return decisions.update_decision(session, actor, entry.id, entry.version, **values)
    except ValidationFailed as exc:
        log = f"The decision log entry {entry.reference}" if entry is not None else "The decision log"
        raise ValidationFailed({"decision_log": f"{log} cannot take this decision: {' '.join(exc.errors.values())}"}
                               ) from exc


def _next_action_reference(session: Session) -> str:
    return references.allocate(session, Task.reference, ACTION_PREFIX)


def default_action_phase(session: Session) -> int | None:
    """Actions from the decision lead into implementation: the last phase of the review by default."""
    return session.scalar(select(Phase.id).order_by(Phase.sequence.desc(), Phase.id.desc()).limit(1))


def add_action(session: Session, actor: Actor, submission_id: int, expected_version: int | None, title: str,
               owner_id: int | None, due_date: Any = None, phase_id: int | None = None) -> Task:
    """Turn an action from the decision into a task with an owner (reference ACT-nn), linked to the paper."""
    require(actor, Permission.EDIT_SUBMISSIONS)
    submission = records.load_for_edit(session, Submission, "submission", submission_id, expected_version)
    problems = Problems()
    if not submission.decision:
        problems.add("title", "Record the decision before adding its actions.")
    if owner_id is None or session.get(Person, int(owner_id)) is None:
        problems.add("owner_id", "Every action needs an owner from the people list.")
    problems.raise_if_any()
    phase_id = phase_id if phase_id is not None else default_action_phase(session)
    task = tasks.create_task(
        session, actor, reference=_next_action_reference(session), title=title, phase_id=phase_id,
        owner_id=owner_id, due_date=due_date, priority=tasks.Priority.HIGH.value,
        start_date=submission.decision_date,
        description=f"Action from the decision of the {submission.meeting} on "
                    f"{submission.decision_date:%d %B %Y}: {submission.title}.")
    action = SubmissionAction(submission_id=submission_id, task_id=task.id, title=task.title)
    session.add(action)
    _touch(submission)
    session.flush()
    audit.record(session, actor, "submission", submission.id, "update",
                 {"actions": {"before": None, "after": f"{task.reference} {task.title}"}}, submission.version,
                 summary=f"Action added: {task.title}")
    return task


# ---------------------------------------------------------------- packs

def packs_of(session: Session, submission_id: int) -> list[SubmissionPack]:
    """A paper's generated packs, newest first."""
    return list(session.scalars(select(SubmissionPack).where(SubmissionPack.submission_id == submission_id)
                                .order_by(SubmissionPack.number.desc())))


def latest_pack(session: Session, submission_id: int) -> SubmissionPack | None:
    """The paper's newest generated pack, or None."""
    return session.scalar(select(SubmissionPack).where(SubmissionPack.submission_id == submission_id)
                          .order_by(SubmissionPack.number.desc()).limit(1))


def latest_issued_pack(session: Session, submission_id: int) -> SubmissionPack | None:
    """The newest pack an editor marked issued to SEND Executive (what viewers download)."""
    return session.scalar(select(SubmissionPack).where(SubmissionPack.submission_id == submission_id,
                                                       SubmissionPack.issued_at.is_not(None))
                          .order_by(SubmissionPack.number.desc()).limit(1))


def issue_pack(session: Session, actor: Actor, pack_id: int) -> SubmissionPack:
    """Mark a generated pack as issued to SEND Executive (audited); viewers then download it."""
    require(actor, Permission.EDIT_SUBMISSIONS)
    pack = get_pack(session, pack_id)
    if pack.issued_at is not None:
        return pack
    pack.issued_at, pack.issued_by = clock.now_utc(), actor.username
    session.flush()
    audit.record(session, actor, "submission_pack", pack.id, "issue",
                 {"issued_at": {"before": None, "after": pack.issued_at.isoformat()}},
                 summary=f"Pack {pack.number} issued to SEND Executive")
    return pack


def issued_text(pack: SubmissionPack) -> str:
    """'Pack 3, issued 15 Nov 2019 14:03 GMT by demo-editor (figures as at 15 November 2019)'."""
    return (f"Pack {pack.number}, issued {local_time_text(pack.issued_at)} by {pack.issued_by} "
            f"(figures as at {pack.as_at:%d %B %Y})")


def get_pack(session: Session, pack_id: int) -> SubmissionPack:
    """A generated pack, or NotFound."""
    return records.get_or_not_found(session, SubmissionPack, pack_id, "This pack no longer exists.")


def packs_frame(session: Session, submission_id: int) -> pd.DataFrame:
    """A paper's generated packs as a table: number, when (UK time), by whom, issued, figures as at."""
    rows = [{"id": p.id, "Pack": p.number, "Generated": local_time_text(p.generated_at),
             "By": p.generated_by, "Issued": local_time_text(p.issued_at) or "Not issued",
             "Figures as at": p.as_at, "Data version": p.data_version,
             "Changes since previous": len(p.changes or []) if p.number > 1 else None, "File": p.filename}
            for p in packs_of(session, submission_id)]
    return pd.DataFrame(rows, columns=["id", "Pack", "Generated", "By", "Issued", "Figures as at", "Data version",
                                       "Changes since previous", "File"])


def pack_filename(submission: Submission, number: int) -> str:
    """The Word file name of a pack: paper id, meeting date and pack number."""
    meeting = f"{submission.meeting_date:%Y-%m-%d}"
    return f"submission-{submission.id}-{meeting}-pack-{number}.docx"


def generate_pack(session: Session, actor: Actor, submission_id: int, expected_version: int | None = None,
                  evaluate: submission_pack.Evaluate = evaluate_scenario) -> SubmissionPack:
    """Pull the figures now, build the Word pack, store it with its snapshot and the changes since the last one.

    `expected_version` (optional) is the version of the paper the user previewed; a newer one is refused.
    `evaluate` is the costing model's evaluation of a scenario's inputs (the page passes its cached one).
    """
    require(actor, Permission.EDIT_SUBMISSIONS)
    submission = records.load_for_edit(session, Submission, "submission", submission_id, expected_version)
    previous = latest_pack(session, submission_id)
    number = (previous.number + 1) if previous else 1
    content = submission_pack.gather(session, submission_id, pack_number=number, generated_by=actor.display_name,
                                     evaluate=evaluate)
    snapshot = submission_pack.snapshot_of(content)
    changes = submission_pack.compare_snapshots(previous.snapshot if previous else None, snapshot)
    content.changes = changes
    content.previous_stamp = submission_pack.stamp_of(previous)
    document = submission_pack.build_docx(content)
    pack = SubmissionPack(submission_id=submission_id, number=number, generated_at=content.generated_at,
                          generated_by=actor.username, as_at=content.as_at, data_version=content.data_version,
                          submission_version=submission.version, snapshot=snapshot, changes=changes,
                          filename=pack_filename(submission, number), document=document)
    session.add(pack)
    session.flush()
    audit.record(session, actor, "submission_pack", pack.id, "create",
                 {"submission_id": {"before": None, "after": submission_id},
                  "number": {"before": None, "after": number},
                  "data_version": {"before": None, "after": content.data_version},
                  "changes_since_previous": {"before": None, "after": len(changes)}},
                 summary=f"Pack {number} generated: {submission.title}")
    return pack


def preview(session: Session, submission_id: int, evaluate: submission_pack.Evaluate = evaluate_scenario,
            max_rows: int | None = None) -> submission_pack.PackContent:
    """The pack's content from live data now. With every row (no `max_rows`: the draft Word pack) it carries the
    changes since the last generated pack; with `max_rows` (the page's preview) the long lists hold their first
    rows, the preview costs the same on a plan of any size, and the changes are `changes_since_last_pack`'s."""
    return _preview(session, submission_id, latest_pack(session, submission_id), evaluate, max_rows)


def _preview(session: Session, submission_id: int, previous: SubmissionPack | None,
             evaluate: submission_pack.Evaluate, max_rows: int | None = None) -> submission_pack.PackContent:
    content = submission_pack.gather(session, submission_id, pack_number=None, generated_by=None,
                                     evaluate=evaluate, max_rows=max_rows)
    if max_rows is not None:
        content.changes = None  # worked out from every row, not from the first ones
    elif previous is not None:  # with no pack yet there is nothing to compare (and no snapshot to take)
        content.changes = submission_pack.compare_snapshots(previous.snapshot, submission_pack.snapshot_of(content))
    content.previous_stamp = submission_pack.stamp_of(previous)
    return content


def changes_since_last_pack(session: Session, submission_id: int,
                            evaluate: submission_pack.Evaluate = evaluate_scenario,
                            ) -> tuple[list[dict[str, Any]], str | None]:
    """What the live figures and rows would change against the last generated pack, and that pack's stamp (no
    changes and no stamp when none has been generated, and then nothing else is read)."""
    previous = latest_pack(session, submission_id)
    if previous is None:
        return [], None
    content = _preview(session, submission_id, previous, evaluate)
    return content.changes or [], content.previous_stamp
