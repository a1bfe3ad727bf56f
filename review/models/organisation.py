"""Workstreams (the officer groups named in the decision record) and the people in them."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from review.models.base import Base, Versioned


class Workstream(Versioned, Base):
    __tablename__ = "workstreams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(30))
    description: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    people: Mapped[list[Person]] = relationship(back_populates="workstream")


class Person(Versioned, Base):
    """Someone who can own a task. Demo people are named by job title."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    job_title: Mapped[str] = mapped_column(String(160))
    workstream_id: Mapped[int | None] = mapped_column(ForeignKey("workstreams.id", ondelete="SET NULL"))
    email: Mapped[str | None] = mapped_column(String(200))

    workstream: Mapped[Workstream | None] = relationship(back_populates="people")

    @property
    def label(self) -> str:
        return f"{self.name} ({self.job_title})" if self.name != self.job_title else self.name
