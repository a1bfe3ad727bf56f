"""RAID log: risk scoring and validation, references, task links, heat map, top risks, permissions, audit."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from review.models import AuditEvent
from review.models.plan import RaidItem, RaidTaskLink
from review.plan import raid, tasks
from review.platform.errors import EditConflict, NotFound, PermissionDenied, ValidationFailed


def risk(session, actor, org, **overrides):
    values = {"kind": "risk", "title": "Finance sign-off late", "owner_id": org.person_id, "likelihood": 4,
              "impact": 4, "mitigation": "Escalate to the Head of Finance", "residual_likelihood": 2,
              "residual_impact": 4, "review_date": date(2019, 11, 22)}
    values.update(overrides)
    item = raid.create_item(session, actor, **values)
    session.commit()
    return item


def test_create_risk_gives_a_reference_a_score_and_an_audit_event(session, editor, org):
    item = risk(session, editor, org)
    assert item.reference == "R-01" and item.status == "open" and item.raised_on == date(2019, 11, 15)
    second = risk(session, editor, org, title="Demand higher than modelled", likelihood=3, impact=4,
                  residual_likelihood=None, residual_impact=None)
    assert second.reference == "R-02"
    issue = raid.create_item(session, editor, kind="issue", title="Finance sign-off blocked")
    assert issue.reference == "I-01"
    frame = raid.raid_frame(session, today=date(2019, 11, 15)).set_index("Ref")
    assert (frame.loc["R-01", "Score"], frame.loc["R-01", "Rating"]) == (16, "High")
    assert (frame.loc["R-01", "Residual score"], frame.loc["R-01", "Residual rating"]) == (8, "Medium")
    assert pd_na(frame.loc["I-01", "Score"])
    assert list(frame.index) == ["R-01", "R-02", "I-01"]  # highest score first
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.entity == "raid_item",
                                                       AuditEvent.record_id == str(item.id))).all()
    assert event.changes["reference"]["after"] == "R-01" and event.changes["likelihood"]["after"] == 4


def pd_na(value) -> bool:
    import pandas as pd

    return pd.isna(value)


@pytest.mark.parametrize(("changes", "field"), [
    ({"likelihood": None}, "likelihood"),
    ({"impact": 6}, "impact"),
    ({"likelihood": 0}, "likelihood"),
    ({"likelihood": "high"}, "likelihood"),
    ({"residual_impact": None}, "residual_impact"),
    ({"residual_likelihood": 5, "residual_impact": 5}, "residual_impact"),
    ({"review_date": None}, "review_date"),
    ({"review_date": "22/11/2019"}, "review_date"),
    ({"title": " "}, "title"),
    ({"status": "done"}, "status"),
    ({"kind": "worry"}, "kind"),
    ({"owner_id": 99999}, "owner_id"),
])
def test_risk_validation(session, editor, org, changes, field):
    with pytest.raises(ValidationFailed) as info:
        risk(session, editor, org, **changes)
    assert field in info.value.errors
    session.rollback()
    assert session.scalar(select(func.count()).select_from(RaidItem)) == 0


def test_only_risks_are_scored_and_closed_risks_need_no_review_date(session, editor, org):
    with pytest.raises(ValidationFailed, match="Only risks"):
        raid.create_item(session, editor, kind="assumption", title="Existing telephony is enough", likelihood=3)
    item = risk(session, editor, org, status="closed", review_date=None)
    assert item.status == "closed"


def test_update_with_version_check_and_audit(session, editor, admin, org):
    item = risk(session, editor, org)
    raid.update_item(session, admin, item.id, 1, residual_likelihood=1, status="monitoring")
    session.commit()
    with pytest.raises(EditConflict) as info:
        raid.update_item(session, editor, item.id, 1, title="Stale edit")
    assert info.value.their_changes[0].who == "test-admin"
    session.rollback()
    fresh = session.get(RaidItem, item.id)
    assert (fresh.version, fresh.residual_likelihood, fresh.title) == (2, 1, "Finance sign-off late")
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "update")).one()
    assert event.changes == {"status": {"before": "open", "after": "monitoring"},
                             "residual_likelihood": {"before": 2, "after": 1}}
    with pytest.raises(ValidationFailed, match="cannot be changed"):
        raid.update_item(session, editor, item.id, 2, reference="R-99")


def test_links_to_tasks(session, editor, org):
    a = tasks.create_task(session, editor, title="Finance sign-off", phase_id=org.phase_id, reference="SUB-03")
    b = tasks.create_task(session, editor, title="Paper to SEND Executive", phase_id=org.phase_id,
                          reference="SUB-05")
    item = risk(session, editor, org)
    raid.set_task_links(session, editor, item.id, [a.id, b.id])
    session.commit()
    assert raid.raid_frame(session).loc[0, "Linked tasks"] == "SUB-03, SUB-05"
    raid.set_task_links(session, editor, item.id, [b.id])
    session.commit()
    assert raid.linked_task_ids(session, item.id) == [b.id]
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "link_tasks")
                            .order_by(AuditEvent.id.desc())).first()
    assert event.changes["task_ids"] == {"before": sorted([a.id, b.id]), "after": [b.id]}
    with pytest.raises(ValidationFailed):
        raid.set_task_links(session, editor, item.id, [424242])
    tasks.delete_task(session, editor, b.id, b.version)
    session.commit()
    assert raid.linked_task_ids(session, item.id) == []


def test_heat_map_counts_open_risks_by_likelihood_and_impact(session, editor, org):
    risk(session, editor, org)  # 4 x 4, residual 2 x 4
    risk(session, editor, org, title="Another 4 x 4", residual_likelihood=None, residual_impact=None)
    risk(session, editor, org, title="Low", likelihood=1, impact=2, residual_likelihood=None, residual_impact=None)
    risk(session, editor, org, title="Closed", status="closed", likelihood=5, impact=5, review_date=None)
    raid.create_item(session, editor, kind="issue", title="Not a risk")
    grid = raid.heat_map_counts(session)
    assert grid.loc[4, 4] == 2 and grid.loc[1, 2] == 1 and grid.loc[5, 5] == 0
    assert int(grid.values.sum()) == 3
    assert list(grid.index) == [5, 4, 3, 2, 1] and list(grid.columns) == [1, 2, 3, 4, 5]
    residual = raid.heat_map_counts(session, residual=True)
    assert residual.loc[2, 4] == 1 and int(residual.values.sum()) == 1


def test_top_risks_and_counts(session, editor, org):
    for n, (lik, imp) in enumerate([(2, 2), (5, 4), (3, 3), (4, 4), (1, 1), (5, 5)]):
        risk(session, editor, org, title=f"Risk {n}", likelihood=lik, impact=imp, residual_likelihood=None,
             residual_impact=None, status="closed" if (lik, imp) == (5, 5) else "open",
             review_date=None if (lik, imp) == (5, 5) else date(2019, 12, 1))
    raid.create_item(session, editor, kind="dependency", title="CRM set-up")
    top = raid.top_risks(session, 3)
    assert list(top["Score"]) == [20, 16, 9]
    assert list(top["Rating"]) == ["High", "High", "Medium"]
    assert raid.raid_counts(session) == {"Risk": 5, "Assumption": 0, "Issue": 0, "Dependency": 1}


def test_review_overdue_flag(session, editor, org):
    risk(session, editor, org, review_date=date(2019, 11, 1), raised_on=date(2019, 10, 1))
    frame = raid.raid_frame(session, today=date(2019, 11, 15))
    assert bool(frame.loc[0, "Review overdue"])


def test_score_bands():
    assert [raid.band(s) for s in (1, 4, 5, 10, 12, 25, None)] == ["Low", "Low", "Medium", "Medium", "High", "High",
                                                                   ""]


def test_viewers_and_commissioners_cannot_change_the_log(session, editor, viewer, commissioner, org):
    item = risk(session, editor, org)
    for actor in (viewer, commissioner):
        with pytest.raises(PermissionDenied, match="RAID log"):
            raid.create_item(session, actor, kind="issue", title="Sneaky")
        with pytest.raises(PermissionDenied):
            raid.update_item(session, actor, item.id, 1, title="Changed")
        with pytest.raises(PermissionDenied):
            raid.delete_item(session, actor, item.id, 1)
        with pytest.raises(PermissionDenied):
            raid.set_task_links(session, actor, item.id, [])
    session.rollback()
    assert session.get(RaidItem, item.id).title == "Finance sign-off late"


def test_delete_keeps_an_audit_copy(session, editor, org):
    a = tasks.create_task(session, editor, title="T", phase_id=org.phase_id)
    item = risk(session, editor, org)
    raid.set_task_links(session, editor, item.id, [a.id])
    session.commit()
    raid.delete_item(session, editor, item.id, item.version)
    session.commit()
    assert session.scalar(select(func.count()).select_from(RaidTaskLink)) == 0
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "delete")).one()
    assert event.changes["title"] == {"before": "Finance sign-off late", "after": None}
    with pytest.raises(NotFound):
        raid.delete_item(session, editor, item.id, 1)


def test_task_links_saved_from_a_stale_item_are_refused_and_a_change_moves_the_item_on(session, editor, org):
    a = tasks.create_task(session, editor, title="Finance sign-off", phase_id=org.phase_id)
    b = tasks.create_task(session, editor, title="Paper", phase_id=org.phase_id)
    item = risk(session, editor, org)
    session.commit()
    loaded = item.version
    raid.set_task_links(session, editor, item.id, [a.id], loaded)
    session.commit()
    assert item.version == loaded + 1
    with pytest.raises(EditConflict) as info:
        raid.set_task_links(session, editor, item.id, [b.id], loaded)
    session.rollback()
    assert [ch.field for ch in info.value.their_changes] == ["task_ids"]
    assert raid.linked_task_ids(session, item.id) == [a.id]
    with pytest.raises(ValidationFailed, match="from the list"):
        raid.set_task_links(session, editor, item.id, ["abc"], item.version)


def test_one_save_of_fields_and_links_moves_the_version_on_once(session, editor, org):
    a = tasks.create_task(session, editor, title="Finance sign-off", phase_id=org.phase_id)
    item = risk(session, editor, org)
    session.commit()
    loaded = item.version
    raid.update_item(session, editor, item.id, loaded, task_ids=[a.id], status="monitoring")
    session.commit()
    assert (item.version, raid.linked_task_ids(session, item.id)) == (loaded + 1, [a.id])
    raid.update_item(session, editor, item.id, item.version, task_ids=[])  # links only
    session.commit()
    assert (item.version, raid.linked_task_ids(session, item.id)) == (loaded + 2, [])
    with pytest.raises(EditConflict):
        raid.update_item(session, editor, item.id, loaded, task_ids=[a.id])


def test_open_risks_lists_what_the_log_shows_for_each_open_risk(session):
    """The submission pack's lean read: every risk not closed, in the log's order, with the log's cells."""
    from review import demo

    demo.load_demo(session, with_accounts=False)
    session.commit()
    log = raid.raid_frame(session, kinds=[raid.RaidKind.RISK.value])
    log = log[log["status"] != raid.RaidStatus.CLOSED.value].rename(columns={"Title": "Risk"})
    lean = raid.open_risks(session)
    assert len(lean) == len(log) > 3
    for column in raid.OPEN_RISK_COLUMNS:
        assert lean[column].tolist() == log[column].tolist(), column
