"""AppTest of the executive dashboard, the plan and the RAID log for every role, and the project team's writes."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from review.models import AuditEvent, Task
from review.models.plan import Baseline, RagOverride, RaidItem
from review.platform import db
from review.platform.config import get_settings
from review.platform.roles import Role
from tests.pages.conftest import open_tab, texts

DASHBOARD = "pages/1_Executive_dashboard.py"
PLAN = "pages/3_Plan.py"
RAID = "pages/4_RAID_log.py"
EDITORS = {Role.ADMIN, Role.EDITOR}
TILES = ["Overall status", "Status by workstream", "Progress by phase", "Milestones in the next 8 weeks",
         "Overdue and blocked tasks", "Top risks", "Contract and decision deadlines", "Phone line",
         "What parents told us"]


def query(statement):
    engine = db.make_engine(get_settings().database_url)
    try:
        with db.unit_of_work(engine) as session:
            return session.execute(statement).all()
    finally:
        engine.dispose()


def edit_controls(at) -> list[str]:
    """Anything a viewer should not have: forms, text inputs, and buttons other than signing out."""
    found = [f"form {f.key}" for f in at.get("form")]
    found += [f"text input {t.key}" for t in at.text_input] + [f"text area {t.key}" for t in at.text_area]
    found += [f"button {b.label}" for b in at.button if b.key != "_sign_out"]
    return found


@pytest.mark.both_engines
def test_viewer_sees_every_dashboard_tile_with_no_edit_controls(open_page):
    at = open_page(DASHBOARD, Role.VIEWER)
    assert not at.exception and not at.error, [e.value for e in at.error]
    page = texts(at)
    for tile in TILES:
        assert tile in page, tile
    assert edit_controls(at) == []
    assert "Override a RAG" not in page
    # Demo data fills each tile: RAG with the override's reason, a milestone, the overdue tasks, risks, deadlines,
    # what parents said and the recommended phone-line scenario.
    assert "Computed **red**" in page and "Set to **amber**" in page and "finance sign-off is blocked" in page
    assert "not set up yet" not in page and "could not be read" not in page
    frames = [df.value for df in at.dataframe]
    cells = "\n".join(f.to_csv() for f in frames)
    for expected in ("SUB-05", "EXP-15", "R-01", "Notice deadline", "Recommended scenario"):
        assert expected in cells or expected in page, expected
    assert len(at.get("plotly_chart")) == 1
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Overdue"] == "3" and metrics["Blocked"] == "1"
    assert metrics["Annual cost"].startswith("£") and "Staff (FTE)" in metrics
    assert at.get("download_button"), "the highlight report download is offered"
    links = {link.proto.label for link in at.get("page_link") if link.proto.label.startswith("Open ")}
    assert {"Open Plan and baselines", "Open RAID log", "Open Contracts", "Open Phone-line costs"} <= links
    assert "Open Tasks" not in links  # viewers cannot open the task tracker; that tile links to the plan


@pytest.mark.both_engines
@pytest.mark.parametrize("page", [DASHBOARD, PLAN, RAID])
@pytest.mark.parametrize("role", list(Role))
def test_each_page_for_each_role(open_page, page, role):
    at = open_page(page, role)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    if page == PLAN:  # every tab, ending on the baselines, where the project team saves one
        for tab in ("Formal consultation", "Baselines and slippage"):
            open_tab(at, "plan_tab", tab)
            assert not at.exception, at.exception
            assert not at.error, [e.value for e in at.error]
    if page == RAID:  # every tab the role has; the edit controls are on the last ones
        for tab in [t.label for t in at.tabs][1:]:
            open_tab(at, "raid_tab", tab)
            assert not at.exception, at.exception
            assert not at.error, [e.value for e in at.error]
    if role in EDITORS:
        assert at.get("form") or at.button, "the project team gets its edit controls"
    else:
        assert edit_controls(at) == [], edit_controls(at)


@pytest.mark.both_engines
def test_plan_page_draws_the_timeline_and_names_the_critical_path(open_page):
    at = open_page(PLAN, Role.VIEWER)
    page = texts(at)
    assert "Critical path" in page and "EXP-01 → EXP-02 → EXP-05" in page and "2 chains tie" in page
    assert "SUB-06 → PLN-02 → PLN-03" in page and "more …" not in page  # a chain of 15 steps is shown whole
    assert "31 task(s) shown of 31" in page and not at.number_input  # the demo plan fits on one page
    assert len(at.get("plotly_chart")) == 1  # the timeline: the other tabs run when opened
    page = texts(open_tab(at, "plan_tab", "Baselines and slippage"))
    assert len(at.get("plotly_chart")) == 2  # the two slippage charts
    assert "Original plan agreed by the project team" in page or at.selectbox(key="bl_choice")
    slipped = next(df.value for df in at.dataframe if "Slippage (days)" in df.value.columns)
    assert slipped.iloc[0]["Ref"] == "SUB-05" and slipped.iloc[0]["Slippage (days)"] == 28
    assert "The project team inserts these steps" in texts(open_tab(at, "plan_tab", "Formal consultation"))


def test_the_critical_task_list_is_read_when_its_expander_opens(open_page):
    at = open_page(PLAN, Role.VIEWER)
    assert "Tasks on the critical path (16)" in [e.label for e in at.get("expander")]
    assert not [df for df in at.dataframe if "Duration (days)" in df.value.columns]  # closed: not read or drawn
    at.session_state["plan_critical_list"] = True
    at.run()
    listed = next(df.value for df in at.dataframe if "Duration (days)" in df.value.columns)
    assert len(listed) == 16 and listed.iloc[0]["Ref"] == "EXP-01"


def test_the_plan_filters_are_still_set_after_another_tab(open_page):
    at = open_page(PLAN, Role.EDITOR)
    [phase] = [r[0] for r in query(select(func.min(Task.phase_id)))]
    at.multiselect(key="plan_phase").select(phase)
    at.toggle(key="plan_critical").set_value(True).run()
    before = timeline_refs(at)
    at = open_tab(open_tab(at, "plan_tab", "Baselines and slippage"), "plan_tab", "Timeline")
    assert not at.exception
    assert at.multiselect(key="plan_phase").value == [phase] and at.toggle(key="plan_critical").value is True
    assert timeline_refs(at) == before and 0 < len(before) < 16


def test_plan_filters_to_the_critical_path(open_page):
    at = open_page(PLAN, Role.EDITOR)
    at.toggle(key="plan_critical").set_value(True).run()
    assert not at.exception
    assert "16 task(s) shown of 31" in texts(at)


def add_dated_tasks(count: int) -> None:
    """`count` more dated tasks in the demo's first phase (a plan too big for one page of the timeline)."""
    from datetime import date, timedelta

    engine = db.make_engine(get_settings().database_url)
    try:
        with db.unit_of_work(engine) as session:
            phase_id = session.scalar(select(func.min(Task.phase_id)))
            for i in range(count):
                start = date(2019, 12, 2) + timedelta(days=i)
                session.add(Task(reference=f"BIG-{i:03}", title=f"Extra task {i}", phase_id=phase_id,
                                 status="not_started", priority="medium", start_date=start,
                                 due_date=start + timedelta(days=3), percent_complete=0, is_milestone=False))
    finally:
        engine.dispose()


