"""The shared record-service steps in review/records.py."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from review.models import AuditEvent, Workstream
from review.platform import record_helpers as records
from review.platform.errors import EditConflict, NotFound, ValidationFailed

FIELDS = ("name", "short_name", "description", "sort_order")


def events(session, action):
    return session.scalars(select(AuditEvent).where(AuditEvent.entity == "workstream", AuditEvent.action == action)
                           ).all()


def test_create_then_update_only_when_something_changed(session, editor):
    ws = Workstream(name="SENDIASS", short_name=None, description=None, sort_order=1)
    session.add(ws)
    created = records.record_created(session, editor, "workstream", ws, FIELDS, summary="new")
    assert created.record_id == str(ws.id) and created.changes["name"] == {"before": None, "after": "SENDIASS"}
    same = records.current_values(ws, FIELDS)
    assert records.apply_changes(session, editor, "workstream", ws, FIELDS, same) is False
    assert events(session, "update") == []
    changed = {**same, "description": "Statutory IAS service"}
    assert records.apply_changes(session, editor, "workstream", ws, FIELDS, changed, summary=lambda w: w.name)
    [update] = events(session, "update")
    assert update.changes == {"description": {"before": None, "after": "Statutory IAS service"}}
    assert (update.summary, update.record_version, ws.version) == ("SENDIASS", 2, 2)


def test_lookups_refuse_missing_unknown_and_stale(session, editor):
    with pytest.raises(NotFound, match="gone"):
        records.get_or_not_found(session, Workstream, 999, "gone")
    with pytest.raises(ValidationFailed) as info:
        records.reject_unknown(["name", "version"], FIELDS)
    assert list(info.value.errors) == ["version"]
    ws = Workstream(name="ISL", sort_order=2)
    session.add(ws)
    records.record_created(session, editor, "workstream", ws, FIELDS)
    records.apply_changes(session, editor, "workstream", ws, FIELDS, {**records.current_values(ws, FIELDS),
                                                                       "short_name": "ISL"})
    assert records.load_for_edit(session, Workstream, "workstream", ws.id, 2) is ws
    with pytest.raises(EditConflict):
        records.load_for_edit(session, Workstream, "workstream", ws.id, 1)
    with pytest.raises(NotFound):
        records.load_for_edit(session, Workstream, "workstream", 12345, 1)


def test_an_edit_conflict_names_the_kind_of_record_in_words():
    from review.platform.errors import EditConflict

    assert "saved this KPI value after you opened it" in str(EditConflict("contract_kpi_value", 1, 1, 2))
    assert "saved this engagement input after you opened it" in str(EditConflict("engagement_input", 1, 1, 2))
    assert "saved this task after you opened it" in str(EditConflict("task", 1, 1, 2))
