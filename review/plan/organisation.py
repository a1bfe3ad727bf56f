"""Workstreams, people and phases: the reference lists that tasks point to."""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from review.models import Person, Phase, Workstream
from review.platform import audit, references
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


def prefix_from_name(name: str) -> str:
    """A phase's default task prefix: the first three letters of its name ("Exploration ..." -> "EXP")."""
    return (re.sub(r"[^A-Za-z]", "", name)[:3] or "T").upper()


def task_prefix(phase: Phase) -> str:
    """The prefix of new tasks' references in `phase` (EXP for EXP-17)."""
    return phase.reference_prefix or prefix_from_name(phase.name)


def create_phase(session: Session, actor: Actor, name: str, sequence: int, description: str | None = None,
                 reference_prefix: str | None = None) -> Phase:
    """Add a phase; its new tasks get references `reference_prefix`-nn (default: from its name)."""
    require(actor, Permission.EDIT_PLAN)
    name = clean_text(name, single_line=True) or ""
    prefix = (clean_text(reference_prefix) or prefix_from_name(name)).upper()
    problems = Problems()
    if not name:
        problems.add("name", "Enter the phase's name.")
    if not references.PREFIX_PATTERN.fullmatch(prefix):
        problems.add("reference_prefix", "Use 1 to 10 letters or digits, starting with a letter (e.g. EXP).")
    problems.raise_if_any()
    phase = Phase(name=name, sequence=sequence, description=clean_text(description), reference_prefix=prefix)
    session.add(phase)
    session.flush()
    audit.record(session, actor, "phase", phase.id, "create", audit.diff({}, {"name": phase.name}))
    return phase


def create_workstream(session: Session, actor: Actor, name: str, short_name: str | None = None,
                      description: str | None = None, sort_order: int = 0) -> Workstream:
    """Add an officer group (editors and admins)."""
    require(actor, Permission.EDIT_TASKS)
    problems = Problems()
    name = clean_text(name, single_line=True) or ""
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
    name, job_title = clean_text(name, single_line=True) or "", clean_text(job_title, single_line=True) or ""
    email = clean_text(email, single_line=True)
    if not name:
        problems.add("name", "Enter a name (a job title is fine for a post not yet filled).")
    if not job_title:
        problems.add("job_title", "Enter the job title.")
    if email and "@" not in email:
        problems.add("email", "Enter a valid email address, or leave it empty.")
    if workstream_id is not None and session.get(Workstream, workstream_id) is None:
        problems.add("workstream_id", "Choose an existing workstream.")
    problems.raise_if_any()
    person = Person(name=name, job_title=job_title, workstream_id=workstream_id, email=email)
    session.add(person)
    session.flush()
    audit.record(session, actor, "person", person.id, "create",
                 audit.diff({}, audit.snapshot(person, PERSON_FIELDS)), person.version)
    return person


