"""The plan's own records: baselines of planned dates, the RAID log and manual RAG overrides."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
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


class Baseline(Base):
    """A named copy of every task's planned dates, taken on `as_of`, to measure slippage against."""

    __tablename__ = "plan_baselines"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    as_of: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(60))

    items: Mapped[list[BaselineItem]] = relationship(back_populates="baseline", cascade="all, delete-orphan",
                                                     passive_deletes=True)


class BaselineItem(Base):
    """One task's planned dates in a baseline. The reference and title are kept in case the task is deleted."""

    __tablename__ = "plan_baseline_items"
    __table_args__ = (UniqueConstraint("baseline_id", "task_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    baseline_id: Mapped[int] = mapped_column(ForeignKey("plan_baselines.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"), index=True)
    reference: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    is_milestone: Mapped[bool] = mapped_column(Boolean, default=False)

    baseline: Mapped[Baseline] = relationship(back_populates="items")


class RaidItem(Versioned, Timestamped, Base):
    """A risk, assumption, issue or dependency. Only risks carry likelihood and impact (1 to 5 each)."""

    __tablename__ = "raid_items"
    __table_args__ = (
        CheckConstraint("likelihood IS NULL OR (likelihood BETWEEN 1 AND 5)", name="likelihood_range"),
        CheckConstraint("impact IS NULL OR (impact BETWEEN 1 AND 5)", name="impact_range"),
        CheckConstraint("residual_likelihood IS NULL OR (residual_likelihood BETWEEN 1 AND 5)",
                        name="residual_likelihood_range"),
        CheckConstraint("residual_impact IS NULL OR (residual_impact BETWEEN 1 AND 5)", name="residual_impact_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # risk, assumption, issue, dependency
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    workstream_id: Mapped[int | None] = mapped_column(ForeignKey("workstreams.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    likelihood: Mapped[int | None] = mapped_column(Integer)
    impact: Mapped[int | None] = mapped_column(Integer)
    mitigation: Mapped[str | None] = mapped_column(Text)
    residual_likelihood: Mapped[int | None] = mapped_column(Integer)
    residual_impact: Mapped[int | None] = mapped_column(Integer)
    raised_on: Mapped[date | None] = mapped_column(Date)
    review_date: Mapped[date | None] = mapped_column(Date)

    owner: Mapped[Person | None] = relationship()
    workstream: Mapped[Workstream | None] = relationship()


class RaidTaskLink(Base):
    """A RAID item bears on a task (e.g. a risk to the consultation's start)."""

    __tablename__ = "raid_task_links"
    __table_args__ = (UniqueConstraint("raid_item_id", "task_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    raid_item_id: Mapped[int] = mapped_column(ForeignKey("raid_items.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)


class RagOverride(Base):
    """A manual red/amber/green set by the project team, with the reason; workstream None means the whole review.

    The override in force for a scope is the one not yet cleared; setting a new one clears the old.
    """

    __tablename__ = "rag_overrides"
    __table_args__ = (CheckConstraint("rag IN ('red', 'amber', 'green')", name="rag_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workstream_id: Mapped[int | None] = mapped_column(ForeignKey("workstreams.id", ondelete="CASCADE"), index=True)
    rag: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(120))
    set_on: Mapped[date] = mapped_column(Date)  # the review's date when set (review.platform.clock.today())
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cleared_by: Mapped[str | None] = mapped_column(String(120))
