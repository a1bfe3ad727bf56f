"""AppTest of a contract's KPIs on the Contracts page: correcting and deleting KPIs and recorded values (with
confirmation, messages next to fields and a stale form refused), the trend chart, and read-only roles."""
from __future__ import annotations

import base64
import json
from datetime import date

import numpy as np
import pytest
from sqlalchemy import func, select

from review.contracts import register as contracts
from review.models import AuditEvent
from review.models.contracts import Contract, ContractKpi, ContractKpiValue
from review.platform import db
from review.platform.config import get_settings
from review.platform.roles import SYSTEM, Role
from tests.pages.conftest import open_tab, texts

pytestmark = pytest.mark.both_engines  # each test runs on SQLite and on PostgreSQL

CONTRACTS = "pages/5_Contracts.py"
FAMILIES = "Families supported at the hubs"  # demo KPI of KH-2016-01: quarterly, target 450, four values


def in_database(action):
    """`action(session)` in one transaction on the page's database; rows it returns are detached."""
    engine = db.make_engine(get_settings().database_url)
    try:
        with db.unit_of_work(engine) as session:
            result = action(session)
            session.flush()
            session.expunge_all()
    finally:
        engine.dispose()
    return result


def one(model, **where):
    return in_database(lambda session: session.scalar(select(model).filter_by(**where)))


def click(at, label: str):
    return next(b for b in at.button if b.label == label).click().run()


