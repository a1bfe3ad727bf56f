"""Engagement record: activities, inputs, responses; identifiers refused by default; audit without
personal text; stale versions; permissions; retention and erasure; analysis with suppression."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from review import engagement
from review.models import AuditEvent
from review.models.engagement import EngagementActivity, EngagementInput, EngagementInputTheme
from review.platform.errors import EditConflict, NotFound, PermissionDenied, ValidationFailed
from review.platform.privacy import FEWER_THAN, NOT_SHOWN, IdentifiersFound


@pytest.fixture
def eng(session, editor):
    """Two partners, four themes and two activities, built through the services."""
    forum = engagement.create_partner(session, editor, "Herts Parent Carer Involvement", "HPCI", "HCPI")
    hubs = engagement.create_partner(session, editor, "KIDS", "KIDS", "KIDS hubs")
    themes = {name: engagement.create_theme(session, editor, name).id
              for name in ("Confusion over who to call", "Waiting times", "Help with EHCPs", "Transitions")}
    forum_meeting = engagement.create_activity(
        session, editor, title="Forum listening session", activity_type="forum", start_date="2019-04-10",
        partner_id=forum.id, participants=18, lawful_basis="public_task",
        special_category_condition="substantial_public_interest", retention_review_date="2021-04-10")
    interviews = engagement.create_activity(
        session, editor, title="Parent interviews", activity_type="interview", start_date=date(2019, 5, 7),
        end_date=date(2019, 5, 24), partner_id=hubs.id, participants=8, lawful_basis="consent",
        special_category_condition="explicit_consent", consent_form_version="v1.2",
        retention_review_date=date(2019, 11, 1), summary="Interviews with parents referred by the hubs.")
    session.commit()
    return {"themes": themes, "forum": forum_meeting.id, "interviews": interviews.id, "hpci": forum.id,
            "kids": hubs.id}


def add(session, actor, activity_id, themes, **values):
    values = {"participant": None, "need": "Needs to know who to call.", **values}
    return engagement.add_input(session, actor, activity_id=activity_id, theme_ids=themes, **values)


def events(session, entity, action=None):
    query = select(AuditEvent).where(AuditEvent.entity == entity)
    if action:
        query = query.where(AuditEvent.action == action)
    return session.scalars(query.order_by(AuditEvent.id)).all()


# ---------------------------------------------------------------- activities

def test_activity_is_created_with_defaults_and_audited(session, editor, eng):
    activity = session.get(EngagementActivity, eng["forum"])
    assert (activity.version, activity.consent_form_version, activity.erased_at) == (1, None, None)
    [event] = [e for e in events(session, "engagement_activity", "create") if e.record_id == str(eng["forum"])]
    assert event.username == "test-editor"
    assert event.changes["retention_review_date"]["after"] == "2021-04-10"


def test_retention_review_defaults_to_two_years_after_the_start(session, editor, eng):
    activity = engagement.create_activity(session, editor, title="Drop-in", activity_type="drop_in",
                                          start_date="2019-06-12", participants=11, lawful_basis="public_task")
    assert activity.retention_review_date == date(2021, 6, 11)  # 730 days
    assert activity.special_category_condition == "none"


def test_partner_spellings_are_data(session, editor, eng):
    assert engagement.partners(session)[eng["hpci"]] == "Herts Parent Carer Involvement (HPCI)"
    frame = engagement.partners_frame(session)
    assert "HCPI" in set(frame["Also written as"])
    with pytest.raises(ValidationFailed) as info:
        engagement.create_partner(session, editor, "kids")
    assert "already" in info.value.errors["name"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": " "}, "title"),
        ({"activity_type": "webinar"}, "activity_type"),
        ({"start_date": None}, "start_date"),
        ({"start_date": "12/03/2019"}, "start_date"),
        ({"end_date": "2019-05-01"}, "end_date"),
        ({"participants": -1}, "participants"),
        ({"participants": "a few"}, "participants"),
        ({"partner_id": 99999}, "partner_id"),
        ({"lawful_basis": "because"}, "lawful_basis"),
        ({"consent_form_version": None}, "consent_form_version"),
        ({"special_category_condition": "vibes"}, "special_category_condition"),
        ({"retention_review_date": "2019-01-01"}, "retention_review_date"),
        ({"summary": "x" * 5001}, "summary"),
    ],
)
def test_activity_validation_is_reported_against_the_field(session, editor, eng, changes, field):
    with pytest.raises(ValidationFailed) as info:
        engagement.update_activity(session, editor, eng["interviews"], 1, **changes)
    assert field in info.value.errors
    session.rollback()
    assert session.get(EngagementActivity, eng["interviews"]).version == 1


def test_activity_summary_with_identifiers_is_refused_then_saved_redacted_or_confirmed(session, editor, eng):
    with pytest.raises(IdentifiersFound) as info:
        engagement.update_activity(session, editor, eng["forum"], 1, summary="Organiser: jo@example.org")
    assert "email address" in info.value.errors["summary"]
    activity = engagement.update_activity(session, editor, eng["forum"], 1, summary="Organiser: 07700 900123",
                                          confirm_identifiers=True)
    session.commit()
    assert activity.version == 2
    [event] = events(session, "engagement_activity", "update")
    assert "confirmed by the user" in event.summary
    assert "07700" not in str(event.changes)


def test_stale_activity_edit_is_refused_with_the_other_change(session, editor, admin, eng):
    engagement.update_activity(session, admin, eng["forum"], 1, participants=20)
    session.commit()
    with pytest.raises(EditConflict) as info:
        engagement.update_activity(session, editor, eng["forum"], 1, participants=25)
    assert "test-admin" in str(info.value) and "participants" in str(info.value)


# ---------------------------------------------------------------- inputs

def test_input_with_several_themes_is_recorded_and_audited_without_personal_text(session, editor, eng):
    t = eng["themes"]
    item = add(session, editor, eng["interviews"], [t["Waiting times"], t["Help with EHCPs"]], participant="p-7",
               need="Waited months for the assessment.")
    session.commit()
    assert item.participant == "P-007"  # p-7, P7 and "p 7" are written the standard way
    assert sorted(engagement.input_values(session, editor, item.id)[0]["theme_ids"]) == sorted(
        [t["Waiting times"], t["Help with EHCPs"]])
    [event] = events(session, "engagement_input", "create")
    assert event.changes["need"]["after"] == "[personal data, 33 characters]"
    assert "Waited months" not in str(event.changes)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"participant": "Jane Smith"}, "participant"),
        ({"participant": "Parent 1"}, "participant"),
        ({"participant": "P-ABC"}, "participant"),
        ({"need": None, "theme_ids": []}, "need"),
        ({"sentiment": "angry"}, "sentiment"),
        ({"theme_ids": [99999]}, "theme_ids"),
        ({"quote": "x" * 2001}, "quote"),
        ({"activity_id": 99999}, "activity_id"),
    ],
)
def test_input_validation(session, editor, eng, values, field):
    values = {"activity_id": eng["forum"], "need": "Who to call", "theme_ids": [], **values}
    with pytest.raises(ValidationFailed) as info:
        engagement.add_input(session, editor, **values)
    assert field in info.value.errors
    assert not isinstance(info.value, IdentifiersFound)


def test_quote_with_a_phone_number_is_refused_by_default(session, editor, eng):
    with pytest.raises(IdentifiersFound) as info:
        add(session, editor, eng["forum"], [], quote="Ring me on 07700 900123 any time", consent_to_quote=True)
    assert set(info.value.findings) == {"quote"}
    assert session.scalar(select(func.count(EngagementInput.id))) == 0


def test_confirmed_identifiers_are_saved_and_the_confirmation_audited(session, editor, eng):
    item = add(session, editor, eng["forum"], [], need="Spoke to Sarah at the hub.", confirm_identifiers=True)
    session.commit()
    assert item.need == "Spoke to Sarah at the hub."
    [event] = events(session, "engagement_input", "create")
    assert "confirmed by the user" in event.summary


def test_updating_themes_bumps_the_version_and_stale_edits_are_refused(session, editor, admin, eng):
    t = eng["themes"]
    item = add(session, editor, eng["forum"], [t["Waiting times"]], participant="P-001")
    session.commit()
    engagement.update_input(session, admin, item.id, 1, theme_ids=[t["Waiting times"], t["Transitions"]])
    session.commit()
    assert item.version == 2
    [event] = events(session, "engagement_input", "update")
    assert event.changes["theme_ids"]["after"] == sorted([t["Waiting times"], t["Transitions"]])
    with pytest.raises(EditConflict):
        engagement.update_input(session, editor, item.id, 1, sentiment="negative")


def test_next_pseudonym(session, editor, eng):
    assert engagement.next_pseudonym(session) == "P-001"
    add(session, editor, eng["forum"], [], participant="P-041")
    assert engagement.next_pseudonym(session) == "P-042"


def test_a_retired_theme_cannot_be_newly_applied_but_keeps_its_counts(session, editor, eng):
    t = eng["themes"]
    add(session, editor, eng["forum"], [t["Transitions"]])
    engagement.update_theme(session, editor, t["Transitions"], 1, active=False)
    with pytest.raises(ValidationFailed) as info:
        add(session, editor, eng["forum"], [t["Transitions"]])
    assert "retired" in info.value.errors["theme_ids"]
    counts = engagement.theme_counts(session, editor).set_index("Theme")["Mentions"]
    assert counts["Transitions"] == 1


# ---------------------------------------------------------------- permissions

@pytest.mark.parametrize("role", ["viewer", "commissioner"])
def test_readers_cannot_write_or_read_individual_inputs(session, request, eng, role):
    actor = request.getfixturevalue(role)
    calls = [
        lambda: engagement.create_activity(session, actor, title="x", activity_type="survey",
                                           start_date="2019-06-01", lawful_basis="public_task"),
        lambda: engagement.update_activity(session, actor, eng["forum"], 1, participants=3),
        lambda: add(session, actor, eng["forum"], []),
        lambda: engagement.create_theme(session, actor, "New theme"),
        lambda: engagement.create_partner(session, actor, "New partner"),
        lambda: engagement.create_response(session, actor, you_said="a", we_did="b"),
        lambda: engagement.erase_activity(session, actor, eng["interviews"], 1),
        lambda: engagement.erase_participant(session, actor, "P-001"),
        lambda: engagement.inputs_frame(session, actor),
        lambda: engagement.needs_without_response(session, actor),
        lambda: engagement.retention_due_frame(session, actor),
        lambda: engagement.activity_values(session, actor, eng["interviews"]),
        lambda: engagement.input_values(session, actor, 1),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert not events(session, "engagement_input")


# ---------------------------------------------------------------- responses

def test_response_answers_needs_and_done_gets_a_date(session, editor, eng):
    t = eng["themes"]
    a = add(session, editor, eng["forum"], [t["Confusion over who to call"]])
    b = add(session, editor, eng["forum"], [t["Confusion over who to call"]], need="Wants one number to call.")
    response = engagement.create_response(
        session, editor, theme_id=t["Confusion over who to call"], you_said="You did not know who to call.",
        we_did="We are scoping a single SEND phone line.", by_whom="Project team", input_ids=[a.id])
    session.commit()
    assert response.status == "planned" and response.response_date is None
    open_needs = engagement.needs_without_response(session, editor)
    assert list(open_needs["id"]) == [b.id]
    engagement.update_response(session, editor, response.id, 1, status="done", input_ids=[a.id, b.id])
    session.commit()
    assert response.response_date == date(2019, 11, 15) and response.version == 2
    assert engagement.needs_without_response(session, editor).empty
    frame = engagement.responses_frame(session, editor)
    assert frame.loc[0, "Needs answered"] == 2 and frame.loc[0, "Status"] == "Done"


def test_response_validation_and_identifiers(session, editor, eng):
    with pytest.raises(ValidationFailed) as info:
        engagement.create_response(session, editor, you_said="", we_did="", status="maybe")
    assert {"you_said", "we_did", "status"} <= set(info.value.errors)
    with pytest.raises(IdentifiersFound):
        engagement.create_response(session, editor, you_said="You said", we_did="Call Mrs Abernethy on 01438 843873")


# ---------------------------------------------------------------- retention and erasure

def test_records_past_their_retention_review_are_listed(session, editor, eng):
    add(session, editor, eng["interviews"], [], participant="P-001")
    frame = engagement.retention_due_frame(session, editor, today=date(2019, 11, 15))
    assert list(frame["id"]) == [eng["interviews"]]
    assert frame.loc[0, "Days past review"] == 14 and frame.loc[0, "Inputs with personal data"] == 1
    assert engagement.retention_due_frame(session, editor, today=date(2019, 10, 31)).empty


def test_erasure_removes_personal_parts_keeps_theme_counts_and_is_audited(session, editor, viewer, eng):
    t = eng["themes"]
    for n in range(6):
        add(session, editor, eng["interviews"], [t["Waiting times"], t["Help with EHCPs"]], participant=f"P-00{n + 1}",
            need=f"Waited {n + 10} weeks.", quote="It took far too long.", consent_to_quote=True,
            district="Stevenage", follow_up="Check the call-back log.")
    add(session, editor, eng["forum"], [t["Waiting times"]], participant="P-001")
    session.commit()
    before = engagement.theme_counts(session, editor).set_index("Theme")["Mentions"].to_dict()
    assert before == {"Waiting times": 7, "Help with EHCPs": 6}
    assert len(engagement.quotes_by_theme(session, viewer)) == 12

    erased = engagement.erase_activity(session, editor, eng["interviews"], 1)
    session.commit()

    assert erased == 6
    assert engagement.theme_counts(session, editor).set_index("Theme")["Mentions"].to_dict() == before
    assert engagement.theme_counts_by(session, editor, "activity_type")["Mentions"].sum() == 13
    items = session.scalars(select(EngagementInput).where(EngagementInput.activity_id == eng["interviews"])).all()
    assert all(i.participant is None and i.need is None and i.quote is None and i.district is None
               and i.follow_up is None and not i.consent_to_quote and i.erased_at is not None for i in items)
    assert session.scalar(select(func.count(EngagementInputTheme.id))) == 13
    activity = session.get(EngagementActivity, eng["interviews"])
    assert activity.summary is None and activity.erased_at is not None and activity.participants == 8
    assert engagement.quotes_by_theme(session, viewer).empty
    assert engagement.retention_due_frame(session, editor).empty
    erase_events = events(session, "engagement_input", "erase")
    assert len(erase_events) == 6 and all(e.username == "test-editor" for e in erase_events)
    assert erase_events[0].changes["quote"] == {"before": "[personal data, 21 characters]", "after": None}
    [activity_event] = events(session, "engagement_activity", "erase")
    assert "6 input(s)" in activity_event.summary
    every_change = str([e.changes for e in session.scalars(select(AuditEvent))])
    assert "far too long" not in every_change and "Stevenage" not in every_change
    with pytest.raises(ValidationFailed):
        engagement.update_input(session, editor, items[0].id, items[0].version, need="New words")
    with pytest.raises(ValidationFailed):
        add(session, editor, eng["interviews"], [t["Waiting times"]])


def test_erasing_a_participant_covers_all_their_inputs(session, editor, eng):
    t = eng["themes"]
    add(session, editor, eng["forum"], [t["Transitions"]], participant="P-003")
    add(session, editor, eng["interviews"], [t["Transitions"]], participant="P-003")
    keep = add(session, editor, eng["forum"], [t["Transitions"]], participant="P-004")
    session.commit()
    assert engagement.erase_participant(session, editor, "p-003") == 2
    session.commit()
    assert set(session.scalars(select(EngagementInput.participant))) == {None, "P-004"}
    assert keep.need is not None
    with pytest.raises(NotFound):
        engagement.erase_participant(session, editor, "P-003")
    with pytest.raises(ValidationFailed):
        engagement.erase_participant(session, editor, "Jane")


def test_erasing_one_input_checks_its_version(session, editor, eng):
    item = add(session, editor, eng["forum"], [eng["themes"]["Transitions"]], participant="P-009")
    session.commit()
    engagement.update_input(session, editor, item.id, 1, sentiment="mixed")
    session.commit()
    with pytest.raises(EditConflict):
        engagement.erase_input(session, editor, item.id, 1)
    engagement.erase_input(session, editor, item.id, 2)
    assert item.need is None and item.version == 3
    with pytest.raises(ValidationFailed):
        engagement.erase_input(session, editor, item.id, 3)


# ---------------------------------------------------------------- analysis and suppression

@pytest.fixture
def mixed_counts(session, editor, eng):
    """Waiting times raised 6 times, Transitions 2, Help with EHCPs 5; one consented quote."""
    t = eng["themes"]
    for n in range(6):
        add(session, editor, eng["forum"] if n < 4 else eng["interviews"], [t["Waiting times"]])
    for n in range(2):
        add(session, editor, eng["interviews"], [t["Transitions"]], quote=f"Quote {n}", consent_to_quote=n == 0)
    for _ in range(5):
        add(session, editor, eng["forum"], [t["Help with EHCPs"]])
    session.commit()
    return t


def test_theme_counts_below_five_are_suppressed_for_viewers_only(session, editor, viewer, mixed_counts):
    shown = engagement.theme_counts(session, viewer).set_index("Theme")["Mentions"].to_dict()
    # Help with EHCPs (5) is hidden too: its 5 forum mentions and the interviews' "fewer than 5" would give
    # the interviews' 0 away, and with Waiting times (6) and the 13 inputs, Transitions' 2.
    assert shown == {"Waiting times": 6, "Help with EHCPs": NOT_SHOWN, "Transitions": FEWER_THAN}
    assert list(engagement.theme_counts(session, viewer)["Theme"]) == ["Waiting times", "Help with EHCPs",
                                                                      "Transitions"]  # hidden ones last, A-Z
    full = engagement.theme_counts(session, editor).set_index("Theme")["Mentions"].to_dict()
    assert full == {"Waiting times": 6, "Help with EHCPs": 5, "Transitions": 2}


def test_theme_counts_by_activity_type_and_partner(session, editor, viewer, mixed_counts):
    by_type = engagement.theme_counts_by(session, editor, "activity_type")
    assert set(by_type["Activity type"]) == {"Forum or parent carer forum meeting", "Interview"}
    assert len(by_type) == 6  # every theme against every type, zero included
    cell = by_type.set_index(["Theme", "Activity type"])["Mentions"]
    assert cell[("Waiting times", "Forum or parent carer forum meeting")] == 4
    assert cell[("Help with EHCPs", "Interview")] == 0
    by_partner = engagement.theme_counts_by(session, viewer, "partner").set_index(["Theme", "Partner organisation"])
    assert by_partner.loc[("Waiting times", "Herts Parent Carer Involvement"), "Mentions"] == FEWER_THAN
    assert by_partner.loc[("Help with EHCPs", "KIDS"), "Mentions"] == FEWER_THAN  # a zero, suppressed
    assert by_partner.loc[("Help with EHCPs", "Herts Parent Carer Involvement"), "Mentions"] == NOT_SHOWN
    with pytest.raises(ValueError):
        engagement.theme_counts_by(session, editor, "district")


def test_viewers_see_only_consented_quotes_and_suppressed_open_needs(session, viewer, mixed_counts):
    quotes = engagement.quotes_by_theme(session, viewer)
    assert list(quotes["Quote"]) == ["Quote 0"]
    assert "Participant" not in quotes.columns
    assert engagement.quotes_by_theme(session, viewer, mixed_counts["Waiting times"]).empty
    open_needs = engagement.needs_without_response_by_theme(session, viewer).set_index("Theme")
    assert open_needs.loc["Transitions", "Needs awaiting a response"] == FEWER_THAN
    assert open_needs.loc["Waiting times", "Needs awaiting a response"] == 6
    # 6 + 5 + 2 = the 13 needs in the headline, so the 5 is hidden as well
    assert open_needs.loc["Help with EHCPs", "Needs awaiting a response"] == NOT_SHOWN


def test_activities_and_coverage_for_viewers(session, editor, viewer, mixed_counts, eng):
    frame = engagement.activities_frame(session, viewer).set_index("id")
    assert "Summary" not in frame.columns
    assert frame.loc[eng["forum"], "Participants"] == 18
    # 9 and 4 inputs with 13 in the headline: the 4 is "fewer than 5" and the 9 "not shown"
    assert frame.loc[eng["interviews"], "Inputs"] == FEWER_THAN
    assert frame.loc[eng["forum"], "Inputs"] == NOT_SHOWN
    assert "Interviews with parents" in engagement.activities_frame(session, editor).set_index("id").loc[
        eng["interviews"], "Summary"]
    coverage = engagement.coverage_over_time(session, viewer).set_index("Month")
    assert coverage.loc[date(2019, 4, 1), "Participants"] == 18
    assert coverage.loc[date(2019, 4, 1), "Activities"] == FEWER_THAN
    assert coverage.loc[date(2019, 4, 1), "Inputs"] == NOT_SHOWN
    assert engagement.coverage_over_time(session, editor).set_index("Month").loc[date(2019, 5, 1), "Inputs"] == 4


def test_headline_for_the_dashboard(session, editor, viewer, mixed_counts):
    full = engagement.headline(session, editor)
    assert full["activities"] == 2 and full["participants"] == 26 and full["inputs"] == 13
    assert full["needs_without_response"] == 13
    assert full["top_themes"][0] == {"theme": "Waiting times", "count": 6}
    assert full["suppressed"] is False and full["not_shown"] is False
    shown = engagement.headline(session, viewer)
    assert shown["activities"] == FEWER_THAN and shown["participants"] == 26 and shown["suppressed"] is True
    assert {"theme": "Transitions", "count": FEWER_THAN} in shown["top_themes"]
    assert {"theme": "Help with EHCPs", "count": NOT_SHOWN} in shown["top_themes"] and shown["not_shown"] is True


def test_demo_data_loads_through_the_services(session):
    from review.engagement.demo import load_demo
    from review.platform.roles import SYSTEM

    load_demo(session, SYSTEM)
    session.commit()
    assert session.scalar(select(func.count(EngagementActivity.id))) == 10
    assert session.scalar(select(func.count(EngagementInput.id))) == 60
    assert all(d < date(2019, 11, 15) for d in session.scalars(select(EngagementActivity.start_date)))
    assert not engagement.retention_due_frame(session, SYSTEM).empty
    assert not engagement.responses_frame(session, SYSTEM).empty


def test_the_insights_read_gives_what_each_count_gives_from_one_read_of_the_counts(session, editor, viewer,
                                                                                  mixed_counts, monkeypatch):
    """The insights page's one read: the same figures as each function, suppressed as for the role."""
    import pandas as pd

    from review.engagement import analysis

    real, reads = analysis.engagement_counts, []
    monkeypatch.setattr(analysis, "engagement_counts",
                        lambda *args, **kwargs: reads.append(args) or real(*args, **kwargs))
    for actor in (editor, viewer):
        reads.clear()
        figures = engagement.insights(session, actor)
        assert len(reads) == 1
        assert figures.headline == engagement.headline(session, actor)
        pd.testing.assert_frame_equal(figures.themes, engagement.theme_counts(session, actor))
        assert set(figures.themes_by) == set(engagement.BY_OPTIONS)
        for by, frame in figures.themes_by.items():
            pd.testing.assert_frame_equal(frame, engagement.theme_counts_by(session, actor, by))
        pd.testing.assert_frame_equal(figures.needs_by_theme,
                                      engagement.needs_without_response_by_theme(session, actor))
        pd.testing.assert_frame_equal(figures.coverage, engagement.coverage_over_time(session, actor))
    assert FEWER_THAN in engagement.insights(session, viewer).themes_by["partner"]["Mentions"].tolist()
