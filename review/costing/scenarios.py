"""Phone-line cost scenarios: stored, owned, compared.

Commissioners and administrators create, edit, duplicate, delete and recommend scenarios;
everyone reads them. Every write checks the role, validates (inputs through
``review.costing.ScenarioInputs``), refuses a stale version and records an audit event whose
changes name each input that moved (``inputs.shrinkage``: 0.3 -> 0.35).
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review.costing import (
    CostingInputError,
    ScenarioInputs,
    ScenarioResult,
    compare_scenarios,
    evaluate_scenario,
)
from review.models.costing import CostScenario
from review.platform import audit
from review.platform import record_helpers as records
from review.platform.errors import PermissionDenied, ValidationFailed
from review.platform.parsing import BOOL, TEXT, Fields, declare
from review.platform.roles import Actor, Permission, Role, require
from review.platform.validation import Problems, clean_text

ENTITY = "cost_scenario"
NAME_MAX = 120
DESCRIPTION_MAX = 4000
DELIVERY_MAX = 120
MIN_COMPARE, MAX_COMPARE = 2, 6
EDITABLE_FIELDS = ("name", "description", "delivery_model", "inputs", "is_illustrative")
_PLAIN_AUDITED = ("name", "description", "delivery_model", "is_illustrative", "is_recommended", "is_locked",
                  "owner_username")
REASON_MAX = 500

#: Columns of `scenarios_frame`, as the page shows them.
LIST_COLUMNS = ["Scenario", "Delivery model", "Owner", "Recommended", "Illustrative", "Adviser FTE", "Total FTE",
                "Average annual cost (GBP)", "Whole-life cost (GBP)", "Cost per call (GBP)", "Updated"]


# ---------------------------------------------------------------- helpers

def _snapshot(scenario: CostScenario) -> dict[str, Any]:
    """Plain fields plus one entry per input, so audit diffs name the input that changed."""
    snap = audit.snapshot(scenario, _PLAIN_AUDITED)
    for key, value in (scenario.inputs or {}).items():
        snap[f"inputs.{key}"] = value
    return snap


def _clean_inputs(raw: ScenarioInputs | dict[str, Any] | None) -> dict[str, Any]:
    """Validated, complete inputs as stored (raises CostingInputError naming the fields)."""
    if isinstance(raw, ScenarioInputs):
        raw.validate()
        return raw.to_dict()
    if raw is not None and not isinstance(raw, dict):
        raise ValidationFailed({"inputs": "Inputs must be a set of named values."})
    return ScenarioInputs.from_dict(raw or {}).to_dict()


def _validate_text(session: Session, v: dict[str, Any], scenario_id: int | None) -> None:
    problems = Problems()
    name = v.get("name")
    if not name:
        problems.add("name", "Give the scenario a name.")
    elif len(name) > NAME_MAX:
        problems.add("name", f"Keep the name to {NAME_MAX} characters (it has {len(name)}).")
    elif session.scalar(select(CostScenario.id).where(func.lower(CostScenario.name) == name.lower(),
                                                      CostScenario.id != (scenario_id or -1))):
        problems.add("name", f"A scenario called '{name}' already exists; choose another name.")
    if v.get("description") and len(v["description"]) > DESCRIPTION_MAX:
        problems.add("description", f"Keep the description to {DESCRIPTION_MAX} characters.")
    if v.get("delivery_model") and len(v["delivery_model"]) > DELIVERY_MAX:
        problems.add("delivery_model", f"Keep the delivery model to {DELIVERY_MAX} characters.")
    problems.raise_if_any()


FIELD_PARSERS = Fields({**declare(TEXT, ("name", "description", "delivery_model")), "is_illustrative": BOOL})


def _unique_name(session: Session, wanted: str) -> str:
    existing = {n.lower() for n in session.scalars(select(CostScenario.name))}
    if wanted.lower() not in existing:
        return wanted
    k = 2
    while f"{wanted} ({k})".lower() in existing:
        k += 1
    return f"{wanted} ({k})"


# ---------------------------------------------------------------- reads

def get_scenario(session: Session, scenario_id: int) -> CostScenario:
    """The saved scenario, or NotFound when someone has deleted it."""
    return records.get_or_not_found(session, CostScenario, scenario_id,
                                    "This scenario no longer exists; someone may have deleted it.")


def scenario_inputs(scenario: CostScenario) -> ScenarioInputs:
    """The stored inputs as a ScenarioInputs (missing keys from older versions take their defaults)."""
    return ScenarioInputs.from_dict(scenario.inputs)


def evaluate(scenario: CostScenario) -> ScenarioResult:
    """The costing model's result for a saved scenario, computed now from its inputs."""
    return evaluate_scenario(scenario_inputs(scenario))


