"""ORM models. Every module in this package is imported here so that Base.metadata is complete.

Add a new concept as a new module (`review/models/<concept>.py`); nothing else needs editing.
"""
from __future__ import annotations

import importlib
import pkgutil

from review.models.base import Base

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

from review.models.audit import AuditEvent  # noqa: E402
from review.models.organisation import Person, Workstream  # noqa: E402
from review.models.tasks import Phase, Task, TaskComment, TaskDependency  # noqa: E402
from review.models.users import User  # noqa: E402

__all__ = ["Base", "AuditEvent", "Person", "Workstream", "Phase", "Task", "TaskComment", "TaskDependency", "User"]
