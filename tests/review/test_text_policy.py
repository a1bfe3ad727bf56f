"""The text policy: hostile text (all of Unicode, NUL and other control characters, lengths up to and over each
column's limit) sent into every write service on both engines gives nothing but domain errors, and what is stored
obeys the policy."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, inspect, select
from sqlalchemy.orm import Session

from review import engagement
from review.contracts import register as contracts
from review.costing import scenarios
from review.decisions import log as decisions
from review.models import AuditEvent, Person, Phase, Task, TaskComment, User, Workstream
from review.models.contracts import Contract, ContractExtension, ContractKpi, ContractKpiValue
from review.models.costing import CostScenario
from review.models.decisions import Decision, DecisionAlternative, DecisionConsultee
from review.models.engagement import (
    EngagementActivity,
    EngagementInput,
    EngagementPartner,
    EngagementResponse,
    EngagementTheme,
)
from review.models.plan import Baseline, RagOverride, RaidItem
from review.models.submissions import StrategicPriority, Submission, SubmissionAlignment, SubmissionOption
from review.plan import organisation, rag, raid, tasks
from review.plan import timeline as plan
from review.platform import text_policy
from review.platform.errors import DomainError, ValidationFailed
from review.platform.roles import Actor, Role
from review.platform.validation import clean_text
from review.submission import papers


@dataclass
class World:
    """One record of each kind, built through the services, for the updates to change."""

    phase: int
    workstream: int
    person: int
    task: int
    raid: int
    contract: int
    kpi: int
    kpi_value: int
    decision: int
    priority: int
    submission: int
    decided: int
    option: int
    partner: int
    theme: int
    activity: int
    input: int
    response: int
    scenario: int
    user: int


def build_world(session: Session, admin: Actor) -> World:
    phase = organisation.create_phase(session, admin, "Exploration and intelligence gathering", 1)
    ws = organisation.create_workstream(session, admin, "SENDIASS", "SENDIASS")
    person = organisation.create_person(session, admin, "SENDIASS Manager", "SENDIASS Manager", ws.id)
    task = tasks.create_task(session, admin, title="Map services", phase_id=phase.id)
    item = raid.create_item(session, admin, kind="issue", title="Finance sign-off late")
    contract = contracts.create_contract(
        session, admin, reference="KH-1", title="KIDS hubs", provider_name="KIDS", start_date=date(2016, 10, 1),
        original_end_date=date(2019, 9, 30), extension_options=2, extension_period_months=12,
        notice_period_months=3, annual_value=185000)
    kpi = contracts.create_kpi(session, admin, contract.id, name="Families", first_period_end=date(2019, 6, 30))
    value = contracts.record_kpi_value(session, admin, kpi.id, period_end=date(2019, 6, 30), value=1)
    decision = decisions.create_decision(session, admin, reference="OKD-1", title="To extend the contract")
    priority = papers.create_priority(session, admin, "Local Offer duty")
    paper = papers.create_submission(session, admin, title="Paper", meeting="SEND Executive",
                                     meeting_date=date(2019, 12, 5), author="Project Manager")
    decided = papers.create_submission(session, admin, title="Decided paper", meeting="SEND Executive",
                                       meeting_date=date(2019, 12, 5), author="Project Manager")
    papers.record_decision(session, admin, decided.id, decided.version, "Agreed.", date(2019, 12, 5))
    option = papers.add_option(session, admin, paper.id, title="Do nothing")
    partner = engagement.create_partner(session, admin, "Parent carer forum")
    theme = engagement.create_theme(session, admin, "Waiting times")
    activity = engagement.create_activity(session, admin, title="Survey", activity_type="survey",
                                          start_date="2019-06-01", participants=5, lawful_basis="public_task")
    need = engagement.add_input(session, admin, activity_id=activity.id, theme_ids=[theme.id], need="Call back")
    response = engagement.create_response(session, admin, you_said="Slow", we_did="Faster")
    scenario = scenarios.create_scenario(session, admin, "Office hours line", {"annual_calls": 12000})
    from review.accounts import users
    user = users.create_user(session, admin, "someone", Role.EDITOR.value, "a long enough password 1")
    session.commit()
    return World(phase.id, ws.id, person.id, task.id, item.id, contract.id, kpi.id, value.id, decision.id,
                 priority.id, paper.id, decided.id, option.id, partner.id, theme.id, activity.id, need.id,
                 response.id, scenario.id, user.id)


def v(session: Session, model: type, record_id: int) -> int:
    """The record's current version (what a form would have loaded)."""
    return session.get(model, record_id).version


