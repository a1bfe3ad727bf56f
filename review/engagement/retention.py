"""Retention and erasure of parents' personal data.

Erasure blanks the personal parts of an input (pseudonym, need, quote, district, follow-up) and an
activity's summary, and keeps what is anonymous: the activity's type, dates and size, each input's
themes and sentiment, and the links that say a response answered it. So theme counts survive.
Each erasure is an audit event; the trail never held the personal text itself.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review.engagement.records import ACTIVITY_TYPES, INPUT_PERSONAL_FIELDS, PSEUDONYM
from review.models.engagement import EngagementActivity, EngagementInput
from review.platform import audit, clock, privacy
from review.platform.errors import NotFound, ValidationFailed
from review.platform.roles import Actor, Permission, require

RETENTION_COLUMNS = ["id", "version", "Activity", "Type", "Start", "Retention review", "Days past review",
                     "Inputs with personal data"]


def _holds_personal_data():
    return (EngagementInput.erased_at.is_(None)) & (
        EngagementInput.participant.is_not(None) | EngagementInput.need.is_not(None)
        | EngagementInput.quote.is_not(None) | EngagementInput.district.is_not(None)
        | EngagementInput.follow_up.is_not(None))


def retention_due_frame(session: Session, actor: Actor, today: date | None = None) -> pd.DataFrame:
    """Activities whose retention-review date has come and whose personal data is not yet erased."""
    require(actor, Permission.READ_PERSONAL_DATA)
    today = today or clock.today()
    personal = (select(EngagementInput.activity_id, func.count(EngagementInput.id).label("n"))
                .where(_holds_personal_data()).group_by(EngagementInput.activity_id).subquery())
    query = (select(EngagementActivity, func.coalesce(personal.c.n, 0))
             .outerjoin(personal, personal.c.activity_id == EngagementActivity.id)
             .where(EngagementActivity.retention_review_date <= today, EngagementActivity.erased_at.is_(None))
             .order_by(EngagementActivity.retention_review_date, EngagementActivity.id))
    rows = [[a.id, a.version, a.title, ACTIVITY_TYPES.get(a.activity_type, a.activity_type), a.start_date,
             a.retention_review_date, (today - a.retention_review_date).days, int(n)]
            for a, n in session.execute(query)]
    return pd.DataFrame(rows, columns=RETENTION_COLUMNS)


def _erase_input(session: Session, actor: Actor, item: EngagementInput, reason: str) -> None:
    before = {f: privacy.personal_marker(getattr(item, f)) for f in INPUT_PERSONAL_FIELDS}
    before["consent_to_quote"] = item.consent_to_quote
    for f in INPUT_PERSONAL_FIELDS:
        setattr(item, f, None)
    item.consent_to_quote = False
    item.erased_at = clock.now_utc()
    session.flush()
    after = {f: None for f in INPUT_PERSONAL_FIELDS} | {"consent_to_quote": False}
    audit.record(session, actor, "engagement_input", item.id, "erase", audit.diff(before, after), item.version,
                 summary=reason)


def erase_input(session: Session, actor: Actor, input_id: int, expected_version: int | None) -> None:
    """Erase the personal parts of one input (e.g. a participant withdrew); its themes stay."""
    require(actor, Permission.EDIT_ENGAGEMENT)
    item = session.get(EngagementInput, input_id)
    audit.check_version(session, "engagement_input", item, input_id, expected_version)
    assert item is not None
    if item.erased_at is not None:
        raise ValidationFailed({"input": "This input's personal data has already been erased."})
    _erase_input(session, actor, item, "personal data erased on request")


def erase_participant(session: Session, actor: Actor, pseudonym: str) -> int:
    """Erase every input of one participant (a right-to-erasure request); returns how many."""
    require(actor, Permission.EDIT_ENGAGEMENT)
    pseudonym = (pseudonym or "").strip().upper()
    if not PSEUDONYM.match(pseudonym):
        raise ValidationFailed({"participant": "Enter the participant's pseudonym, such as P-001."})
    items = session.scalars(select(EngagementInput).where(EngagementInput.participant == pseudonym,
                                                          EngagementInput.erased_at.is_(None))).all()
    if not items:
        raise NotFound(f"No inputs with personal data are recorded for {pseudonym}.")
    for item in items:
        _erase_input(session, actor, item, "participant's personal data erased on request")
    return len(items)


def erase_activity(session: Session, actor: Actor, activity_id: int, expected_version: int | None) -> int:
    """Erase the personal data of an activity and all its inputs (at retention review); returns the
    number of inputs erased. Themes, sentiment, dates and the number of participants stay."""
    require(actor, Permission.EDIT_ENGAGEMENT)
    activity = session.get(EngagementActivity, activity_id)
    audit.check_version(session, "engagement_activity", activity, activity_id, expected_version)
    assert activity is not None
    items = session.scalars(select(EngagementInput).where(EngagementInput.activity_id == activity_id,
                                                          EngagementInput.erased_at.is_(None))).all()
    for item in items:
        _erase_input(session, actor, item, f"erased with activity {activity_id} at retention review")
    before = {"summary": privacy.personal_marker(activity.summary), "erased_at": None}
    activity.summary = None
    activity.erased_at = clock.now_utc()
    session.flush()
    audit.record(session, actor, "engagement_activity", activity.id, "erase",
                 audit.diff(before, {"summary": None, "erased_at": audit.json_safe(activity.erased_at)}),
                 activity.version, summary=f"{activity.title}: personal data of {len(items)} input(s) erased")
    return len(items)
