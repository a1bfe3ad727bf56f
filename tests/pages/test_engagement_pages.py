"""AppTest of the Engagement and Engagement insights pages for each role, the personal-data prompt
(one-click redaction, confirmation), field errors, and erasure with confirmation."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Engine, event, select

from review.models import AuditEvent
from review.models.engagement import EngagementActivity, EngagementInput
from review.platform import db
from review.platform.config import get_settings
from review.platform.privacy import FEWER_THAN, NOT_SHOWN, NOT_SHOWN_NOTE
from review.platform.roles import Role
from tests.pages.conftest import open_tab, texts

pytestmark = pytest.mark.both_engines  # each test runs on SQLite and on PostgreSQL

ENGAGEMENT = "pages/7_Engagement.py"
ENGAGEMENT_TABS = ["Activities", "What parents said", "You said, we did", "Import a survey", "Retention and erasure",
                   "Themes and partners"]
INSIGHTS = "pages/8_Engagement_insights.py"
EDITORS = {Role.ADMIN, Role.EDITOR}
# In the demo data: a consented quote, a quote without consent, and a pseudonym.
CONSENTED_QUOTE = "Eighteen weeks for a call back is not a service."
UNCONSENTED_QUOTE = "By the third call I was in tears."


INSIGHTS_TABS = ["Themes", "You said, we did", "Quotes", "Coverage"]


def open_insights_tab(at, tab: str):
    """Choose an insights tab, as a click does: the page reruns and runs only that tab."""
    at.session_state["insights_tab"] = tab
    return at.run()


def query(statement):
    engine = db.make_engine(get_settings().database_url)
    with db.unit_of_work(engine) as session:
        result = session.execute(statement).all()
    engine.dispose()
    return result


def widget_key(elements, start: str, end: str) -> str:
    return next(e.key for e in elements if e.key and e.key.startswith(start) and e.key.endswith(end))


def click(at, label: str):
    return next(b for b in at.button if b.label == label).click().run()


@pytest.mark.parametrize("role", list(Role))
def test_engagement_page_for_each_role(open_page, role):
    at = open_page(ENGAGEMENT, role)
    assert not at.exception
    if role in EDITORS:
        assert at.session_state["engagement_tab"] == "Activities"
        assert "Past their retention-review date" not in texts(at)  # the other tabs run when opened
        page, participants = "", []
        for tab in ENGAGEMENT_TABS:
            open_tab(at, "engagement_tab", tab)
            assert not at.exception, (tab, at.exception)
            assert not at.error, [e.value for e in at.error]
            page += texts(at) + "\n"
            participants += [p for df in at.dataframe if "Participant" in df.value.columns
                             for p in df.value["Participant"].tolist()]
        assert "Engagement" in page and "Past their retention-review date" in page
        assert "P-052" in participants
    else:
        assert any("cannot use" in e.value for e in at.error)
        assert not at.dataframe and not at.text_input and not at.get("form")


@pytest.mark.parametrize("role", list(Role))
def test_insights_page_for_each_role(open_page, role):
    at = open_page(INSIGHTS, role)
    assert at.session_state["insights_tab"] == "Themes"
    assert len(at.get("plotly_chart")) == 2 and "You said, we did" not in texts(at)  # the other tabs run when opened
    page, charts, expanders = "", 0, []
    for tab in INSIGHTS_TABS:
        open_insights_tab(at, tab)
        assert not at.exception, (tab, at.exception)
        assert not at.error, [e.value for e in at.error]
        page += texts(at) + "\n"
        charts += len(at.get("plotly_chart"))
        expanders += [e.label for e in at.expander]
    assert "Engagement insights" in page and "You said, we did" in page
    assert charts == 4
    assert CONSENTED_QUOTE in page and UNCONSENTED_QUOTE not in page
    assert "P-0" not in page  # quotes never carry the pseudonym
    if role in EDITORS:
        assert "fewer than 5" not in page
        assert any("need(s) in parents' words" in label for label in expanders)
    else:
        assert 'counts below 5 are shown as "fewer than 5"' in page
        assert "### fewer than 5" in page  # the 3 responses done
        assert not [label for label in expanders if "parents' words" in label]


def test_insights_counts_are_read_once_per_role_and_never_shared_across_roles(open_page):
    """The counts are cached per data version for each role: the next Executive member reads nothing from the
    engagement tables, and a viewer after an editor still gets the suppressed counts."""
    editor = open_page(INSIGHTS, Role.EDITOR)  # fills the shared cache with counts nothing suppresses
    viewer = open_page(INSIGHTS, Role.VIEWER)
    assert "### fewer than 5" not in texts(editor) and "### fewer than 5" in texts(viewer)
    seen: list[str] = []

    def count(*args) -> None:
        seen.append(args[2])

    event.listen(Engine, "before_cursor_execute", count)
    try:
        again = open_page(INSIGHTS, Role.VIEWER)  # another member of the same role
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert texts(again) == texts(viewer)
    assert seen and not [s for s in seen if "engagement_" in s]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.COMMISSIONER, Role.EDITOR])
def test_insights_small_counts_cannot_be_worked_out_from_the_totals(open_page, role):
    """In the demo, July's one activity had 6 participants and August's (enquiry records) 0, with 151 in all:
    a viewer shown every other month and the 151 would get August's 0 by subtraction, so July is hidden too."""
    at = open_insights_tab(open_page(INSIGHTS, role), "Coverage")
    page = texts(at)
    listed = at.dataframe[-1].value.set_index("Activity")["Participants"].map(str)
    enquiry = listed["SENDIASS enquiry records 2018-19"]
    meeting = next(v for name, v in listed.items() if name.startswith("Meeting with officers"))
    by_month = json.loads(at.get("plotly_chart")[-1].proto.spec)["data"][0]["text"]  # the coverage chart
    assert "### 151" in page  # the headline participants
    if role in EDITORS:
        assert (enquiry, meeting) == ("0", "6") and NOT_SHOWN not in page
        assert by_month == ["18", "8", "75", "6", "0", "29", "15"]
        return
    assert (enquiry, meeting) == (FEWER_THAN, NOT_SHOWN)
    assert by_month == ["18", "8", "75", NOT_SHOWN, FEWER_THAN, "29", "15"]
    assert NOT_SHOWN_NOTE in page  # explained under the chart and the table
    shown = [int(v) for v in listed if v.isdigit()]
    assert 151 - sum(shown) == 6 and len(listed) - len(shown) == 2  # the sum of two hidden counts, not one
    assert 151 - sum(int(v) for v in by_month if v.isdigit()) == 6


