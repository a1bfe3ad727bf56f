"""Demo data for the submission pack: the paper to the SEND Executive Group of 5 December 2019 (task SUB-05),
still in drafting, with its options (phone-line options linked to the demo cost scenarios by name),
strategic alignment and PID text. Loaded through the services, so it is audited like any other change."""
from __future__ import annotations

import json

from sqlalchemy.orm import Session

from review.platform.config import DEMO_DIR
from review.platform.demo_files import task_ids_by_reference
from review.platform.roles import Actor
from review.submission import pack as submission_pack
from review.submission import papers as submissions

DEMO_FILE = DEMO_DIR / "submission.json"


def load_demo(session: Session, actor: Actor) -> None:
    """Load the demo council paper with its options, alignment and standard priorities."""
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    submissions.add_standard_priorities(session, actor)
    values = dict(data["submission"])
    values["task_id"] = task_ids_by_reference(session).get(values.pop("task"))
    paper = submissions.create_submission(session, actor, **values)
    scenarios = {name.lower(): i for i, name in submission_pack.scenario_choices(session).items()}
    for option in data["options"]:
        option = dict(option)
        scenario_name = option.pop("scenario", None)
        option["scenario_id"] = scenarios.get(scenario_name.lower()) if scenario_name else None
        option["is_preferred"] = option.pop("preferred", False)
        submissions.add_option(session, actor, paper.id, **option)
    priorities = submissions.priorities_frame(session)
    ids = {name: int(i) for i, name in zip(priorities["id"], priorities["Priority or duty"], strict=True)}
    submissions.set_alignment(session, actor, paper.id, paper.version,
                              {ids[name]: how for name, how in data["alignment"].items() if name in ids})
