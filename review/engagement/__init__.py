"""Parent engagement: activities, what parents said, themes, "you said, we did", retention and erasure.

`records` holds the writes, `frames` the tables pages show, `retention` erasure, `analysis` the counts
and `headline` for the dashboard. For roles without access to personal data every count is read and
suppressed together by `counts` ("fewer than 5" below 5, and "not shown" where a total would give a small
count away: `suppression`, a pure function).
"""
from __future__ import annotations

from review.engagement.analysis import (
    BY_OPTIONS,
    Insights,
    coverage_over_time,
    headline,
    headline_of,
    insights,
    needs_without_response,
    needs_without_response_by_theme,
    quotes_by_theme,
    theme_counts,
    theme_counts_by,
    theme_counts_of,
)
from review.engagement.counts import engagement_counts
from review.engagement.frames import (
    activities_frame,
    any_activity,
    inputs_frame,
    open_needs_options,
    responses_frame,
)
from review.engagement.records import (
    ACTIVITY_FIELDS,
    ACTIVITY_TYPES,
    DEFAULT_RETENTION,
    INPUT_FIELDS,
    LAWFUL_BASES,
    RESPONSE_FIELDS,
    RESPONSE_STATUSES,
    SENTIMENTS,
    SPECIAL_CATEGORY_CONDITIONS,
    activity_values,
    add_input,
    create_activity,
    create_partner,
    create_response,
    create_theme,
    default_retention_review,
    get_activity,
    get_input,
    input_values,
    next_pseudonym,
    partners,
    partners_frame,
    response_values,
    themes,
    themes_frame,
    update_activity,
    update_input,
    update_partner,
    update_response,
    update_theme,
)
from review.engagement.retention import erase_activity, erase_input, erase_participant, retention_due_frame

__all__ = [
    "ACTIVITY_FIELDS", "ACTIVITY_TYPES", "BY_OPTIONS", "DEFAULT_RETENTION", "INPUT_FIELDS", "LAWFUL_BASES",
    "RESPONSE_FIELDS", "RESPONSE_STATUSES", "SENTIMENTS", "SPECIAL_CATEGORY_CONDITIONS", "activities_frame",
    "any_activity",
    "activity_values", "add_input", "coverage_over_time", "create_activity", "create_partner", "create_response",
    "create_theme", "default_retention_review", "engagement_counts", "erase_activity", "erase_input",
    "erase_participant",
    "get_activity", "get_input", "headline", "headline_of", "Insights", "insights",
    "input_values", "inputs_frame", "needs_without_response",
    "needs_without_response_by_theme", "next_pseudonym", "open_needs_options", "partners", "partners_frame",
    "quotes_by_theme", "response_values", "responses_frame", "retention_due_frame", "theme_counts",
    "theme_counts_by", "theme_counts_of", "themes", "themes_frame", "update_activity", "update_input", "update_partner",
    "update_response", "update_theme",
]