def test_editor_sees_field_errors_then_adds_an_activity(open_page):
    at = open_page(ENGAGEMENT, Role.EDITOR)
    at.text_input(key="eng_act_new_0_title").input("")
    click(at, "Add activity")
    assert "Enter a title for the activity" in texts(at)
    assert "Enter the date the activity took place" in texts(at)
    at.text_input(key="eng_act_new_0_title").input("Drop-in at the Hertford hub")
    at.selectbox(key="eng_act_new_0_activity_type").select("drop_in")
    at.date_input(key="eng_act_new_0_start_date").set_value(date(2019, 11, 6))
    at.number_input(key="eng_act_new_0_participants").set_value(7)
    click(at, "Add activity")
    assert not at.exception
    assert "Activity added: Drop-in at the Hertford hub." in texts(at)
    [(review_date,)] = query(select(EngagementActivity.retention_review_date)
                             .where(EngagementActivity.title == "Drop-in at the Hertford hub"))
    assert review_date == date(2021, 11, 5)


def test_identifiers_in_an_input_are_offered_one_click_redaction(open_page):
    at = open_tab(open_page(ENGAGEMENT, Role.EDITOR), "engagement_tab", "What parents said")
    quote_key = widget_key(at.text_area, "eng_in_new_0_", "_quote")
    prefix = quote_key[: -len("_quote")]
    at.text_area(key=f"{prefix}_need").input("Wants a call back about transport.")
    at.text_area(key=quote_key).input("Ring me on 07700 900123 after school.")
    click(at, "Add input")
    assert not at.exception
    page = texts(at)
    assert "Nothing was saved yet: some text looks like personal data." in page and "07700 900123" in page
    found = [t.value for t in at.text]
    assert any(t.startswith("Verbatim quote: ") and "“07700 900123”" in t for t in found), found
    assert "This looks like personal data" in page  # the message next to the field
    assert not query(select(EngagementInput.id).where(EngagementInput.need == "Wants a call back about transport."))
    click(at, "Redact and save")
    assert "Input recorded for P-057." in texts(at)
    need = EngagementInput.need == "Wants a call back about transport."
    [(quote,)] = query(select(EngagementInput.quote).where(need))
    assert quote == "Ring me on [phone number removed] after school."