def list_scenarios(session: Session) -> list[CostScenario]:
    """All scenarios: the recommended one first, then by name."""
    return list(session.scalars(select(CostScenario).order_by(CostScenario.is_recommended.desc(),
                                                               func.lower(CostScenario.name))))


def recommended_scenario(session: Session) -> CostScenario | None:
    """The scenario marked as recommended, or None."""
    return session.scalar(select(CostScenario).where(CostScenario.is_recommended.is_(True)))


def scenarios_frame(session: Session) -> pd.DataFrame:
    """One row a scenario with its headline results (computed now from the stored inputs)."""
    rows = []
    for s in list_scenarios(session):
        summary = evaluate(s).summary
        rows.append({
            "id": s.id,
            "version": s.version,
            "Scenario": s.name,
            "Delivery model": s.delivery_model or "",
            "Owner": s.owner_name,
            "Recommended": bool(s.is_recommended),
            "Illustrative": bool(s.is_illustrative),
            "Adviser FTE": round(summary["adviser_fte"], 1),
            "Total FTE": round(summary["total_fte"], 1),
            "Average annual cost (GBP)": round(summary["average_annual_cost"]),
            "Whole-life cost (GBP)": round(summary["whole_life_cost"]),
            "Cost per call (GBP)": round(summary["cost_per_call"], 2),
            "Updated": s.updated_at,
        })
    return pd.DataFrame(rows, columns=["id", "version", *LIST_COLUMNS])


def compare(session: Session, scenario_ids: Iterable[int]) -> pd.DataFrame:
    """Side-by-side summary of 2 to 6 scenarios (one row each, in the order given)."""
    ids = list(dict.fromkeys(int(i) for i in scenario_ids))
    if not MIN_COMPARE <= len(ids) <= MAX_COMPARE:
        raise ValidationFailed({"scenarios": f"Choose between {MIN_COMPARE} and {MAX_COMPARE} scenarios to compare "
                                             f"(you chose {len(ids)})."})
    chosen = [get_scenario(session, i) for i in ids]
    return compare_scenarios((s.name, scenario_inputs(s)) for s in chosen)


def changed_inputs(saved: ScenarioInputs, now: ScenarioInputs) -> list[str]:
    """The labels of the inputs that differ between the saved scenario and what is on screen."""
    from review.costing import DEFAULTS

    before, after = saved.to_dict(), now.to_dict()
    for values in (before, after):  # relative weights: only their shares matter
        for key in ("monthly_profile", "day_weights", "hour_weights"):
            total = sum(values[key]) or 1.0
            values[key] = [x / total for x in values[key]]
    return [DEFAULTS[k].label if k in DEFAULTS else k.replace("_", " ").capitalize()
            for k in after if not _same(before.get(k), after[k])]


def _same(a: Any, b: Any) -> bool:
    """Equal, allowing the rounding the page's tables introduce (0.1 % of the value)."""
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-3, abs_tol=1e-6)
    return a == b


# ---------------------------------------------------------------- ownership and the lock

def may_change(actor: Actor | None, scenario: CostScenario) -> bool:
    """The owner or an administrator may change, recommend, unrecommend, unlock or delete a scenario."""
    return actor is not None and actor.can(Permission.EDIT_SCENARIOS) and (
        actor.role is Role.ADMIN or actor.username == scenario.owner_username)


