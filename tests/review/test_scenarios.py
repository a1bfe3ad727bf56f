"""Phone-line cost scenarios in the database (SQLite and PostgreSQL via the shared fixtures)."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from review.costing import ScenarioInputs, evaluate_scenario, scenarios
from review.models import AuditEvent
from review.models.costing import CostScenario
from review.platform.errors import EditConflict, NotFound, PermissionDenied, ValidationFailed


def events(session, record_id=None):
    query = select(AuditEvent).where(AuditEvent.entity == "cost_scenario").order_by(AuditEvent.id)
    if record_id is not None:
        query = query.where(AuditEvent.record_id == str(record_id))
    return list(session.scalars(query))


def test_commissioner_creates_a_scenario_with_defaults(session, commissioner):
    s = scenarios.create_scenario(session, commissioner, "  Office hours  ", {"annual_calls": 12000},
                                  description="Test", delivery_model="In house")
    session.commit()
    assert s.name == "Office hours" and s.owner_username == "test-commissioner"
    assert s.owner_name == "Test Commissioner" and s.version == 1 and not s.is_recommended
    stored = scenarios.scenario_inputs(s)
    assert stored.annual_calls == 12000 and stored == ScenarioInputs(annual_calls=12000)
    [event] = events(session, s.id)
    assert event.action == "create" and event.username == "test-commissioner"
    assert event.changes["inputs.annual_calls"] == {"before": None, "after": 12000.0}
    result = scenarios.evaluate(s)
    assert result.summary == evaluate_scenario(ScenarioInputs(annual_calls=12000)).summary


def test_admin_may_write_and_others_may_not(session, admin, editor, viewer):
    s = scenarios.create_scenario(session, admin, "Admin's")
    session.commit()
    for actor in (editor, viewer, None):
        with pytest.raises(PermissionDenied):
            scenarios.create_scenario(session, actor, "Nope")
        with pytest.raises(PermissionDenied):
            scenarios.update_scenario(session, actor, s.id, s.version, name="Nope")
        with pytest.raises(PermissionDenied):
            scenarios.duplicate_scenario(session, actor, s.id)
        with pytest.raises(PermissionDenied):
            scenarios.set_recommended(session, actor, s.id, s.version)
        with pytest.raises(PermissionDenied):
            scenarios.delete_scenario(session, actor, s.id, s.version)
    session.rollback()
    assert [x.name for x in scenarios.list_scenarios(session)] == ["Admin's"]
    assert len(events(session)) == 1
    # everyone reads
    assert list(scenarios.scenarios_frame(session)["Scenario"]) == ["Admin's"]


def test_validation_names_each_field_and_saves_nothing(session, commissioner):
    scenarios.create_scenario(session, commissioner, "Taken")
    session.commit()
    with pytest.raises(ValidationFailed) as err:
        scenarios.create_scenario(session, commissioner, "taken", {"shrinkage": 1.2, "interval_minutes": 45,
                                                                   "opening_hours": [[17, 9]] + [[0, 0]] * 6})
    assert {"name", "shrinkage", "interval_minutes", "opening_hours"} <= set(err.value.errors)
    with pytest.raises(ValidationFailed) as err:
        scenarios.create_scenario(session, commissioner, "   ")
    assert "name" in err.value.errors
    with pytest.raises(ValidationFailed):
        scenarios.create_scenario(session, commissioner, "x" * 121)
    session.rollback()
    assert len(scenarios.list_scenarios(session)) == 1


def test_update_records_each_changed_input(session, commissioner):
    s = scenarios.create_scenario(session, commissioner, "Base")
    session.commit()
    s = scenarios.update_scenario(session, commissioner, s.id, 1, inputs={"shrinkage": 0.35},
                                  description="More leave")
    session.commit()
    assert s.version == 2 and scenarios.scenario_inputs(s).shrinkage == 0.35
    assert scenarios.scenario_inputs(s).annual_calls == ScenarioInputs().annual_calls  # untouched
    update = events(session, s.id)[-1]
    assert update.action == "update" and update.record_version == 2
    assert update.changes == {"description": {"before": None, "after": "More leave"},
                              "inputs.shrinkage": {"before": 0.3, "after": 0.35}}
    # no change, no new version
    same = scenarios.update_scenario(session, commissioner, s.id, 2, inputs={"shrinkage": 0.35})
    assert same.version == 2
    with pytest.raises(ValidationFailed) as err:
        scenarios.update_scenario(session, commissioner, s.id, 2, owner_username="someone")
    assert "owner_username" in err.value.errors
    with pytest.raises(ValidationFailed) as err:
        scenarios.update_scenario(session, commissioner, s.id, 2, inputs={"target_service_level": 1.5})
    assert "target_service_level" in err.value.errors


def test_stale_version_is_refused_with_the_other_change(session, commissioner, admin):
    s = scenarios.create_scenario(session, commissioner, "Shared")
    session.commit()
    scenarios.update_scenario(session, admin, s.id, 1, inputs={"annual_calls": 20000})
    session.commit()
    with pytest.raises(EditConflict) as err:
        scenarios.update_scenario(session, commissioner, s.id, 1, inputs={"annual_calls": 9000})
    assert err.value.current_version == 2
    assert any(c.field == "inputs.annual_calls" and c.who == "test-admin" for c in err.value.their_changes)
    session.rollback()
    assert scenarios.scenario_inputs(scenarios.get_scenario(session, s.id)).annual_calls == 20000
    with pytest.raises(EditConflict):
        scenarios.delete_scenario(session, commissioner, s.id, 1)
    with pytest.raises(EditConflict):
        scenarios.set_recommended(session, commissioner, s.id, 1)


def test_duplicate_copies_inputs_and_is_owned_by_the_copier(session, commissioner, admin):
    s = scenarios.create_scenario(session, admin, "Original", {"annual_calls": 5000}, delivery_model="CSC",
                                  is_illustrative=True)
    scenarios.set_recommended(session, admin, s.id, s.version)
    session.commit()
    copy = scenarios.duplicate_scenario(session, commissioner, s.id)
    second = scenarios.duplicate_scenario(session, commissioner, s.id)
    named = scenarios.duplicate_scenario(session, commissioner, s.id, "Variant B")
    session.commit()
    assert copy.name == "Copy of Original" and second.name == "Copy of Original (2)" and named.name == "Variant B"
    assert copy.inputs == s.inputs and copy.delivery_model == "CSC" and copy.is_illustrative
    assert copy.owner_username == "test-commissioner" and not copy.is_recommended
    assert [e.action for e in events(session, copy.id)] == ["create", "duplicate"]


def test_only_one_recommended(session, commissioner):
    a = scenarios.create_scenario(session, commissioner, "A")
    b = scenarios.create_scenario(session, commissioner, "B")
    session.commit()
    scenarios.set_recommended(session, commissioner, a.id, a.version)
    session.commit()
    scenarios.unlock_scenario(session, commissioner, a.id, a.version, "Option B is now preferred")
    scenarios.set_recommended(session, commissioner, b.id, b.version)
    session.commit()
    session.refresh(a)
    assert not a.is_recommended and b.is_recommended
    assert scenarios.recommended_scenario(session).id == b.id
    assert [s.name for s in scenarios.list_scenarios(session)] == ["B", "A"]
    assert events(session, a.id)[-1].action == "unrecommend"
    scenarios.unlock_scenario(session, commissioner, b.id, b.version, "Paper withdrawn")
    scenarios.set_recommended(session, commissioner, b.id, b.version, recommended=False)
    session.commit()
    assert scenarios.recommended_scenario(session) is None


def test_database_refuses_two_recommended(session, commissioner):
    a = scenarios.create_scenario(session, commissioner, "A")
    b = scenarios.create_scenario(session, commissioner, "B")
    session.commit()
    a.is_recommended = True
    b.is_recommended = True
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_compare_two_to_six(session, commissioner):
    ids = [scenarios.create_scenario(session, commissioner, f"S{k}", {"annual_calls": 5000 * (k + 1)}).id
           for k in range(7)]
    session.commit()
    table = scenarios.compare(session, ids[:3])
    assert list(table["scenario"]) == ["S0", "S1", "S2"]
    assert table["average_annual_cost"].is_monotonic_increasing
    for bad in (ids[:1], ids):
        with pytest.raises(ValidationFailed) as err:
            scenarios.compare(session, bad)
        assert "scenarios" in err.value.errors
    with pytest.raises(NotFound):
        scenarios.compare(session, [ids[0], 999_999])


def test_delete_is_audited(session, commissioner):
    s = scenarios.create_scenario(session, commissioner, "Gone soon")
    session.commit()
    scenarios.delete_scenario(session, commissioner, s.id, s.version)
    session.commit()
    assert session.get(CostScenario, s.id) is None
    last = events(session, s.id)[-1]
    assert last.action == "delete" and last.changes["name"] == {"before": "Gone soon", "after": None}
    with pytest.raises(NotFound):
        scenarios.get_scenario(session, s.id)


def test_demo_scenarios_load_through_the_services(session, admin):
    from review.costing import demo

    demo.load_demo(session, admin)
    session.commit()
    frame = scenarios.scenarios_frame(session)
    assert len(frame) == 3 and frame["Illustrative"].all()
    assert frame["Recommended"].sum() == 1
    names = " ".join(frame["Scenario"])
    assert "Office-hours" in names and "Extended-hours" in names and "Customer Service Centre" in names
    extended = frame.set_index("Scenario").filter(like="Extended", axis=0).iloc[0]
    office = frame.set_index("Scenario").filter(like="Office", axis=0).iloc[0]
    assert extended["Average annual cost (GBP)"] > office["Average annual cost (GBP)"]


def other_commissioner():
    from review.platform.roles import Actor, Role
    return Actor(9103, "other-commissioner", "Other Commissioner", Role.COMMISSIONER)


def test_only_the_owner_or_an_admin_changes_a_scenario(session, commissioner, admin):
    s = scenarios.create_scenario(session, commissioner, "Mine")
    session.commit()
    other = other_commissioner()
    for write in (lambda: scenarios.update_scenario(session, other, s.id, s.version, name="Theirs"),
                  lambda: scenarios.set_recommended(session, other, s.id, s.version),
                  lambda: scenarios.delete_scenario(session, other, s.id, s.version)):
        with pytest.raises(PermissionDenied) as err:
            write()
        assert "Only Test Commissioner, who owns 'Mine', or an administrator" in str(err.value)
    session.rollback()
    assert not scenarios.may_change(other, s) and scenarios.may_change(commissioner, s)
    assert scenarios.may_change(admin, s)
    copy = scenarios.duplicate_scenario(session, other, s.id)  # anyone may copy it and change the copy
    scenarios.update_scenario(session, other, copy.id, copy.version, name="Theirs")
    scenarios.update_scenario(session, admin, s.id, s.version, name="Renamed by admin")
    session.commit()
    assert scenarios.get_scenario(session, s.id).name == "Renamed by admin"


def test_recommended_scenario_is_locked_until_unlocked_with_a_reason(session, commissioner, admin):
    s = scenarios.create_scenario(session, commissioner, "Preferred")
    session.commit()
    scenarios.set_recommended(session, commissioner, s.id, s.version)
    session.commit()
    assert s.is_locked and s.is_recommended
    for write in (lambda: scenarios.update_scenario(session, commissioner, s.id, s.version, name="Edited"),
                  lambda: scenarios.set_recommended(session, commissioner, s.id, s.version, recommended=False),
                  lambda: scenarios.delete_scenario(session, admin, s.id, s.version)):
        with pytest.raises(PermissionDenied) as err:
            write()
        assert "is locked" in str(err.value)
    session.rollback()
    other = scenarios.create_scenario(session, commissioner, "Other")
    with pytest.raises(PermissionDenied):  # recommending another would unrecommend the locked one
        scenarios.set_recommended(session, commissioner, other.id, other.version)
    session.rollback()
    with pytest.raises(PermissionDenied):
        scenarios.unlock_scenario(session, other_commissioner(), s.id, s.version, "I want to")
    with pytest.raises(ValidationFailed) as err:
        scenarios.unlock_scenario(session, commissioner, s.id, s.version, "   ")
    assert "reason" in err.value.errors
    scenarios.unlock_scenario(session, commissioner, s.id, s.version, "Call volumes revised by finance")
    session.commit()
    assert not s.is_locked and s.is_recommended
    unlock = events(session, s.id)[-1]
    assert unlock.action == "unlock" and "Call volumes revised by finance" in unlock.summary
    scenarios.update_scenario(session, commissioner, s.id, s.version, inputs={"annual_calls": 16000})
    scenarios.lock_scenario(session, commissioner, s.id, s.version)
    session.commit()
    assert s.is_locked and events(session, s.id)[-1].action == "lock"


def test_changed_inputs_names_what_differs_from_the_saved_scenario():
    saved = ScenarioInputs()
    assert scenarios.changed_inputs(saved, ScenarioInputs()) == []
    percent = ScenarioInputs(monthly_profile=tuple(round(x * 100, 2) for x in saved.monthly_profile))
    assert scenarios.changed_inputs(saved, percent) == []  # the same shares, as the page's table gives them
    changed = ScenarioInputs(annual_calls=saved.annual_calls + 500, shrinkage=saved.shrinkage + 0.05)
    assert scenarios.changed_inputs(saved, changed) == ["Calls a year", "Shrinkage"]
