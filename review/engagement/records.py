"""The engagement record: partner organisations, the theme list, activities, parents' inputs and
"you said, we did" responses.

Every write checks the role, validates (field -> message), checks free text for direct identifiers
(refused unless redacted or explicitly confirmed), records an audit event and refuses a stale version.
The audit trail never keeps personal text: personal fields are recorded as "[personal data, N characters]".
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from review.models.engagement import (
    EngagementActivity,
    EngagementInput,
    EngagementInputTheme,
    EngagementPartner,
    EngagementResponse,
    EngagementResponseInput,
    EngagementTheme,
)
from review.platform import audit, clock, privacy
from review.platform import record_helpers as records
from review.platform.errors import ValidationFailed
from review.platform.parsing import BOOL, DATE, IDS, TEXT, WHOLE, Fields, declare, is_invalid, report_invalid
from review.platform.roles import Actor, Permission, require
from review.platform.validation import Problems, clean_text

ACTIVITY_TYPES = {
    "survey": "Survey",
    "interview": "Interview",
    "focus_group": "Focus group",
    "forum": "Forum or parent carer forum meeting",
    "drop_in": "Drop-in",
    "officer_meeting": "Meeting with officers",
    "secondary_data": "Secondary data",
}
# UK GDPR Article 6(1) bases a council uses for engagement; "none" for data with nothing personal in it.
LAWFUL_BASES = {
    "public_task": "Public task (Art. 6(1)(e))",
    "consent": "Consent (Art. 6(1)(a))",
    "legal_obligation": "Legal obligation (Art. 6(1)(c))",
    "none": "No personal data (e.g. published statistics)",
}
# UK GDPR Article 9(2) conditions for special category data such as a child's disability.
SPECIAL_CATEGORY_CONDITIONS = {
    "none": "No special category data",
    "explicit_consent": "Explicit consent (Art. 9(2)(a))",
    "substantial_public_interest": "Substantial public interest (Art. 9(2)(g), DPA 2018 Sch. 1)",
    "health_social_care": "Health or social care (Art. 9(2)(h))",
}
SENTIMENTS = {"positive": "Positive", "mixed": "Mixed", "neutral": "Neutral", "negative": "Negative"}
RESPONSE_STATUSES = {"planned": "Planned", "in_progress": "In progress", "done": "Done",
                     "not_possible": "Not possible"}

# Default retention-review date: this long after the activity starts. Two years is a common period in
# council retention schedules for consultation and engagement responses; records managers set their own.
DEFAULT_RETENTION = timedelta(days=730)
PSEUDONYM = re.compile(r"^P-\d{3,6}$")
_LOOSE_PSEUDONYM = re.compile(r"^[Pp][ -]?(\d{1,6})$")  # p7, P 07, p-7 -> P-007
TEXT_MAX = 2000
TITLE_MAX = 200

ACTIVITY_FIELDS = ("title", "activity_type", "start_date", "end_date", "partner_id", "facilitator", "channel",
                   "participants", "summary", "lawful_basis", "special_category_condition", "consent_form_version",
                   "retention_review_date")
ACTIVITY_TEXT_FIELDS = ("summary",)
ACTIVITY_PERSONAL_FIELDS = ("summary",)
INPUT_FIELDS = ("activity_id", "participant", "need", "theme_ids", "quote", "consent_to_quote", "sentiment",
                "district", "follow_up")
INPUT_TEXT_FIELDS = ("need", "quote", "district", "follow_up")
INPUT_PERSONAL_FIELDS = ("participant", "need", "quote", "district", "follow_up")
RESPONSE_FIELDS = ("theme_id", "you_said", "we_did", "by_whom", "status", "response_date", "input_ids")
RESPONSE_TEXT_FIELDS = ("you_said", "we_did")


# ---------------------------------------------------------------- helpers

def _audit_values(snap: dict[str, Any], personal: tuple[str, ...]) -> dict[str, Any]:
    return {k: privacy.personal_marker(v) if k in personal else v for k, v in snap.items()}


def _text(problems: Problems, v: dict[str, Any], key: str, label: str, limit: int = TEXT_MAX) -> None:
    if v.get(key) and len(v[key]) > limit:
        problems.add(key, f"Keep the {label} to {limit:,} characters (it has {len(v[key]):,}).")


# ---------------------------------------------------------------- partners and themes

def _named_item(session: Session, model: Any, name: Any, item_id: int | None, what: str, limit: int) -> str:
    problems = Problems()
    name = clean_text(name) or ""
    if not name:
        problems.add("name", f"Enter the {what}'s name.")
    elif len(name) > limit:
        problems.add("name", f"Keep the name to {limit} characters.")
    elif session.scalar(select(model.id).where(func.lower(model.name) == name.lower(), model.id != (item_id or -1))):
        problems.add("name", f"There is already a {what} called '{name}'.")
    problems.raise_if_any()
    return name


PARTNER_FIELDS = ("name", "short_name", "also_known_as", "active")
THEME_FIELDS = ("name", "description", "sort_order", "active")


def create_partner(session: Session, actor: Actor, name: str, short_name: str | None = None,
                   also_known_as: str | None = None) -> EngagementPartner:
    """Add a partner organisation; its spelling is data (e.g. the forum's own 'HPCI' beside 'HCPI')."""
    require(actor, Permission.EDIT_ENGAGEMENT)
    partner = EngagementPartner(name=_named_item(session, EngagementPartner, name, None, "partner", 160),
                                short_name=clean_text(short_name, single_line=True),
                                also_known_as=clean_text(also_known_as, single_line=True), active=True)
    session.add(partner)
    records.record_created(session, actor, "engagement_partner", partner, PARTNER_FIELDS, summary=partner.name)
    return partner


def update_partner(session: Session, actor: Actor, partner_id: int, expected_version: int | None,
                   **changes: Any) -> EngagementPartner:
    """Correct a partner organisation's details; refuses a stale version."""
    require(actor, Permission.EDIT_ENGAGEMENT)
    records.reject_unknown(changes, PARTNER_FIELDS)
    partner = records.load_for_edit(session, EngagementPartner, "engagement_partner", partner_id, expected_version)
    v = records.current_values(partner, PARTNER_FIELDS)
    if "name" in changes:
        v["name"] = _named_item(session, EngagementPartner, changes["name"], partner_id, "partner", 160)
    if "short_name" in changes:
        v["short_name"] = clean_text(changes["short_name"], single_line=True)
    if "also_known_as" in changes:
        v["also_known_as"] = clean_text(changes["also_known_as"], single_line=True)
    if "active" in changes:
        v["active"] = bool(changes["active"])
    records.apply_changes(session, actor, "engagement_partner", partner, PARTNER_FIELDS, v,
                          summary=lambda p: p.name)
    return partner


def create_theme(session: Session, actor: Actor, name: str, description: str | None = None,
                 sort_order: int | None = None) -> EngagementTheme:
    """Add a theme to the managed list that inputs are tagged with."""
    require(actor, Permission.EDIT_ENGAGEMENT)
    if sort_order is None:
        sort_order = int(session.scalar(select(func.max(EngagementTheme.sort_order))) or 0) + 10
    theme = EngagementTheme(name=_named_item(session, EngagementTheme, name, None, "theme", 120),
                            description=clean_text(description), sort_order=int(sort_order), active=True)
    session.add(theme)
    records.record_created(session, actor, "engagement_theme", theme, THEME_FIELDS, summary=theme.name)
    return theme


def update_theme(session: Session, actor: Actor, theme_id: int, expected_version: int | None,
                 **changes: Any) -> EngagementTheme:
    """Rename, describe, reorder or retire a theme (a retired theme keeps its counts)."""
    require(actor, Permission.EDIT_ENGAGEMENT)
    records.reject_unknown(changes, THEME_FIELDS)
    theme = records.load_for_edit(session, EngagementTheme, "engagement_theme", theme_id, expected_version)
    v = records.current_values(theme, THEME_FIELDS)
    if "name" in changes:
        v["name"] = _named_item(session, EngagementTheme, changes["name"], theme_id, "theme", 120)
    if "description" in changes:
        v["description"] = clean_text(changes["description"])
    if "sort_order" in changes:
        try:
            v["sort_order"] = int(changes["sort_order"])
        except (TypeError, ValueError):
            raise ValidationFailed({"sort_order": "The order must be a whole number."}) from None
    if "active" in changes:
        v["active"] = bool(changes["active"])
    records.apply_changes(session, actor, "engagement_theme", theme, THEME_FIELDS, v, summary=lambda t: t.name)
    return theme


def partners(session: Session, active_only: bool = False) -> dict[int, str]:
    """id -> label ("Full name (SHORT)") of partner organisations."""
    query = select(EngagementPartner).order_by(EngagementPartner.name)
    if active_only:
        query = query.where(EngagementPartner.active.is_(True))
    return {p.id: f"{p.name} ({p.short_name})" if p.short_name else p.name for p in session.scalars(query)}


def themes(session: Session, active_only: bool = False) -> dict[int, str]:
    """id -> name of themes in list order."""
    query = select(EngagementTheme.id, EngagementTheme.name).order_by(EngagementTheme.sort_order,
                                                                        EngagementTheme.name)
    if active_only:
        query = query.where(EngagementTheme.active.is_(True))
    return dict(session.execute(query).all())


def partners_frame(session: Session) -> pd.DataFrame:
    """The partner organisations as a table, with their versions for editing."""
    rows = [{"id": p.id, "version": p.version, "Organisation": p.name, "Short name": p.short_name or "",
             "Also written as": p.also_known_as or "", "Active": p.active}
            for p in session.scalars(select(EngagementPartner).order_by(EngagementPartner.name))]
    return pd.DataFrame(rows, columns=["id", "version", "Organisation", "Short name", "Also written as", "Active"])


def themes_frame(session: Session) -> pd.DataFrame:
    """The managed list of engagement themes as a table, with their versions for editing."""
    rows = [{"id": t.id, "version": t.version, "Order": t.sort_order, "Theme": t.name,
             "Description": t.description or "", "Active": t.active}
            for t in session.scalars(select(EngagementTheme).order_by(EngagementTheme.sort_order,
                                                                      EngagementTheme.name))]
    return pd.DataFrame(rows, columns=["id", "version", "Order", "Theme", "Description", "Active"])


# ---------------------------------------------------------------- activities

ACTIVITY_PARSERS = Fields({**declare(DATE, ("start_date", "end_date", "retention_review_date")),
                           **declare(TEXT, ("title", "facilitator", "channel", "summary", "consent_form_version")),
                           **declare(WHOLE, ("partner_id", "participants"))})


def _validate_activity(session: Session, v: dict[str, Any]) -> None:
    problems = Problems()
    report_invalid(problems, v, ("date",))
    if not v.get("title"):
        problems.add("title", "Enter a title for the activity, e.g. 'Parent interviews, spring 2019'.")
    _text(problems, v, "title", "title", TITLE_MAX)
    if v.get("activity_type") not in ACTIVITY_TYPES:
        problems.add("activity_type", f"Choose the type: {', '.join(ACTIVITY_TYPES.values())}.")
    if not v.get("start_date"):
        problems.add("start_date", "Enter the date the activity took place (or started).")
    if v.get("start_date") and v.get("end_date") and v["end_date"] < v["start_date"]:
        problems.add("end_date", "The end date is before the start date.")
    if is_invalid(v.get("partner_id")) or (
            v.get("partner_id") is not None and session.get(EngagementPartner, v["partner_id"]) is None):
        problems.add("partner_id", "Choose a partner organisation from the list (or none).")
    participants = v.get("participants")
    if is_invalid(participants) or participants is None or participants < 0:
        problems.add("participants", "Enter the number of participants as a whole number (0 or more).")
    for key, label, limit in (("facilitator", "facilitator", 160), ("channel", "channel or place", 160),
                              ("consent_form_version", "consent form version", 40)):
        _text(problems, v, key, label, limit)
    _text(problems, v, "summary", "summary", 5000)
    if v.get("lawful_basis") not in LAWFUL_BASES:
        problems.add("lawful_basis", "Choose the lawful basis for holding what participants said.")
    if v.get("special_category_condition") not in SPECIAL_CATEGORY_CONDITIONS:
        problems.add("special_category_condition",
                     "Choose the condition for special category data (or 'No special category data').")
    needs_form = v.get("lawful_basis") == "consent" or v.get("special_category_condition") == "explicit_consent"
    if needs_form and not v.get("consent_form_version"):
        problems.add("consent_form_version", "Consent is the basis: record the version of the consent form used.")
    if not v.get("retention_review_date"):
        problems.add("retention_review_date", "Set the date by which to review whether to keep this data.")
    elif v.get("start_date") and v["retention_review_date"] < v["start_date"]:
        problems.add("retention_review_date", "The retention-review date is before the activity took place.")
    problems.raise_if_any()


def _activity_defaults(v: dict[str, Any]) -> dict[str, Any]:
    if not v.get("retention_review_date") and isinstance(v.get("start_date"), date):
        v["retention_review_date"] = v["start_date"] + DEFAULT_RETENTION
    return v


def default_retention_review(start: date | None) -> date:
    """The retention-review date a new activity gets unless the user sets one."""
    return (start or clock.today()) + DEFAULT_RETENTION


def create_activity(session: Session, actor: Actor, confirm_identifiers: bool = False,
                    **values: Any) -> EngagementActivity:
    """Record an engagement activity. Required: title, type, start date, participants, lawful basis."""
    require(actor, Permission.EDIT_ENGAGEMENT)
    records.reject_unknown(values, ACTIVITY_FIELDS)
    v = _activity_defaults({"participants": 0, "special_category_condition": "none",
                            **ACTIVITY_PARSERS.parse(values)})
    _validate_activity(session, v)
    privacy.check_text_fields(v, ACTIVITY_TEXT_FIELDS, confirm_identifiers)
    activity = EngagementActivity(**{k: v.get(k) for k in ACTIVITY_FIELDS})
    session.add(activity)
    session.flush()
    after = _audit_values(audit.snapshot(activity, ACTIVITY_FIELDS), ACTIVITY_PERSONAL_FIELDS)
    audit.record(session, actor, "engagement_activity", activity.id, "create", audit.diff({}, after),
                 activity.version, summary=_confirmed_note(activity.title, confirm_identifiers, v,
                                                           ACTIVITY_TEXT_FIELDS))
    return activity


def _confirmed_note(summary: str | None, confirmed: bool, v: dict[str, Any], fields: tuple[str, ...]) -> str | None:
    """Say in the audit trail when someone saved text that looked like personal data on purpose."""
    if confirmed and any(privacy.find_identifiers(v.get(f)) for f in fields if isinstance(v.get(f), str)):
        return f"{summary or ''} (saved with possible identifiers, confirmed by the user)".strip()
    return summary


def get_activity(session: Session, activity_id: int) -> EngagementActivity:
    """The engagement activity, or NotFound when it has been deleted."""
    return records.get_or_not_found(session, EngagementActivity, activity_id,
                                    "This engagement activity no longer exists.")


def update_activity(session: Session, actor: Actor, activity_id: int, expected_version: int | None,
                    confirm_identifiers: bool = False, **changes: Any) -> EngagementActivity:
    """Change an activity, refusing the change if someone saved it since `expected_version`."""
    require(actor, Permission.EDIT_ENGAGEMENT)
    records.reject_unknown(changes, ACTIVITY_FIELDS)
    activity = records.load_for_edit(session, EngagementActivity, "engagement_activity", activity_id,
                                     expected_version)
    current = records.current_values(activity, ACTIVITY_FIELDS)
    v = {**current, **ACTIVITY_PARSERS.parse(changes)}
    _validate_activity(session, v)
    if activity.erased_at is not None and v.get("summary"):
        raise ValidationFailed({"summary": "This activity's personal data has been erased; its summary stays empty."})
    changed_text = {f: v[f] for f in ACTIVITY_TEXT_FIELDS if v.get(f) != current.get(f)}
    privacy.check_text_fields(changed_text, ACTIVITY_TEXT_FIELDS, confirm_identifiers)
    after_values = {k: v.get(k) for k in ACTIVITY_FIELDS}
    if after_values == current:
        return activity
    before = _audit_values(audit.snapshot(activity, ACTIVITY_FIELDS), ACTIVITY_PERSONAL_FIELDS)
    for key, value in after_values.items():
        setattr(activity, key, value)
    session.flush()
    after = _audit_values(audit.snapshot(activity, ACTIVITY_FIELDS), ACTIVITY_PERSONAL_FIELDS)
    audit.record(session, actor, "engagement_activity", activity.id, "update", audit.diff(before, after),
                 activity.version, summary=_confirmed_note(activity.title, confirm_identifiers, changed_text,
                                                           ACTIVITY_TEXT_FIELDS))
    return activity


def activity_values(session: Session, actor: Actor, activity_id: int) -> tuple[dict[str, Any], int]:
    """An activity's editable values and its version, for an edit form; its summary is personal data, so
    role-checked."""
    require(actor, Permission.READ_PERSONAL_DATA)
    activity = get_activity(session, activity_id)
    return records.current_values(activity, ACTIVITY_FIELDS), activity.version


# ---------------------------------------------------------------- inputs

def next_pseudonym(session: Session) -> str:
    """The next free participant pseudonym (P-001, P-002, ...)."""
    numbers = [int(p[2:]) for p in session.scalars(select(EngagementInput.participant).distinct())
               if p and PSEUDONYM.match(p)]
    return f"P-{(max(numbers, default=0) + 1):03d}"


def _pseudonym(value: Any) -> str | None:
    """A participant's pseudonym; 'p1' or 'P 1' reads as P-001."""
    text = clean_text(value)
    loose = _LOOSE_PSEUDONYM.match(text or "")
    return f"P-{int(loose.group(1)):03d}" if loose else text


INPUT_PARSERS = Fields({**declare(TEXT, ("need", "quote", "district", "follow_up", "sentiment")),
                        "participant": _pseudonym, "activity_id": WHOLE, "theme_ids": IDS,
                        "consent_to_quote": BOOL})


def _validate_input(session: Session, v: dict[str, Any], existing_theme_ids: set[int] | None = None) -> None:
    problems = Problems()
    activity_id = v.get("activity_id")
    activity = session.get(EngagementActivity, activity_id) if isinstance(activity_id, int) else None
    if activity is None:
        problems.add("activity_id", "Choose the engagement activity this input came from.")
    elif activity.erased_at is not None:
        problems.add("activity_id", "This activity's personal data was erased; record new inputs against a "
                                    "new activity.")
    participant = v.get("participant")
    if participant and not PSEUDONYM.match(participant):
        problems.add("participant", "Use a pseudonym such as P-001, never a name.")
    theme_ids = v.get("theme_ids") or []
    if is_invalid(theme_ids):
        problems.add("theme_ids", "Choose themes from the list.")
        theme_ids = []
    if theme_ids:
        found = dict(session.execute(select(EngagementTheme.id, EngagementTheme.active)
                                     .where(EngagementTheme.id.in_(theme_ids))).all())
        if len(found) != len(theme_ids):
            problems.add("theme_ids", "One of the themes no longer exists; choose from the list.")
        elif any(not found[t] and t not in (existing_theme_ids or set()) for t in theme_ids):
            problems.add("theme_ids", "A retired theme cannot be added; choose a current one.")
    if not v.get("need") and not theme_ids:
        problems.add("need", "Record the need the parent raised, or choose at least one theme.")
    for key, label in (("need", "need"), ("quote", "quote"), ("follow_up", "follow-up action")):
        _text(problems, v, key, label)
    _text(problems, v, "district", "district", 80)
    if v.get("sentiment") is not None and v["sentiment"] not in SENTIMENTS:
        problems.add("sentiment", f"Sentiment must be one of: {', '.join(SENTIMENTS.values())}.")
    if v.get("consent_to_quote") and not v.get("quote"):
        v["consent_to_quote"] = False
    problems.raise_if_any()


def _set_themes(session: Session, item: EngagementInput, theme_ids: list[int]) -> None:
    session.execute(delete(EngagementInputTheme).where(EngagementInputTheme.input_id == item.id))
    session.add_all([EngagementInputTheme(input_id=item.id, theme_id=t) for t in theme_ids])
    session.expire(item, ["themes"])


def _input_snapshot(session: Session, item: EngagementInput) -> dict[str, Any]:
    snap = audit.snapshot(item, [f for f in INPUT_FIELDS if f != "theme_ids"])
    snap["theme_ids"] = theme_ids_of(session, item.id)
    return _audit_values(snap, INPUT_PERSONAL_FIELDS)


def theme_ids_of(session: Session, input_id: int) -> list[int]:
    """The ids of the themes an input is tagged with, in order."""
    return sorted(session.scalars(select(EngagementInputTheme.theme_id)
                                  .where(EngagementInputTheme.input_id == input_id)))


def checked_new_input(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """A new input's values cleaned and with their defaults; raises ValidationFailed (field -> message) when they
    cannot be recorded. Shared by `add_input` and the spreadsheet import, which reports each row's problems."""
    v = {"consent_to_quote": False, "theme_ids": [], **INPUT_PARSERS.parse(values)}
    _validate_input(session, v)
    return v


def add_input(session: Session, actor: Actor, confirm_identifiers: bool = False, **values: Any) -> EngagementInput:
    """Record what one participant said at an activity. Required: the activity and a need or a theme."""
    require(actor, Permission.EDIT_ENGAGEMENT)
    records.reject_unknown(values, INPUT_FIELDS)
    v = checked_new_input(session, values)
    privacy.check_text_fields(v, INPUT_TEXT_FIELDS, confirm_identifiers)
    item = EngagementInput(**{k: v.get(k) for k in INPUT_FIELDS if k != "theme_ids"})
    session.add(item)
    session.flush()
    _set_themes(session, item, v["theme_ids"])
    session.flush()
    audit.record(session, actor, "engagement_input", item.id, "create", audit.diff({}, _input_snapshot(session, item)),
                 item.version, summary=_confirmed_note(f"input at activity {item.activity_id}", confirm_identifiers,
                                                       v, INPUT_TEXT_FIELDS))
    return item


def get_input(session: Session, input_id: int) -> EngagementInput:
    """The engagement input, or NotFound when it has been deleted."""
    return records.get_or_not_found(session, EngagementInput, input_id, "This input no longer exists.")


def update_input(session: Session, actor: Actor, input_id: int, expected_version: int | None,
                 confirm_identifiers: bool = False, **changes: Any) -> EngagementInput:
    """Change an input (its themes included), refusing a stale version."""
    require(actor, Permission.EDIT_ENGAGEMENT)
    records.reject_unknown(changes, INPUT_FIELDS)
    item = records.load_for_edit(session, EngagementInput, "engagement_input", input_id, expected_version)
    existing_themes = theme_ids_of(session, input_id)
    current = {**{k: getattr(item, k) for k in INPUT_FIELDS if k != "theme_ids"}, "theme_ids": existing_themes}
    v = {**current, **INPUT_PARSERS.parse(changes)}
    if item.erased_at is not None and any(v.get(f) for f in INPUT_PERSONAL_FIELDS):
        raise ValidationFailed({"need": "This input's personal data has been erased; only its themes and "
                                        "sentiment can change."})
    if item.erased_at is not None and not v.get("need") and not v.get("theme_ids"):
        raise ValidationFailed({"theme_ids": "An erased input keeps at least one theme."})
    if item.erased_at is None:
        _validate_input(session, v, set(existing_themes))
    changed_text = {f: v[f] for f in INPUT_TEXT_FIELDS if v.get(f) != current.get(f)}
    privacy.check_text_fields(changed_text, INPUT_TEXT_FIELDS, confirm_identifiers)
    if v == current:
        return item
    before = _input_snapshot(session, item)
    for key in INPUT_FIELDS:
        if key != "theme_ids":
            setattr(item, key, v.get(key))
    if v["theme_ids"] != existing_themes:
        item.updated_at = clock.now_utc()  # the themes live in another table: bump the input's version too
        session.flush()  # one UPDATE, one version step, before the links change
        _set_themes(session, item, v["theme_ids"])
    session.flush()
    audit.record(session, actor, "engagement_input", item.id, "update",
                 audit.diff(before, _input_snapshot(session, item)), item.version,
                 summary=_confirmed_note(f"input at activity {item.activity_id}", confirm_identifiers, changed_text,
                                         INPUT_TEXT_FIELDS))
    return item


def input_values(session: Session, actor: Actor, input_id: int) -> tuple[dict[str, Any], int]:
    """An input's values (themes as ids) and version, for an edit form; personal data, so role-checked."""
    require(actor, Permission.READ_PERSONAL_DATA)
    item = get_input(session, input_id)
    values = {k: getattr(item, k) for k in INPUT_FIELDS if k != "theme_ids"}
    values["theme_ids"] = theme_ids_of(session, input_id)
    return values, item.version


# ---------------------------------------------------------------- responses ("you said, we did")

RESPONSE_PARSERS = Fields({**declare(TEXT, ("you_said", "we_did", "by_whom", "status")), "theme_id": WHOLE,
                           "response_date": DATE, "input_ids": IDS})


def _validate_response(session: Session, v: dict[str, Any]) -> None:
    problems = Problems()
    if not v.get("you_said"):
        problems.add("you_said", "Say what parents told us (without personal details).")
    if not v.get("we_did"):
        problems.add("we_did", "Say what was done, or what is planned.")
    for key, label in (("you_said", "'you said' text"), ("we_did", "'we did' text")):
        _text(problems, v, key, label)
    _text(problems, v, "by_whom", "'by whom' text", 160)
    if is_invalid(v.get("theme_id")) or (
            v.get("theme_id") is not None and session.get(EngagementTheme, v["theme_id"]) is None):
        problems.add("theme_id", "Choose a theme from the list (or none).")
    if v.get("status") not in RESPONSE_STATUSES:
        problems.add("status", f"Status must be one of: {', '.join(RESPONSE_STATUSES.values())}.")
    report_invalid(problems, v, ("date",))
    input_ids = v.get("input_ids") or []
    if is_invalid(input_ids):
        problems.add("input_ids", "Choose the needs this answers from the list.")
    elif input_ids:
        found = session.scalar(select(func.count(EngagementInput.id)).where(EngagementInput.id.in_(input_ids)))
        if found != len(input_ids):
            problems.add("input_ids", "One of the needs no longer exists; choose from the list.")
    problems.raise_if_any()
    if v.get("status") == "done" and not v.get("response_date"):
        v["response_date"] = clock.today()


def response_input_ids(session: Session, response_id: int) -> list[int]:
    """The ids of the inputs a 'you said, we did' response answers, in order."""
    return sorted(session.scalars(select(EngagementResponseInput.input_id)
                                  .where(EngagementResponseInput.response_id == response_id)))


def _response_snapshot(session: Session, response: EngagementResponse) -> dict[str, Any]:
    snap = audit.snapshot(response, [f for f in RESPONSE_FIELDS if f != "input_ids"])
    snap["input_ids"] = response_input_ids(session, response.id)
    return snap


def _set_response_inputs(session: Session, response: EngagementResponse, input_ids: list[int]) -> None:
    session.execute(delete(EngagementResponseInput).where(EngagementResponseInput.response_id == response.id))
    session.add_all([EngagementResponseInput(response_id=response.id, input_id=i) for i in input_ids])


def create_response(session: Session, actor: Actor, confirm_identifiers: bool = False,
                    **values: Any) -> EngagementResponse:
    """Record what was done about what parents said; optionally the particular needs it answers."""
    require(actor, Permission.EDIT_ENGAGEMENT)
    records.reject_unknown(values, RESPONSE_FIELDS)
    v = {"status": "planned", "input_ids": [], **RESPONSE_PARSERS.parse(values)}
    _validate_response(session, v)
    privacy.check_text_fields(v, RESPONSE_TEXT_FIELDS, confirm_identifiers)
    response = EngagementResponse(**{k: v.get(k) for k in RESPONSE_FIELDS if k != "input_ids"})
    session.add(response)
    session.flush()
    _set_response_inputs(session, response, v["input_ids"])
    session.flush()
    audit.record(session, actor, "engagement_response", response.id, "create",
                 audit.diff({}, _response_snapshot(session, response)), response.version,
                 summary=_confirmed_note(response.you_said[:80], confirm_identifiers, v, RESPONSE_TEXT_FIELDS))
    return response


def update_response(session: Session, actor: Actor, response_id: int, expected_version: int | None,
                    confirm_identifiers: bool = False, **changes: Any) -> EngagementResponse:
    """Correct a 'you said, we did' response and the inputs it answers; refuses a stale version."""
    require(actor, Permission.EDIT_ENGAGEMENT)
    records.reject_unknown(changes, RESPONSE_FIELDS)
    response = records.load_for_edit(session, EngagementResponse, "engagement_response", response_id,
                                     expected_version)
    current_inputs = response_input_ids(session, response_id)
    current = {**{k: getattr(response, k) for k in RESPONSE_FIELDS if k != "input_ids"}, "input_ids": current_inputs}
    v = {**current, **RESPONSE_PARSERS.parse(changes)}
    _validate_response(session, v)
    changed_text = {f: v[f] for f in RESPONSE_TEXT_FIELDS if v.get(f) != current.get(f)}
    privacy.check_text_fields(changed_text, RESPONSE_TEXT_FIELDS, confirm_identifiers)
    if v == current:
        return response
    before = _response_snapshot(session, response)
    for key in RESPONSE_FIELDS:
        if key != "input_ids":
            setattr(response, key, v.get(key))
    if v["input_ids"] != current_inputs:
        response.updated_at = clock.now_utc()  # the links live in another table: bump the version too
        session.flush()
        _set_response_inputs(session, response, v["input_ids"])
    session.flush()
    audit.record(session, actor, "engagement_response", response.id, "update",
                 audit.diff(before, _response_snapshot(session, response)), response.version,
                 summary=_confirmed_note(response.you_said[:80], confirm_identifiers, changed_text,
                                         RESPONSE_TEXT_FIELDS))
    return response


def response_values(session: Session, response_id: int) -> tuple[dict[str, Any], int]:
    """A response's fields as its edit form starts from them, with its version and inputs."""
    response = records.get_or_not_found(session, EngagementResponse, response_id, "This response no longer exists.")
    values = {k: getattr(response, k) for k in RESPONSE_FIELDS if k != "input_ids"}
    values["input_ids"] = response_input_ids(session, response_id)
    return values, response.version
