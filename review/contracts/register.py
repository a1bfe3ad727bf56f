"""The contract register: contracts, extensions, KPIs and the date rules that give each its status.

Date conventions (the usual reading of contract terms):
* A period of M months that follows an end date runs from the day after it: a term ending 30 Sep 2019
  extended by 12 months ends 30 Sep 2020; ending 31 Mar, by 6 months, ends 30 Sep.
* The notice deadline is the last day on which notice can be given so that the full notice period runs
  before the current end: 3 months before an end of 30 Sep 2020 is 30 Jun 2020.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from review.models import Person
from review.models.contracts import Contract, ContractExtension, ContractKpi, ContractKpiValue
from review.models.decisions import Decision
from review.platform import audit, clock, exports
from review.platform import record_helpers as records
from review.platform.config import get_settings
from review.platform.errors import NotFound, ValidationFailed
from review.platform.parsing import BOOL, DATE, MONEY, TEXT, WHOLE, Fields, declare, is_invalid, report_invalid
from review.platform.roles import Actor, Permission, require
from review.platform.validation import Problems, clean_text

# Revised Best Value Statutory Guidance (DCLG, 2015), para 5: give at least three months' notice to a
# voluntary or community organisation before reducing or ending its funding.
BEST_VALUE_MIN_NOTICE_MONTHS = 3
# A KPI value within this share of its target (on the wrong side) is rated amber rather than red.
AMBER_TOLERANCE = Decimal("0.10")
MAX_MONTHS = 120  # ten years: anything longer in one field is a typing slip
KPI_UNIT_MAX = 40  # the width of contract_kpis.unit


class ContractStatus(StrEnum):
    NOT_STARTED = "not_started"
    ACTIVE = "active"
    EXTENDED = "extended"
    EXPIRING = "expiring"
    IN_NOTICE = "in_notice"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    ContractStatus.NOT_STARTED: "Not started",
    ContractStatus.ACTIVE: "Active",
    ContractStatus.EXTENDED: "Extended",
    ContractStatus.EXPIRING: "Expiring",
    ContractStatus.IN_NOTICE: "In notice",
    ContractStatus.ENDED: "Ended",
}


class Rating(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NOT_RATED = "not_rated"

    @property
    def label(self) -> str:
        return "Not rated" if self is Rating.NOT_RATED else self.value.capitalize()


RATING_LABELS = {r.value: r.label for r in Rating}

CONTRACT_FIELDS = (
    "reference", "title", "department", "description", "provider_name", "provider_number", "is_vcse", "is_sme",
    "owner_id", "procurement_route", "award_date", "start_date", "original_end_date", "review_date",
    "extension_options", "extension_period_months", "notice_period_months", "notice_given_on", "annual_value",
    "total_value_to_date", "values_illustrative",
)
KPI_FIELDS = ("name", "unit", "target", "higher_is_better", "frequency_months", "first_period_end",
              "return_due_days")
KPI_VALUE_FIELDS = ("period_end", "value", "rating", "note")
_DATE_FIELDS = ("award_date", "start_date", "original_end_date", "review_date", "notice_given_on",
                "first_period_end", "period_end", "end_date")
_TEXT_FIELDS = ("reference", "title", "department", "description", "provider_name", "provider_number",
                "procurement_route", "name", "unit", "note")
_BOOL_FIELDS = ("is_vcse", "is_sme", "values_illustrative", "higher_is_better")


# ---------------------------------------------------------------- date rules (pure)

def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (or earlier), clamped to the end of a short month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def months_after_end(end: date, months: int) -> date:
    """The last day of a period of `months` months that starts the day after `end`."""
    return add_months(end + timedelta(days=1), months) - timedelta(days=1)


def months_before_end(end: date, months: int) -> date:
    """The last day on which a period of `months` months can start and still finish by `end`."""
    return add_months(end + timedelta(days=1), -months) - timedelta(days=1)


def last_possible_end(original_end: date, extension_options: int, extension_period_months: int) -> date:
    """The end date if every extension option is used in full."""
    return months_after_end(original_end, extension_options * extension_period_months)


def notice_deadline(current_end: date, notice_period_months: int) -> date:
    """The last day to give notice so that the notice period ends on or before the current end date."""
    return months_before_end(current_end, notice_period_months)


def contract_status(today: date, start: date, current_end: date, extensions_used: int,
                    notice_given_on: date | None, expiring_within_days: int) -> ContractStatus:
    """Ended after the current end; in notice once notice is given; expiring within the window; extended
    once an extension is used; otherwise active (not started before the start date)."""
    if today > current_end:
        return ContractStatus.ENDED
    if today < start:
        return ContractStatus.NOT_STARTED
    if notice_given_on is not None and notice_given_on <= today:
        return ContractStatus.IN_NOTICE
    if (current_end - today).days <= expiring_within_days:
        return ContractStatus.EXPIRING
    if extensions_used > 0:
        return ContractStatus.EXTENDED
    return ContractStatus.ACTIVE


def kpi_rating(value: Decimal | float | None, target: Decimal | float | None, higher_is_better: bool) -> Rating:
    """Green when the target is met, amber within AMBER_TOLERANCE of it, red beyond; no target: not rated."""
    if value is None or target is None:
        return Rating.NOT_RATED
    value, target = Decimal(str(value)), Decimal(str(target))
    met = value >= target if higher_is_better else value <= target
    if met:
        return Rating.GREEN
    margin = abs(target) * AMBER_TOLERANCE
    near = value >= target - margin if higher_is_better else value <= target + margin
    return Rating.AMBER if near else Rating.RED


def kpi_period_ends(first_period_end: date, frequency_months: int, until: date) -> list[date]:
    """Ends of the KPI's reporting periods from the first one up to `until` (inclusive)."""
    ends: list[date] = []
    k = 0
    while True:
        end = months_after_end(first_period_end, k * frequency_months)
        if end > until:
            return ends
        ends.append(end)
        k += 1


