"""Tables of the engagement record as pages show them: activities, inputs, responses.

Anything with parents' individual words needs READ_PERSONAL_DATA; the activity and response lists are
open to every role, with counts suppressed for roles without access to personal data (see `counts`).
"""
from __future__ import annotations

from collections import defaultdict

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review.engagement.counts import activity_key, engagement_counts
from review.engagement.records import (
    ACTIVITY_TYPES,
    LAWFUL_BASES,
    RESPONSE_STATUSES,
    SENTIMENTS,
    SPECIAL_CATEGORY_CONDITIONS,
)
from review.models.engagement import (
    EngagementActivity,
    EngagementInput,
    EngagementInputTheme,
    EngagementPartner,
    EngagementResponse,
    EngagementResponseInput,
    EngagementTheme,
)
from review.platform import privacy
from review.platform.roles import Actor, Permission, require

ACTIVITY_COLUMNS = ["id", "version", "Activity", "Type", "Start", "End", "Partner", "Facilitator",
                    "Channel or place", "Participants", "Inputs", "Lawful basis", "Special category condition",
                    "Consent form", "Retention review", "Erased", "Summary"]
INPUT_COLUMNS = ["id", "version", "activity_id", "Activity", "Date", "Participant", "Need", "Themes", "Quote",
                 "Consent to quote", "Sentiment", "District", "Follow-up", "Responded", "Erased"]
RESPONSE_COLUMNS = ["id", "version", "Theme", "You said", "We did", "By whom", "Status", "Date", "Needs answered"]


def any_activity(session: Session) -> bool:
    """Whether any engagement activity is recorded (one small statement; nothing personal)."""
    return session.scalar(select(EngagementActivity.id).limit(1)) is not None


def activities_frame(session: Session, actor: Actor) -> pd.DataFrame:
    """Every activity, newest first, with its partner and number of inputs.

    Roles without access to personal data get no summary, and the participants and inputs as suppressed with
    every other engagement count (`counts.engagement_counts`: "fewer than 5", or "not shown" where a month's or
    the headline total would otherwise give a small count away).
    """
    require(actor, Permission.VIEW)
    counts = engagement_counts(session, actor).shown
    query = (select(EngagementActivity, EngagementPartner.name, EngagementPartner.short_name)
             .outerjoin(EngagementPartner, EngagementActivity.partner_id == EngagementPartner.id)
             .order_by(EngagementActivity.start_date.desc(), EngagementActivity.id.desc()))
    personal = privacy.sees_small_counts(actor)
    rows = []
    for a, partner, short in session.execute(query):
        # an activity added since the counts were read falls back to the plain rule
        participants = counts.get(activity_key(a.id, "Participants"), privacy.shown_count(a.participants, actor))
        inputs = counts.get(activity_key(a.id, "Inputs"), privacy.shown_count(0, actor))
        rows.append([a.id, a.version, a.title, ACTIVITY_TYPES.get(a.activity_type, a.activity_type), a.start_date,
                     a.end_date, (short or partner or ""), a.facilitator or "", a.channel or "", participants,
                     inputs, LAWFUL_BASES.get(a.lawful_basis, a.lawful_basis),
                     SPECIAL_CATEGORY_CONDITIONS.get(a.special_category_condition or "none", ""),
                     a.consent_form_version or "", a.retention_review_date, a.erased_at is not None,
                     (a.summary or "") if personal else ""])
    frame = pd.DataFrame(rows, columns=ACTIVITY_COLUMNS)
    if personal:
        return frame
    return frame.drop(columns=["Summary"]).astype({"Participants": "object", "Inputs": "object"})