Write = Callable[[Session, Actor, World, str], Any]


def _fields(model: type, names: tuple[str, ...], make: Callable[[str], Write]) -> dict[tuple[type, str], Write]:
    return {(model, name): make(name) for name in names}


def _cases() -> dict[tuple[type, str], Write]:
    """(model, attribute) -> a write that puts the text into that attribute through its service."""
    c: dict[tuple[type, str], Write] = {}
    c[(Phase, "name")] = lambda s, a, w, t: organisation.create_phase(s, a, t, 9)
    c[(Phase, "description")] = lambda s, a, w, t: organisation.create_phase(s, a, "Another phase", 9, t)
    c[(Phase, "reference_prefix")] = lambda s, a, w, t: organisation.create_phase(s, a, "Another", 9, None, t)
    c[(Workstream, "name")] = lambda s, a, w, t: organisation.create_workstream(s, a, t)
    c[(Workstream, "short_name")] = lambda s, a, w, t: organisation.create_workstream(s, a, "Other", t)
    c[(Workstream, "description")] = lambda s, a, w, t: organisation.create_workstream(s, a, "Other", None, t)
    c[(Person, "name")] = lambda s, a, w, t: organisation.create_person(s, a, t, "Officer")
    c[(Person, "job_title")] = lambda s, a, w, t: organisation.create_person(s, a, "Someone", t)
    c[(Person, "email")] = lambda s, a, w, t: organisation.create_person(s, a, "Someone", "Officer", None, t + "@x")
    c.update(_fields(Task, ("title", "description", "reference"), lambda f: lambda s, a, w, t: tasks.update_task(
        s, a, w.task, v(s, Task, w.task), **{f: t})))
    c[(Task, "title (new)")] = lambda s, a, w, t: tasks.create_task(s, a, title=t, phase_id=w.phase)
    c[(Task, "title (table)")] = lambda s, a, w, t: tasks.apply_task_edits(
        s, a, {w.task: (v(s, Task, w.task), {"title": t})})
    c[(TaskComment, "body")] = lambda s, a, w, t: tasks.add_comment(s, a, w.task, t)
    c.update(_fields(RaidItem, ("title", "description", "mitigation"), lambda f: lambda s, a, w, t: raid.update_item(
        s, a, w.raid, v(s, RaidItem, w.raid), **{f: t})))
    c[(RaidItem, "title (new)")] = lambda s, a, w, t: raid.create_item(s, a, kind="issue", title=t)
    c[(RagOverride, "reason")] = lambda s, a, w, t: rag.set_override(s, a, None, "amber", t)
    c[(Baseline, "name")] = lambda s, a, w, t: plan.save_baseline(s, a, t)
    c[(Baseline, "note")] = lambda s, a, w, t: plan.save_baseline(s, a, "Baseline", t)
    c.update(_fields(Contract, ("reference", "title", "department", "description", "provider_name",
                                "provider_number", "procurement_route"),
                     lambda f: lambda s, a, w, t: contracts.update_contract(
                         s, a, w.contract, v(s, Contract, w.contract), **{f: t})))
    c.update(_fields(ContractKpi, ("name", "unit"), lambda f: lambda s, a, w, t: contracts.update_kpi(
        s, a, w.kpi, v(s, ContractKpi, w.kpi), **{f: t})))
    c[(ContractKpiValue, "note")] = lambda s, a, w, t: contracts.update_kpi_value(
        s, a, w.kpi_value, v(s, ContractKpiValue, w.kpi_value), note=t)
    c[(ContractKpiValue, "rating")] = lambda s, a, w, t: contracts.update_kpi_value(
        s, a, w.kpi_value, v(s, ContractKpiValue, w.kpi_value), rating=t)
    c.update(_fields(Decision, decisions._TEXT_FIELDS, lambda f: lambda s, a, w, t: decisions.update_decision(
        s, a, w.decision, v(s, Decision, w.decision), **{f: t})))
    c[(Decision, "title (new)")] = lambda s, a, w, t: decisions.create_decision(s, a, reference="OKD-2", title=t)
    c[(DecisionAlternative, "option")] = lambda s, a, w, t: decisions.update_decision(
        s, a, w.decision, v(s, Decision, w.decision), alternatives=[{"option": t, "reason_rejected": None}])
    c[(DecisionConsultee, "consultee")] = lambda s, a, w, t: decisions.update_decision(
        s, a, w.decision, v(s, Decision, w.decision), consultees=[{"consultee": t, "comments": "Agreed"}])
    c[(DecisionConsultee, "comments")] = lambda s, a, w, t: decisions.update_decision(
        s, a, w.decision, v(s, Decision, w.decision), consultees=[{"consultee": "Finance", "comments": t}])
    c[(DecisionAlternative, "reason_rejected")] = lambda s, a, w, t: decisions.update_decision(
        s, a, w.decision, v(s, Decision, w.decision), alternatives=[{"option": "Do nothing", "reason_rejected": t}])
    c[(ContractExtension, "note")] = lambda s, a, w, t: contracts.add_extension(
        s, a, w.contract, v(s, Contract, w.contract), decision_id=None, note=t)
    c.update(_fields(StrategicPriority, ("name", "source", "description"),
                     lambda f: lambda s, a, w, t: papers.update_priority(
                         s, a, w.priority, v(s, StrategicPriority, w.priority), **{f: t})))
    c.update(_fields(Submission, ("title", "meeting", "report_of", "author", *papers.TEXT_FIELDS),
                     lambda f: lambda s, a, w, t: papers.update_submission(
                         s, a, w.submission, v(s, Submission, w.submission), **{f: t})))
    c[(Submission, "decision")] = lambda s, a, w, t: papers.record_decision(
        s, a, w.submission, v(s, Submission, w.submission), t, date(2019, 12, 5))
    c[(Submission, "decided_by")] = lambda s, a, w, t: papers.record_decision(
        s, a, w.submission, v(s, Submission, w.submission), "Agreed", date(2019, 12, 5), t)
    c[(Submission, "action title")] = lambda s, a, w, t: papers.add_action(
        s, a, w.decided, v(s, Submission, w.decided), t, w.person)
    c.update(_fields(SubmissionOption, ("title", "description", "advantages", "disadvantages"),
                     lambda f: lambda s, a, w, t: papers.update_option(
                         s, a, w.option, v(s, SubmissionOption, w.option), **{f: t})))
    c[(SubmissionAlignment, "how")] = lambda s, a, w, t: papers.set_alignment(
        s, a, w.submission, v(s, Submission, w.submission), {w.priority: t})
    c.update(_fields(EngagementPartner, ("name", "short_name", "also_known_as"),
                     lambda f: lambda s, a, w, t: engagement.update_partner(
                         s, a, w.partner, v(s, EngagementPartner, w.partner), **{f: t})))
    c.update(_fields(EngagementTheme, ("name", "description"), lambda f: lambda s, a, w, t: engagement.update_theme(
        s, a, w.theme, v(s, EngagementTheme, w.theme), **{f: t})))
    c.update(_fields(EngagementActivity, ("title", "facilitator", "channel", "summary", "consent_form_version"),
                     lambda f: lambda s, a, w, t: engagement.update_activity(
                         s, a, w.activity, v(s, EngagementActivity, w.activity), **{f: t})))
    c.update(_fields(EngagementInput, ("participant", "need", "quote", "district", "follow_up"),
                     lambda f: lambda s, a, w, t: engagement.update_input(
                         s, a, w.input, v(s, EngagementInput, w.input), confirm_identifiers=True, **{f: t})))
    c.update(_fields(EngagementResponse, ("you_said", "we_did", "by_whom"),
                     lambda f: lambda s, a, w, t: engagement.update_response(
                         s, a, w.response, v(s, EngagementResponse, w.response), confirm_identifiers=True,
                         **{f: t})))
    c[(EngagementInput, "pseudonym to erase")] = lambda s, a, w, t: engagement.erase_participant(s, a, t)
    c.update(_fields(CostScenario, ("name", "description", "delivery_model"),
                     lambda f: lambda s, a, w, t: scenarios.update_scenario(
                         s, a, w.scenario, v(s, CostScenario, w.scenario), **{f: t})))
    c[(CostScenario, "name (copy)")] = lambda s, a, w, t: scenarios.duplicate_scenario(s, a, w.scenario, t)
    c[(User, "display_name")] = lambda s, a, w, t: users_update(s, a, w, t)
    c[(User, "username")] = lambda s, a, w, t: users_create(s, a, t)
    return c