def timeline_refs(at) -> list[str]:
    """The refs in the timeline's text alternative (its "Chart data" table), in the order drawn."""
    return next(df.value for df in at.dataframe if "Critical path" in df.value.columns)["Ref"].tolist()


@pytest.mark.both_engines
def test_a_big_plan_pages_the_timeline_and_says_so(open_page):
    add_dated_tasks(70)  # 101 dated tasks: two pages of 60
    at = open_page(PLAN, Role.VIEWER)
    assert not at.exception, at.exception
    assert "Showing tasks 1 to 60 of the 101 that match (101 in the plan)" in texts(at)
    assert "draws 60 tasks at a time" in texts(at) and "Choose another page below" in texts(at)
    first = timeline_refs(at)
    assert len(first) == 60
    at.number_input(key="plan_page_ws_False").set_value(2).run()
    assert not at.exception, at.exception
    assert "Showing tasks 61 to 101 of the 101" in texts(at)
    second = timeline_refs(at)
    assert len(second) == 41 and not set(first) & set(second)
    every = {r[0] for r in query(select(Task.reference).where(Task.start_date.is_not(None)
                                                               | Task.due_date.is_not(None)))}
    assert set(first) | set(second) == every  # every dated task is on one page or the other
    at.toggle(key="plan_critical").set_value(True).run()  # new filters start again on one page
    assert "16 task(s) shown of 101" in texts(at) and not at.number_input


