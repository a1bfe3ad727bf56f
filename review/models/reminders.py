"""Email reminders: how often each person wants them, and which were sent (at most one a day each)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from review.models.base import Base, Versioned, utcnow


class ReminderPreference(Versioned, Base):
    """A person's choice of reminder frequency; a person without a row gets the default."""

    __tablename__ = "reminder_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    frequency: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class SentReminder(Base):
    """One reminder email sent; the unique (person, day) pair makes a second run the same day send nothing."""

    __tablename__ = "sent_reminders"
    __table_args__ = (UniqueConstraint("person_id", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    sent_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(40))  # what it held: "tasks", "attention" or "tasks+attention"
    message_id: Mapped[str] = mapped_column(String(255))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