def users_update(s: Session, a: Actor, w: World, t: str) -> Any:
    from review.accounts import users
    return users.update_user(s, a, w.user, v(s, User, w.user), display_name=t)


def users_create(s: Session, a: Actor, t: str) -> Any:
    from review.accounts import users
    return users.create_user(s, a, t, Role.EDITOR.value, "a long enough password 1", "Display")


CASES = _cases()
HOSTILE_EXAMPLES = 10  # generated texts per field and engine, besides the fixed ones
CONTROL = st.sampled_from([chr(c) for c in range(0x20)] + ["\x7f"])
ANY_CHARACTER = st.characters(exclude_categories=("Cs",))  # every code point a Python str can encode
HOSTILE_TEXT = st.one_of(
    st.text(ANY_CHARACTER, max_size=40),
    st.text(st.one_of(CONTROL, ANY_CHARACTER), min_size=1, max_size=40),
    st.builds(lambda body, n, tail: body * n + tail, st.characters(exclude_categories=("Cs", "Cc")),
              st.integers(0, 320), st.text(CONTROL, max_size=3)),
)


def _limit(model: type, attribute: str) -> int | None:
    column = inspect(model).columns.get(attribute.split(" ")[0])
    return column.type.length if column is not None and isinstance(column.type, String) else None


