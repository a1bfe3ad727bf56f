"""The contract register: contracts, their extensions (each authorised by a decision) and KPIs."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from review.models.base import Base, Timestamped, Versioned
from review.models.organisation import Person

MONEY = Numeric(14, 2)


class Contract(Versioned, Timestamped, Base):
    """One contract in the register (Local Government Transparency Code fields and common practice).

    The current end date, extensions used, last possible end date, notice deadline and status are
    computed from the dates here and the extension history (review.contracts.register).
    """

    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("extension_options >= 0", name="extension_options_not_negative"),
        CheckConstraint("extension_period_months >= 0", name="extension_months_not_negative"),
        CheckConstraint("notice_period_months >= 0", name="notice_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    provider_name: Mapped[str] = mapped_column(String(200))
    provider_number: Mapped[str | None] = mapped_column(String(30))  # charity or company number
    is_vcse: Mapped[bool] = mapped_column(Boolean, default=False)
    is_sme: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    procurement_route: Mapped[str | None] = mapped_column(String(120))
    award_date: Mapped[date | None] = mapped_column(Date)
    start_date: Mapped[date] = mapped_column(Date)
    original_end_date: Mapped[date] = mapped_column(Date)
    review_date: Mapped[date | None] = mapped_column(Date)
    extension_options: Mapped[int] = mapped_column(Integer, default=0)  # number of extension periods allowed
    extension_period_months: Mapped[int] = mapped_column(Integer, default=0)  # length of each period
    notice_period_months: Mapped[int] = mapped_column(Integer, default=3)
    notice_given_on: Mapped[date | None] = mapped_column(Date)
    annual_value: Mapped[Decimal | None] = mapped_column(MONEY)
    total_value_to_date: Mapped[Decimal | None] = mapped_column(MONEY)
    values_illustrative: Mapped[bool] = mapped_column(Boolean, default=False)

    owner: Mapped[Person | None] = relationship()
    extensions: Mapped[list[ContractExtension]] = relationship(
        back_populates="contract", order_by="ContractExtension.start_date", cascade="all, delete-orphan",
        passive_deletes=True)
    kpis: Mapped[list[ContractKpi]] = relationship(
        back_populates="contract", order_by="ContractKpi.id", cascade="all, delete-orphan", passive_deletes=True)


class ContractExtension(Base):
    """One use of an extension option: its dates, value and the decision that authorised it."""

    __tablename__ = "contract_extensions"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    value: Mapped[Decimal | None] = mapped_column(MONEY)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id", ondelete="SET NULL"), index=True)
    note: Mapped[str | None] = mapped_column(Text)

    contract: Mapped[Contract] = relationship(back_populates="extensions")


class ContractKpi(Versioned, Base):
    """A key performance indicator with a target, reported every `frequency_months` months.

    A return for each period is due `return_due_days` days after the period ends.
    """

    __tablename__ = "contract_kpis"
    __table_args__ = (
        CheckConstraint("frequency_months > 0", name="frequency_positive"),
        CheckConstraint("return_due_days >= 0", name="return_due_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(40))
    target: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)
    frequency_months: Mapped[int] = mapped_column(Integer, default=3)
    first_period_end: Mapped[date] = mapped_column(Date)
    return_due_days: Mapped[int] = mapped_column(Integer, default=30)

    contract: Mapped[Contract] = relationship(back_populates="kpis")
    values: Mapped[list[ContractKpiValue]] = relationship(
        back_populates="kpi", order_by="ContractKpiValue.period_end", cascade="all, delete-orphan",
        passive_deletes=True)


class ContractKpiValue(Versioned, Base):
    """The value reported for one KPI period, with its red/amber/green rating."""

    __tablename__ = "contract_kpi_values"
    __table_args__ = (UniqueConstraint("kpi_id", "period_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("contract_kpis.id", ondelete="CASCADE"), index=True)
    period_end: Mapped[date] = mapped_column(Date)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    rating: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)

    kpi: Mapped[ContractKpi] = relationship(back_populates="values")