def test_identifiers_can_be_saved_as_written_with_an_audited_confirmation(open_page):
    at = open_tab(open_page(ENGAGEMENT, Role.EDITOR), "engagement_tab", "What parents said")
    need_key = widget_key(at.text_area, "eng_in_new_0_", "_need")
    at.text_area(key=need_key).input("Was told to ring Customer Services on 0300 123 4040.")
    click(at, "Add input")
    click(at, "Save as written (not personal data)")
    assert "Input recorded" in texts(at)
    [(summary,)] = query(select(AuditEvent.summary).where(AuditEvent.entity == "engagement_input")
                         .order_by(AuditEvent.id.desc()).limit(1))
    assert "confirmed by the user" in summary


def test_erasure_asks_for_confirmation_and_keeps_theme_counts(open_page):
    at = open_tab(open_page(ENGAGEMENT, Role.EDITOR), "engagement_tab", "Retention and erasure")
    before = query(select(EngagementInput.id).where(EngagementInput.erased_at.is_(None)))
    at.button(key="eng_erase_activity").click().run()
    assert "Yes, erase the personal data" in [b.label for b in at.button]
    at.button(key="eng_erase_activity_no").click().run()
    assert "Yes, erase the personal data" not in [b.label for b in at.button]
    at.button(key="eng_erase_activity").click().run()
    at.button(key="eng_erase_activity_yes").click().run()
    assert not at.exception
    assert "Personal data erased from the activity and 8 input(s)" in texts(at)
    after = query(select(EngagementInput.id).where(EngagementInput.erased_at.is_(None)))
    assert len(before) - len(after) == 8
    insights = open_page(INSIGHTS, Role.EDITOR)
    assert "Confusion over who to call" in texts(insights)


def test_viewer_gets_no_engagement_controls(open_page):
    at = open_page(ENGAGEMENT, Role.VIEWER)
    assert "cannot use the Engagement page" in texts(at)
    assert not [b for b in at.button if b.key and b.key.startswith("eng_")]


def test_editor_edits_an_activity_and_the_version_moves_on(open_page):
    at = open_page(ENGAGEMENT, Role.EDITOR)
    activity_id = at.selectbox(key="eng_edit_activity").value
    at.number_input(key=f"eng_act_{activity_id}_1_participants").set_value(12)
    click(at, "Save activity")
    assert "Activity saved." in texts(at)
    [(participants, version)] = query(select(EngagementActivity.participants, EngagementActivity.version)
                                      .where(EngagementActivity.id == activity_id))
    assert (participants, version) == (12, 2)


def test_the_insights_choices_are_still_made_after_another_tab(open_page):
    """Only the open tab runs and Streamlit forgets a widget it did not draw: the breakdown and the quotes' theme
    are kept."""
    at = open_page(INSIGHTS, Role.EDITOR)
    at.radio(key="eng_insights_by").set_value("partner").run()
    at = open_insights_tab(at, "Quotes")
    at.selectbox(key="eng_quotes_theme").select_index(1).run()
    chosen = at.selectbox(key="eng_quotes_theme").value
    assert isinstance(chosen, int)  # a theme's id, not "All themes"
    at = open_insights_tab(open_insights_tab(at, "Coverage"), "Themes")
    assert not at.exception and at.radio(key="eng_insights_by").value == "partner"
    at = open_insights_tab(at, "Quotes")
    assert at.selectbox(key="eng_quotes_theme").value == chosen


def test_the_engagement_page_runs_the_open_tab_and_keeps_its_choices(open_page):
    at = open_tab(open_page(ENGAGEMENT, Role.EDITOR), "engagement_tab", "What parents said")
    assert "Edit an activity" not in texts(at)  # the Activities tab's forms are not drawn
    [(chosen,)] = query(select(EngagementActivity.id).order_by(EngagementActivity.start_date).limit(1))
    assert at.selectbox(key="eng_inputs_activity").value != chosen  # the newest is chosen first
    at.selectbox(key="eng_inputs_activity").set_value(chosen).run()
    at = open_tab(open_tab(at, "engagement_tab", "Activities"), "engagement_tab", "What parents said")
    assert not at.exception and at.selectbox(key="eng_inputs_activity").value == chosen