@pytest.mark.both_engines
def test_editor_saves_a_baseline(open_page):
    at = open_tab(open_page(PLAN, Role.EDITOR), "plan_tab", "Baselines and slippage")
    at.text_input(key="bl_name").input("").run()
    next(b for b in at.button if b.label == "Save baseline").click().run()
    assert "Give the baseline a name" in texts(at)
    at.text_input(key="bl_name").input("Plan for the December SEND Executive")
    next(b for b in at.button if b.label == "Save baseline").click().run()
    assert not at.exception
    assert "Baseline 'Plan for the December SEND Executive' saved" in texts(at)
    assert query(select(func.count()).select_from(Baseline))[0][0] == 2


@pytest.mark.both_engines
def test_editor_inserts_the_consultation_template(open_page):
    from datetime import date

    at = open_tab(open_page(PLAN, Role.EDITOR), "plan_tab", "Formal consultation")
    at.date_input(key="tpl_start").set_value(date(2020, 1, 6)).run()
    at.slider(key="tpl_weeks").set_value(10).run()
    at.button(key="tpl_insert").click().run()
    assert not at.exception
    assert "Formal consultation inserted as tasks CON-01 to CON-09" in texts(at)
    rows = query(select(Task.reference, Task.start_date, Task.due_date).where(Task.reference.like("CON-%"))
                 .order_by(Task.reference))
    assert len(rows) == 9 and rows[0][1] == date(2020, 1, 6)
    at.button(key="tpl_insert").click().run()  # again: the references are taken
    assert "already used" in texts(at)


@pytest.mark.both_engines
def test_editor_overrides_the_rag_with_a_reason_and_it_is_audited(open_page):
    at = open_page(DASHBOARD, Role.EDITOR)
    at.selectbox(key="rag_value").select("green")
    at.text_area(key="rag_reason").input("short")
    next(b for b in at.button if b.label == "Save override").click().run()
    assert "at least 10 characters" in texts(at)
    at.text_area(key="rag_reason").input("Finance signed off on 15 November; paper on track.")
    next(b for b in at.button if b.label == "Save override").click().run()
    assert not at.exception
    assert "RAG override saved" in texts(at)
    assert "Set to **green**" in texts(at)
    overrides = query(select(RagOverride.rag, RagOverride.cleared_at).order_by(RagOverride.id))
    assert [r[0] for r in overrides] == ["amber", "green"] and overrides[0][1] is not None
    events = query(select(AuditEvent.username).where(AuditEvent.entity == "rag_override",
                                                     AuditEvent.action == "create"))
    assert events[-1][0] == "demo-editor"
    at.button(key="rag_clear_0").click().run()
    assert "Override cleared" in texts(at) and "Set to **" not in texts(at)


@pytest.mark.both_engines
def test_editor_adds_a_risk_and_sees_field_errors(open_page):
    at = open_tab(open_page(RAID, Role.EDITOR), "raid_tab", "Add an item")
    prefix = "raid_add_0"
    at.text_input(key=f"{prefix}_title").input("Telephony contract renewal clashes with launch")
    at.selectbox(key=f"{prefix}_likelihood").select(None)
    next(b for b in at.button if b.label == "Add to the RAID log").click().run()
    assert "A risk needs a likelihood" in texts(at)
    at = open_tab(open_page(RAID, Role.EDITOR), "raid_tab", "Add an item")
    at.text_input(key=f"{prefix}_title").input("Telephony contract renewal clashes with launch")
    at.selectbox(key=f"{prefix}_likelihood").select(3)
    at.selectbox(key=f"{prefix}_impact").select(4)
    next(b for b in at.button if b.label == "Add to the RAID log").click().run()
    assert not at.exception
    assert "Added R-08" in texts(at)
    assert query(select(RaidItem.likelihood, RaidItem.impact).where(RaidItem.reference == "R-08"))[0] == (3, 4)


