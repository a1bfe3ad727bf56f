"""The paper to SEND Executive: its options, strategic alignment, decision, actions and generated packs.

Cost scenarios live in the costing capability's own tables; an option keeps the scenario's id without a
foreign key (the two migrations branch independently from the foundation) and the submission services
check that the scenario exists when the link is made.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from review.models.base import Base, Timestamped, Versioned, utcnow


class StrategicPriority(Versioned, Base):
    """One entry of the managed list a submission is aligned against (a priority, a duty, a strategy)."""

    __tablename__ = "strategic_priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    source: Mapped[str | None] = mapped_column(String(200))  # e.g. "Children and Families Act 2014 s.30"
    description: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Submission(Versioned, Timestamped, Base):
    """A paper to a meeting (the SEND Executive Group), with its project initiation document."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    meeting: Mapped[str] = mapped_column(String(120))
    meeting_date: Mapped[date] = mapped_column(Date, index=True)
    report_of: Mapped[str | None] = mapped_column(String(160))
    author: Mapped[str] = mapped_column(String(160))
    status: Mapped[str] = mapped_column(String(20), default="drafting", index=True)
    key_decision: Mapped[bool] = mapped_column(Boolean, default=False)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    purpose: Mapped[str | None] = mapped_column(Text)
    recommendations: Mapped[str | None] = mapped_column(Text)  # one recommendation per line
    background: Mapped[str | None] = mapped_column(Text)
    preferred_reasons: Mapped[str | None] = mapped_column(Text)
    consultation_notes: Mapped[str | None] = mapped_column(Text)
    financial_notes: Mapped[str | None] = mapped_column(Text)
    legal_notes: Mapped[str | None] = mapped_column(Text)
    equalities_notes: Mapped[str | None] = mapped_column(Text)
    data_protection_notes: Mapped[str | None] = mapped_column(Text)
    # Project initiation document (PRINCE2); the plan, team and risks come from live data.
    pid_definition: Mapped[str | None] = mapped_column(Text)
    pid_approach: Mapped[str | None] = mapped_column(Text)
    pid_business_case: Mapped[str | None] = mapped_column(Text)
    pid_quality: Mapped[str | None] = mapped_column(Text)
    pid_risk_approach: Mapped[str | None] = mapped_column(Text)
    pid_communication: Mapped[str | None] = mapped_column(Text)
    pid_controls: Mapped[str | None] = mapped_column(Text)
    # The decision the meeting took.
    decision: Mapped[str | None] = mapped_column(Text)
    decision_date: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(160))

    options: Mapped[list[SubmissionOption]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="SubmissionOption.sequence")


class SubmissionOption(Versioned, Base):
    """An option appraised in the paper, linked to a phone-line cost scenario where one applies."""

    __tablename__ = "submission_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    advantages: Mapped[str | None] = mapped_column(Text)
    disadvantages: Mapped[str | None] = mapped_column(Text)
    scenario_id: Mapped[int | None] = mapped_column(Integer)  # the costing capability's scenario id
    is_preferred: Mapped[bool] = mapped_column(Boolean, default=False)

    submission: Mapped[Submission] = relationship(back_populates="options")


class SubmissionAlignment(Base):
    """How a submission supports one strategic priority."""

    __tablename__ = "submission_alignments"
    __table_args__ = (UniqueConstraint("submission_id", "priority_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("strategic_priorities.id", ondelete="CASCADE"), index=True)
    how: Mapped[str | None] = mapped_column(Text)


class SubmissionAction(Base):
    """An action from the decision; it becomes a task in the tracker with an owner."""

    __tablename__ = "submission_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))  # kept even if the task is later deleted
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SubmissionPack(Base):
    """One generation of the pack: when, from which data version, the figures it showed and the document."""

    __tablename__ = "submission_packs"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per submission
    generated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    generated_by: Mapped[str] = mapped_column(String(60))
    as_at: Mapped[date] = mapped_column(Date)
    data_version: Mapped[int] = mapped_column(Integer)
    submission_version: Mapped[int] = mapped_column(Integer)
    # {"figures": {key: {"label", "value", "unit"}}, "tables": {name: {"title", "key", "rows"}}}
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # [{"kind", "what", "before", "after"}] against the previous pack of the same submission
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    filename: Mapped[str] = mapped_column(String(200))
    document: Mapped[bytes] = mapped_column(LargeBinary)
    # set when an editor marks this pack issued to SEND Executive; viewers download the latest issued pack
    issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    issued_by: Mapped[str | None] = mapped_column(String(60))
