"""Phone-line cost scenarios: named, owned sets of inputs to the costing model (review.costing)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column

from review.models.base import Base, Timestamped, Versioned


class CostScenario(Versioned, Timestamped, Base):
    """One scenario. `inputs` holds `review.costing.ScenarioInputs.to_dict()`; results are computed
    from it when read, so they always follow the current model."""

    __tablename__ = "cost_scenarios"
    __table_args__ = (
        # at most one recommended scenario (partial unique index on both engines)
        Index(
            "ix_cost_scenarios_one_recommended",
            "is_recommended",
            unique=True,
            sqlite_where=text("is_recommended = 1"),
            postgresql_where=text("is_recommended = true"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    delivery_model: Mapped[str | None] = mapped_column(String(120))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    is_illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    is_recommended: Mapped[bool] = mapped_column(Boolean, default=False)
    # set when recommended; changes, unrecommending and deleting wait until the owner or an admin unlocks it
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    owner_username: Mapped[str] = mapped_column(String(60))
    owner_name: Mapped[str] = mapped_column(String(120))
