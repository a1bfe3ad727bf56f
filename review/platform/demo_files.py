"""Reading the fictional demo data set in data/demo/: shared by each capability's demo loader."""
from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from review.models import Task
from review.platform.config import DEMO_DIR


def rows(name: str, folder: Path = DEMO_DIR) -> list[dict[str, str]]:
    """The rows of data/demo/<name>.csv as dictionaries."""
    with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def task_ids_by_reference(session: Session) -> dict[str, int]:
    """Task ids by reference (EXP-07, SUB-05 ...), for demo rows that link to tasks."""
    return {ref: i for ref, i in session.execute(select(Task.reference, Task.id)) if ref}
