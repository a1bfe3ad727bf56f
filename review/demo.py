"""Loads the fictional demo data set in data/demo/ through the service functions (so it is audited).

The foundation (phases, workstreams, people, tasks, accounts) is loaded here; each capability package has a
`demo` module with `load_demo(session, actor)`, called in the order of DEMO_LOADERS.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review.accounts import users
from review.contracts import demo as contracts_demo
from review.costing import demo as costing_demo
from review.decisions import demo as decisions_demo
from review.engagement import demo as engagement_demo
from review.models import Task, User, Workstream
from review.plan import demo as plan_demo
from review.plan import organisation, tasks
from review.platform import database_settings
from review.platform.config import get_settings
from review.platform.demo_files import rows, task_ids_by_reference
from review.platform.roles import SYSTEM, Actor
from review.submission import demo as submission_demo

# Every demo account has this password (they also sign in with one click in demo mode).
DEMO_PASSWORD = "demo-password-2019"

Progress = Callable[[float, str], None]

# Loaded in this order, after the foundation data (workstreams, people, tasks, users).
DEMO_LOADERS = [
    contracts_demo.load_demo,
    decisions_demo.load_demo,
    engagement_demo.load_demo,
    costing_demo.load_demo,
    plan_demo.load_demo,
    submission_demo.load_demo,
]


def is_empty(session: Session) -> bool:
    """True when the database holds no tasks, workstreams or users (a first run)."""
    return not any(session.scalar(select(func.count()).select_from(model)) for model in (Task, Workstream, User))


def _load_foundation(session: Session, actor: Actor, with_accounts: bool) -> None:
    phase_ids = {}
    for row in rows("phases"):
        phase = organisation.create_phase(session, actor, row["name"], int(row["sequence"]), row["description"],
                                           row["prefix"])
        phase_ids[row["sequence"]] = phase.id
    ws_ids = {}
    for row in rows("workstreams"):
        ws = organisation.create_workstream(session, actor, row["name"], row["short_name"], row["description"],
                                            int(row["sort_order"]))
        ws_ids[row["name"]] = ws.id
    person_ids = {}
    for row in rows("people"):
        person = organisation.create_person(session, actor, row["name"], row["job_title"],
                                            ws_ids.get(row["workstream"]), row["email"] or None)
        person_ids[row["name"]] = person.id
    for row in rows("tasks"):
        tasks.create_task(
            session, actor, reference=row["reference"], title=row["title"], description=row["description"],
            phase_id=phase_ids[row["phase"]], workstream_id=ws_ids.get(row["workstream"]),
            owner_id=person_ids.get(row["owner"]), status=row["status"], priority=row["priority"],
            start_date=row["start"] or None, due_date=row["due"] or None, completed_date=row["completed"] or None,
            percent_complete=int(row["percent"]), is_milestone=row["milestone"].lower() == "true",
        )
    refs = task_ids_by_reference(session)
    for row in rows("dependencies"):
        tasks.add_dependency(session, actor, refs[row["predecessor"]], refs[row["successor"]])
    for row in rows("comments"):
        author = Actor(None, "demo", row["author"], actor.role)
        tasks.add_comment(session, author, refs[row["task"]], row["body"])
    for row in rows("users") if with_accounts else []:
        users.create_user(session, actor, row["username"], row["role"], DEMO_PASSWORD, row["display_name"],
                          person_id=person_ids.get(row["person"]), is_demo=True)


def load_demo(session: Session, actor: Actor = SYSTEM, with_accounts: bool | None = None,
              progress: Progress | None = None) -> None:
    """Load every capability's demo data into an empty database.

    Demo accounts (one per role) are created only in demo mode, never on a shared database. The database is
    marked as a demo database, so its demo accounts sign in while demo mode is on (and never once it is off).
    `progress(share done, what)` is told before each step (the first visitor's page shows it).
    """
    if with_accounts is None:
        with_accounts = get_settings().demo_mode
    database_settings.mark_demo_database(session)
    steps = len(DEMO_LOADERS) + 1
    if progress:
        progress(0.0, "tasks, people and workstreams")
    _load_foundation(session, actor, with_accounts)
    session.flush()
    for done, load in enumerate(DEMO_LOADERS, start=1):
        if progress:
            progress(done / steps, load.__module__.split(".")[1])
        load(session, actor)
        session.flush()

