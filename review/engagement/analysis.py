"""What the engagement says in aggregate: theme frequency (overall, by activity type, by partner),
needs still without a response, consented quotes by theme, coverage over time, and the headline
figures for the executive dashboard.

Counts are made in SQL; every count goes through `privacy.shown_count` for the acting role, so a
role without access to personal data sees "fewer than 5" for small numbers. Erased inputs still
count: their themes are anonymous.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review import privacy
from review.engagement.frames import theme_names_by_input
from review.engagement.records import ACTIVITY_TYPES
from review.models.engagement import (
    EngagementActivity,
    EngagementInput,
    EngagementInputTheme,
    EngagementPartner,
    EngagementResponse,
    EngagementResponseInput,
    EngagementTheme,
)
from review.roles import Actor, Permission, require

NO_PARTNER = "No partner organisation"
NO_THEME = "(no theme)"
BY_OPTIONS = {"activity_type": "Activity type", "partner": "Partner organisation"}


def _sort_counts(frame: pd.DataFrame, column: str, name_column: str, actor: Actor) -> pd.DataFrame:
    """Largest first; suppressed rows last, alphabetically (their true order would leak their size)."""
    numeric = pd.to_numeric(frame[column], errors="coerce")
    shown = frame.assign(_n=numeric).sort_values(["_n", name_column], ascending=[False, True], na_position="last")
    return shown.drop(columns="_n").reset_index(drop=True)


def theme_counts(session: Session, actor: Actor, include_unused: bool = False) -> pd.DataFrame:
    """Mentions of each theme across all inputs (one query): columns theme_id, Theme, Mentions."""
    require(actor, Permission.VIEW)
    mentions = func.count(EngagementInputTheme.id)
    query = (select(EngagementTheme.id, EngagementTheme.name, mentions)
             .outerjoin(EngagementInputTheme, EngagementInputTheme.theme_id == EngagementTheme.id)
             .group_by(EngagementTheme.id, EngagementTheme.name))
    rows = [(i, name, int(n)) for i, name, n in session.execute(query) if n or include_unused]
    frame = pd.DataFrame(rows, columns=["theme_id", "Theme", "Mentions"])
    frame = frame.sort_values(["Mentions", "Theme"], ascending=[False, True]).reset_index(drop=True)
    return _sort_counts(privacy.suppress_columns(frame, ["Mentions"], actor), "Mentions", "Theme", actor)


def theme_counts_by(session: Session, actor: Actor, by: str) -> pd.DataFrame:
    """Mentions of each theme per activity type or per partner, long form: Theme, <group>, Mentions.

    Only combinations that occur are listed; a missing cell means none.
    """
    require(actor, Permission.VIEW)
    if by not in BY_OPTIONS:
        raise ValueError(f"by must be one of {sorted(BY_OPTIONS)}")
    group = EngagementActivity.activity_type if by == "activity_type" else EngagementPartner.name
    query = (select(EngagementTheme.name, group, func.count(EngagementInputTheme.id))
             .join(EngagementInputTheme, EngagementInputTheme.theme_id == EngagementTheme.id)
             .join(EngagementInput, EngagementInput.id == EngagementInputTheme.input_id)
             .join(EngagementActivity, EngagementActivity.id == EngagementInput.activity_id)
             .outerjoin(EngagementPartner, EngagementPartner.id == EngagementActivity.partner_id)
             .group_by(EngagementTheme.name, group))
    label = BY_OPTIONS[by]
    rows = []
    for theme, key, n in session.execute(query):
        name = ACTIVITY_TYPES.get(key, key) if by == "activity_type" else (key or NO_PARTNER)
        rows.append((theme, name, int(n)))
    frame = pd.DataFrame(rows, columns=["Theme", label, "Mentions"]).sort_values(["Theme", label])
    return privacy.suppress_columns(frame.reset_index(drop=True), ["Mentions"], actor)


def _open_needs_query():
    answered = select(EngagementResponseInput.input_id)
    return (EngagementInput.erased_at.is_(None)) & EngagementInput.need.is_not(None) & \
        EngagementInput.id.notin_(answered)


def needs_without_response(session: Session, actor: Actor) -> pd.DataFrame:
    """Needs parents raised that no response answers yet (personal data: the need in their words)."""
    require(actor, Permission.READ_PERSONAL_DATA)
    query = (select(EngagementInput.id, EngagementActivity.title, EngagementActivity.start_date,
                    EngagementInput.participant, EngagementInput.need, EngagementInput.follow_up)
             .join(EngagementActivity, EngagementActivity.id == EngagementInput.activity_id)
             .where(_open_needs_query())
             .order_by(EngagementActivity.start_date, EngagementInput.id))
    results = session.execute(query).all()
    names = theme_names_by_input(session)
    rows = [[i, title, start, p or "", need, "; ".join(names.get(i, [])), follow or ""]
            for i, title, start, p, need, follow in results]
    return pd.DataFrame(rows, columns=["id", "Activity", "Date", "Participant", "Need", "Themes", "Follow-up"])


def needs_without_response_by_theme(session: Session, actor: Actor) -> pd.DataFrame:
    """How many needs without a response there are per theme: Theme, Needs awaiting a response."""
    require(actor, Permission.VIEW)
    query = (select(EngagementTheme.name, func.count(func.distinct(EngagementInput.id)))
             .select_from(EngagementInput)
             .outerjoin(EngagementInputTheme, EngagementInputTheme.input_id == EngagementInput.id)
             .outerjoin(EngagementTheme, EngagementTheme.id == EngagementInputTheme.theme_id)
             .where(_open_needs_query())
             .group_by(EngagementTheme.name))
    frame = pd.DataFrame([(t or NO_THEME, int(n)) for t, n in session.execute(query)],
                         columns=["Theme", "Needs awaiting a response"])
    frame = frame.sort_values(["Needs awaiting a response", "Theme"], ascending=[False, True])
    frame = privacy.suppress_columns(frame.reset_index(drop=True), ["Needs awaiting a response"], actor)
    return _sort_counts(frame, "Needs awaiting a response", "Theme", actor)


def quotes_by_theme(session: Session, actor: Actor, theme_id: int | None = None) -> pd.DataFrame:
    """Verbatim quotes whose speaker consented to quotation (never the pseudonym): Theme, Quote, Activity type,
    Date. A quote with several themes appears under each."""
    require(actor, Permission.VIEW)
    query = (select(EngagementTheme.name, EngagementInput.quote, EngagementActivity.activity_type,
                    EngagementActivity.start_date)
             .join(EngagementInputTheme, EngagementInputTheme.input_id == EngagementInput.id)
             .join(EngagementTheme, EngagementTheme.id == EngagementInputTheme.theme_id)
             .join(EngagementActivity, EngagementActivity.id == EngagementInput.activity_id)
             .where(EngagementInput.consent_to_quote.is_(True), EngagementInput.quote.is_not(None),
                    EngagementInput.erased_at.is_(None))
             .order_by(EngagementTheme.sort_order, EngagementActivity.start_date, EngagementInput.id))
    if theme_id is not None:
        query = query.where(EngagementTheme.id == theme_id)
    rows = [(t, q, ACTIVITY_TYPES.get(k, k), d) for t, q, k, d in session.execute(query)]
    return pd.DataFrame(rows, columns=["Theme", "Quote", "Activity type", "Date"])


def coverage_over_time(session: Session, actor: Actor) -> pd.DataFrame:
    """Per month (of the activity's start): activities, participants and inputs recorded."""
    require(actor, Permission.VIEW)
    per_day = (select(EngagementActivity.start_date, func.count(EngagementActivity.id),
                      func.sum(EngagementActivity.participants))
               .group_by(EngagementActivity.start_date))
    inputs_per_day = (select(EngagementActivity.start_date, func.count(EngagementInput.id))
                      .join(EngagementInput, EngagementInput.activity_id == EngagementActivity.id)
                      .group_by(EngagementActivity.start_date))
    months: dict[date, list[int]] = {}
    for day, n, people in session.execute(per_day):
        entry = months.setdefault(day.replace(day=1), [0, 0, 0])
        entry[0] += int(n)
        entry[1] += int(people or 0)
    for day, n in session.execute(inputs_per_day):
        months.setdefault(day.replace(day=1), [0, 0, 0])[2] += int(n)
    rows = [(m, *v) for m, v in sorted(months.items())]
    frame = pd.DataFrame(rows, columns=["Month", "Activities", "Participants", "Inputs"])
    return privacy.suppress_columns(frame, ["Activities", "Participants", "Inputs"], actor)


def totals(session: Session) -> dict[str, int]:
    """Unsuppressed totals (internal: pass them through privacy.shown_count before showing them)."""
    activities, participants = session.execute(
        select(func.count(EngagementActivity.id), func.coalesce(func.sum(EngagementActivity.participants), 0))).one()
    inputs = session.scalar(select(func.count(EngagementInput.id)))
    open_needs = session.scalar(select(func.count(EngagementInput.id)).where(_open_needs_query()))
    responses = session.scalar(select(func.count(EngagementResponse.id)))
    done = session.scalar(select(func.count(EngagementResponse.id)).where(EngagementResponse.status == "done"))
    return {"activities": int(activities), "participants": int(participants), "inputs": int(inputs or 0),
            "needs_without_response": int(open_needs or 0), "responses": int(responses or 0),
            "responses_done": int(done or 0)}


def headline(session: Session, actor: Actor, top: int = 5) -> dict[str, Any]:
    """Headline figures for the executive dashboard, suppressed for roles without personal-data access.

    Returns {"activities", "participants", "inputs", "needs_without_response", "responses",
    "responses_done": int or "fewer than 5", "top_themes": [{"theme": name, "count": int or
    "fewer than 5"}, ...] (at most `top`, largest first), "suppressed": True when small counts are hidden}.
    """
    require(actor, Permission.VIEW)
    figures: dict[str, Any] = {k: privacy.shown_count(v, actor) for k, v in totals(session).items()}
    counts = theme_counts(session, actor)
    figures["top_themes"] = [{"theme": r.Theme, "count": r.Mentions} for r in counts.head(top).itertuples()]
    figures["suppressed"] = not privacy.sees_small_counts(actor)
    return figures
