"""AppTest of the phone-line costs page: commissioners build and save scenarios, viewers only read."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from review.models.costing import CostScenario
from review.platform import db
from review.platform.config import get_settings
from review.platform.roles import Role
from tests.pages.conftest import texts

PAGE = "pages/9_Phone_line_costs.py"
pytestmark = pytest.mark.both_engines


def stored_scenarios() -> dict[str, CostScenario]:
    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:
        found = {s.name: s for s in session.scalars(select(CostScenario))}
        for s in found.values():
            session.expunge(s)
    engine.dispose()
    return found


def widget(at, kind: str, suffix: str):
    matches = [w for w in getattr(at, kind) if w.key and w.key.endswith(suffix)]
    assert matches, f"no {kind} ending {suffix}"
    return matches[0]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_can_read_the_page(open_page, role):
    at = open_page(PAGE, role)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    page = texts(at)
    assert "Phone-line costs" in page
    assert "Source:" in page and "Green Book" in page  # defaults show their sources
    assert len(at.get("plotly_chart")) == 2  # cost by year, busiest week: the other tabs run when opened
    assert "Office-hours SEND line run in house" in at.selectbox(key="cost_choice").options[0]
    labels = [m.label for m in at.metric]
    assert "Adviser FTE" in labels and "Cost per call" in labels
    assert len(at.get("download_button")) >= 2


def test_the_results_charts_are_built_once_for_the_same_inputs_and_the_downloads_on_click(open_page, monkeypatch):
    """Another reader of the same scenario gets the shared charts; the result tables for the downloads are made
    only when a button is clicked."""
    from review.costing import downloads
    from ui import costing_components

    built, tables = [], []
    real_chart, real_tables = costing_components.cost_year_chart, downloads.result_tables
    monkeypatch.setattr(costing_components, "cost_year_chart", lambda result: built.append(1) or real_chart(result))
    monkeypatch.setattr(downloads, "result_tables", lambda *a: tables.append(1) or real_tables(*a))
    first = open_page(PAGE, Role.COMMISSIONER)
    again = open_page(PAGE, Role.VIEWER)
    assert len(built) == 1 and tables == []
    specs = [[c.proto.spec for c in at.get("plotly_chart")] for at in (first, again)]
    assert specs[0] == specs[1] and len(specs[0]) == 2
    csv = costing_components._tables_csv_bytes(lambda: real_tables("Test", costing_components.evaluate(
        costing_components.ScenarioInputs.from_dict({}))))  # what the CSV button's function writes
    assert b"Summary,Adviser FTE," in csv and b"Inputs and sources" in csv


@pytest.mark.parametrize("tab, charts, element", [
    ("Compare scenarios", 2, "download_compare_csv"),
    ("Sensitivity and uncertainty", 3, None),
])
def test_other_tabs_run_when_opened(open_page, tab, charts, element):
    at = open_page(PAGE, Role.VIEWER)
    assert at.session_state["costs_tab"] == "Scenario"
    at.session_state["costs_tab"] = tab
    at.run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 2 + charts
    if element:
        assert element in [d.key for d in at.get("download_button")]
    else:
        assert "Sensitivity (tornado)" in texts(at) and "Monte Carlo ranges" in texts(at)


def test_changing_an_input_keeps_the_open_tab_and_skips_the_closed_ones(open_page):
    at = open_page(PAGE, Role.COMMISSIONER)
    widget(at, "number_input", "_annual_calls").set_value(30000).run()
    assert not at.exception
    assert at.session_state["costs_tab"] == "Scenario"
    assert len(at.get("plotly_chart")) == 2


def test_commissioner_creates_and_saves_a_scenario(open_page):
    at = open_page(PAGE, Role.COMMISSIONER)
    at.selectbox(key="cost_choice").set_value("new").run()
    assert not at.exception
    before = at.metric[2].value  # average annual cost with the defaults
    widget(at, "number_input", "_annual_calls").set_value(30000).run()
    assert at.metric[2].value != before  # results update at once
    at.text_input(key="cost_name_new").input("Bigger line, office hours")
    at.text_input(key="cost_delivery_new").input("In house")
    at.button(key="cost_save_new").click().run()
    assert not at.exception
    assert "Saved new scenario" in texts(at)
    saved = stored_scenarios()["Bigger line, office hours"]
    assert saved.inputs["annual_calls"] == 30000 and saved.owner_username == "demo-commissioner"
    assert saved.delivery_model == "In house"
    # the page now shows the saved scenario; change it and save again
    assert at.selectbox(key="cost_choice").value == saved.id
    widget(at, "number_input", "_shrinkage").set_value(35.0).run()
    at.button(key="cost_save").click().run()
    assert not at.exception
    again = stored_scenarios()["Bigger line, office hours"]
    assert again.version == 2 and again.inputs["shrinkage"] == pytest.approx(0.35)


def test_commissioner_duplicates_and_recommends(open_page):
    at = open_page(PAGE, Role.COMMISSIONER)
    office = stored_scenarios()["Office-hours SEND line run in house"]
    assert office.is_recommended and office.is_locked  # the recommended scenario is locked
    at.selectbox(key="cost_choice").set_value(office.id).run()
    keys = {b.key for b in at.button}
    assert not keys & {"cost_save", "cost_unrecommend", "cost_delete"} and "cost_unlock" in keys
    at.button(key="cost_unlock").click().run()  # no reason given: refused
    assert stored_scenarios()["Office-hours SEND line run in house"].is_locked
    assert any("reason" in e.value for e in at.error)
    at.text_input(key=f"cost_unlock_reason_{office.id}").input("Extended hours preferred after consultation")
    at.button(key="cost_unlock").click().run()
    assert not at.exception
    assert not stored_scenarios()["Office-hours SEND line run in house"].is_locked
    assert "cost_unrecommend" in {b.key for b in at.button}
    extended = stored_scenarios()["Extended-hours SEND line run in house"]
    at.selectbox(key="cost_choice").set_value(extended.id).run()
    at.button(key="cost_recommend").click().run()
    assert not at.exception
    assert stored_scenarios()["Extended-hours SEND line run in house"].is_recommended
    assert not stored_scenarios()["Office-hours SEND line run in house"].is_recommended
    assert stored_scenarios()["Extended-hours SEND line run in house"].is_locked
    at.button(key="cost_duplicate").click().run()
    assert "Copy of Extended-hours SEND line run in house" in stored_scenarios()


def test_invalid_name_is_refused_and_nothing_saved(open_page):
    at = open_page(PAGE, Role.COMMISSIONER)
    at.selectbox(key="cost_choice").set_value("new").run()
    at.text_input(key="cost_name_new").input("Office-hours SEND line run in house")  # already taken
    at.button(key="cost_save_new").click().run()
    assert not at.exception
    assert any("already exists" in e.value for e in at.error)
    assert len(stored_scenarios()) == 3


def test_viewer_cannot_save(open_page):
    at = open_page(PAGE, Role.VIEWER)
    assert not at.exception
    assert "cannot save them" in texts(at)
    keys = {b.key for b in at.button}
    assert not keys & {"cost_save", "cost_save_new", "cost_duplicate", "cost_recommend", "cost_delete"}
    assert not [t for t in at.text_input if t.key and t.key.startswith("cost_name")]
    # a viewer may still try a change; it is not stored
    widget(at, "number_input", "_annual_calls").set_value(99999).run()
    assert not at.exception
    assert all(s.inputs["annual_calls"] != 99999 for s in stored_scenarios().values())


def test_a_commissioner_cannot_change_someone_elses_scenario(open_page):
    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:
        extended = session.scalar(select(CostScenario).where(CostScenario.name.like("Extended%")))
        extended.owner_username, extended.owner_name = "someone-else", "Alex Other"
        extended_id = extended.id
    engine.dispose()
    at = open_page(PAGE, Role.COMMISSIONER)
    at.selectbox(key="cost_choice").set_value(extended_id).run()
    assert not at.exception
    assert "belongs to Alex Other" in texts(at)
    keys = {b.key for b in at.button}
    assert not keys & {"cost_save", "cost_recommend", "cost_unrecommend", "cost_delete", "cost_unlock"}
    assert {"cost_save_new", "cost_duplicate"} <= keys
    at = open_page(PAGE, Role.ADMIN)  # an administrator may
    at.selectbox(key="cost_choice").set_value(extended_id).run()
    assert {"cost_save", "cost_recommend"} <= {b.key for b in at.button}


def test_unsaved_input_changes_are_shown(open_page):
    at = open_page(PAGE, Role.COMMISSIONER)
    extended = stored_scenarios()["Extended-hours SEND line run in house"]
    at.selectbox(key="cost_choice").set_value(extended.id).run()
    assert not any("Unsaved changes" in w.value for w in at.warning), [w.value for w in at.warning]
    widget(at, "number_input", "_shrinkage").set_value(41.0).run()
    [notice] = [w.value for w in at.warning if "Unsaved changes" in w.value]
    assert "1 input(s)" in notice and "Shrinkage" in notice
    at.button(key="cost_save").click().run()
    assert not any("Unsaved changes" in w.value for w in at.warning)


def test_downloads_comparison_and_opening_times_read_for_people(open_page):
    at = open_page(PAGE, Role.COMMISSIONER)
    assert not at.exception
    labels = []
    for tab in ("Scenario", "Compare scenarios", "Sensitivity and uncertainty"):  # each tab runs when opened
        at.session_state["costs_tab"] = tab
        at.run()
        labels += [b.proto.label for b in at.get("download_button")]
    for what in ("results", "comparison", "sensitivity", "P10, P50 and P90"):
        assert f"Download {what} (CSV)" in labels and f"Download {what} (Excel)" in labels, labels
    # the comparison is a static table (every scenario shows) with the recommended one marked
    at.session_state["costs_tab"] = "Compare scenarios"
    at.run()
    [table] = at.table
    columns = list(table.value.columns)
    assert any(c.startswith("★ Office-hours SEND line run in house (recommended)") for c in columns), columns
    assert "★ marks the recommended scenario" in texts(at)
    # opening hours are typed as times and the caption follows the table, not the default's source text
    at.session_state["costs_tab"] = "Scenario"
    at.run()
    assert "Open now: Mon 09:00-17:00; Tue 09:00-17:00" in texts(at)
