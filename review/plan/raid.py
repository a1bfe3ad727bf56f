"""The RAID log: risks, assumptions, issues and dependencies, with risk scores, a heat map and links to tasks.

Risks are scored likelihood x impact on the usual 5 x 5 matrix (1 to 25), before and after mitigation
(the residual score). Every write checks the role, validates, refuses a stale version and is audited.
"""
from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, aliased

from review.models import Person, Task, Workstream
from review.models.plan import RaidItem, RaidTaskLink
from review.platform import audit, clock, references
from review.platform import record_helpers as records
from review.platform.errors import ValidationFailed
from review.platform.parsing import DATE, TEXT, WHOLE, declare, is_invalid, parse, report_invalid
from review.platform.roles import Actor, Permission, require
from review.platform.validation import Problems


class RaidKind(StrEnum):
    RISK = "risk"
    ASSUMPTION = "assumption"
    ISSUE = "issue"
    DEPENDENCY = "dependency"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def prefix(self) -> str:
        return self.value[0].upper()


class RaidStatus(StrEnum):
    OPEN = "open"
    MONITORING = "monitoring"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


KIND_LABELS = {k.value: k.label for k in RaidKind}
KIND_PLURALS = {"Risk": "risks", "Assumption": "assumptions", "Issue": "issues", "Dependency": "dependencies"}
STATUS_LABELS = {s.value: s.label for s in RaidStatus}
SCALE = range(1, 6)  # likelihood and impact, 1 (rare / minimal) to 5 (almost certain / severe)
LIKELIHOOD_WORDS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_WORDS = {1: "Minimal", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}
# Score bands on the 5 x 5 matrix (scores 11, 13 and 14 cannot occur).
BANDS = ((1, 4, "Low"), (5, 10, "Medium"), (12, 25, "High"))
TITLE_MAX = 200

EDITABLE_FIELDS = ("kind", "title", "description", "owner_id", "workstream_id", "status", "likelihood", "impact",
                   "mitigation", "residual_likelihood", "residual_impact", "raised_on", "review_date")
SCORE_FIELDS = ("likelihood", "impact", "residual_likelihood", "residual_impact")


def band(score: int | None) -> str:
    """The rating band of a likelihood x impact score ('' when the item is not scored)."""
    if score is None:
        return ""
    return next(name for low, high, name in BANDS if low <= score <= high) if 1 <= score <= 25 else ""


# ------------------------------------------------------------------ validation

FIELD_PARSERS = {**declare(DATE, ("raised_on", "review_date")), **declare(TEXT, ("title", "description", "mitigation")),
                 **declare(WHOLE, (*SCORE_FIELDS, "owner_id", "workstream_id"))}


def _validate(session: Session, v: dict[str, Any]) -> None:
    problems = Problems()
    if v.get("kind") not in KIND_LABELS:
        problems.add("kind", "Choose risk, assumption, issue or dependency.")
    if not v.get("title"):
        problems.add("title", "Enter a short title.")
    elif len(v["title"]) > TITLE_MAX:
        problems.add("title", f"Keep the title to {TITLE_MAX} characters.")
    if v.get("status") not in STATUS_LABELS:
        problems.add("status", f"Status must be one of: {', '.join(STATUS_LABELS.values())}.")
    report_invalid(problems, v, ("date",))
    for key in SCORE_FIELDS:
        value = v.get(key)
        if is_invalid(value) or (value is not None and value not in SCALE):
            problems.add(key, "Use a whole number from 1 to 5.")
            v[key] = None
    report_invalid(problems, v)  # owner and workstream ids
    if v.get("kind") == RaidKind.RISK.value:
        if v.get("likelihood") is None:
            problems.add("likelihood", "A risk needs a likelihood from 1 to 5.")
        if v.get("impact") is None:
            problems.add("impact", "A risk needs an impact from 1 to 5.")
        residual = [v.get("residual_likelihood"), v.get("residual_impact")]
        if (residual[0] is None) != (residual[1] is None):
            problems.add("residual_impact", "Give both residual likelihood and residual impact, or neither.")
        elif residual[0] is not None and v.get("likelihood") and v.get("impact") and \
                residual[0] * residual[1] > v["likelihood"] * v["impact"]:
            problems.add("residual_impact", "The residual score (after mitigation) cannot be higher than the score "
                                            "before it.")
        if v.get("status") != RaidStatus.CLOSED.value and v.get("review_date") is None:
            problems.add("review_date", "An open risk needs a date by which it is reviewed.")
    elif v.get("kind") in KIND_LABELS:
        given = [k for k in SCORE_FIELDS if v.get(k) is not None]
        if given:
            problems.add(given[0], "Only risks are scored for likelihood and impact.")
    if v.get("owner_id") is not None and session.get(Person, v["owner_id"]) is None:
        problems.add("owner_id", "The owner must be a person in the people list.")
    if v.get("workstream_id") is not None and session.get(Workstream, v["workstream_id"]) is None:
        problems.add("workstream_id", "That workstream does not exist.")
    raised, review = v.get("raised_on"), v.get("review_date")
    if raised and review and review < raised:
        problems.add("review_date", "The review date is before the date the item was raised.")
    problems.raise_if_any()


