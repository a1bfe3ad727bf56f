"""The decision log: officer and executive decisions with the contents regulation 13 requires.

Regulation 13 of the Local Authorities (Executive Arrangements) (Meetings and Access to Information)
(England) Regulations 2012: the decision and its date, reasons, alternatives considered and rejected,
conflicts of interest declared by an executive member consulted, and any dispensation granted.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from review.models.base import Base, Timestamped, Versioned


class Decision(Versioned, Timestamped, Base):
    __tablename__ = "decisions"
    __table_args__ = (CheckConstraint("call_in_working_days >= 0", name="call_in_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    decision_type: Mapped[str] = mapped_column(String(30), default="officer_key")
    decision: Mapped[str | None] = mapped_column(Text)
    decision_date: Mapped[date | None] = mapped_column(Date, index=True)
    reasons: Mapped[str | None] = mapped_column(Text)
    executive_member_portfolio: Mapped[str | None] = mapped_column(String(200))  # a post, never a name
    executive_member_comments: Mapped[str | None] = mapped_column(Text)
    conflicts_of_interest: Mapped[str | None] = mapped_column(Text)
    dispensation: Mapped[str | None] = mapped_column(Text)
    decision_maker_post: Mapped[str | None] = mapped_column(String(200))
    circulation: Mapped[str | None] = mapped_column(Text)  # "copies of agreed document to"
    publication_date: Mapped[date | None] = mapped_column(Date)
    key_decision: Mapped[bool] = mapped_column(Boolean, default=False)
    forward_plan_reference: Mapped[str | None] = mapped_column(String(60))
    call_in_working_days: Mapped[int] = mapped_column(Integer, default=5)
    call_in_status: Mapped[str] = mapped_column(String(30), default="draft", index=True)
    # The paper to the SEND Executive this decision was taken on (set by review.submission.papers.record_decision);
    # one log entry per paper. Deleting the paper keeps the decision, unlinked.
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id", ondelete="SET NULL"),
                                                      unique=True, index=True)

    alternatives: Mapped[list[DecisionAlternative]] = relationship(
        order_by="DecisionAlternative.position", cascade="all, delete-orphan", passive_deletes=True)
    consultees: Mapped[list[DecisionConsultee]] = relationship(
        order_by="DecisionConsultee.position", cascade="all, delete-orphan", passive_deletes=True)


class DecisionAlternative(Base):
    """An alternative option considered and rejected, with the reason it was rejected."""

    __tablename__ = "decision_alternatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    option: Mapped[str] = mapped_column(Text)
    reason_rejected: Mapped[str | None] = mapped_column(Text)


class DecisionConsultee(Base):
    """Someone consulted (a group or a post) and their comments."""

    __tablename__ = "decision_consultees"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    consultee: Mapped[str] = mapped_column(String(200))
    comments: Mapped[str | None] = mapped_column(Text)


class DecisionContract(Base):
    __tablename__ = "decision_contracts"
    __table_args__ = (UniqueConstraint("decision_id", "contract_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)


class DecisionTask(Base):
    __tablename__ = "decision_tasks"
    __table_args__ = (UniqueConstraint("decision_id", "task_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