def numbers(array) -> np.ndarray:
    """A plotly JSON array: a list, or a typed array ({"dtype", "bdata"} in base64)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array)


def kpi_table(at):
    return next(d.value for d in at.dataframe if "Latest rating" in d.value.columns)


def test_editor_corrects_a_kpi_value_and_its_rating_follows(open_page):
    at = open_tab(open_page(CONTRACTS, Role.EDITOR), "contracts_tab", "Contract detail")
    assert {"Correct or delete a KPI", "Correct or delete a recorded KPI value"} <= {e.label for e in at.expander}
    kpi = one(ContractKpi, name=FAMILIES)
    value = one(ContractKpiValue, kpi_id=kpi.id, period_end=date(2019, 9, 30))
    assert (value.value, value.rating) == (392, "red")
    prefix = f"kve_{value.id}_{value.version}"
    assert at.selectbox(key=f"kpi_value_fix_choice_{kpi.id}").value == value.id  # the newest period first
    assert at.number_input(key=f"{prefix}_value").value == 392
    assert at.selectbox(key=f"{prefix}_rating").value is None  # "Rate against the target"
    at.number_input(key=f"{prefix}_value").set_value(-1.0)
    click(at, "Save value")
    assert "A KPI value cannot be negative" in [m.value for m in at.markdown if "negative" in m.value][0]
    assert "Nothing was saved" in texts(at)
    assert one(ContractKpiValue, id=value.id).value == 392
    at.number_input(key=f"{prefix}_value").set_value(440.0)
    click(at, "Save value")
    assert not at.exception
    assert "KPI value saved (rated Amber)." in texts(at)
    saved = one(ContractKpiValue, id=value.id)
    assert (saved.value, saved.rating, saved.version) == (440, "amber", 2)
    row = kpi_table(at).set_index("KPI").loc[FAMILIES]
    assert (row["Latest value"], row["Latest rating"]) == (440, "Amber")
    assert at.number_input(key=f"kve_{value.id}_2_value").value == 440  # the form now starts from the save


def test_editor_deletes_a_kpi_only_after_confirming(open_page):
    at = open_tab(open_page(CONTRACTS, Role.EDITOR), "contracts_tab", "Contract detail")
    hubs = one(Contract, reference="KH-2016-01")
    kpi = one(ContractKpi, name=FAMILIES)
    assert at.selectbox(key=f"kpi_fix_choice_{hubs.id}").value == kpi.id
    at.button(key="confirm_delete_kpi_ask").click().run()
    question = f"Delete KPI **{FAMILIES}** and its 4 recorded values?"
    assert question in texts(at)
    assert one(ContractKpi, id=kpi.id) is not None  # asking deletes nothing
    at.button(key="confirm_delete_kpi_no").click().run()
    assert question not in texts(at)
    assert one(ContractKpi, id=kpi.id) is not None
    at.button(key="confirm_delete_kpi_ask").click().run()
    at.button(key="confirm_delete_kpi_yes").click().run()
    assert not at.exception
    assert f"KPI deleted: {FAMILIES}" in texts(at)
    assert one(ContractKpi, id=kpi.id) is None
    assert in_database(lambda s: s.scalar(select(func.count()).select_from(ContractKpiValue)
                                          .where(ContractKpiValue.kpi_id == kpi.id))) == 0
    assert FAMILIES not in set(kpi_table(at)["KPI"])
    event = one(AuditEvent, entity="contract_kpi", record_id=str(kpi.id), action="delete")
    assert len(event.changes["values"]["before"]) == 4


def test_a_stale_kpi_form_shows_the_other_change_keeps_the_input_and_changes_nothing(open_page):
    at = open_tab(open_page(CONTRACTS, Role.EDITOR), "contracts_tab", "Contract detail")
    kpi = one(ContractKpi, name=FAMILIES)
    in_database(lambda s: contracts.update_kpi(s, SYSTEM, kpi.id, kpi.version, target=500))  # someone else
    prefix = f"kpie_{kpi.id}_{kpi.version}"
    at.text_input(key=f"{prefix}_name").input("Families helped at the hubs")
    click(at, "Save KPI")
    page = texts(at)
    assert "saved this KPI after you opened it" in page and "target: 450.0 -> 500.0" in page
    assert "Someone else has saved this KPI since you opened it" in page
    assert at.text_input(key=f"{prefix}_name").value == "Families helped at the hubs"  # the input is kept
    saved = one(ContractKpi, id=kpi.id)
    assert (saved.name, saved.target, saved.version) == (FAMILIES, 500, 2)
    at.button(key="kpi_fix_loaded_reload").click().run()
    assert at.number_input(key=f"kpie_{kpi.id}_2_target").value == 500
    assert "Someone else has saved this KPI" not in texts(at)


def test_a_stale_value_is_not_deleted(open_page):
    at = open_tab(open_page(CONTRACTS, Role.EDITOR), "contracts_tab", "Contract detail")
    kpi = one(ContractKpi, name=FAMILIES)
    value = one(ContractKpiValue, kpi_id=kpi.id, period_end=date(2019, 9, 30))
    in_database(lambda s: contracts.update_kpi_value(s, SYSTEM, value.id, value.version, note="Checked"))
    at.button(key="confirm_delete_kpi_value_ask").click().run()
    assert f"Delete the value recorded for **{FAMILIES}** for the period ending 30 Sep 2019 (392, Red)?" in texts(at)
    at.button(key="confirm_delete_kpi_value_yes").click().run()
    assert "saved this KPI value after you opened it" in texts(at)
    assert one(ContractKpiValue, id=value.id).note == "Checked"


def test_correcting_a_kpi_shows_messages_next_to_the_fields(open_page):
    at = open_tab(open_page(CONTRACTS, Role.EDITOR), "contracts_tab", "Contract detail")
    kpi = one(ContractKpi, name=FAMILIES)
    prefix = f"kpie_{kpi.id}_{kpi.version}"
    assert at.text_input(key=f"{prefix}_unit").value == "families per quarter"
    at.text_input(key=f"{prefix}_name").input("")
    at.number_input(key=f"{prefix}_frequency_months").set_value(2)
    click(at, "Save KPI")
    page = texts(at)
    assert "Enter the KPI's name" in page
    assert "2 recorded value(s) would no longer fall at the end of a reporting period" in page
    assert one(ContractKpi, id=kpi.id).frequency_months == 3


@pytest.mark.parametrize("role", [Role.VIEWER, Role.COMMISSIONER])
def test_read_only_roles_see_the_kpis_and_their_trend_but_no_edit_controls(open_page, role):
    at = open_tab(open_page(CONTRACTS, role), "contracts_tab", "Contract detail")
    assert not at.exception
    hubs = one(Contract, reference="KH-2016-01")
    kpi = one(ContractKpi, name=FAMILIES)
    assert FAMILIES in set(kpi_table(at)["KPI"])
    buttons = {b.label for b in at.button}
    assert not buttons & {"Save KPI", "Save value", "Delete this KPI...", "Delete this value...", "Record value",
                          "Add KPI"}
    assert not [e.label for e in at.expander if e.label.startswith("Correct")]
    assert [*at.get("form"), *at.text_input, *at.number_input, *at.date_input] == []
    assert len(at.get("plotly_chart")) == 1  # no KPI chosen: the contract timeline only
    at.selectbox(key=f"kpi_trend_{hubs.id}").select(kpi.id).run()
    chart = json.loads(at.get("plotly_chart")[1].proto.spec)
    layout = chart["layout"]
    assert layout["title"]["text"] == f"{FAMILIES}: reported values against the target"
    assert layout["yaxis"]["title"]["text"] == "families per quarter"
    assert layout["xaxis"]["title"]["text"] == "End of the reporting period (month and year)"
    assert [s["y0"] for s in layout["shapes"]] == [450]
    names = [t["name"] for t in chart["data"]]
    assert names[0] == "Reported value" and names[-1] == "Target: 450 families per quarter (higher is better)"
    points = {t["name"]: list(numbers(t["y"])) for t in chart["data"] if t["mode"] == "markers"}
    assert points == {"Green: target met": [468, 455], "Amber: within 10% of the target": [431],
                      "Red: further from the target": [392]}
