"""AppTest of the Contracts and Decisions pages for each role, the home page's 'What needs attention',
and the editors' forms (happy paths, messages next to fields, a stale form)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from review.decisions import log as decisions
from review.models.contracts import Contract, ContractExtension
from review.models.decisions import Decision
from review.models.submissions import Submission
from review.platform import db
from review.platform.config import get_settings
from review.platform.roles import SYSTEM, Role
from review.submission import papers as submissions
from tests.pages.conftest import open_tab, shown, texts

pytestmark = pytest.mark.both_engines  # each test runs on SQLite and on PostgreSQL

CONTRACTS, DECISIONS = "pages/5_Contracts.py", "pages/6_Decisions.py"
EDITORS = {Role.ADMIN, Role.EDITOR}


def database():
    return db.make_engine(get_settings().database_url)


def record(model, **where):
    engine = database()
    with db.unit_of_work(engine) as session:
        row = session.scalar(select(model).filter_by(**where))
        if row is not None:
            session.expunge(row)
    engine.dispose()
    return row


def labels(at) -> list[str]:
    return [b.label for b in at.button]


def edit_controls(at) -> list:
    return [*at.get("form"), *at.text_input, *at.text_area, *at.number_input, *at.date_input,
            *at.get("data_editor"), *[b for b in at.button if b.key and "extension" in b.key]]


@pytest.mark.parametrize("role", list(Role))
def test_contracts_page_for_each_role(open_page, role):
    at = open_page(CONTRACTS, role)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    register = at.dataframe[0].value
    assert set(register["Ref"]) == {"KH-2016-01", "KH-2017-02"}
    assert dict(zip(register["Ref"], register["Status"], strict=True)) == {"KH-2016-01": "Extended",
                                                                           "KH-2017-02": "Expiring"}
    assert "Download the register (CSV)" in [d.proto.label for d in at.get("download_button")]
    assert at.get("plotly_chart") == []  # only the open tab runs: the detail's timeline is not drawn yet
    tabs = [t.label for t in at.tabs]

    at = open_tab(at, "contracts_tab", "Contract detail")
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Notice deadline"] == "30 Jun 2020"
    assert len(at.get("plotly_chart")) == 1  # the contract timeline
    assert "Values are illustrative" in texts(at)
    if role in EDITORS:
        assert "Add a contract" in tabs and "Record extension" in labels(at)
        assert "Edit this contract" in [e.label for e in at.expander]
    else:
        assert "Add a contract" not in tabs
        assert edit_controls(at) == []
        assert "Edit this contract" not in [e.label for e in at.expander]

    at = open_tab(at, "contracts_tab", "What needs attention")
    assert not at.exception
    assert "Add these dates to your calendar (.ics)" in [d.proto.label for d in at.get("download_button")]


@pytest.mark.parametrize("role", list(Role))
def test_decisions_page_for_each_role_shows_the_2019_record_in_full(open_page, role):
    at = open_page(DECISIONS, role)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    log = at.dataframe[0].value
    assert set(log["Ref"]) == {"OKD-2019-KIDS-HUBS", "OKD-2019-KIDS-OUTREACH"}
    if role not in EDITORS:
        assert [t.key for t in at.text_input] == ["log_text"]  # the search box only
    hubs = record(Decision, reference="OKD-2019-KIDS-HUBS")
    at = open_tab(at, "decisions_tab", "Full record")
    at.selectbox(key="decision_choice").select(hubs.id).run()
    page = texts(at)
    assert "There is a retender of the Kids Hub services" in page  # the alternative rejected
    assert "Why it was rejected" in page
    assert "SEND Executive Group" in page  # the consultee
    assert "Operations Director Specialist Services" in page
    assert "Executive Member for Children's Services" in page
    assert "Exploration, intelligence gathering" in page and "Submission to SEND Executive" in page
    assert "EXP-01" in page and "EXP-07" in page
    assert {m.label: m.value for m in at.metric}["Call-in period ends"] == "11 Mar 2019"
    if role in EDITORS:
        assert "Record a decision" in [t.label for t in at.tabs]
        assert "Edit this decision" in [e.label for e in at.expander]
    else:
        assert "Record a decision" not in [t.label for t in at.tabs]
        assert edit_controls(at) == []
        assert "Edit this decision" not in [e.label for e in at.expander]


@pytest.mark.parametrize("role", list(Role))
def test_home_page_shows_what_needs_attention_for_every_role(open_page, role):
    at = open_page("app.py", role)
    assert not at.exception
    assert "What needs attention" in texts(at)
    soon = at.dataframe[-1].value
    assert list(soon["What"])[:3] == ["KPI return due", "Call-in period ends", "Notice deadline"]
    assert list(soon["Days remaining"])[:3] == ["16 days overdue", "4 days", "46 days"]
    assert "Add these dates to your calendar (.ics)" in [d.proto.label for d in at.get("download_button")]


def test_the_decision_log_filters_and_the_chosen_record_survive_another_tab(open_page):
    """Only the open tab runs, and Streamlit forgets the widgets it did not draw: the page keeps them."""
    hubs = record(Decision, reference="OKD-2019-KIDS-HUBS")
    at = open_page(DECISIONS, Role.VIEWER)
    at.text_input(key="log_text").input("outreach").run()
    assert list(at.dataframe[0].value["Ref"]) == ["OKD-2019-KIDS-OUTREACH"]
    at = open_tab(at, "decisions_tab", "Full record")
    at.selectbox(key="decision_choice").select(hubs.id).run()
    at = open_tab(at, "decisions_tab", "Decision log")
    assert not at.exception
    assert at.text_input(key="log_text").value == "outreach"
    assert list(at.dataframe[0].value["Ref"]) == ["OKD-2019-KIDS-OUTREACH"]
    at = open_tab(at, "decisions_tab", "Full record")
    assert at.selectbox(key="decision_choice").value == hubs.id


def test_the_chosen_contract_is_still_chosen_after_another_tab(open_page):
    """The detail tab runs only when open, and Streamlit forgets a widget it did not draw: the page keeps the choice."""
    outreach = record(Contract, reference="KH-2017-02")
    at = open_tab(open_page(CONTRACTS, Role.VIEWER), "contracts_tab", "Contract detail")
    at.selectbox(key="contract_choice").set_value(outreach.id).run()
    at = open_tab(open_tab(at, "contracts_tab", "Register"), "contracts_tab", "Contract detail")
    assert not at.exception
    assert at.selectbox(key="contract_choice").value == outreach.id
    assert {m.label: m.value for m in at.metric}["Current end"] == f"{outreach.original_end_date:%d %b %Y}"


def test_editor_records_an_extension_authorised_by_a_decision(open_page):
    at = open_tab(open_page(CONTRACTS, Role.EDITOR), "contracts_tab", "Contract detail")
    hubs = record(Contract, reference="KH-2016-01")
    decision = record(Decision, reference="OKD-2019-KIDS-HUBS")
    prefix = f"ext_{hubs.id}_{hubs.version}"
    next(b for b in at.button if b.label == "Record extension").click().run()
    assert "Choose the decision that authorised this extension" in texts(at)
    at.selectbox(key=f"{prefix}_decision_id").select(decision.id)
    next(b for b in at.button if b.label == "Record extension").click().run()
    assert not at.exception
    assert "the contract now ends on 30 Sep 2021" in texts(at)
    assert {m.label: m.value for m in at.metric}["Current end"] == "30 Sep 2021"
    assert "Record extension" not in labels(at)  # no option left
    assert "All 2 extension option(s) have been used" in texts(at)
    engine = database()
    with db.unit_of_work(engine) as session:
        ends = sorted(session.scalars(select(ContractExtension.end_date).where(
            ContractExtension.contract_id == hubs.id)))
    engine.dispose()
    assert ends == [date(2020, 9, 30), date(2021, 9, 30)]


def test_add_contract_shows_messages_next_to_the_fields(open_page):
    at = open_tab(open_page(CONTRACTS, Role.EDITOR), "contracts_tab", "Add a contract")
    at.text_input(key="addc_0_reference").input("KH-2020-03")
    at.text_input(key="addc_0_title").input("KIDS hubs phone advice pilot")
    at.text_input(key="addc_0_provider_name").input("KIDS")
    at.checkbox(key="addc_0_is_vcse").check()
    at.date_input(key="addc_0_start_date").set_value(date(2020, 4, 1))
    at.date_input(key="addc_0_original_end_date").set_value(date(2020, 3, 1))
    at.number_input(key="addc_0_notice_period_months").set_value(1)
    at.number_input(key="addc_0_annual_value").set_value(-50.0)
    next(b for b in at.button if b.label == "Add contract").click().run()
    page = texts(at)
    assert "The contract was not added" in page
    assert "is before the start date" in page
    assert "Best Value guidance" in page
    assert "The annual value cannot be negative" in page
    at.date_input(key="addc_0_original_end_date").set_value(date(2021, 3, 31))
    at.number_input(key="addc_0_notice_period_months").set_value(3)
    at.number_input(key="addc_0_annual_value").set_value(50000.0)
    next(b for b in at.button if b.label == "Add contract").click().run()
    assert not at.exception
    assert "Added contract KH-2020-03" in texts(at)
    assert record(Contract, reference="KH-2020-03").is_vcse


def test_editor_records_a_decision_and_sees_field_messages(open_page):
    at = open_tab(open_page(DECISIONS, Role.EDITOR), "decisions_tab", "Record a decision")
    at.text_input(key="addd_0_reference").input("OKD-2019-TEST")
    at.text_input(key="addd_0_title").input("To consult on a SEND phone line")
    at.number_input(key="addd_0_call_in_working_days").set_value(-1)
    at.selectbox(key="addd_0_call_in_status").select("published")
    next(b for b in at.button if b.label == "Record decision").click().run()
    page = texts(at)
    assert "The decision was not recorded" in page
    assert "cannot be below 0 working days" in page
    assert "Record the reasons for the decision before publishing" in page
    at.number_input(key="addd_0_call_in_working_days").set_value(5)
    at.selectbox(key="addd_0_call_in_status").select("draft")
    at.session_state["addd_0_alternatives"] = {
        "edited_rows": {}, "deleted_rows": [],
        "added_rows": [{"Option considered": "Do nothing", "Why it was rejected": "Needs are not met"}]}
    next(b for b in at.button if b.label == "Record decision").click().run()
    assert not at.exception
    assert "Decision recorded: OKD-2019-TEST" in texts(at)
    saved = record(Decision, reference="OKD-2019-TEST")
    engine = database()
    with db.unit_of_work(engine) as session:
        full = decisions.decision_record(session, saved.id)
    engine.dispose()
    assert full.alternatives == [{"option": "Do nothing", "reason_rejected": "Needs are not met"}]


def test_a_stale_decision_form_is_refused_with_the_other_change(open_page):
    at = open_tab(open_page(DECISIONS, Role.EDITOR), "decisions_tab", "Full record")
    outreach = record(Decision, reference="OKD-2019-KIDS-OUTREACH")
    assert at.selectbox(key="decision_choice").value == outreach.id
    engine = database()
    with db.unit_of_work(engine) as session:  # someone else saves after the page was drawn
        decisions.update_decision(session, SYSTEM, outreach.id, outreach.version, forward_plan_reference="FP-NEW")
    engine.dispose()
    prefix = f"editd_{outreach.id}_{outreach.version}"
    at.text_input(key=f"{prefix}_title").input("My new title")
    next(b for b in at.button if b.label == "Save decision").click().run()
    page = texts(at)
    assert "saved this decision after you opened it" in page and "forward_plan_reference" in page
    assert record(Decision, reference="OKD-2019-KIDS-OUTREACH").title != "My new title"


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_a_decision_recorded_on_the_paper_names_the_paper_in_its_full_record(open_page, role):
    engine = database()
    with db.unit_of_work(engine) as session:
        paper = session.scalar(select(Submission))
        submissions.record_decision(session, SYSTEM, paper.id, paper.version, "The in-house phone line is agreed.",
                                    date(2019, 12, 5), "SEND Executive Group")
        title = paper.title
    engine.dispose()
    entry = record(Decision, reference="OKD-2019-SEND-INFORMATION")
    at = open_page(DECISIONS, role)
    assert not at.exception
    assert "OKD-2019-SEND-INFORMATION" in set(at.dataframe[0].value["Ref"])
    at = open_tab(at, "decisions_tab", "Full record")
    at.selectbox(key="decision_choice").select(entry.id).run()
    assert f"From the paper: {title} (SEND Executive Group, 05 Dec 2019)" in [shown(c.value) for c in at.caption]
    assert "The in-house phone line is agreed." in texts(at)
    assert "Do nothing: Let the KIDS hubs contract run to its end" in texts(at)  # an option not preferred
    at.selectbox(key="decision_choice").select(record(Decision, reference="OKD-2019-KIDS-HUBS").id).run()
    assert not [c for c in at.caption if c.value.startswith("From the paper")]
