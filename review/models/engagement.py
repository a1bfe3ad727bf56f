"""Parent engagement: partner organisations, the managed theme list, activities, what parents said
(inputs, with their themes) and what was done about it ("you said, we did").

Personal data lives only in the input's pseudonym, need, quote, district and follow-up and in the
activity's summary; erasure blanks those and keeps the anonymous theme links.
"""
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

from review.models.base import Base, Timestamped, Versioned


class EngagementPartner(Versioned, Base):
    """An organisation engagement runs with (e.g. the parent carer forum). Names are data, never code."""

    __tablename__ = "engagement_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(30))
    also_known_as: Mapped[str | None] = mapped_column(String(160))  # other spellings seen in documents
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class EngagementTheme(Versioned, Base):
    """One entry of the managed list of themes that parents' inputs are tagged with."""

    __tablename__ = "engagement_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class EngagementActivity(Versioned, Timestamped, Base):
    """A survey, interview round, forum meeting, drop-in... with its lawful basis and retention date."""

    __tablename__ = "engagement_activities"
    __table_args__ = (CheckConstraint("participants >= 0", name="participants_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    activity_type: Mapped[str] = mapped_column(String(30), index=True)
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date | None] = mapped_column(Date)
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("engagement_partners.id", ondelete="SET NULL"), index=True)
    facilitator: Mapped[str | None] = mapped_column(String(160))
    channel: Mapped[str | None] = mapped_column(String(160))  # channel or place
    participants: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str | None] = mapped_column(Text)
    lawful_basis: Mapped[str] = mapped_column(String(30))  # UK GDPR Article 6 basis
    special_category_condition: Mapped[str | None] = mapped_column(String(30))  # Article 9 condition, if any
    consent_form_version: Mapped[str | None] = mapped_column(String(40))
    retention_review_date: Mapped[date] = mapped_column(Date, index=True)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    partner: Mapped[EngagementPartner | None] = relationship()
    inputs: Mapped[list[EngagementInput]] = relationship(back_populates="activity")


class EngagementInput(Versioned, Timestamped, Base):
    """What one participant said at an activity: the need, themes, an optional quote."""

    __tablename__ = "engagement_inputs"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("engagement_activities.id", ondelete="CASCADE"),
                                             index=True)
    participant: Mapped[str | None] = mapped_column(String(20), index=True)  # pseudonym such as P-001
    need: Mapped[str | None] = mapped_column(Text)
    quote: Mapped[str | None] = mapped_column(Text)
    consent_to_quote: Mapped[bool] = mapped_column(Boolean, default=False)
    sentiment: Mapped[str | None] = mapped_column(String(20))
    district: Mapped[str | None] = mapped_column(String(80))
    follow_up: Mapped[str | None] = mapped_column(Text)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    activity: Mapped[EngagementActivity] = relationship(back_populates="inputs")
    themes: Mapped[list[EngagementTheme]] = relationship(secondary="engagement_input_themes",
                                                         order_by="EngagementTheme.sort_order")


class EngagementInputTheme(Base):
    """Which themes an input raised (several per input). Kept on erasure: the counts are anonymous."""

    __tablename__ = "engagement_input_themes"
    __table_args__ = (UniqueConstraint("input_id", "theme_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    input_id: Mapped[int] = mapped_column(ForeignKey("engagement_inputs.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("engagement_themes.id", ondelete="RESTRICT"), index=True)


class EngagementResponse(Versioned, Timestamped, Base):
    """You said, we did: what was done about a theme or particular needs, by whom, and how far it got."""

    __tablename__ = "engagement_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("engagement_themes.id", ondelete="SET NULL"),
                                                 index=True)
    you_said: Mapped[str] = mapped_column(Text)
    we_did: Mapped[str] = mapped_column(Text)
    by_whom: Mapped[str | None] = mapped_column(String(160))
    status: Mapped[str] = mapped_column(String(20), default="planned")
    response_date: Mapped[date | None] = mapped_column(Date)

    theme: Mapped[EngagementTheme | None] = relationship()


class EngagementResponseInput(Base):
    """The particular needs (inputs) a response answers."""

    __tablename__ = "engagement_response_inputs"
    __table_args__ = (UniqueConstraint("response_id", "input_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("engagement_responses.id", ondelete="CASCADE"),
                                             index=True)
    input_id: Mapped[int] = mapped_column(ForeignKey("engagement_inputs.id", ondelete="CASCADE"), index=True)