def _next_reference(session: Session, kind: str) -> str:
    return references.allocate(session, RaidItem.reference, RaidKind(kind).prefix)


# ------------------------------------------------------------------ writes

def create_item(session: Session, actor: Actor, task_ids: list[int] | None = None, **values: Any) -> RaidItem:
    """Add a RAID item; its reference (R-01, A-01, I-01, D-01) is given by kind."""
    require(actor, Permission.EDIT_PLAN)
    records.reject_unknown(values, EDITABLE_FIELDS)
    v = {"status": RaidStatus.OPEN.value, "raised_on": clock.today(), **parse(values, FIELD_PARSERS)}
    _validate(session, v)
    item = RaidItem(reference=_next_reference(session, v["kind"]), **{k: v.get(k) for k in EDITABLE_FIELDS})
    session.add(item)
    records.record_created(session, actor, "raid_item", item, ("reference", *EDITABLE_FIELDS), summary=item.title)
    if task_ids:
        set_task_links(session, actor, item.id, task_ids)
    return item


def get_item(session: Session, item_id: int) -> RaidItem:
    """The RAID item, or NotFound when someone has deleted it."""
    return records.get_or_not_found(session, RaidItem, item_id,
                                    "This RAID item no longer exists; someone may have deleted it.")


def update_item(session: Session, actor: Actor, item_id: int, expected_version: int | None,
                task_ids: list[int] | None = None, **changes: Any) -> RaidItem:
    """Change some fields (and, given `task_ids`, the linked tasks), refusing the change if someone saved the item
    since `expected_version`. One save moves the version on once."""
    require(actor, Permission.EDIT_PLAN)
    records.reject_unknown(changes, EDITABLE_FIELDS)
    item = records.load_for_edit(session, RaidItem, "raid_item", item_id, expected_version)
    v = {**records.current_values(item, EDITABLE_FIELDS), **parse(changes, FIELD_PARSERS)}
    _validate(session, v)
    changed = records.apply_changes(session, actor, "raid_item", item, EDITABLE_FIELDS, v,
                                    summary=lambda i: i.title)
    if task_ids is not None:
        _link_tasks(session, actor, item, task_ids, bump=not changed)
    return item


def delete_item(session: Session, actor: Actor, item_id: int, expected_version: int | None) -> None:
    """Delete a RAID item and its task links after a version check, keeping it in the audit log."""
    require(actor, Permission.EDIT_PLAN)
    item = records.load_for_edit(session, RaidItem, "raid_item", item_id, expected_version)
    before = audit.snapshot(item, ("reference", *EDITABLE_FIELDS))
    session.execute(delete(RaidTaskLink).where(RaidTaskLink.raid_item_id == item_id))
    records.record_deleted(session, actor, "raid_item", item, before, summary=before["title"])


def linked_task_ids(session: Session, item_id: int) -> list[int]:
    """The ids of the tasks a RAID item is linked to, in order."""
    return sorted(session.scalars(select(RaidTaskLink.task_id).where(RaidTaskLink.raid_item_id == item_id)))


def set_task_links(session: Session, actor: Actor, item_id: int, task_ids: list[int],
                   expected_version: int | None = None) -> None:
    """Make the item's linked tasks exactly this list; one audit event lists what was added and removed.

    The links belong to the item: links loaded at `expected_version` are refused (EditConflict) once the item
    has moved on, and a change moves the item's version on. None skips the check (the item was just created)."""
    require(actor, Permission.EDIT_PLAN)
    _link_tasks(session, actor, records.load_for_edit(session, RaidItem, "raid_item", item_id, expected_version),
                task_ids, bump=True)