@dataclass
class ContractSummary:
    """A contract with its computed dates and status."""

    contract: Contract
    owner: str
    current_end: date
    extensions_used: int
    extensions_left: int
    last_possible_end: date
    notice_deadline: date
    status: ContractStatus
    days_to_end: int
    days_to_notice_deadline: int
    notice_given_late: bool
    extensions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def next_extension_end(self) -> date | None:
        """Where one more extension period would end, or None if no option is left."""
        if self.extensions_left <= 0:
            return None
        return min(months_after_end(self.current_end, self.contract.extension_period_months),
                   self.last_possible_end)


def _summarise(contract: Contract, owner: str, extensions: list[ContractExtension], today: date,
               expiring_within_days: int, decisions: dict[int, str] | None = None) -> ContractSummary:
    current_end = max([contract.original_end_date, *(e.end_date for e in extensions)])
    used = len(extensions)
    deadline = notice_deadline(current_end, contract.notice_period_months)
    decisions = decisions or {}
    return ContractSummary(
        contract=contract, owner=owner, current_end=current_end, extensions_used=used,
        extensions_left=max(contract.extension_options - used, 0),
        last_possible_end=last_possible_end(contract.original_end_date, contract.extension_options,
                                            contract.extension_period_months),
        notice_deadline=deadline,
        status=contract_status(today, contract.start_date, current_end, used, contract.notice_given_on,
                               expiring_within_days),
        days_to_end=(current_end - today).days, days_to_notice_deadline=(deadline - today).days,
        notice_given_late=bool(contract.notice_given_on and contract.notice_given_on > deadline),
        extensions=[{"id": e.id, "start": e.start_date, "end": e.end_date, "value": e.value,
                     "decision_id": e.decision_id,
                     "decision": decisions.get(e.decision_id, "") if e.decision_id else "",
                     "note": e.note or ""} for e in sorted(extensions, key=lambda x: x.start_date)],
    )


# ---------------------------------------------------------------- parsing and validation helpers

FIELD_PARSERS = Fields({
    **declare(DATE, _DATE_FIELDS), **declare(TEXT, _TEXT_FIELDS), **declare(BOOL, _BOOL_FIELDS),
    **declare(MONEY, ("annual_value", "total_value_to_date", "target", "value")),
    **declare(WHOLE, ("extension_options", "extension_period_months", "notice_period_months", "frequency_months",
                      "return_due_days", "owner_id", "decision_id")),
})


def _fmt(day: date) -> str:
    return f"{day:%d %b %Y}"


def _extensions_of(session: Session, contract_id: int) -> list[ContractExtension]:
    return list(session.scalars(select(ContractExtension).where(ContractExtension.contract_id == contract_id)
                                .order_by(ContractExtension.start_date, ContractExtension.id)))


