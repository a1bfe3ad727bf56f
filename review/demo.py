"""Loads the fictional demo data set in data/demo/ through the service functions (so it is audited).

Each capability adds its own demo data by providing a module listed in DEMO_MODULES with a
function `load_demo(session, actor)`. A module that does not exist yet is skipped.
"""
from __future__ import annotations

import csv
import importlib
import importlib.util
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review import organisation, tasks, users
from review.config import DEMO_DIR, get_settings
from review.models import Task, User, Workstream
from review.roles import SYSTEM, Actor

# Every demo account has this password (they also sign in with one click in demo mode).
DEMO_PASSWORD = "demo-password-2019"

# Loaded in this order, after the foundation data (workstreams, people, tasks, users).
DEMO_MODULES = [
    "review.contracts_demo",
    "review.decisions_demo",
    "review.engagement_demo",
    "review.costing.demo",
    "review.plan_demo",
    "review.submission_demo",
]


def rows(name: str, folder: Path = DEMO_DIR) -> list[dict[str, str]]:
    """The rows of data/demo/<name>.csv as dictionaries."""
    with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def is_empty(session: Session) -> bool:
    """True when the database holds no tasks, workstreams or users (a first run)."""
    return not any(session.scalar(select(func.count()).select_from(model)) for model in (Task, Workstream, User))


def task_ids_by_reference(session: Session) -> dict[str, int]:
    return {ref: i for ref, i in session.execute(select(Task.reference, Task.id)) if ref}


def _load_foundation(session: Session, actor: Actor, with_accounts: bool) -> None:
    phase_ids = {}
    for row in rows("phases"):
        phase = organisation.create_phase(session, actor, row["name"], int(row["sequence"]), row["description"])
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


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # its parent package does not exist yet
        return False


def load_demo(session: Session, actor: Actor = SYSTEM, with_accounts: bool | None = None) -> None:
    """Load every capability's demo data into an empty database.

    Demo accounts (one per role) are created only in demo mode, never on a shared database.
    """
    if with_accounts is None:
        with_accounts = get_settings().demo_mode
    _load_foundation(session, actor, with_accounts)
    session.flush()
    for name in DEMO_MODULES:
        if not _module_exists(name):
            continue
        importlib.import_module(name).load_demo(session, actor)
        session.flush()