def _link_tasks(session: Session, actor: Actor, item: RaidItem, task_ids: list[int], bump: bool) -> None:
    """Replace the item's task links; with `bump`, a change moves the item's version on."""
    item_id = item.id
    try:
        wanted = {int(t) for t in task_ids}
    except (TypeError, ValueError):
        raise ValidationFailed({"task_ids": "Choose the linked tasks from the list."}) from None
    existing = set(session.scalars(select(Task.id).where(Task.id.in_(wanted)))) if wanted else set()
    missing = wanted - existing
    if missing:
        raise ValidationFailed({"task_ids": f"{len(missing)} of the chosen tasks no longer exist."})
    current = set(linked_task_ids(session, item_id))
    if wanted == current:
        return
    if current - wanted:
        session.execute(delete(RaidTaskLink).where(RaidTaskLink.raid_item_id == item_id,
                                                   RaidTaskLink.task_id.in_(current - wanted)))
    session.add_all([RaidTaskLink(raid_item_id=item_id, task_id=t) for t in sorted(wanted - current)])
    session.flush()
    audit.record(session, actor, "raid_item", item_id, "link_tasks",
                 {"task_ids": {"before": sorted(current), "after": sorted(wanted)}},
                 records.bump_version(session, item) if bump else item.version, summary=item.title)


# ------------------------------------------------------------------ reads

RAID_COLUMNS = ["id", "version", "Ref", "Type", "Title", "Status", "Owner", "Workstream", "Likelihood", "Impact",
                "Score", "Rating", "Residual score", "Residual rating", "Mitigation", "Raised", "Review by",
                "Review overdue", "Linked tasks", "kind", "status", "description"]


def _score(l_col, i_col):
    return l_col * i_col


def raid_frame(session: Session, kinds: list[str] | None = None, statuses: list[str] | None = None,
               today: date | None = None, limit: int = 1000) -> pd.DataFrame:
    """RAID items, highest score first, with readable names and their linked task references (two statements of
    plain rows: loading a few hundred whole records cost more than the rest of the page)."""
    today = today or clock.today()
    owner = aliased(Person)
    score = _score(RaidItem.likelihood, RaidItem.impact)
    query = (
        select(RaidItem.id, RaidItem.version, RaidItem.reference, RaidItem.kind, RaidItem.title, RaidItem.status,
               owner.name, Workstream.name, RaidItem.likelihood, RaidItem.impact, RaidItem.residual_likelihood,
               RaidItem.residual_impact, RaidItem.mitigation, RaidItem.raised_on, RaidItem.review_date,
               RaidItem.description)
        .outerjoin(owner, RaidItem.owner_id == owner.id)
        .outerjoin(Workstream, RaidItem.workstream_id == Workstream.id)
        .order_by((RaidItem.status == RaidStatus.CLOSED.value), score.desc().nulls_last(), RaidItem.reference)
        .limit(limit)
    )
    if kinds:
        query = query.where(RaidItem.kind.in_(kinds))
    if statuses:
        query = query.where(RaidItem.status.in_(statuses))
    records = session.connection().execute(query).all()
    ids = [r[0] for r in records]
    links: dict[int, list[str]] = {}
    if ids:
        for raid_id, ref, task_id in session.connection().execute(
                select(RaidTaskLink.raid_item_id, Task.reference, Task.id)
                .join(Task, Task.id == RaidTaskLink.task_id)
                .where(RaidTaskLink.raid_item_id.in_(ids))
                .order_by(Task.reference)):
            links.setdefault(raid_id, []).append(ref or f"#{task_id}")
    rows = []
    for (item_id, version, ref, kind, title, status, owner_name, ws, likelihood, impact, r_likelihood, r_impact,
         mitigation, raised_on, review_date, description) in records:
        s = likelihood * impact if likelihood and impact else None
        rs = r_likelihood * r_impact if r_likelihood and r_impact else None
        review_overdue = bool(review_date and review_date < today and status != "closed")
        rows.append([item_id, version, ref, KIND_LABELS.get(kind, kind), title, STATUS_LABELS.get(status, status),
                     owner_name or "", ws or "", likelihood, impact, s, band(s), rs, band(rs), mitigation or "",
                     raised_on, review_date, review_overdue, ", ".join(links.get(item_id, [])), kind, status,
                     description or ""])
    frame = pd.DataFrame(rows, columns=RAID_COLUMNS)
    for col in ("Likelihood", "Impact", "Score", "Residual score"):
        frame[col] = frame[col].astype("Int64")
    return frame


