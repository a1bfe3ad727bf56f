"""ORM models. Every module in this package is imported here so that Base.metadata is complete.

Add a new concept as a new module (`review/models/<concept>.py`) and import it below.
"""
from __future__ import annotations

from review.models import (  # noqa: F401 - imported for their tables in Base.metadata
    audit,
    contracts,
    costing,
    database_settings,
    decisions,
    engagement,
    organisation,
    plan,
    references,
    reminders,
    sign_in,
    submissions,
    tasks,
    users,
)
from review.models.audit import AuditEvent
from review.models.base import Base
from review.models.organisation import Person, Workstream
from review.models.tasks import Phase, PlanSchedule, Task, TaskComment, TaskDependency, TaskSchedule
from review.models.users import User

__all__ = ["Base", "AuditEvent", "Person", "Workstream", "Phase", "Task", "TaskComment", "TaskDependency",
           "TaskSchedule", "PlanSchedule", "User"]
