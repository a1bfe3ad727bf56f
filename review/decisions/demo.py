"""Demo data for the decision log: the 2019 KIDS hubs decision record in full, a fictional later decision,
their links to contracts and tasks, and the contract extension the 2019 decision authorised."""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from review.contracts import register as contracts
from review.decisions import log as decisions
from review.models.contracts import Contract
from review.platform.config import DEMO_DIR
from review.platform.demo_files import task_ids_by_reference
from review.platform.roles import Actor

LIST_KEYS = ("contracts", "tasks", "extensions")


def load_demo(session: Session, actor: Actor) -> None:
    """Load the demo decisions with their contracts, tasks and extensions through the services."""
    records = json.loads((DEMO_DIR / "decisions.json").read_text(encoding="utf-8"))["decisions"]
    contract_ids = {ref: i for ref, i in session.execute(select(Contract.reference, Contract.id))}
    task_ids = task_ids_by_reference(session)
    for record in records:
        fields = {k: v for k, v in record.items() if k not in LIST_KEYS}
        decision = decisions.create_decision(
            session, actor, **fields,
            contract_ids=[contract_ids[r] for r in record["contracts"] if r in contract_ids],
            task_ids=[task_ids[r] for r in record["tasks"] if r in task_ids])
        for ext in record["extensions"]:
            contract = session.get_one(Contract, contract_ids[ext["contract"]])
            contracts.add_extension(session, actor, contract.id, contract.version, decision_id=decision.id,
                                    start_date=ext["start"], end_date=ext["end"], value=ext["value"],
                                    note=ext["note"])
