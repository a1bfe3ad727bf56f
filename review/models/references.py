"""Counters that hand out references (R-01, EXP-17, ACT-03) without two creations getting the same one."""
from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from review.models.base import Base


class ReferenceCounter(Base):
    """The last number given for one series, keyed "<table>:<prefix>" (e.g. "raid_items:R", "tasks:EXP").

    `review.platform.references.allocate` locks this row while it picks the next number, so concurrent creations
    queue here instead of colliding on the references' unique rule."""

    __tablename__ = "reference_counters"

    series: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