def _validate_contract(session: Session, v: dict[str, Any], contract_id: int | None = None) -> None:
    problems = Problems()
    report_invalid(problems, v)
    if not v.get("reference"):
        problems.add("reference", "Enter the contract reference.")
    elif len(v["reference"]) > 30:
        problems.add("reference", "Keep the reference to 30 characters.")
    elif session.scalar(select(Contract.id).where(Contract.reference == v["reference"],
                                                  Contract.id != (contract_id or -1))):
        problems.add("reference", f"Reference {v['reference']} is already used by another contract.")
    if not v.get("title"):
        problems.add("title", "Enter the contract title.")
    elif len(v["title"]) > 200:
        problems.add("title", "Keep the title to 200 characters.")
    if not v.get("provider_name"):
        problems.add("provider_name", "Enter the provider's name.")
    if v.get("provider_number") and len(v["provider_number"]) > 30:
        problems.add("provider_number", "Keep the charity or company number to 30 characters.")
    if v.get("owner_id") is not None and session.get(Person, v["owner_id"]) is None:
        problems.add("owner_id", "The contract owner must be a person in the people list.")
    start, end = v.get("start_date"), v.get("original_end_date")
    if start is None and "start_date" not in problems.errors:
        problems.add("start_date", "Enter the start date.")
    if end is None and "original_end_date" not in problems.errors:
        problems.add("original_end_date", "Enter the original end date.")
    if start and end and end < start:
        problems.add("original_end_date", f"The end date ({_fmt(end)}) is before the start date ({_fmt(start)}).")
    if v.get("award_date") and start and v["award_date"] > start:
        problems.add("award_date", f"The award date ({_fmt(v['award_date'])}) is after the start date.")
    if v.get("review_date") and start and v["review_date"] < start:
        problems.add("review_date", "The review date is before the start date.")
    for key, label in (("extension_options", "number of extension options"),
                       ("extension_period_months", "length of an extension period"),
                       ("notice_period_months", "notice period")):
        number = v.get(key)
        if number is None:
            if key not in problems.errors:
                problems.add(key, f"Enter the {label} (0 if none).")
        elif number < 0:
            problems.add(key, f"The {label} cannot be negative.")
        elif number > MAX_MONTHS:
            problems.add(key, f"The {label} looks too large (at most {MAX_MONTHS}).")
    options, months = v.get("extension_options") or 0, v.get("extension_period_months") or 0
    if options > 0 and months == 0 and "extension_period_months" not in problems.errors:
        problems.add("extension_period_months", "Give the length of each extension period in months.")
    extensions = _extensions_of(session, contract_id) if contract_id else []
    if contract_id and "extension_options" not in problems.errors and options < len(extensions):
        problems.add("extension_options", f"{len(extensions)} extension(s) have already been used; the options "
                                          f"cannot be fewer than that.")
    notice = v.get("notice_period_months")
    if v.get("is_vcse") and notice is not None and 0 <= notice < BEST_VALUE_MIN_NOTICE_MONTHS:
        problems.add("notice_period_months", f"Best Value guidance: a voluntary or community organisation must get "
                                             f"at least {BEST_VALUE_MIN_NOTICE_MONTHS} months' notice before its "
                                             f"funding is reduced or ended.")
    for key, label in (("annual_value", "annual value"), ("total_value_to_date", "total value to date")):
        if v.get(key) is not None and v[key] < 0:
            problems.add(key, f"The {label} cannot be negative.")
    given = v.get("notice_given_on")
    if given and start and given < start:
        problems.add("notice_given_on", "Notice cannot be given before the contract starts.")
    elif given and end:
        current_end = max([end, *(e.end_date for e in extensions)])
        if given > current_end:
            problems.add("notice_given_on", f"Notice is given after the current end date ({_fmt(current_end)}).")
    if extensions and end and extensions[0].start_date <= end and "original_end_date" not in problems.errors:
        problems.add("original_end_date", f"The first extension starts on {_fmt(extensions[0].start_date)}; the "
                                          f"original term must end before that.")
    problems.raise_if_any()


def _touch(obj: Any) -> None:
    """Mark a parent record changed when only its children changed, so its version moves on."""
    obj.updated_at = clock.now_utc()


# ---------------------------------------------------------------- contract writes

def create_contract(session: Session, actor: Actor, **values: Any) -> Contract:
    """Add a contract to the register. Required: reference, title, provider, start and original end dates."""
    require(actor, Permission.EDIT_CONTRACTS)
    records.reject_unknown(values, CONTRACT_FIELDS)
    v = {"extension_options": 0, "extension_period_months": 0, "notice_period_months": BEST_VALUE_MIN_NOTICE_MONTHS,
         "is_vcse": False, "is_sme": False, "values_illustrative": False, **FIELD_PARSERS.parse(values)}
    _validate_contract(session, v)
    contract = Contract(**{k: v.get(k) for k in CONTRACT_FIELDS})
    session.add(contract)
    records.record_created(session, actor, "contract", contract, CONTRACT_FIELDS,
                           summary=f"{contract.reference} {contract.title}")
    return contract


def get_contract(session: Session, contract_id: int) -> Contract:
    """The contract, or NotFound when someone has deleted it."""
    return records.get_or_not_found(session, Contract, contract_id,
                                    "This contract no longer exists; someone may have deleted it.")


def update_contract(session: Session, actor: Actor, contract_id: int, expected_version: int | None,
                    **changes: Any) -> Contract:
    """Change fields of a contract, refusing the change if someone saved it since `expected_version`."""
    require(actor, Permission.EDIT_CONTRACTS)
    records.reject_unknown(changes, CONTRACT_FIELDS)
    contract = records.load_for_edit(session, Contract, "contract", contract_id, expected_version)
    v = {**records.current_values(contract, CONTRACT_FIELDS), **FIELD_PARSERS.parse(changes)}
    _validate_contract(session, v, contract_id=contract.id)
    records.apply_changes(session, actor, "contract", contract, CONTRACT_FIELDS, v,
                          summary=lambda c: f"{c.reference} {c.title}")
    return contract