def _require_owner(actor: Actor | None, scenario: CostScenario) -> None:
    require(actor, Permission.EDIT_SCENARIOS)
    if not may_change(actor, scenario):
        raise PermissionDenied(f"Only {scenario.owner_name}, who owns '{scenario.name}', or an administrator can "
                               "change it. Duplicate it to try your own changes.")


def _require_unlocked(scenario: CostScenario, doing: str) -> None:
    if scenario.is_locked:
        raise PermissionDenied(f"'{scenario.name}' is the recommended scenario and is locked, so it cannot be "
                               f"{doing}. Its owner or an administrator can unlock it, giving a reason.")


def unlock_scenario(session: Session, actor: Actor, scenario_id: int, expected_version: int | None,
                    reason: str) -> CostScenario:
    """Unlock a locked (recommended) scenario so it can be changed; the reason is required and audited."""
    require(actor, Permission.EDIT_SCENARIOS)
    scenario = records.load_for_edit(session, CostScenario, ENTITY, scenario_id, expected_version)
    _require_owner(actor, scenario)
    why = clean_text(reason)
    if not why:
        raise ValidationFailed({"reason": "Give the reason for unlocking the recommended scenario."})
    if len(why) > REASON_MAX:
        raise ValidationFailed({"reason": f"Keep the reason to {REASON_MAX} characters."})
    if not scenario.is_locked:
        return scenario
    scenario.is_locked = False
    session.flush()
    audit.record(session, actor, ENTITY, scenario.id, "unlock", {"is_locked": {"before": True, "after": False}},
                 scenario.version, summary=f"{scenario.name}: unlocked because {why}")
    return scenario


def lock_scenario(session: Session, actor: Actor, scenario_id: int, expected_version: int | None) -> CostScenario:
    """Lock the recommended scenario again after changes (only a recommended scenario is locked)."""
    require(actor, Permission.EDIT_SCENARIOS)
    scenario = records.load_for_edit(session, CostScenario, ENTITY, scenario_id, expected_version)
    _require_owner(actor, scenario)
    if not scenario.is_recommended:
        raise ValidationFailed({"is_locked": "Only the recommended scenario is locked."})
    if scenario.is_locked:
        return scenario
    scenario.is_locked = True
    session.flush()
    audit.record(session, actor, ENTITY, scenario.id, "lock", {"is_locked": {"before": False, "after": True}},
                 scenario.version, summary=scenario.name)
    return scenario


# ---------------------------------------------------------------- writes

def create_scenario(session: Session, actor: Actor, name: str, inputs: ScenarioInputs | dict | None = None,
                    description: str | None = None, delivery_model: str | None = None,
                    is_illustrative: bool = False) -> CostScenario:
    """Store a new scenario owned by `actor`. Missing inputs take their sourced defaults."""
    require(actor, Permission.EDIT_SCENARIOS)
    v = FIELD_PARSERS.parse({"name": name, "description": description, "delivery_model": delivery_model,
                    "is_illustrative": is_illustrative})
    errors: dict[str, str] = {}
    try:
        _validate_text(session, v, None)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        stored = _clean_inputs(inputs)
    except CostingInputError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    scenario = CostScenario(name=v["name"], description=v["description"], delivery_model=v["delivery_model"],
                            inputs=stored, is_illustrative=v["is_illustrative"], is_recommended=False,
                            owner_username=actor.username, owner_name=actor.display_name)
    session.add(scenario)
    session.flush()
    audit.record(session, actor, ENTITY, scenario.id, "create", audit.diff({}, _snapshot(scenario)),
                 scenario.version, summary=scenario.name)
    return scenario