def theme_names_by_input(session: Session, input_ids: list[int] | None = None) -> dict[int, list[str]]:
    """input id -> its theme names in list order (one query)."""
    query = (select(EngagementInputTheme.input_id, EngagementTheme.name)
             .join(EngagementTheme, EngagementTheme.id == EngagementInputTheme.theme_id)
             .order_by(EngagementTheme.sort_order, EngagementTheme.name))
    if input_ids is not None:
        query = query.where(EngagementInputTheme.input_id.in_(input_ids))
    out: dict[int, list[str]] = defaultdict(list)
    for input_id, name in session.execute(query):
        out[input_id].append(name)
    return out


def inputs_frame(session: Session, actor: Actor, activity_id: int | None = None) -> pd.DataFrame:
    """What participants said, with themes and whether a response answers it (personal data)."""
    require(actor, Permission.READ_PERSONAL_DATA)
    query = (select(EngagementInput, EngagementActivity.title, EngagementActivity.start_date)
             .join(EngagementActivity, EngagementActivity.id == EngagementInput.activity_id)
             .order_by(EngagementActivity.start_date.desc(), EngagementInput.participant, EngagementInput.id))
    if activity_id is not None:
        query = query.where(EngagementInput.activity_id == activity_id)
    results = session.execute(query).all()
    ids = [i.id for i, _, _ in results]
    names = theme_names_by_input(session, ids if activity_id is not None else None)
    responded = set(session.scalars(select(EngagementResponseInput.input_id).distinct()))
    rows = [[i.id, i.version, i.activity_id, title, start, i.participant or "", i.need or "",
             "; ".join(names.get(i.id, [])), i.quote or "", i.consent_to_quote,
             SENTIMENTS.get(i.sentiment or "", ""), i.district or "", i.follow_up or "", i.id in responded,
             i.erased_at is not None] for i, title, start in results]
    return pd.DataFrame(rows, columns=INPUT_COLUMNS)


def responses_frame(session: Session, actor: Actor) -> pd.DataFrame:
    """'You said, we did' for every role: nothing personal, the number of needs answered suppressed if small."""
    require(actor, Permission.VIEW)
    answered = dict(session.execute(select(EngagementResponseInput.response_id, func.count(EngagementResponseInput.id))
                                    .group_by(EngagementResponseInput.response_id)).all())
    query = (select(EngagementResponse, EngagementTheme.name)
             .outerjoin(EngagementTheme, EngagementTheme.id == EngagementResponse.theme_id)
             .order_by(EngagementTheme.sort_order, EngagementResponse.response_date, EngagementResponse.id))
    rows = [[r.id, r.version, theme or "(general)", r.you_said, r.we_did, r.by_whom or "",
             RESPONSE_STATUSES.get(r.status, r.status), r.response_date, answered.get(r.id, 0)]
            for r, theme in session.execute(query)]
    frame = pd.DataFrame(rows, columns=RESPONSE_COLUMNS)
    return privacy.suppress_columns(frame, ["Needs answered"], actor)


def open_needs_options(session: Session, actor: Actor, theme_id: int | None = None,
                       include: list[int] | None = None) -> dict[int, str]:
    """id -> short label of needs (not erased) a response could answer; those of a theme first."""
    require(actor, Permission.READ_PERSONAL_DATA)
    query = (select(EngagementInput.id, EngagementInput.participant, EngagementInput.need)
             .where(EngagementInput.erased_at.is_(None), EngagementInput.need.is_not(None))
             .order_by(EngagementInput.id))
    if theme_id is not None:
        query = query.where(EngagementInput.id.in_(select(EngagementInputTheme.input_id)
                                                   .where(EngagementInputTheme.theme_id == theme_id)))
    out = {i: f"{p or 'anonymous'}: {(need or '')[:70]}{'...' if len(need or '') > 70 else ''}"
           for i, p, need in session.execute(query)}
    if include:
        extra = (select(EngagementInput.id, EngagementInput.participant, EngagementInput.need)
                 .where(EngagementInput.id.in_([i for i in include if i not in out])))
        for i, p, need in session.execute(extra):
            out[i] = f"{p or 'anonymous'}: {(need or '(erased)')[:70]}"
    return out
