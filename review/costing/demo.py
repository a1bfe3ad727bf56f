"""Demo phone-line cost scenarios (data/demo/phone_line_scenarios.json), loaded through the services.

Called from ``review.demo.DEMO_LOADERS``. Unlike the rest of ``review.costing`` this module uses the
database (through ``review.costing.scenarios``); the package ``__init__`` does not import it.
"""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from review.accounts.users import actor_for
from review.costing import scenarios
from review.models import User
from review.platform.config import DEMO_DIR
from review.platform.roles import Actor

DEMO_FILE = "phone_line_scenarios.json"


def demo_definitions(folder: Path = DEMO_DIR) -> dict:
    """The demo cost scenarios' definitions as stored in the demo JSON file."""
    return json.loads((folder / DEMO_FILE).read_text(encoding="utf-8"))


def load_demo(session: Session, actor: Actor) -> None:
    """Three illustrative scenarios, owned by the demo commissioner when that account exists."""
    spec = demo_definitions()
    owner_user = session.scalar(select(User).where(User.username == spec.get("owner")))
    owner = actor_for(owner_user) if owner_user is not None else actor
    created = {}
    for item in spec["scenarios"]:
        scenario = scenarios.create_scenario(
            session, owner, item["name"], item.get("inputs") or {}, description=item.get("description"),
            delivery_model=item.get("delivery_model"), is_illustrative=True)
        created[item["name"]] = scenario
    recommended = created.get(spec.get("recommended") or "")
    if recommended is not None:
        scenarios.set_recommended(session, owner, recommended.id, recommended.version)