def delete_contract(session: Session, actor: Actor, contract_id: int, expected_version: int | None) -> None:
    """Remove a contract with its extensions and KPIs; the audit event keeps what it held."""
    require(actor, Permission.EDIT_CONTRACTS)
    contract = records.load_for_edit(session, Contract, "contract", contract_id, expected_version)
    before = audit.snapshot(contract, CONTRACT_FIELDS)
    before["extensions"] = [f"{e.start_date.isoformat()} to {e.end_date.isoformat()}"
                            for e in _extensions_of(session, contract_id)]
    records.record_deleted(session, actor, "contract", contract, before,
                           summary=f"{before['reference']} {before['title']}")


# ---------------------------------------------------------------- extensions

def add_extension(session: Session, actor: Actor, contract_id: int, expected_version: int | None, *,
                  decision_id: int | None, start_date: Any = None, end_date: Any = None, value: Any = None,
                  note: str | None = None) -> ContractExtension:
    """Use one extension option. It starts the day after the current end; by default it runs one full period.

    Refused when no option is left, when it is longer than one period or runs past the last possible end,
    or when no decision authorises it.
    """
    require(actor, Permission.EDIT_CONTRACTS)
    contract = records.load_for_edit(session, Contract, "contract", contract_id, expected_version)
    extensions = _extensions_of(session, contract_id)
    summary = _summarise(contract, "", extensions, clock.today(), 0)
    v = FIELD_PARSERS.parse({"start_date": start_date, "end_date": end_date, "value": value, "decision_id": decision_id,
                    "note": note})
    problems = Problems()
    report_invalid(problems, v)
    if summary.extensions_left <= 0:
        problems.add("extension", f"All {contract.extension_options} extension option(s) have been used "
                                  f"({summary.extensions_used} of {contract.extension_options}); no further "
                                  f"extension is allowed under this contract.")
    start = v["start_date"] or summary.current_end + timedelta(days=1)
    one_period_end = months_after_end(summary.current_end, contract.extension_period_months)
    end = v["end_date"] or min(one_period_end, summary.last_possible_end)
    if start != summary.current_end + timedelta(days=1) and "start_date" not in problems.errors:
        problems.add("start_date", f"An extension starts the day after the current end date "
                                   f"({_fmt(summary.current_end)}), so on {_fmt(summary.current_end + timedelta(1))}.")
    if end < start:
        problems.add("end_date", f"The end date ({_fmt(end)}) is before the start date ({_fmt(start)}).")
    elif end > summary.last_possible_end:
        problems.add("end_date", f"The end date ({_fmt(end)}) is after the last possible end date "
                                 f"({_fmt(summary.last_possible_end)}).")
    elif end > one_period_end:
        problems.add("end_date", f"One extension period is {contract.extension_period_months} months, so this "
                                 f"extension can end on {_fmt(one_period_end)} at the latest.")
    if v["value"] is not None and v["value"] < 0:
        problems.add("value", "The value of the extension cannot be negative.")
    if v["decision_id"] is None:
        problems.add("decision_id", "Choose the decision that authorised this extension.")
    elif session.get(Decision, v["decision_id"]) is None:
        problems.add("decision_id", "That decision is not in the decision log.")
    problems.raise_if_any()
    extension = ContractExtension(contract_id=contract_id, start_date=start, end_date=end, value=v["value"],
                                  decision_id=v["decision_id"], note=v["note"])
    session.add(extension)
    _touch(contract)
    session.flush()
    decision = session.get(Decision, v["decision_id"])
    assert decision is not None  # validated above
    audit.record(session, actor, "contract", contract.id, "extend", {
        "extensions_used": {"before": summary.extensions_used, "after": summary.extensions_used + 1},
        "current_end_date": {"before": summary.current_end.isoformat(), "after": end.isoformat()},
        "extension": {"before": None, "after": f"{start.isoformat()} to {end.isoformat()}, value "
                                               f"{audit.json_safe(v['value'])}, decision {decision.reference}"},
    }, contract.version, summary=f"{contract.reference} extension {summary.extensions_used + 1}")
    return extension


def delete_extension(session: Session, actor: Actor, contract_id: int, expected_version: int | None,
                     extension_id: int) -> None:
    """Remove the latest extension (an earlier one cannot go while a later one depends on its dates)."""
    require(actor, Permission.EDIT_CONTRACTS)
    contract = records.load_for_edit(session, Contract, "contract", contract_id, expected_version)
    extensions = _extensions_of(session, contract_id)
    target = next((e for e in extensions if e.id == extension_id), None)
    if target is None:
        raise NotFound("That extension no longer exists.")
    if target is not extensions[-1]:
        raise ValidationFailed({"extension": "Only the latest extension can be removed."})
    before_end = target.end_date
    session.delete(target)
    _touch(contract)
    session.flush()
    new_end = max([contract.original_end_date, *(e.end_date for e in extensions[:-1])])
    audit.record(session, actor, "contract", contract.id, "remove_extension", {
        "extensions_used": {"before": len(extensions), "after": len(extensions) - 1},
        "current_end_date": {"before": before_end.isoformat(), "after": new_end.isoformat()},
        "extension": {"before": f"{target.start_date.isoformat()} to {target.end_date.isoformat()}", "after": None},
    }, contract.version, summary=f"{contract.reference}")


