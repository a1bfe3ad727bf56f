"""Every engagement count a viewer can see, read together and suppressed together.

The figures add up across the views that show them: a theme's mentions are the sum of its cells by activity
type and by partner organisation; each activity's participants and inputs add up to its month's (the coverage
chart) and the months to the headline totals. Where the data happen to add up further (each input has one
theme, so the mentions equal the inputs; each open need has one theme), that sum is followed too, since a
viewer could assume it. `engagement_counts(session, actor)` reads everything in five grouped statements,
states those sums as `suppression.Group`s and, for a role without access to personal data, suppresses them
in one go: every view then shows the same value for the same count, and none below 5 can be worked out by
subtraction. Roles with access see the exact numbers.

Not followed: the number of activities and of responses (the activity list and "you said, we did" list each
one, so their counts are public; they keep the plain "fewer than 5"), and inequalities such as "a theme's
open needs are at most its mentions".
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review.engagement.records import ACTIVITY_TYPES
from review.engagement.suppression import Group, Protection, protect
from review.models import engagement as models
from review.platform import privacy
from review.platform.roles import Actor

# short names for the tables read here
Activity, Input, InputTheme, Partner = (models.EngagementActivity, models.EngagementInput,
                                        models.EngagementInputTheme, models.EngagementPartner)
Response, ResponseInput, Theme = models.EngagementResponse, models.EngagementResponseInput, models.EngagementTheme

NO_PARTNER = "No partner organisation"
NO_THEME = "(no theme)"
BY_OPTIONS = {"activity_type": "Activity type", "partner": "Partner organisation"}
PER_ACTIVITY = ("Participants", "Inputs")  # counts of people and of what they said, per activity and month
HEADLINE = {"Activities": "activities", "Participants": "participants", "Inputs": "inputs"}


def theme_key(theme_id: int) -> tuple:
    """The key of a theme's total mentions."""
    return ("theme", theme_id)


def cell_key(by: str, theme_id: int, group: Hashable) -> tuple:
    """The key of a theme's mentions within one group of a breakdown (activity type or partner)."""
    return ("by", by, theme_id, group)


def need_key(theme_id: int | None) -> tuple:
    """The key of the open needs with a theme (None: needs with no theme)."""
    return ("needs", theme_id)


def activity_key(activity_id: int, column: str) -> tuple:
    """The key of one activity's count in a column (participants or inputs)."""
    return ("activity", activity_id, column)


def month_key(month: date, column: str) -> tuple:
    """The key of one month's count in a column."""
    return ("month", month, column)


def total_key(name: str) -> tuple:
    """The key of a headline total."""
    return ("total", name)


def open_needs_condition():
    """Needs (not erased) that no response answers yet."""
    answered = select(ResponseInput.input_id)
    return Input.erased_at.is_(None) & Input.need.is_not(None) & Input.id.notin_(answered)


def inputs_per_activity(session: Session) -> dict[int, int]:
    """activity id -> number of inputs recorded against it."""
    return dict(session.execute(select(Input.activity_id, func.count(Input.id)).group_by(Input.activity_id)).all())


@dataclass(frozen=True)
class EngagementCounts:
    """The counts as this actor sees them (`shown`: key -> int, "fewer than 5" or "not shown") and the labels
    to lay them out: themes with mentions (id -> name), the groups of each breakdown (key -> label), the months
    and activities (oldest first), and the themes of open needs (None for needs with no theme)."""

    shown: dict[Hashable, int | str]
    themes: dict[int, str]
    breakdowns: dict[str, dict[Hashable, str]]
    months: list[date]
    activities: list[int]
    need_themes: dict[int | None, str]
    suppressed: bool

    def value(self, key: Hashable) -> int | str:
        """The count under `key` as this actor sees it (a number, 'fewer than 5' or 'not shown')."""
        return self.shown[key]


@dataclass
class _Sums:
    """The raw counts by key and the sums a viewer can make of them."""

    values: dict[Hashable, int]
    groups: list[Group]

    def add(self, parts: Sequence[Hashable], total: Hashable) -> None:
        self.values[total] = sum(self.values[k] for k in parts)
        self.groups.append(Group.of(parts, total))

    def add_if_it_adds_up(self, parts: Sequence[Hashable], totals: Sequence[Hashable]) -> None:
        """Follow a sum that holds only because of how the data happen to fall (a viewer could assume it)."""
        if parts and totals and sum(self.values[k] for k in parts) == sum(self.values[k] for k in totals):
            self.groups.append(Group(tuple(parts), tuple(totals)))


def _activities(sums: _Sums, rows, inputs: dict[int, int]) -> list[date]:
    """Each activity's participants and inputs, its month's (the sum of its activities'), the headline totals
    (the sum of the months'); all from the same rows, so they always add up. Returns the months."""
    by_month: dict[date, list[int]] = defaultdict(list)
    for activity_id, start, participants, *_ in rows:
        sums.values[activity_key(activity_id, "Participants")] = int(participants or 0)
        sums.values[activity_key(activity_id, "Inputs")] = int(inputs.get(activity_id, 0))
        by_month[start.replace(day=1)].append(activity_id)
    months = sorted(by_month)
    for month in months:
        sums.values[month_key(month, "Activities")] = len(by_month[month])  # public: each activity is listed
        for column in PER_ACTIVITY:
            sums.add([activity_key(a, column) for a in by_month[month]], month_key(month, column))
    sums.values[total_key("activities")] = len(rows)
    for column in PER_ACTIVITY:
        parts = [month_key(m, column) for m in months]
        if parts:
            sums.add(parts, total_key(column.lower()))
        else:
            sums.values[total_key(column.lower())] = 0
    return months