def _stored_text_obeys_the_policy(session: Session) -> list[str]:
    """Every new or changed object's text: no control characters, single-line fields without newlines, within
    the column's length."""
    problems = []
    for obj in (*session.new, *session.dirty, *session.identity_map.values()):
        for prop in inspect(obj).mapper.column_attrs:
            column = prop.columns[0]
            value = getattr(obj, prop.key, None)
            if not isinstance(column.type, String) or not isinstance(value, str):
                continue
            single = column.type.length is not None
            if value != text_policy.clean(value, single_line=single):
                problems.append(f"{type(obj).__name__}.{prop.key} holds {value!r}")
            if single and len(value) > column.type.length:
                problems.append(f"{type(obj).__name__}.{prop.key} is {len(value)} long")
    return problems


def _attempt(engine, world: World, admin: Actor, write: Write, text: str) -> BaseException | None:
    """Run the write in a transaction that is always rolled back; the domain error it raised, if any.
    Anything else (a raw database error included) fails the test."""
    with Session(engine, expire_on_commit=False) as s:
        try:
            write(s, admin, world, text)
            s.flush()
            problems = _stored_text_obeys_the_policy(s)
            assert not problems, problems
            for event in s.scalars(select(AuditEvent)):
                assert "\x00" not in repr(event.changes)
            return None
        except DomainError as exc:
            return exc
        finally:
            s.rollback()


@pytest.fixture
def world(session, admin) -> World:
    return build_world(session, admin)