# ---------------------------------------------------------------- KPIs

def _values_of(session: Session, kpi_id: int) -> list[ContractKpiValue]:
    return list(session.scalars(select(ContractKpiValue).where(ContractKpiValue.kpi_id == kpi_id)
                                .order_by(ContractKpiValue.period_end)))


def _validate_kpi(v: dict[str, Any], recorded: list[date] | None = None, moved: str = "first_period_end") -> None:
    """Check a KPI's fields; `recorded` are the period ends of its values, which must stay on its schedule
    (a message on `moved`, the schedule field the user changed)."""
    problems = Problems()
    report_invalid(problems, v)
    if not v.get("name"):
        problems.add("name", "Enter the KPI's name.")
    elif len(v["name"]) > 200:
        problems.add("name", "Keep the KPI name to 200 characters.")
    if v.get("unit") and len(v["unit"]) > KPI_UNIT_MAX:
        problems.add("unit", f"Keep the unit to {KPI_UNIT_MAX} characters.")
    if v.get("target") is not None and v["target"] < 0:
        problems.add("target", "The target cannot be negative.")
    freq = v.get("frequency_months")
    if freq is None or freq <= 0:
        problems.add("frequency_months", "Returns are due every 1 month or more (e.g. 3 for quarterly).")
    elif freq > 12:
        problems.add("frequency_months", "Returns are due at least once a year (12 months or fewer).")
    if v.get("first_period_end") is None and "first_period_end" not in problems.errors:
        problems.add("first_period_end", "Enter the end date of the first reporting period.")
    due = v.get("return_due_days")
    if due is None or due < 0:
        problems.add("return_due_days", "Enter how many days after a period ends its return is due (0 or more).")
    if recorded and not {"frequency_months", "first_period_end"} & set(problems.errors):
        periods = set(kpi_period_ends(v["first_period_end"], v["frequency_months"], max(recorded)))
        off = sorted(d for d in recorded if d not in periods)
        if off:
            problems.add(moved, f"{len(off)} recorded value(s) would no longer fall at the end of a reporting "
                                f"period (e.g. {_fmt(off[0])}); correct or delete those values first.")
    problems.raise_if_any()


def create_kpi(session: Session, actor: Actor, contract_id: int, **values: Any) -> ContractKpi:
    """Add a key performance indicator to a contract (editors), with its target and reporting frequency."""
    require(actor, Permission.EDIT_CONTRACTS)
    records.reject_unknown(values, KPI_FIELDS)
    get_contract(session, contract_id)
    v = {"higher_is_better": True, "frequency_months": 3, "return_due_days": 30, **FIELD_PARSERS.parse(values)}
    _validate_kpi(v)
    kpi = ContractKpi(contract_id=contract_id, **{k: v.get(k) for k in KPI_FIELDS})
    session.add(kpi)
    records.record_created(session, actor, "contract_kpi", kpi, KPI_FIELDS, summary=kpi.name)
    return kpi


def update_kpi(session: Session, actor: Actor, kpi_id: int, expected_version: int | None,
               **changes: Any) -> ContractKpi:
    """Correct a KPI's definition; refuses a stale version (EditConflict) and keeps its recorded values."""
    require(actor, Permission.EDIT_CONTRACTS)
    records.reject_unknown(changes, KPI_FIELDS)
    kpi = records.load_for_edit(session, ContractKpi, "contract_kpi", kpi_id, expected_version)
    v = {**records.current_values(kpi, KPI_FIELDS), **FIELD_PARSERS.parse(changes)}
    moved = [f for f in ("frequency_months", "first_period_end") if v.get(f) != getattr(kpi, f)]
    recorded = [row.period_end for row in _values_of(session, kpi_id)] if moved else None
    _validate_kpi(v, recorded, moved[0] if moved else "first_period_end")
    records.apply_changes(session, actor, "contract_kpi", kpi, KPI_FIELDS, v, summary=lambda k: k.name)
    return kpi


def delete_kpi(session: Session, actor: Actor, kpi_id: int, expected_version: int | None) -> None:
    """Remove a KPI with its recorded values; the audit event keeps what they were."""
    require(actor, Permission.EDIT_CONTRACTS)
    kpi = records.load_for_edit(session, ContractKpi, "contract_kpi", kpi_id, expected_version)
    before = audit.snapshot(kpi, KPI_FIELDS)
    before["values"] = [f"{row.period_end.isoformat()}: {Decimal(row.value).normalize():f} "
                        f"({RATING_LABELS.get(row.rating, row.rating)})" for row in _values_of(session, kpi_id)]
    records.record_deleted(session, actor, "contract_kpi", kpi, before, summary=before["name"])


