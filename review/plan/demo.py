"""Demo data for the plan: the original baseline (saved in April 2019, so slippage shows), the RAID log and the
RAG override, all loaded through the services as at the demo's 15 November 2019.

The baseline is taken the way a project manager would have taken it: the tasks listed in
data/demo/plan_baseline.csv are put back to their original dates, the baseline is saved, then the tasks are
re-dated to where the plan stands now (each step audited).
"""
from __future__ import annotations

import json

from sqlalchemy.orm import Session

from review.models import Task
from review.plan import organisation, rag, raid, tasks
from review.plan import timeline as plan
from review.platform import demo_files
from review.platform.config import DEMO_DIR
from review.platform.roles import Actor


def _project_manager(actor: Actor) -> Actor:
    return Actor(actor.user_id, actor.username, "SEND IAG Review Project Manager", actor.role, actor.person_id)


def _load_baseline(session: Session, actor: Actor, refs: dict[str, int]) -> None:
    meta = json.loads((DEMO_DIR / "plan_baseline_meta.json").read_text(encoding="utf-8"))
    originals = demo_files.rows("plan_baseline")
    current: dict[int, tuple] = {}
    for row in originals:
        task = session.get_one(Task, refs[row["reference"]])
        current[task.id] = (task.start_date, task.due_date)
        tasks.update_task(session, actor, task.id, task.version, start_date=row["start"], due_date=row["due"])
    plan.save_baseline(session, actor, meta["name"], meta["note"], as_of=meta["as_of"])
    for task_id, (start, due) in current.items():
        task = session.get_one(Task, task_id)
        tasks.update_task(session, actor, task_id, task.version, start_date=start, due_date=due)


def _load_raid(session: Session, actor: Actor, refs: dict[str, int]) -> None:
    lookups = organisation.lookups(session)
    people = {label: pid for pid, label in lookups["owner"].items()}
    streams = {name: wid for wid, name in lookups["workstream"].items()}
    for row in demo_files.rows("raid"):
        raid.create_item(
            session, actor,
            task_ids=[refs[r] for r in row["tasks"].split(";") if r],
            kind=row["kind"], title=row["title"], description=row["description"],
            owner_id=people.get(row["owner"]), workstream_id=streams.get(row["workstream"]), status=row["status"],
            likelihood=row["likelihood"] or None, impact=row["impact"] or None, mitigation=row["mitigation"] or None,
            residual_likelihood=row["residual_likelihood"] or None, residual_impact=row["residual_impact"] or None,
            raised_on=row["raised_on"] or None, review_date=row["review_date"] or None,
        )


def _load_overrides(session: Session, actor: Actor) -> None:
    streams = {name: wid for wid, name in organisation.lookups(session)["workstream"].items()}
    for row in demo_files.rows("rag_overrides"):
        scope = None if row["scope"] == "overall" else streams[row["scope"]]
        who = Actor(actor.user_id, actor.username, row["set_by"], actor.role, actor.person_id)
        rag.set_override(session, who, scope, row["rag"], row["reason"])


def load_demo(session: Session, actor: Actor) -> None:
    """Load the demo plan: phases, workstreams, people, tasks, dependencies, baseline and RAID log."""
    refs = demo_files.task_ids_by_reference(session)
    pm = _project_manager(actor)
    _load_baseline(session, pm, refs)
    _load_raid(session, pm, refs)
    _load_overrides(session, pm)