def _group_label(by: str, key: Hashable, partner_names: dict[int, str]) -> str:
    if by == "activity_type":
        return ACTIVITY_TYPES.get(str(key), str(key))
    return partner_names.get(key, NO_PARTNER) if isinstance(key, int) else NO_PARTNER


def _themes(sums: _Sums, rows, activity_rows) -> tuple[dict[int, str], dict[str, dict[Hashable, str]]]:
    """Each theme's mentions by activity type and by partner (every cell, zero included, so that an empty cell
    cannot be told from a small one), adding up to its overall mentions. Returns the themes and breakdowns."""
    themes: dict[int, str] = {}
    partner_names: dict[int, str] = {}
    cells: dict[tuple, int] = defaultdict(int)
    for theme_id, name, activity_type, partner_id, partner, n in rows:
        themes[theme_id] = name
        partner_names.update({partner_id: partner} if partner_id is not None else {})
        cells[cell_key("activity_type", theme_id, activity_type)] += int(n)
        cells[cell_key("partner", theme_id, partner_id)] += int(n)
    breakdowns = {}
    for by in BY_OPTIONS:  # the groups with mentions, by label
        labels = {g: _group_label(by, g, partner_names) for g in {key[3] for key in cells if key[1] == by}}
        breakdowns[by] = dict(sorted(labels.items(), key=lambda item: item[1]))
    for theme_id in themes:
        for by, labels in breakdowns.items():
            parts = [cell_key(by, theme_id, g) for g in labels]
            sums.values.update({k: cells.get(k, 0) for k in parts})
            sums.add(parts, theme_key(theme_id))  # the same total both ways
    sums.add_if_it_adds_up([theme_key(t) for t in themes], [total_key("inputs")])
    # the activities in each column
    listed: dict[str, defaultdict[Hashable, list[Hashable]]] = {"activity_type": defaultdict(list),
                                                                 "partner": defaultdict(list)}
    for activity_id, _, _, activity_type, partner_id, _ in activity_rows:
        listed["activity_type"][activity_type].append(activity_key(activity_id, "Inputs"))
        listed["partner"][partner_id].append(activity_key(activity_id, "Inputs"))
    for by, labels in breakdowns.items():  # a column's mentions against the inputs of its activities
        for g in labels:
            sums.add_if_it_adds_up([cell_key(by, t, g) for t in themes], listed[by].get(g, []))
    return themes, breakdowns


@lru_cache(maxsize=8)
def _protect(values: tuple[tuple[Hashable, int], ...], groups: tuple[Group, ...]) -> Protection:
    """`protect`, remembered for the same counts: a page reads them several times (a pure function, so the
    result for the same counts and sums is always the same)."""
    return protect(dict(values), groups)


def engagement_counts(session: Session, actor: Actor | None) -> EngagementCounts:
    """Every count of the engagement record as this actor may see it (see the module docstring)."""
    activity_rows = session.execute(
        select(Activity.id, Activity.start_date, Activity.participants, Activity.activity_type, Activity.partner_id,
               Partner.name)
        .outerjoin(Partner, Partner.id == Activity.partner_id)
        .order_by(Activity.start_date, Activity.id)).all()
    inputs = inputs_per_activity(session)
    mention_rows = session.execute(
        select(Theme.id, Theme.name, Activity.activity_type, Activity.partner_id, Partner.name,
               func.count(InputTheme.id))
        .join(InputTheme, InputTheme.theme_id == Theme.id)
        .join(Input, Input.id == InputTheme.input_id)
        .join(Activity, Activity.id == Input.activity_id)
        .outerjoin(Partner, Partner.id == Activity.partner_id)
        .group_by(Theme.id, Theme.name, Activity.activity_type, Activity.partner_id, Partner.name)).all()
    need_rows = session.execute(
        select(Theme.id, Theme.name, func.count(func.distinct(Input.id)))
        .select_from(Input)
        .outerjoin(InputTheme, InputTheme.input_id == Input.id)
        .outerjoin(Theme, Theme.id == InputTheme.theme_id)
        .where(open_needs_condition())
        .group_by(Theme.id, Theme.name)).all()
    open_needs, responses, done = session.execute(select(
        select(func.count(Input.id)).where(open_needs_condition()).scalar_subquery(),
        select(func.count(Response.id)).scalar_subquery(),
        select(func.count(Response.id)).where(Response.status == "done").scalar_subquery(),
    )).one()

    sums = _Sums({}, [])
    months = _activities(sums, activity_rows, inputs)
    themes, breakdowns = _themes(sums, mention_rows, activity_rows)
    need_themes: dict[int | None, str] = {theme_id: name or NO_THEME for theme_id, name, _ in need_rows}
    sums.values.update({need_key(theme_id): int(n) for theme_id, _, n in need_rows})
    sums.values[total_key("needs_without_response")] = int(open_needs or 0)
    sums.add_if_it_adds_up([need_key(t) for t in need_themes], [total_key("needs_without_response")])
    sums.values[total_key("responses")] = int(responses or 0)  # public: each response is listed
    sums.values[total_key("responses_done")] = int(done or 0)

    suppressed = not privacy.sees_small_counts(actor)
    shown: dict[Hashable, int | str] = dict(sums.values)
    if suppressed:
        protection = _protect(tuple(sums.values.items()), tuple(sums.groups))
        shown = {k: protection.shown(k, v) for k, v in sums.values.items()}
    return EngagementCounts(shown, themes, breakdowns, months, [row[0] for row in activity_rows], need_themes,
                            suppressed)
