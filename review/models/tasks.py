"""Phases of the review, its tasks, the dependencies between them and comments on them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from review.models.base import Base, Timestamped, Versioned, utcnow
from review.models.organisation import Person, Workstream


class Phase(Base):
    """One of the three steps of the 2019 decision record."""

    __tablename__ = "phases"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str | None] = mapped_column(Text)
    # New tasks in the phase get references <prefix>-nn (EXP-17); see review.platform.references.
    reference_prefix: Mapped[str | None] = mapped_column(String(10))


class Task(Versioned, Timestamped, Base):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint("percent_complete >= 0 AND percent_complete <= 100", name="percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phases.id"), index=True)
    workstream_id: Mapped[int | None] = mapped_column(ForeignKey("workstreams.id", ondelete="SET NULL"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="not_started", index=True)
    priority: Mapped[str] = mapped_column(String(20), default="medium")
    start_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    completed_date: Mapped[date | None] = mapped_column(Date)
    percent_complete: Mapped[int] = mapped_column(Integer, default=0)
    is_milestone: Mapped[bool] = mapped_column(Boolean, default=False)

    phase: Mapped[Phase] = relationship()
    workstream: Mapped[Workstream | None] = relationship()
    owner: Mapped[Person | None] = relationship()


class TaskDependency(Base):
    """Predecessor must finish before successor starts (finish-to-start)."""

    __tablename__ = "task_dependencies"
    __table_args__ = (
        UniqueConstraint("predecessor_id", "successor_id"),
        CheckConstraint("predecessor_id <> successor_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)


class TaskSchedule(Base):
    """A task's place in the critical path, in days from the start of the plan. Worked out from every task and
    dependency whenever one changes (review.plan.network), so that a page reads it with the tasks it shows."""

    __tablename__ = "task_schedule"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    earliest_start: Mapped[int] = mapped_column(Integer)
    earliest_finish: Mapped[int] = mapped_column(Integer)
    latest_start: Mapped[int] = mapped_column(Integer)
    critical: Mapped[bool] = mapped_column(Boolean, index=True)


class PlanSchedule(Base):
    """The critical path of the whole plan (one row, id 1), stored with `TaskSchedule`."""

    __tablename__ = "plan_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    length: Mapped[int] = mapped_column(Integer)  # days of planned work along the critical path
    tasks: Mapped[int] = mapped_column(Integer)  # tasks in the plan when it was worked out
    chains: Mapped[list[list[int]]] = mapped_column(JSON)  # up to five critical chains, as task ids in order


class TaskComment(Base):
    __tablename__ = "task_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    body: Mapped[str] = mapped_column(Text)