def kpi_editable_values(session: Session, kpi_id: int) -> dict[str, Any]:
    """The KPI's fields as its edit form starts from them, with its version and how many values it has."""
    kpi = records.get_or_not_found(session, ContractKpi, kpi_id, "This KPI no longer exists.")
    count = session.scalar(select(func.count()).select_from(ContractKpiValue)
                           .where(ContractKpiValue.kpi_id == kpi_id))
    return {**records.current_values(kpi, KPI_FIELDS), "version": kpi.version, "values": int(count or 0)}


def kpi_value_editable_values(session: Session, value_id: int) -> dict[str, Any]:
    """A recorded value's fields as its edit form starts from them, with its version; `rating_follows_target`
    is true when the stored rating is the one its KPI's target gives (so a corrected value can be re-rated)."""
    row = records.get_or_not_found(session, ContractKpiValue, value_id, "This KPI value no longer exists.")
    kpi = records.get_or_not_found(session, ContractKpi, row.kpi_id, "This KPI no longer exists.")
    return {**records.current_values(row, KPI_VALUE_FIELDS), "version": row.version, "kpi_id": row.kpi_id,
            "rating_follows_target": row.rating == kpi_rating(row.value, kpi.target, kpi.higher_is_better).value}


def _validate_kpi_value(session: Session, kpi: ContractKpi, v: dict[str, Any], value_id: int | None = None) -> None:
    problems = Problems()
    report_invalid(problems, v)
    period_end = v.get("period_end")
    if period_end is None:
        if "period_end" not in problems.errors:
            problems.add("period_end", "Enter the end date of the reporting period.")
    elif period_end not in kpi_period_ends(kpi.first_period_end, kpi.frequency_months, period_end):
        nearby = kpi_period_ends(kpi.first_period_end, kpi.frequency_months, add_months(period_end, 12))[-3:]
        problems.add("period_end", f"{_fmt(period_end)} is not the end of a reporting period for this KPI "
                                   f"(periods end e.g. {', '.join(_fmt(d) for d in nearby)}).")
    elif session.scalar(select(ContractKpiValue.id).where(ContractKpiValue.kpi_id == kpi.id,
                                                          ContractKpiValue.period_end == period_end,
                                                          ContractKpiValue.id != (value_id or -1))):
        problems.add("period_end", f"A value for the period ending {_fmt(period_end)} is already recorded; "
                                   f"edit that one instead.")
    if v.get("value") is None:
        if "value" not in problems.errors:
            problems.add("value", "Enter the value reported for the period.")
    elif v["value"] < 0:
        problems.add("value", "A KPI value cannot be negative.")
    if v.get("rating") not in RATING_LABELS:
        problems.add("rating", f"Rating must be one of: {', '.join(RATING_LABELS.values())}.")
    problems.raise_if_any()


def record_kpi_value(session: Session, actor: Actor, kpi_id: int, *, period_end: Any, value: Any,
                     rating: str | None = None, note: str | None = None) -> ContractKpiValue:
    """Record a period's value. Without a rating, it is rated against the target (see kpi_rating)."""
    require(actor, Permission.EDIT_CONTRACTS)
    kpi = records.get_or_not_found(session, ContractKpi, kpi_id, "This KPI no longer exists.")
    v = FIELD_PARSERS.parse({"period_end": period_end, "value": value, "note": note})
    v["rating"] = clean_text(rating)
    if v["rating"] is None and not is_invalid(v["value"]):
        v["rating"] = kpi_rating(v["value"], kpi.target, kpi.higher_is_better).value
    _validate_kpi_value(session, kpi, v)
    row = ContractKpiValue(kpi_id=kpi_id, **{k: v.get(k) for k in KPI_VALUE_FIELDS})
    session.add(row)
    records.record_created(session, actor, "contract_kpi_value", row, KPI_VALUE_FIELDS, summary=kpi.name)
    return row


def update_kpi_value(session: Session, actor: Actor, value_id: int, expected_version: int | None,
                     **changes: Any) -> ContractKpiValue:
    """Correct a recorded KPI value (re-rated against the target when asked); refuses a stale version."""
    require(actor, Permission.EDIT_CONTRACTS)
    records.reject_unknown(changes, KPI_VALUE_FIELDS)
    row = records.load_for_edit(session, ContractKpiValue, "contract_kpi_value", value_id, expected_version)
    kpi = records.get_or_not_found(session, ContractKpi, row.kpi_id, "This KPI no longer exists.")
    v = {**records.current_values(row, KPI_VALUE_FIELDS),
         **FIELD_PARSERS.parse({k: c for k, c in changes.items() if k != "rating"})}
    if "rating" in changes:
        v["rating"] = clean_text(changes["rating"]) or kpi_rating(
            None if is_invalid(v["value"]) else v["value"], kpi.target, kpi.higher_is_better).value
    _validate_kpi_value(session, kpi, v, value_id)
    records.apply_changes(session, actor, "contract_kpi_value", row, KPI_VALUE_FIELDS, v, summary=kpi.name)
    return row


