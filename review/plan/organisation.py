"""Workstreams, people and phases: the reference lists that tasks point to."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from review.models import Person, Phase, Workstream
from review.platform import audit
from review.platform.roles import Actor, Permission, require
from review.platform.validation import Problems, clean_text

PERSON_FIELDS = ("name", "job_title", "workstream_id", "email")


def phases(session: Session) -> list[Phase]:
    """The review's phases in order."""
    return list(session.scalars(select(Phase).order_by(Phase.sequence, Phase.id)))


def workstreams(session: Session) -> list[Workstream]:
    """The workstreams in their display order."""
    return list(session.scalars(select(Workstream).order_by(Workstream.sort_order, Workstream.name)))


def people(session: Session) -> list[Person]:
    """Everyone who can own tasks, by name."""
    return list(session.scalars(select(Person).order_by(Person.name)))


def lookups(session: Session) -> dict[str, dict[int, str]]:
    """id -> label maps for phases, workstreams and people (three small queries)."""
    return {
        "phase": {p.id: p.name for p in phases(session)},
        "workstream": {w.id: w.name for w in workstreams(session)},
        "owner": {p.id: p.label for p in people(session)},
    }


def create_phase(session: Session, actor: Actor, name: str, sequence: int, description: str | None = None) -> Phase:
    """Add a phase of the review (plan editors)."""
    require(actor, Permission.EDIT_PLAN)
    phase = Phase(name=name.strip(), sequence=sequence, description=description)
    session.add(phase)
    session.flush()
    audit.record(session, actor, "phase", phase.id, "create", audit.diff({}, {"name": phase.name}))
    return phase


def create_workstream(session: Session, actor: Actor, name: str, short_name: str | None = None,
                      description: str | None = None, sort_order: int = 0) -> Workstream:
    """Add an officer group (editors and admins)."""
    require(actor, Permission.EDIT_TASKS)
    problems = Problems()
    name = clean_text(name, max_length=120) or ""
    if not name:
        problems.add("name", "Enter the workstream's name.")
    elif session.scalar(select(Workstream.id).where(Workstream.name == name)):
        problems.add("name", f"A workstream called '{name}' already exists.")
    problems.raise_if_any()
    ws = Workstream(name=name, short_name=clean_text(short_name), description=clean_text(description),
                    sort_order=sort_order)
    session.add(ws)
    session.flush()
    audit.record(session, actor, "workstream", ws.id, "create", audit.diff({}, {"name": name}), ws.version)
    return ws


def create_person(session: Session, actor: Actor, name: str, job_title: str, workstream_id: int | None = None,
                  email: str | None = None) -> Person:
    """Add someone who can own tasks (editors and admins)."""
    require(actor, Permission.EDIT_TASKS)
    problems = Problems()
    name_text, job_text, email = (clean_text(name, max_length=120), clean_text(job_title, max_length=160),
                                  clean_text(email))
    if not name_text:
        problems.add("name", "Enter a name (a job title is fine for a post not yet filled).")
    if not job_text:
        problems.add("job_title", "Enter the job title.")
    if email and "@" not in email:
        problems.add("email", "Enter a valid email address, or leave it empty.")
    if workstream_id is not None and session.get(Workstream, workstream_id) is None:
        problems.add("workstream_id", "Choose an existing workstream.")
    problems.raise_if_any()
    person = Person(name=name_text, job_title=job_text, workstream_id=workstream_id, email=email)
    session.add(person)
    session.flush()
    audit.record(session, actor, "person", person.id, "create",
                 audit.diff({}, audit.snapshot(person, PERSON_FIELDS)), person.version)
    return person