def _check_case(engine, world: World, admin: Actor, case: tuple[type, str], write: Write) -> None:
    limit = _limit(*case)
    # Up to and over the column's limit, and the characters PostgreSQL and XML refuse.
    fixed = ["\x00", "a\x00b", "\x00" * 3 + "Title\x0b\x1b", "line\r\nbreak\ttab", "x\x7f"]
    if limit is not None:
        fixed += ["x" * limit, "x" * (limit + 1), "\x00" + "y" * limit, "é" * (limit + 1)]
    for text in fixed:
        outcome = _attempt(engine, world, admin, write, text)
        if limit is not None and len(text.replace("\x00", "")) > limit and case[1] != "pseudonym to erase":
            assert isinstance(outcome, DomainError), f"{text[:20]!r}... ({len(text)}) was accepted"

    @settings(max_examples=HOSTILE_EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(text=HOSTILE_TEXT)
    def hostile(text: str) -> None:
        _attempt(engine, world, admin, write, text)

    hostile()


def test_hostile_text_into_every_write_service_gives_only_domain_errors(engine, world, admin):
    """One world per engine, every case in turn (each attempt rolled back); all failures reported together."""
    failures = []
    for case, write in CASES.items():
        try:
            _check_case(engine, world, admin, case, write)
        except Exception as exc:  # noqa: BLE001 - collected so that one run names every failing field
            failures.append(f"{case[0].__name__}.{case[1]}: {type(exc).__name__}: {str(exc)[:300]}")
    assert failures == [], "\n".join(failures)


def test_every_text_column_of_every_model_is_written_by_some_case():
    """New text columns must be added to the cases above (so no field escapes the hostile-text test)."""
    from review.models import Base

    exempt = {("audit_events", c) for c in ("username", "entity", "record_id", "action", "summary")} | {
        ("sign_in_sessions", "token_hash"), ("users", "password_hash"), ("users", "role"),
        ("submission_packs", "generated_by"), ("submission_packs", "filename"), ("submission_actions", "title"),
        ("plan_baselines", "created_by"), ("plan_baseline_items", "reference"), ("plan_baseline_items", "title"),
        ("rag_overrides", "rag"), ("rag_overrides", "set_by"), ("rag_overrides", "cleared_by"),
        ("cost_scenarios", "owner_username"), ("cost_scenarios", "owner_name"), ("reference_counters", "series"),
        ("task_comments", "author"), ("raid_items", "reference"),
        ("sign_in_throttles", "key"), ("users", "sign_in_method"), ("sign_in_sessions", "method"),
        ("submission_packs", "issued_by"), ("database_settings", "key"), ("database_settings", "value"),
        ("reminder_preferences", "frequency"), ("sent_reminders", "kind"), ("sent_reminders", "message_id"),
        # from the identity provider's signed claims at single sign-on (the flush backstop still cleans them)
        ("users", "oidc_issuer"), ("users", "oidc_subject"), ("users", "email"),
    }  # written by the services from the signed-in user, a choice, another record or a counter, never typed
    covered = {(model.__tablename__, attribute.split(" ")[0]) for model, attribute in CASES}
    missing = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            name = f"{table.name}.{column.name}"
            if isinstance(column.type, String) and (table.name, column.name) not in covered | exempt \
                    and name not in CHOICE_COLUMNS:
                missing.append(name)
    assert missing == [], missing


# Columns whose value is picked from a fixed list (a choice, not typed text): the services refuse anything else.
CHOICE_COLUMNS = {"tasks.status", "tasks.priority", "raid_items.kind", "raid_items.status",
                  "decisions.decision_type", "decisions.call_in_status", "engagement_activities.activity_type",
                  "engagement_activities.lawful_basis", "engagement_activities.special_category_condition",
                  "engagement_inputs.sentiment", "engagement_responses.status", "submissions.status"}


# ---------------------------------------------------------------- the policy itself

def test_control_characters_are_removed_and_single_line_fields_lose_newlines():
    assert text_policy.clean("a\x00b\x07c\x1bd\x7fe") == "abcde"
    assert text_policy.clean("one\r\ntwo\rthree\n\tfour") == "one\ntwo\nthree\n\tfour"
    assert text_policy.clean("one\r\ntwo\tthree", single_line=True) == "one two three"
    assert clean_text("  \x00 \x0b ") is None
    assert clean_text(" Title\x00 ", single_line=True) == "Title"


def test_xml_safe_keeps_everything_xml_can_hold():
    assert text_policy.xml_safe("a\x0bb\x00c\ufffed\ufffff\U0001F600\t\n") == "abcdf\U0001F600\t\n"


@pytest.mark.parametrize(("write", "field", "limit"), [
    (lambda s, a, w: users_update(s, a, w, "d" * 121), "display_name", 120),
    (lambda s, a, w: contracts.update_contract(s, a, w.contract, v(s, Contract, w.contract),
                                               provider_name="p" * 201), "provider_name", 200),
    (lambda s, a, w: contracts.update_contract(s, a, w.contract, v(s, Contract, w.contract),
                                               department="d" * 121), "department", 120),
    (lambda s, a, w: contracts.update_contract(s, a, w.contract, v(s, Contract, w.contract),
                                               procurement_route="r" * 121), "procurement_route", 120),
    (lambda s, a, w: decisions.update_decision(s, a, w.decision, v(s, Decision, w.decision),
                                               executive_member_portfolio="p" * 201),
     "executive_member_portfolio", 200),
    (lambda s, a, w: decisions.update_decision(s, a, w.decision, v(s, Decision, w.decision),
                                               decision_maker_post="p" * 201), "decision_maker_post", 200),
    (lambda s, a, w: decisions.update_decision(s, a, w.decision, v(s, Decision, w.decision),
                                               forward_plan_reference="f" * 61), "forward_plan_reference", 60),
])
def test_over_long_text_is_refused_with_a_message_naming_the_limit(engine, world, admin, write, field, limit):
    with Session(engine) as s, pytest.raises(ValidationFailed) as refused:
        write(s, admin, world)
        s.flush()
    assert str(limit) in refused.value.errors[field]


def test_the_backstop_cleans_and_refuses_what_a_service_missed(session, admin):
    phase = Phase(name="Phase\x00 one\nof three", sequence=1, description="Multi\x00\nline")
    session.add(phase)
    session.flush()
    assert (phase.name, phase.description) == ("Phase one of three", "Multi\nline")
    phase.name = "n" * 121
    with pytest.raises(ValidationFailed) as refused:
        session.flush()
    assert refused.value.errors == {"name": text_policy.too_long_message(120, 121)}
    session.rollback()


def test_limits_come_from_the_schema():
    assert text_policy.column_limit(Contract, "provider_name") == 200
    assert text_policy.column_limit(Contract, "description") is None
