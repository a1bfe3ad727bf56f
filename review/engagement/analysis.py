"""What the engagement says in aggregate: theme frequency (overall, by activity type, by partner),
needs still without a response, consented quotes by theme, coverage over time, and the headline
figures for the executive dashboard.

Every count comes from `counts.engagement_counts`, which reads them in a few grouped statements and,
for a role without access to personal data, suppresses them together: "fewer than 5" below 5, and
"not shown" for a larger count hidden as well so that a total shown beside it cannot give a small one
away (secondary suppression). Erased inputs still count: their themes are anonymous.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from review.engagement.counts import (
    BY_OPTIONS,
    EngagementCounts,
    cell_key,
    engagement_counts,
    month_key,
    need_key,
    open_needs_condition,
    theme_key,
    total_key,
)
from review.engagement.frames import theme_names_by_input
from review.engagement.records import ACTIVITY_TYPES
from review.models.engagement import EngagementActivity, EngagementInput, EngagementInputTheme, EngagementTheme
from review.platform import privacy
from review.platform.roles import Actor, Permission, require

HEADLINE_FIGURES = ("activities", "participants", "inputs", "needs_without_response", "responses", "responses_done")


def _sort_counts(frame: pd.DataFrame, column: str, name_column: str) -> pd.DataFrame:
    """Largest first; suppressed rows last, alphabetically (their true order would leak their size)."""
    numeric = pd.to_numeric(frame[column], errors="coerce")
    shown = frame.assign(_n=numeric).sort_values(["_n", name_column], ascending=[False, True], na_position="last")
    return shown.drop(columns="_n").reset_index(drop=True)


def _theme_frame(counts: EngagementCounts) -> pd.DataFrame:
    rows = [(theme_id, name, counts.value(theme_key(theme_id))) for theme_id, name in counts.themes.items()]
    return pd.DataFrame(rows, columns=["theme_id", "Theme", "Mentions"])


def theme_counts_of(counts: EngagementCounts) -> pd.DataFrame:
    """`theme_counts` from counts already read (`engagement_counts`), for a caller that needs other figures too."""
    return _sort_counts(_theme_frame(counts), "Mentions", "Theme")


def theme_counts(session: Session, actor: Actor, include_unused: bool = False) -> pd.DataFrame:
    """Mentions of each theme across all inputs: columns theme_id, Theme, Mentions, largest first."""
    require(actor, Permission.VIEW)
    counts = engagement_counts(session, actor)
    if not include_unused:
        return theme_counts_of(counts)
    frame = _theme_frame(counts)
    unused = session.execute(select(EngagementTheme.id, EngagementTheme.name)
                             .where(EngagementTheme.id.notin_(frame["theme_id"].tolist()))).all()
    extra = pd.DataFrame([(i, name, privacy.shown_count(0, actor)) for i, name in unused], columns=frame.columns)
    frame = pd.concat([frame, extra], ignore_index=True) if len(extra) else frame
    return _sort_counts(frame, "Mentions", "Theme")


def theme_counts_by(session: Session, actor: Actor, by: str) -> pd.DataFrame:
    """Mentions of each theme per activity type or per partner, long form: Theme, <group>, Mentions.

    Every theme with mentions against every group with mentions, zero included (so that, suppressed, an empty
    cell cannot be told from a small one). Each theme's cells add up to its mentions in `theme_counts`.
    """
    require(actor, Permission.VIEW)
    if by not in BY_OPTIONS:
        raise ValueError(f"by must be one of {sorted(BY_OPTIONS)}")
    return theme_counts_by_of(engagement_counts(session, actor), by)


def theme_counts_by_of(counts: EngagementCounts, by: str) -> pd.DataFrame:
    """`theme_counts_by` from counts already read."""
    rows = [(name, label, counts.value(cell_key(by, theme_id, group)))
            for theme_id, name in counts.themes.items() for group, label in counts.breakdowns[by].items()]
    frame = pd.DataFrame(rows, columns=["Theme", BY_OPTIONS[by], "Mentions"]).sort_values(["Theme", BY_OPTIONS[by]])
    return frame.reset_index(drop=True)


def needs_without_response(session: Session, actor: Actor) -> pd.DataFrame:
    """Needs parents raised that no response answers yet (personal data: the need in their words)."""
    require(actor, Permission.READ_PERSONAL_DATA)
    query = (select(EngagementInput.id, EngagementActivity.title, EngagementActivity.start_date,
                    EngagementInput.participant, EngagementInput.need, EngagementInput.follow_up)
             .join(EngagementActivity, EngagementActivity.id == EngagementInput.activity_id)
             .where(open_needs_condition())
             .order_by(EngagementActivity.start_date, EngagementInput.id))
    results = session.execute(query).all()
    names = theme_names_by_input(session)
    rows = [[i, title, start, p or "", need, "; ".join(names.get(i, [])), follow or ""]
            for i, title, start, p, need, follow in results]
    return pd.DataFrame(rows, columns=["id", "Activity", "Date", "Participant", "Need", "Themes", "Follow-up"])


def needs_without_response_by_theme(session: Session, actor: Actor) -> pd.DataFrame:
    """How many needs without a response there are per theme: Theme, Needs awaiting a response."""
    require(actor, Permission.VIEW)
    return needs_without_response_by_theme_of(engagement_counts(session, actor))


def needs_without_response_by_theme_of(counts: EngagementCounts) -> pd.DataFrame:
    """`needs_without_response_by_theme` from counts already read."""
    frame = pd.DataFrame([(name, counts.value(need_key(theme_id))) for theme_id, name in counts.need_themes.items()],
                         columns=["Theme", "Needs awaiting a response"])
    return _sort_counts(frame, "Needs awaiting a response", "Theme")


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
    return coverage_over_time_of(engagement_counts(session, actor))


def coverage_over_time_of(counts: EngagementCounts) -> pd.DataFrame:
    """`coverage_over_time` from counts already read."""
    columns = ["Activities", "Participants", "Inputs"]
    rows = [(month, *(counts.value(month_key(month, c)) for c in columns)) for month in counts.months]
    return pd.DataFrame(rows, columns=["Month", *columns])


def headline(session: Session, actor: Actor | None, top: int = 5) -> dict[str, Any]:
    """Headline figures for the executive dashboard, suppressed for roles without personal-data access.

    Returns {"activities", "participants", "inputs", "needs_without_response", "responses",
    "responses_done": int, "fewer than 5" or "not shown", "top_themes": [{"theme": name, "count": int,
    "fewer than 5" or "not shown"}, ...] (at most `top`, largest first), "suppressed": True when small counts
    are hidden for this role, "not_shown": True when some figure here is "not shown" (explain it with
    privacy.NOT_SHOWN_NOTE)}. The figures agree with the insights page's tables and charts.
    """
    require(actor, Permission.VIEW)
    return headline_of(engagement_counts(session, actor), top)


def headline_of(counts: EngagementCounts, top: int = 5) -> dict[str, Any]:
    """`headline` from counts already read (`engagement_counts`), for a caller that needs other figures too."""
    figures: dict[str, Any] = {name: counts.value(total_key(name)) for name in HEADLINE_FIGURES}
    themes = theme_counts_of(counts)
    figures["top_themes"] = [{"theme": r.Theme, "count": r.Mentions} for r in themes.head(top).itertuples()]
    figures["suppressed"] = counts.suppressed
    figures["not_shown"] = privacy.NOT_SHOWN in [*(figures[k] for k in HEADLINE_FIGURES),
                                                 *(t["count"] for t in figures["top_themes"])]
    return figures


@dataclass(frozen=True)
class Insights:
    """Every count the insights page shows, as one role sees them, from one read of the engagement counts."""

    headline: dict[str, Any]
    themes: pd.DataFrame
    themes_by: dict[str, pd.DataFrame]  # BY_OPTIONS key -> `theme_counts_by`
    needs_by_theme: pd.DataFrame
    coverage: pd.DataFrame


def insights(session: Session, actor: Actor) -> Insights:
    """The insights page's counts (headline, themes and their breakdowns, open needs by theme, coverage): the
    engagement counts are read once, not once for each table."""
    require(actor, Permission.VIEW)
    counts = engagement_counts(session, actor)
    return Insights(headline_of(counts), theme_counts_of(counts),
                    {by: theme_counts_by_of(counts, by) for by in BY_OPTIONS},
                    needs_without_response_by_theme_of(counts), coverage_over_time_of(counts))