def delete_kpi_value(session: Session, actor: Actor, value_id: int, expected_version: int | None) -> None:
    """Delete a recorded KPI value after a version check, keeping it in the audit log."""
    require(actor, Permission.EDIT_CONTRACTS)
    row = records.load_for_edit(session, ContractKpiValue, "contract_kpi_value", value_id, expected_version)
    name = session.scalar(select(ContractKpi.name).where(ContractKpi.id == row.kpi_id))
    before = audit.snapshot(row, KPI_VALUE_FIELDS)
    records.record_deleted(session, actor, "contract_kpi_value", row, before, summary=name)


# ---------------------------------------------------------------- reads

REGISTER_COLUMNS = [
    "id", "version", "Ref", "Contract", "Provider", "VCSE", "Department", "Owner", "Start", "Original end",
    "Current end", "Extensions used", "Extensions left", "Last possible end", "Notice (months)", "Notice deadline",
    "Days to notice deadline", "Annual value (£)", "Total value to date (£)", "Illustrative values", "Status",
]


def _decision_labels(session: Session) -> dict[int, str]:
    return {i: f"{ref} {title}" for i, ref, title in session.execute(
        select(Decision.id, Decision.reference, Decision.title))}


def summaries(session: Session, today: date | None = None, expiring_within_days: int | None = None,
              contract_id: int | None = None) -> list[ContractSummary]:
    """Every contract (or one) with its computed dates and status: two queries whatever the number."""
    today = today or clock.today()
    window = get_settings().expiring_within_days if expiring_within_days is None else expiring_within_days
    owner = aliased(Person)
    query = (select(Contract, owner.name, owner.job_title).outerjoin(owner, Contract.owner_id == owner.id)
             .order_by(Contract.reference))
    ext_query = select(ContractExtension).order_by(ContractExtension.start_date)
    if contract_id is not None:
        query = query.where(Contract.id == contract_id)
        ext_query = ext_query.where(ContractExtension.contract_id == contract_id)
    by_contract: dict[int, list[ContractExtension]] = {}
    for ext in session.scalars(ext_query):
        by_contract.setdefault(ext.contract_id, []).append(ext)
    decisions = _decision_labels(session)
    out = []
    for contract, name, title in session.execute(query):
        label = name or ""
        if name and title and name != title:
            label = f"{name} ({title})"
        out.append(_summarise(contract, label, by_contract.get(contract.id, []), today, window, decisions))
    return out


def contract_summary(session: Session, contract_id: int, today: date | None = None,
                     expiring_within_days: int | None = None) -> ContractSummary:
    """One contract's computed dates and status (current end, notice deadline, extensions used)."""
    found = summaries(session, today, expiring_within_days, contract_id)
    if not found:
        raise NotFound("This contract no longer exists; someone may have deleted it.")
    return found[0]


def contracts_frame(session: Session, today: date | None = None,
                    expiring_within_days: int | None = None) -> pd.DataFrame:
    """The register as the page shows it: one row per contract, computed dates and status."""
    rows = []
    for s in summaries(session, today, expiring_within_days):
        c = s.contract
        rows.append([c.id, c.version, c.reference, c.title, c.provider_name, c.is_vcse, c.department or "", s.owner,
                     c.start_date, c.original_end_date, s.current_end, s.extensions_used, s.extensions_left,
                     s.last_possible_end, c.notice_period_months, s.notice_deadline, s.days_to_notice_deadline,
                     None if c.annual_value is None else float(c.annual_value),
                     None if c.total_value_to_date is None else float(c.total_value_to_date),
                     c.values_illustrative, s.status.label])
    return pd.DataFrame(rows, columns=REGISTER_COLUMNS)


def register_csv(session: Session) -> bytes:
    """The contract register as CSV bytes, for download."""
    frame = contracts_frame(session)
    return exports.to_csv_bytes(frame.drop(columns=["id", "version"]))


def extensions_frame(summary: ContractSummary) -> pd.DataFrame:
    """The extension history of one contract, each with the decision that authorised it."""
    rows = [{"No.": i, "Start": e["start"], "End": e["end"],
             "Months": round((e["end"] - e["start"]).days / 30.44),
             "Value (£)": None if e["value"] is None else float(e["value"]),
             "Authorised by": e["decision"] or "(no decision recorded)", "Note": e["note"],
             "decision_id": e["decision_id"], "id": e["id"]}
            for i, e in enumerate(summary.extensions, start=1)]
    return pd.DataFrame(rows, columns=["No.", "Start", "End", "Months", "Value (£)", "Authorised by", "Note",
                                       "decision_id", "id"])