def test_the_raid_filters_survive_another_tab_and_choose_what_the_edit_tab_lists(open_page):
    at = open_page(RAID, Role.EDITOR)
    at.multiselect(key="raid_kinds").set_value(["issue"]).run()
    assert set(at.dataframe[0].value["Ref"].str[0]) == {"I"}
    at = open_tab(at, "raid_tab", "Edit an item")
    assert not at.exception
    assert {label.split(" ")[0][0] for label in at.selectbox(key="raid_edit_choice").options} == {"I"}
    at = open_tab(at, "raid_tab", "Log")
    assert at.multiselect(key="raid_kinds").value == ["issue"]
    assert at.multiselect(key="raid_statuses").value == ["open", "monitoring"]
    assert set(at.dataframe[0].value["Ref"].str[0]) == {"I"}


def test_viewer_reads_the_raid_log_and_heat_maps(open_page):
    at = open_page(RAID, Role.VIEWER)
    assert len(at.tabs) == 2
    log = at.dataframe[0].value
    assert log.iloc[0]["Ref"] == "R-01" and log.iloc[0]["Score"] == 16  # a number (sorts); unscored rows show blank
    assert at.get("plotly_chart") == []  # only the open tab runs
    assert len(open_tab(at, "raid_tab", "Heat map").get("plotly_chart")) == 2


def test_signed_out_visitors_are_sent_to_sign_in(open_page):
    for page in (DASHBOARD, PLAN, RAID):
        at = open_page(page, None)
        assert "Please sign in" in texts(at)
        assert not at.get("plotly_chart")


@pytest.mark.both_engines
def test_editor_edits_a_raid_item_and_its_links(open_page):
    at = open_tab(open_page(RAID, Role.EDITOR), "raid_tab", "Edit an item")
    [(item_id, version)] = query(select(RaidItem.id, RaidItem.version).where(RaidItem.reference == "R-01"))
    prefix = f"raid_edit_{item_id}_{version}"
    at.selectbox(key=f"{prefix}_status").select("monitoring")
    at.multiselect(key=f"{prefix}_tasks").set_value([])
    next(b for b in at.button if b.label == "Save item").click().run()
    assert not at.exception
    assert "RAID item saved" in texts(at)
    [(status, new_version)] = query(select(RaidItem.status, RaidItem.version).where(RaidItem.id == item_id))
    assert (status, new_version) == ("monitoring", version + 1)
    log = open_tab(at, "raid_tab", "Log").dataframe[0].value.set_index("Ref")
    assert log.loc["R-01", "Status"] == "Monitoring" and log.loc["R-01", "Linked tasks"] == ""


def test_a_shared_chart_works_out_its_text_alternative_once(open_page, monkeypatch):
    """Figures from `cached_chart` builders are shared by every session: the next person's run draws each one's
    "Chart data" table and summary without working the table out again (home: progress and status charts)."""
    from ui import charts

    calls = []
    real = charts.figure_table
    monkeypatch.setattr(charts, "figure_table", lambda fig: calls.append(fig) or real(fig))
    first = open_page("app.py", Role.EDITOR)
    assert len(calls) == 2
    again = open_page("app.py", Role.EDITOR)  # another member of the project team
    assert len(calls) == 2
    tables = [[df.value.to_dict("list") for df in at.dataframe] for at in (first, again)]
    assert tables[0] == tables[1] and [c.value for c in first.caption] == [c.value for c in again.caption]


def test_the_dashboards_tables_are_made_ready_once_per_role(open_page, monkeypatch):
    """The dashboard's read-only tables (days in words, gaps blanked, in Arrow) come with the cached view: the next
    Executive member's run draws them without making them again, and sees the same."""
    from ui import tables as ui_tables

    made = []
    real = ui_tables.ready
    monkeypatch.setattr(ui_tables, "ready", lambda frame: made.append(list(frame.columns)) or real(frame))
    first = open_page(DASHBOARD, Role.VIEWER)
    assert ["Ref", "Task", "Owner", "Status", "Due", "Days late"] in made
    count = len(made)
    again = open_page(DASHBOARD, Role.VIEWER)
    assert len(made) == count
    tables = [[df.value.to_dict("list") for df in at.dataframe] for at in (first, again)]
    assert tables[0] == tables[1] and len(tables[0]) >= 6
    attention = next(t for t in tables[0] if "Days late" in t)
    assert "15 days overdue" in attention["Days late"]
