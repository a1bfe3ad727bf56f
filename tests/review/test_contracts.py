"""Contract register: date rules, status boundaries, extensions, KPIs, validation, permissions, audit,
stale versions, what needs attention and the .ics export."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from review.contracts import register as contracts
from review.contracts.register import ContractStatus, Rating
from review.decisions import log as decisions
from review.models import AuditEvent
from review.models.contracts import Contract, ContractExtension, ContractKpiValue
from review.platform.errors import EditConflict, NotFound, PermissionDenied, ValidationFailed
from review.reports import attention, calendar_export

TODAY = date(2019, 11, 15)  # REVIEW_TODAY in tests


def make_contract(session, actor, **overrides):
    values = {"reference": "KH-1", "title": "KIDS hubs service", "provider_name": "KIDS", "is_vcse": True,
              "start_date": date(2016, 10, 1), "original_end_date": date(2019, 9, 30), "extension_options": 2,
              "extension_period_months": 12, "notice_period_months": 3, "annual_value": 185000}
    values.update(overrides)
    contract = contracts.create_contract(session, actor, **values)
    session.commit()
    return contract


def make_decision(session, actor, **overrides):
    values = {"reference": "OKD-1", "title": "To extend the KIDS hubs contract"}
    values.update(overrides)
    decision = decisions.create_decision(session, actor, **values)
    session.commit()
    return decision


def audit_rows(session, entity="contract", action=None):
    query = select(AuditEvent).where(AuditEvent.entity == entity)
    if action:
        query = query.where(AuditEvent.action == action)
    return session.scalars(query.order_by(AuditEvent.id)).all()


# ---------------------------------------------------------------- date rules

@pytest.mark.parametrize(("end", "months", "expected"), [
    (date(2019, 9, 30), 12, date(2020, 9, 30)),
    (date(2019, 3, 31), 6, date(2019, 9, 30)),
    (date(2019, 11, 30), 3, date(2020, 2, 29)),   # leap year February
    (date(2018, 11, 30), 3, date(2019, 2, 28)),
    (date(2020, 1, 31), 1, date(2020, 2, 29)),
    (date(2019, 1, 15), 1, date(2019, 2, 15)),
    (date(2019, 12, 31), 24, date(2021, 12, 31)),
    (date(2019, 9, 30), 0, date(2019, 9, 30)),
])
def test_a_period_after_an_end_date_runs_from_the_next_day(end, months, expected):
    assert contracts.months_after_end(end, months) == expected


@pytest.mark.parametrize(("end", "notice", "deadline"), [
    (date(2020, 9, 30), 3, date(2020, 6, 30)),
    (date(2020, 3, 31), 3, date(2019, 12, 31)),
    (date(2020, 2, 29), 3, date(2019, 11, 30)),
    (date(2020, 5, 15), 3, date(2020, 2, 15)),
    (date(2020, 3, 31), 6, date(2019, 9, 30)),
    (date(2020, 3, 31), 0, date(2020, 3, 31)),
])
def test_notice_deadline_leaves_the_full_notice_period(end, notice, deadline):
    assert contracts.notice_deadline(end, notice) == deadline
    # Notice given on the deadline runs exactly `notice` months to the end date.
    assert contracts.months_after_end(deadline, notice) == end


def test_last_possible_end_uses_every_option():
    assert contracts.last_possible_end(date(2019, 9, 30), 2, 12) == date(2021, 9, 30)
    assert contracts.last_possible_end(date(2019, 9, 30), 3, 6) == date(2021, 3, 31)
    assert contracts.last_possible_end(date(2019, 9, 30), 0, 12) == date(2019, 9, 30)


START, END, WINDOW = date(2018, 4, 1), date(2020, 3, 31), 180


@pytest.mark.parametrize(("today", "used", "notice", "expected"), [
    (START - timedelta(days=1), 0, None, ContractStatus.NOT_STARTED),
    (START, 0, None, ContractStatus.ACTIVE),
    (START, 1, None, ContractStatus.EXTENDED),
    (END - timedelta(days=WINDOW + 1), 0, None, ContractStatus.ACTIVE),
    (END - timedelta(days=WINDOW + 1), 1, None, ContractStatus.EXTENDED),
    (END - timedelta(days=WINDOW), 0, None, ContractStatus.EXPIRING),
    (END - timedelta(days=WINDOW), 1, None, ContractStatus.EXPIRING),
    (END, 0, None, ContractStatus.EXPIRING),
    (END + timedelta(days=1), 0, None, ContractStatus.ENDED),
    (END + timedelta(days=1), 0, date(2019, 12, 1), ContractStatus.ENDED),
    (date(2019, 5, 31), 0, date(2019, 6, 1), ContractStatus.ACTIVE),   # the day before notice is given
    (date(2019, 6, 1), 0, date(2019, 6, 1), ContractStatus.IN_NOTICE),  # the day notice is given
    (END, 0, date(2019, 12, 1), ContractStatus.IN_NOTICE),
])
def test_status_on_each_side_of_every_boundary(today, used, notice, expected):
    assert contracts.contract_status(today, START, END, used, notice, WINDOW) is expected


@pytest.mark.parametrize(("value", "target", "higher", "rating"), [
    (450, 450, True, Rating.GREEN), (405, 450, True, Rating.AMBER), (404.99, 450, True, Rating.RED),
    (10, 10, False, Rating.GREEN), (11, 10, False, Rating.AMBER), (11.01, 10, False, Rating.RED),
    (5, None, True, Rating.NOT_RATED),
])
def test_kpi_rating_against_target(value, target, higher, rating):
    assert contracts.kpi_rating(value, target, higher) is rating


# ---------------------------------------------------------------- contracts: writes, validation, audit

def test_create_computes_dates_and_status_and_audits(session, editor, org):
    contract = make_contract(session, editor, owner_id=org.person_id)
    s = contracts.contract_summary(session, contract.id, today=TODAY, expiring_within_days=180)
    assert (s.current_end, s.extensions_used, s.extensions_left) == (date(2019, 9, 30), 0, 2)
    assert s.status is ContractStatus.ENDED  # original term over, no extension recorded
    assert s.last_possible_end == date(2021, 9, 30)
    [event] = audit_rows(session, action="create")
    assert event.username == "test-editor" and event.record_version == 1
    assert event.changes["original_end_date"] == {"before": None, "after": "2019-09-30"}
    assert event.changes["annual_value"]["after"] == 185000.0


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"original_end_date": date(2016, 9, 1)}, "original_end_date", "before the start date"),
    ({"reference": " "}, "reference", "Enter the contract reference"),
    ({"title": ""}, "title", "Enter the contract title"),
    ({"provider_name": ""}, "provider_name", "provider"),
    ({"annual_value": -1}, "annual_value", "cannot be negative"),
    ({"total_value_to_date": "-5"}, "total_value_to_date", "cannot be negative"),
    ({"annual_value": "lots"}, "annual_value", "not an amount"),
    ({"extension_options": -1}, "extension_options", "cannot be negative"),
    ({"extension_options": 1.5}, "extension_options", "whole number"),
    ({"extension_period_months": 0}, "extension_period_months", "length of each extension period"),
    ({"notice_period_months": 2}, "notice_period_months", "Best Value"),
    ({"notice_period_months": -3}, "notice_period_months", "cannot be negative"),
    ({"award_date": date(2016, 10, 2)}, "award_date", "after the start date"),
    ({"notice_given_on": date(2016, 1, 1)}, "notice_given_on", "before the contract starts"),
    ({"notice_given_on": date(2019, 10, 1)}, "notice_given_on", "after the current end date"),
    ({"start_date": "01/10/2016"}, "start_date", "not a date"),
    ({"owner_id": 99999}, "owner_id", "people list"),
])
def test_each_validation_error_is_reported_against_its_field_and_changes_nothing(session, editor, org, changes,
                                                                                   field, words):
    contract = make_contract(session, editor)
    with pytest.raises(ValidationFailed) as info:
        contracts.update_contract(session, editor, contract.id, 1, **changes)
    assert words in info.value.errors[field]
    session.rollback()
    fresh = session.get(Contract, contract.id)
    assert fresh.version == 1 and fresh.annual_value == 185000
    assert len(audit_rows(session, action="update")) == 0


def test_short_notice_is_allowed_for_a_provider_that_is_not_a_vcs_organisation(session, editor):
    contract = make_contract(session, editor, is_vcse=False, notice_period_months=1)
    assert contract.notice_period_months == 1


def test_duplicate_reference_and_unknown_fields_are_refused(session, editor):
    make_contract(session, editor)
    with pytest.raises(ValidationFailed) as info:
        make_contract(session, editor, title="Another")
    assert "already used" in info.value.errors["reference"]
    with pytest.raises(ValidationFailed) as info:
        contracts.create_contract(session, editor, reference="X", version=3)
    assert "version" in info.value.errors


def test_update_bumps_version_and_records_before_and_after(session, editor):
    contract = make_contract(session, editor)
    contracts.update_contract(session, editor, contract.id, 1, notice_given_on=date(2019, 6, 1), annual_value="190,000")
    session.commit()
    assert contract.version == 2
    [event] = audit_rows(session, action="update")
    assert event.changes == {"notice_given_on": {"before": None, "after": "2019-06-01"},
                             "annual_value": {"before": 185000.0, "after": 190000.0}}
    assert event.record_version == 2
    # Saving the same values again changes nothing and records nothing.
    contracts.update_contract(session, editor, contract.id, 2, annual_value=190000)
    assert contract.version == 2 and len(audit_rows(session, action="update")) == 1


def test_stale_version_is_refused_with_the_other_change(session, editor, admin):
    contract = make_contract(session, editor)
    contracts.update_contract(session, admin, contract.id, 1, title="KIDS hubs (renamed)")
    session.commit()
    with pytest.raises(EditConflict) as info:
        contracts.update_contract(session, editor, contract.id, 1, annual_value=1)
    assert [(c.who, c.field, c.after) for c in info.value.their_changes] == [
        ("test-admin", "title", "KIDS hubs (renamed)")]
    session.rollback()
    assert session.get(Contract, contract.id).annual_value == 185000


def test_viewer_and_commissioner_cannot_write_and_nothing_changes(session, editor, viewer, commissioner):
    contract = make_contract(session, editor)
    decision = make_decision(session, editor)
    kpi = contracts.create_kpi(session, editor, contract.id, name="Families", first_period_end=date(2019, 6, 30))
    session.commit()
    for actor in (viewer, commissioner):
        with pytest.raises(PermissionDenied, match="cannot change the contract register"):
            contracts.create_contract(session, actor, reference="X", title="X", provider_name="X",
                                      start_date=date(2019, 1, 1), original_end_date=date(2020, 1, 1))
        with pytest.raises(PermissionDenied):
            contracts.update_contract(session, actor, contract.id, 1, title="Changed")
        with pytest.raises(PermissionDenied):
            contracts.delete_contract(session, actor, contract.id, 1)
        with pytest.raises(PermissionDenied):
            contracts.add_extension(session, actor, contract.id, 1, decision_id=decision.id)
        with pytest.raises(PermissionDenied):
            contracts.create_kpi(session, actor, contract.id, name="K", first_period_end=date(2019, 6, 30))
        with pytest.raises(PermissionDenied):
            contracts.record_kpi_value(session, actor, kpi.id, period_end=date(2019, 6, 30), value=1)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Contract)) == 1
    assert session.scalar(select(func.count()).select_from(ContractExtension)) == 0
    assert {e.username for e in session.scalars(select(AuditEvent))} == {"test-editor"}


def test_delete_contract_keeps_an_audit_copy(session, editor):
    contract = make_contract(session, editor)
    contracts.delete_contract(session, editor, contract.id, 1)
    session.commit()
    assert session.get(Contract, contract.id) is None
    [event] = audit_rows(session, action="delete")
    assert event.changes["reference"] == {"before": "KH-1", "after": None}
    with pytest.raises(NotFound):
        contracts.delete_contract(session, editor, contract.id, 1)


# ---------------------------------------------------------------- extensions

def test_extension_defaults_to_one_full_period_and_is_linked_to_its_decision(session, editor):
    contract = make_contract(session, editor)
    decision = make_decision(session, editor)
    ext = contracts.add_extension(session, editor, contract.id, 1, decision_id=decision.id, value="185000")
    session.commit()
    assert (ext.start_date, ext.end_date, ext.decision_id) == (date(2019, 10, 1), date(2020, 9, 30), decision.id)
    assert contract.version == 2  # the contract moved on: a stale form is refused
    s = contracts.contract_summary(session, contract.id, today=TODAY, expiring_within_days=180)
    assert (s.current_end, s.extensions_used, s.extensions_left) == (date(2020, 9, 30), 1, 1)
    assert s.notice_deadline == date(2020, 6, 30) and s.status is ContractStatus.EXTENDED
    assert s.next_extension_end == date(2021, 9, 30)
    assert "OKD-1" in s.extensions[0]["decision"]
    [event] = audit_rows(session, action="extend")
    assert event.changes["current_end_date"] == {"before": "2019-09-30", "after": "2020-09-30"}
    assert event.changes["extensions_used"] == {"before": 0, "after": 1}
    assert "decision OKD-1" in event.changes["extension"]["after"] and event.record_version == 2
    frame = contracts.extensions_frame(s)
    assert list(frame["Months"]) == [12] and frame.loc[0, "Authorised by"].startswith("OKD-1")


def test_more_extensions_than_the_options_allow_are_refused(session, editor):
    contract = make_contract(session, editor, extension_options=1)
    decision = make_decision(session, editor)
    contracts.add_extension(session, editor, contract.id, 1, decision_id=decision.id)
    session.commit()
    with pytest.raises(ValidationFailed) as info:
        contracts.add_extension(session, editor, contract.id, 2, decision_id=decision.id)
    assert "All 1 extension option(s) have been used" in info.value.errors["extension"]
    with pytest.raises(ValidationFailed) as info:
        contracts.update_contract(session, editor, contract.id, 2, extension_options=0)
    assert "already been used" in info.value.errors["extension_options"]


@pytest.mark.parametrize(("kwargs", "field", "words"), [
    ({"start_date": date(2019, 10, 2)}, "start_date", "starts the day after the current end date"),
    ({"end_date": date(2019, 9, 1)}, "end_date", "before the start date"),
    ({"end_date": date(2021, 10, 1)}, "end_date", "after the last possible end date"),
    ({"end_date": date(2020, 10, 31)}, "end_date", "at the latest"),
    ({"value": -10}, "value", "cannot be negative"),
    ({"decision_id": None}, "decision_id", "Choose the decision"),
    ({"decision_id": 99999}, "decision_id", "not in the decision log"),
    ({"end_date": "next year"}, "end_date", "not a date"),
])
def test_extension_validation(session, editor, kwargs, field, words):
    contract = make_contract(session, editor)
    decision = make_decision(session, editor)
    args = {"decision_id": decision.id, **kwargs}
    with pytest.raises(ValidationFailed) as info:
        contracts.add_extension(session, editor, contract.id, 1, **args)
    assert words in info.value.errors[field]
    session.rollback()
    assert session.scalar(select(func.count()).select_from(ContractExtension)) == 0


def test_a_shorter_extension_is_allowed_and_a_stale_form_is_refused(session, editor, admin):
    contract = make_contract(session, editor)
    decision = make_decision(session, editor)
    contracts.add_extension(session, admin, contract.id, 1, decision_id=decision.id, end_date=date(2020, 3, 31))
    session.commit()
    with pytest.raises(EditConflict):
        contracts.add_extension(session, editor, contract.id, 1, decision_id=decision.id)
    s = contracts.contract_summary(session, contract.id, today=TODAY)
    assert s.current_end == date(2020, 3, 31) and s.notice_deadline == date(2019, 12, 31)
    assert s.status is ContractStatus.EXPIRING  # 137 days left, within the default 180


def test_only_the_latest_extension_can_be_removed(session, editor):
    contract = make_contract(session, editor)
    decision = make_decision(session, editor)
    first = contracts.add_extension(session, editor, contract.id, 1, decision_id=decision.id)
    second = contracts.add_extension(session, editor, contract.id, 2, decision_id=decision.id)
    session.commit()
    with pytest.raises(ValidationFailed, match="Only the latest"):
        contracts.delete_extension(session, editor, contract.id, 3, first.id)
    contracts.delete_extension(session, editor, contract.id, 3, second.id)
    session.commit()
    s = contracts.contract_summary(session, contract.id, today=TODAY)
    assert (s.extensions_used, s.current_end) == (1, date(2020, 9, 30))
    [event] = audit_rows(session, action="remove_extension")
    assert event.changes["current_end_date"] == {"before": "2021-09-30", "after": "2020-09-30"}


def test_original_end_cannot_move_past_the_first_extension(session, editor):
    contract = make_contract(session, editor)
    decision = make_decision(session, editor)
    contracts.add_extension(session, editor, contract.id, 1, decision_id=decision.id)
    with pytest.raises(ValidationFailed) as info:
        contracts.update_contract(session, editor, contract.id, 2, original_end_date=date(2019, 12, 31))
    assert "first extension starts" in info.value.errors["original_end_date"]


# ---------------------------------------------------------------- KPIs

def test_kpi_values_are_rated_and_the_next_return_is_due_after_the_first_missing_period(session, editor):
    contract = make_contract(session, editor, original_end_date=date(2020, 9, 30))
    kpi = contracts.create_kpi(session, editor, contract.id, name="Families supported", unit="families", target=450,
                               frequency_months=3, first_period_end=date(2019, 3, 31), return_due_days=30)
    for period, value in ((date(2019, 3, 31), 468), (date(2019, 6, 30), 410)):
        contracts.record_kpi_value(session, editor, kpi.id, period_end=period, value=value)
    red = contracts.record_kpi_value(session, editor, kpi.id, period_end=date(2019, 9, 30), value=300,
                                     rating="amber", note="Holiday quarter")
    session.commit()
    values = contracts.kpi_values_frame(session, contract.id)
    assert list(values["Rating"]) == ["Amber", "Amber", "Green"]  # newest first; given rating kept
    frame = contracts.kpis_frame(session, contract.id, today=TODAY)
    assert frame.loc[0, "Latest value"] == 300 and frame.loc[0, "Next return due"] == date(2020, 1, 30)
    [due] = contracts.kpi_returns_due(session, TODAY)
    assert (due["period_end"], due["due"]) == (date(2019, 12, 31), date(2020, 1, 30))
    contracts.update_kpi_value(session, editor, red.id, 1, rating="")  # blank rating: rated against target
    assert red.rating == "red" and red.version == 2
    with pytest.raises(EditConflict):
        contracts.update_kpi_value(session, editor, red.id, 1, value=301)


@pytest.mark.parametrize(("kwargs", "field", "words"), [
    ({"period_end": date(2019, 5, 31)}, "period_end", "not the end of a reporting period"),
    ({"period_end": date(2019, 3, 31)}, "period_end", "already recorded"),
    ({"value": -1}, "value", "cannot be negative"),
    ({"value": None}, "value", "Enter the value"),
    ({"rating": "purple"}, "rating", "Rating must be one of"),
])
def test_kpi_value_validation(session, editor, kwargs, field, words):
    contract = make_contract(session, editor)
    kpi = contracts.create_kpi(session, editor, contract.id, name="Families", target=450,
                               first_period_end=date(2019, 3, 31))
    contracts.record_kpi_value(session, editor, kpi.id, period_end=date(2019, 3, 31), value=400)
    session.commit()
    args = {"period_end": date(2019, 6, 30), "value": 5, **kwargs}
    with pytest.raises(ValidationFailed) as info:
        contracts.record_kpi_value(session, editor, kpi.id, **args)
    assert words in info.value.errors[field]
    session.rollback()
    assert session.scalar(select(func.count()).select_from(ContractKpiValue)) == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"name": ""}, "name"), ({"target": -5}, "target"), ({"frequency_months": 0}, "frequency_months"),
    ({"frequency_months": 13}, "frequency_months"), ({"return_due_days": -1}, "return_due_days"),
    ({"first_period_end": None}, "first_period_end"),
])
def test_kpi_validation_and_stale_version(session, editor, admin, changes, field):
    contract = make_contract(session, editor)
    kpi = contracts.create_kpi(session, editor, contract.id, name="Families", first_period_end=date(2019, 3, 31))
    session.commit()
    with pytest.raises(ValidationFailed) as info:
        contracts.update_kpi(session, editor, kpi.id, 1, **changes)
    assert field in info.value.errors
    session.rollback()
    contracts.update_kpi(session, admin, kpi.id, 1, target=500)
    session.commit()
    with pytest.raises(EditConflict):
        contracts.update_kpi(session, editor, kpi.id, 1, name="Other")
    contracts.delete_kpi(session, editor, kpi.id, 2)
    assert [e.action for e in audit_rows(session, "contract_kpi")] == ["create", "update", "delete"]


def make_kpi_with_values(session, editor):
    """A quarterly KPI (target 450, first period to 31 Mar 2019) with values for March (468) and June (410)."""
    contract = make_contract(session, editor)
    kpi = contracts.create_kpi(session, editor, contract.id, name="Families supported", unit="families",
                               target=450, first_period_end=date(2019, 3, 31))
    rows = [contracts.record_kpi_value(session, editor, kpi.id, period_end=p, value=v)
            for p, v in ((date(2019, 3, 31), 468), (date(2019, 6, 30), 410))]
    session.commit()
    return contract, kpi, rows


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"frequency_months": 2}, "frequency_months", "1 recorded value(s) would no longer fall at the end of a "
                                                  "reporting period (e.g. 30 Jun 2019)"),
    ({"frequency_months": 6}, "frequency_months", "(e.g. 30 Jun 2019)"),
    ({"first_period_end": date(2019, 6, 30)}, "first_period_end", "(e.g. 31 Mar 2019)"),
    ({"first_period_end": date(2019, 4, 30)}, "first_period_end", "2 recorded value(s)"),
    ({"unit": "x" * 41}, "unit", "Keep the unit to 40 characters"),
])
def test_correcting_a_kpi_keeps_its_recorded_values_on_its_reporting_periods(session, editor, changes, field,
                                                                              words):
    _, kpi, _ = make_kpi_with_values(session, editor)
    with pytest.raises(ValidationFailed) as info:
        contracts.update_kpi(session, editor, kpi.id, 1, **changes)
    assert words in info.value.errors[field]
    session.rollback()
    assert session.get(type(kpi), kpi.id).version == 1


@pytest.mark.parametrize("changes", [
    {"frequency_months": 1}, {"first_period_end": date(2018, 12, 31)}, {"name": "Families helped", "target": 400},
])
def test_a_kpi_schedule_that_keeps_every_recorded_period_is_accepted(session, editor, changes):
    _, kpi, _ = make_kpi_with_values(session, editor)
    contracts.update_kpi(session, editor, kpi.id, 1, **changes)
    session.commit()
    assert kpi.version == 2
    assert {k: getattr(kpi, k) for k in changes} == changes


def test_editable_values_start_the_correction_forms(session, editor):
    contract, kpi, (march, june) = make_kpi_with_values(session, editor)
    contracts.update_kpi_value(session, editor, june.id, 1, rating="red")  # the rule gives amber: set by hand
    session.commit()
    shown = contracts.kpi_editable_values(session, kpi.id)
    assert shown == {"name": "Families supported", "unit": "families", "target": 450, "higher_is_better": True,
                     "frequency_months": 3, "first_period_end": date(2019, 3, 31), "return_due_days": 30,
                     "version": 1, "values": 2}
    first = contracts.kpi_value_editable_values(session, march.id)
    assert first == {"period_end": date(2019, 3, 31), "value": 468, "rating": "green", "note": None, "version": 1,
                     "kpi_id": kpi.id, "rating_follows_target": True}
    second = contracts.kpi_value_editable_values(session, june.id)
    assert (second["rating"], second["version"], second["rating_follows_target"]) == ("red", 2, False)
    with pytest.raises(NotFound):
        contracts.kpi_editable_values(session, kpi.id + 100)
    with pytest.raises(NotFound):
        contracts.kpi_value_editable_values(session, june.id + 100)


def test_deleting_a_kpi_removes_its_values_and_the_audit_keeps_them(session, editor, viewer):
    _, kpi, (march, june) = make_kpi_with_values(session, editor)
    with pytest.raises(PermissionDenied):
        contracts.delete_kpi(session, viewer, kpi.id, 1)
    with pytest.raises(PermissionDenied):
        contracts.update_kpi_value(session, viewer, june.id, 1, value=460)
    with pytest.raises(PermissionDenied):
        contracts.delete_kpi_value(session, viewer, june.id, 1)
    session.rollback()
    contracts.delete_kpi_value(session, editor, june.id, 1)
    contracts.delete_kpi(session, editor, kpi.id, 1)
    session.commit()
    assert session.scalar(select(func.count()).select_from(ContractKpiValue)) == 0
    [value_event] = audit_rows(session, "contract_kpi_value", "delete")
    assert value_event.summary == "Families supported"
    assert value_event.changes["value"] == {"before": 410, "after": None}
    [event] = audit_rows(session, "contract_kpi", "delete")
    assert event.changes["values"] == {"before": ["2019-03-31: 468 (Green)"], "after": None}
    assert contracts.kpis_frame(session, kpi.contract_id).empty


# ---------------------------------------------------------------- register, attention and calendar

def build_register(session, editor):
    """Two contracts, one extended (authorised by a published decision), one expiring; KPIs; a decision in call-in."""
    hubs = make_contract(session, editor)
    outreach = make_contract(session, editor, reference="KH-2", title="Outreach sessions",
                             start_date=date(2017, 4, 1), original_end_date=date(2020, 3, 31), extension_options=1)
    old = make_decision(session, editor, reference="OKD-2019-A", call_in_status="implemented",
                        decision="Extend", decision_date=date(2019, 3, 4), reasons="Review",
                        decision_maker_post="Operations Director Specialist Services",
                        publication_date=date(2019, 3, 4))
    make_decision(session, editor, reference="OKD-2019-B", title="Extend outreach", call_in_status="published",
                  decision="Extend", decision_date=date(2019, 11, 12), reasons="Review",
                  decision_maker_post="Operations Director Specialist Services", publication_date=date(2019, 11, 12))
    contracts.add_extension(session, editor, hubs.id, 1, decision_id=old.id)
    kpi = contracts.create_kpi(session, editor, outreach.id, name="Sessions", target=24,
                               first_period_end=date(2019, 6, 30))
    contracts.record_kpi_value(session, editor, kpi.id, period_end=date(2019, 6, 30), value=22)
    session.commit()
    return hubs, outreach


def test_register_frame_shows_computed_columns(session, editor):
    build_register(session, editor)
    frame = contracts.contracts_frame(session, today=TODAY, expiring_within_days=180).set_index("Ref")
    assert frame.loc["KH-1", "Status"] == "Extended" and frame.loc["KH-2", "Status"] == "Expiring"
    assert frame.loc["KH-1", "Current end"] == date(2020, 9, 30)
    assert frame.loc["KH-2", "Notice deadline"] == date(2019, 12, 31)
    assert frame.loc["KH-2", "Days to notice deadline"] == 46
    assert contracts.status_counts(session, TODAY)["Expiring"] == 1
    assert b"Ref,Contract,Provider" in contracts.register_csv(session)


def test_expiring_window_is_a_setting(session, editor, monkeypatch):
    build_register(session, editor)
    monkeypatch.setenv("REVIEW_EXPIRING_DAYS", "90")
    frame = contracts.contracts_frame(session, today=TODAY).set_index("Ref")
    assert frame.loc["KH-2", "Status"] == "Active"  # 137 days left, outside a 90-day window


def test_upcoming_dates_lists_every_kind_with_days_remaining(session, editor):
    build_register(session, editor)
    frame = attention.upcoming_dates(session, today=TODAY, horizon_days=365)
    got = [(row["Date"], row["Days remaining"], row["kind"]) for _, row in frame.iterrows()]
    assert got == [
        (date(2019, 10, 30), -16, "kpi_return"),        # overdue return for the quarter to 30 Sep
        (date(2019, 11, 19), 4, "call_in_deadline"),    # published Tue 12 Nov + 5 working days
        (date(2019, 12, 31), 46, "notice_deadline"),
        (date(2020, 3, 31), 137, "contract_end"),
        (date(2020, 6, 30), 228, "notice_deadline"),
        (date(2020, 9, 30), 320, "contract_end"),
    ]
    assert "Best Value" in frame.loc[2, "Detail"]
    short = attention.upcoming_dates(session, today=TODAY, horizon_days=60)
    assert list(short["kind"]) == ["kpi_return", "call_in_deadline", "notice_deadline"]


def test_notice_given_and_ended_contracts_drop_out_of_attention(session, editor):
    hubs, outreach = build_register(session, editor)
    contracts.update_contract(session, editor, outreach.id, 1, notice_given_on=date(2019, 11, 1))
    session.commit()
    frame = attention.upcoming_dates(session, today=TODAY)
    assert not ((frame["kind"] == "notice_deadline") & (frame["record_id"] == outreach.id)).any()
    later = attention.upcoming_dates(session, today=date(2020, 4, 1))
    assert set(later["record_id"][later["record_type"] == "contract"]) == {hubs.id}


def test_calendar_export_parses_as_icalendar_with_one_all_day_event_per_date(session, editor):
    build_register(session, editor)
    frame = attention.upcoming_dates(session, today=TODAY)
    cal = Calendar.from_ical(calendar_export.attention_calendar(frame))
    events = cal.walk("VEVENT")
    assert len(events) == len(frame) == 6
    starts = sorted(e.decoded("dtstart") for e in events)
    assert starts == sorted(frame["Date"])
    notice = next(e for e in events if str(e.get("summary")).startswith("Notice deadline: KH-2"))
    assert notice.decoded("dtstart") == date(2019, 12, 31) and notice.decoded("dtend") == date(2020, 1, 1)
    assert len({str(e.get("uid")) for e in events}) == 6
    assert str(cal.get("x-wr-calname")) == calendar_export.CALENDAR_NAME