def timeline_frame(summary: ContractSummary) -> pd.DataFrame:
    """Bars for the timeline chart: the original term, each extension, the options not yet used."""
    c = summary.contract
    rows = [{"Period": "Original term", "Start": c.start_date, "End": c.original_end_date, "Kind": "Original term"}]
    for i, e in enumerate(summary.extensions, start=1):
        rows.append({"Period": f"Extension {i}", "Start": e["start"], "End": e["end"], "Kind": "Extension used"})
    if summary.last_possible_end > summary.current_end:
        rows.append({"Period": "Extension options not used", "Start": summary.current_end + timedelta(days=1),
                     "End": summary.last_possible_end, "Kind": "Extension options left"})
    return pd.DataFrame(rows, columns=["Period", "Start", "End", "Kind"])


def _next_return(kpi: ContractKpi, recorded: set[date], until: date) -> date | None:
    """The end of the earliest period up to `until` with no value recorded."""
    for end in kpi_period_ends(kpi.first_period_end, kpi.frequency_months, until):
        if end not in recorded:
            return end
    return None


def kpi_returns_due(session: Session, today: date | None = None, contract_id: int | None = None
                    ) -> list[dict[str, Any]]:
    """For each KPI of a live contract, the next return due (overdue ones included), in two queries."""
    today = today or clock.today()
    live = {s.contract.id: s for s in summaries(session, today, 0, contract_id)
            if s.status is not ContractStatus.ENDED}
    if not live:
        return []
    kpis = list(session.scalars(select(ContractKpi).where(ContractKpi.contract_id.in_(live))))
    recorded: dict[int, set[date]] = {}
    for kpi_id, recorded_end in session.execute(select(ContractKpiValue.kpi_id, ContractKpiValue.period_end)
                                                .where(ContractKpiValue.kpi_id.in_([k.id for k in kpis]))):
        recorded.setdefault(kpi_id, set()).add(recorded_end)
    out = []
    for kpi in kpis:
        summary = live[kpi.contract_id]
        period_end = _next_return(kpi, recorded.get(kpi.id, set()), summary.current_end)
        if period_end is None:
            continue
        out.append({"kpi_id": kpi.id, "kpi": kpi.name, "contract_id": kpi.contract_id,
                    "contract": f"{summary.contract.reference} {summary.contract.title}", "period_end": period_end,
                    "due": period_end + timedelta(days=kpi.return_due_days)})
    return out


KPI_COLUMNS = ["KPI", "Unit", "Target", "Better when", "Every (months)", "Latest period", "Latest value",
               "Latest rating", "Next return due", "id", "version", "higher_is_better"]


def kpis_frame(session: Session, contract_id: int, today: date | None = None) -> pd.DataFrame:
    """The contract's KPIs, each with its latest value and next return due (plus id, version, higher_is_better)."""
    today = today or clock.today()
    kpis = list(session.scalars(select(ContractKpi).where(ContractKpi.contract_id == contract_id)
                                .order_by(ContractKpi.id)))
    latest: dict[int, ContractKpiValue] = {}
    for row in session.scalars(select(ContractKpiValue).join(ContractKpi)
                               .where(ContractKpi.contract_id == contract_id)
                               .order_by(ContractKpiValue.period_end)):
        latest[row.kpi_id] = row
    due = {d["kpi_id"]: d["due"] for d in kpi_returns_due(session, today, contract_id)}
    rows = []
    for k in kpis:
        last = latest.get(k.id)
        rows.append([k.name, k.unit or "", None if k.target is None else float(k.target),
                     "Higher" if k.higher_is_better else "Lower", k.frequency_months,
                     last.period_end if last else None, float(last.value) if last else None,
                     RATING_LABELS.get(last.rating, last.rating) if last else "", due.get(k.id), k.id, k.version,
                     k.higher_is_better])
    return pd.DataFrame(rows, columns=KPI_COLUMNS)


def kpi_values_frame(session: Session, contract_id: int) -> pd.DataFrame:
    """Every value reported for the contract's KPIs, newest period first."""
    query = (select(ContractKpiValue, ContractKpi.name, ContractKpi.unit, ContractKpi.target)
             .join(ContractKpi, ContractKpiValue.kpi_id == ContractKpi.id)
             .where(ContractKpi.contract_id == contract_id)
             .order_by(ContractKpiValue.period_end.desc(), ContractKpi.name))
    rows = [[name, row.period_end, float(row.value), unit or "", None if target is None else float(target),
             RATING_LABELS.get(row.rating, row.rating), row.note or "", row.id, row.version, row.kpi_id]
            for row, name, unit, target in session.execute(query)]
    return pd.DataFrame(rows, columns=["KPI", "Period end", "Value", "Unit", "Target", "Rating", "Note", "id",
                                       "version", "kpi_id"])


def status_counts(session: Session, today: date | None = None) -> dict[str, int]:
    """How many contracts are in each status today (every status listed, zero included)."""
    counts = {label: 0 for label in STATUS_LABELS.values()}
    for s in summaries(session, today):
        counts[s.status.label] += 1
    return counts


def contract_options(session: Session) -> dict[int, str]:
    """id -> "reference title" for pick lists."""
    return {i: f"{ref} {title}" for i, ref, title in session.execute(
        select(Contract.id, Contract.reference, Contract.title).order_by(Contract.reference))}


