"""Reference data most core tests need, built through the services."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from review.plan import organisation
from review.platform.roles import Actor


@dataclass
class Org:
    phase_id: int
    phase2_id: int
    workstream_id: int
    person_id: int
    person2_id: int


@pytest.fixture
def org(session: Session, admin: Actor) -> Org:
    p1 = organisation.create_phase(session, admin, "Exploration and intelligence gathering", 1)
    p2 = organisation.create_phase(session, admin, "Submission to SEND Executive", 2)
    ws = organisation.create_workstream(session, admin, "SENDIASS", "SENDIASS")
    a = organisation.create_person(session, admin, "SENDIASS Manager", "SENDIASS Manager", ws.id)
    b = organisation.create_person(session, admin, "Project Manager", "Project Manager", ws.id)
    session.commit()
    return Org(p1.id, p2.id, ws.id, a.id, b.id)