OPEN_RISK_COLUMNS = ["Ref", "Risk", "Owner", "Score", "Likelihood", "Impact", "Rating", "Residual score",
                     "Mitigation"]


def open_risks(session: Session) -> pd.DataFrame:
    """Every risk not closed, highest score first (as `raid_frame` orders them), with the columns a report lists:
    one statement of plain rows (the submission pack lists them all; `raid_frame` loads whole records)."""
    owner = aliased(Person)
    score = _score(RaidItem.likelihood, RaidItem.impact)
    query = (select(RaidItem.reference, RaidItem.title, owner.name, RaidItem.likelihood, RaidItem.impact,
                    RaidItem.residual_likelihood, RaidItem.residual_impact, RaidItem.mitigation)
             .outerjoin(owner, RaidItem.owner_id == owner.id)
             .where(RaidItem.kind == RaidKind.RISK.value, RaidItem.status != RaidStatus.CLOSED.value)
             .order_by(score.desc().nulls_last(), RaidItem.reference))
    rows = []
    for ref, title, who, lik, imp, r_lik, r_imp, mitigation in session.connection().execute(query):
        s = lik * imp if lik and imp else None
        rs = r_lik * r_imp if r_lik and r_imp else None
        rows.append([ref, title, who or "", s, lik, imp, band(s), rs, mitigation or ""])
    frame = pd.DataFrame(rows, columns=OPEN_RISK_COLUMNS)
    for col in ("Score", "Likelihood", "Impact", "Residual score"):
        frame[col] = frame[col].astype("Int64")
    return frame


def heat_map_counts(session: Session, residual: bool = False) -> pd.DataFrame:
    """Open and monitored risks counted per likelihood and impact, 5 x 5 (one grouped statement).

    Rows are likelihood 5 (top) to 1, columns impact 1 to 5, as a risk matrix is drawn.
    """
    lik = RaidItem.residual_likelihood if residual else RaidItem.likelihood
    imp = RaidItem.residual_impact if residual else RaidItem.impact
    query = (select(lik, imp, func.count(RaidItem.id))
             .where(RaidItem.kind == RaidKind.RISK.value, RaidItem.status != RaidStatus.CLOSED.value,
                    lik.is_not(None), imp.is_not(None))
             .group_by(lik, imp))
    grid = pd.DataFrame(0, index=list(reversed(SCALE)), columns=list(SCALE))
    for likelihood, impact, n in session.execute(query):
        grid.loc[likelihood, impact] = int(n)  # both not null (the query's filter)
    grid.index.name, grid.columns.name = "Likelihood", "Impact"
    return grid


def top_risks(session: Session, limit: int = 5) -> pd.DataFrame:
    """The highest-scoring open risks (one statement, limited in SQL)."""
    owner = aliased(Person)
    score = _score(RaidItem.likelihood, RaidItem.impact)
    residual = _score(RaidItem.residual_likelihood, RaidItem.residual_impact)
    query = (select(RaidItem.reference, RaidItem.title, owner.name, score.label("score"),
                    residual.label("residual"), RaidItem.review_date, RaidItem.mitigation)
             .outerjoin(owner, RaidItem.owner_id == owner.id)
             .where(RaidItem.kind == RaidKind.RISK.value, RaidItem.status != RaidStatus.CLOSED.value)
             .order_by(score.desc(), residual.desc().nulls_last(), RaidItem.reference)
             .limit(limit))
    rows = [{"Ref": ref, "Risk": title, "Owner": who or "", "Score": int(s) if s is not None else None,
             "Rating": band(s), "Residual score": int(r) if r is not None else None,
             "Review by": review, "Mitigation": mitigation or ""}
            for ref, title, who, s, r, review, mitigation in session.execute(query)]
    return pd.DataFrame(rows, columns=["Ref", "Risk", "Owner", "Score", "Rating", "Residual score", "Review by",
                                       "Mitigation"])


def raid_counts(session: Session) -> dict[str, int]:
    """Open (not closed) items per kind, in one statement."""
    counts = dict.fromkeys(KIND_LABELS.values(), 0)
    for kind, n in session.execute(select(RaidItem.kind, func.count(RaidItem.id))
                                   .where(RaidItem.status != RaidStatus.CLOSED.value).group_by(RaidItem.kind)):
        counts[KIND_LABELS.get(kind, kind)] = int(n)
    return counts