def update_scenario(session: Session, actor: Actor, scenario_id: int, expected_version: int | None,
                    **changes: Any) -> CostScenario:
    """Change name, description, delivery model, inputs or the illustrative flag.

    `inputs` may be partial: keys given replace the stored ones. Refused with EditConflict if someone
    saved the scenario after `expected_version`.
    """
    require(actor, Permission.EDIT_SCENARIOS)
    records.reject_unknown(changes, EDITABLE_FIELDS)
    scenario = records.load_for_edit(session, CostScenario, ENTITY, scenario_id, expected_version)
    _require_owner(actor, scenario)
    _require_unlocked(scenario, "changed")
    before = _snapshot(scenario)
    current = records.current_values(scenario, EDITABLE_FIELDS)
    v = {**current, **FIELD_PARSERS.parse({k: val for k, val in changes.items() if k != "inputs"})}
    errors: dict[str, str] = {}
    try:
        _validate_text(session, v, scenario.id)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if "inputs" in changes:
        new_inputs = changes["inputs"]
        if isinstance(new_inputs, ScenarioInputs):
            new_inputs = new_inputs.to_dict()
        try:
            v["inputs"] = _clean_inputs({**(scenario.inputs or {}), **(new_inputs or {})})
        except CostingInputError as exc:
            errors.update(exc.errors)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    if v == current:
        return scenario
    for key in EDITABLE_FIELDS:
        setattr(scenario, key, v[key])
    session.flush()
    audit.record(session, actor, ENTITY, scenario.id, "update", audit.diff(before, _snapshot(scenario)),
                 scenario.version, summary=scenario.name)
    return scenario


def duplicate_scenario(session: Session, actor: Actor, scenario_id: int, new_name: str | None = None) -> CostScenario:
    """A copy owned by `actor`, not recommended; named 'Copy of ...' unless a name is given."""
    require(actor, Permission.EDIT_SCENARIOS)
    source = get_scenario(session, scenario_id)
    name = clean_text(new_name) or _unique_name(session, f"Copy of {source.name}"[:NAME_MAX - 5])
    copy = create_scenario(session, actor, name, dict(source.inputs), source.description, source.delivery_model,
                           source.is_illustrative)
    audit.record(session, actor, ENTITY, copy.id, "duplicate", {"copied_from": {"before": None, "after": source.id}},
                 copy.version, summary=f"Copied from '{source.name}'")
    return copy


def set_recommended(session: Session, actor: Actor, scenario_id: int, expected_version: int | None,
                    recommended: bool = True) -> CostScenario:
    """Mark one scenario as recommended and lock it (any other loses the mark), or clear the mark.

    Only the owner or an administrator; a locked recommended scenario (this one or the one it would replace)
    must be unlocked first.
    """
    require(actor, Permission.EDIT_SCENARIOS)
    scenario = records.load_for_edit(session, CostScenario, ENTITY, scenario_id, expected_version)
    _require_owner(actor, scenario)
    if bool(scenario.is_recommended) == bool(recommended):
        return scenario
    if recommended:
        for other in session.scalars(select(CostScenario).where(CostScenario.is_recommended.is_(True),
                                                                 CostScenario.id != scenario.id)):
            _require_unlocked(other, f"replaced by '{scenario.name}' as the recommendation")
            other.is_recommended = False
            session.flush()
            audit.record(session, actor, ENTITY, other.id, "unrecommend",
                         {"is_recommended": {"before": True, "after": False}}, other.version,
                         summary=f"'{scenario.name}' recommended instead")
    else:
        _require_unlocked(scenario, "unrecommended")
    before = {"is_recommended": scenario.is_recommended, "is_locked": scenario.is_locked}
    scenario.is_recommended = bool(recommended)
    scenario.is_locked = bool(recommended)
    session.flush()
    audit.record(session, actor, ENTITY, scenario.id, "recommend" if recommended else "unrecommend",
                 audit.diff(before, {"is_recommended": scenario.is_recommended, "is_locked": scenario.is_locked}),
                 scenario.version, summary=scenario.name)
    return scenario


def delete_scenario(session: Session, actor: Actor, scenario_id: int, expected_version: int | None) -> None:
    """Delete a saved scenario after a version check (editors), keeping it in the audit log."""
    require(actor, Permission.EDIT_SCENARIOS)
    scenario = records.load_for_edit(session, CostScenario, ENTITY, scenario_id, expected_version)
    _require_owner(actor, scenario)
    _require_unlocked(scenario, "deleted")
    before = _snapshot(scenario)
    records.record_deleted(session, actor, ENTITY, scenario, before, summary=before["name"])
