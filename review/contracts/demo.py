"""Demo data for the contract register: the KIDS hubs contracts (illustrative values) and their KPIs.

Extensions are loaded with the decisions that authorised them (review.decisions.demo).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from review.contracts import register as contracts
from review.models import Person
from review.platform.demo_files import rows
from review.platform.roles import Actor


def _flag(text: str) -> bool:
    return text.strip().lower() == "true"


def load_demo(session: Session, actor: Actor) -> None:
    """Load the demo contracts, their extensions and KPIs through the contract services."""
    people = {name: i for i, name in session.execute(select(Person.id, Person.name))}
    ids = {}
    for row in rows("contracts"):
        contract = contracts.create_contract(
            session, actor, reference=row["reference"], title=row["title"], department=row["department"],
            description=row["description"], provider_name=row["provider_name"],
            provider_number=row["provider_number"] or None, is_vcse=_flag(row["is_vcse"]), is_sme=_flag(row["is_sme"]),
            owner_id=people.get(row["owner"]), procurement_route=row["procurement_route"],
            award_date=row["award_date"] or None, start_date=row["start_date"],
            original_end_date=row["original_end_date"], review_date=row["review_date"] or None,
            extension_options=row["extension_options"], extension_period_months=row["extension_period_months"],
            notice_period_months=row["notice_period_months"], notice_given_on=row["notice_given_on"] or None,
            annual_value=row["annual_value"] or None, total_value_to_date=row["total_value_to_date"] or None,
            values_illustrative=_flag(row["values_illustrative"]))
        ids[row["reference"]] = contract.id
    kpis = {}
    for row in rows("contract_kpis"):
        kpi = contracts.create_kpi(
            session, actor, ids[row["contract"]], name=row["name"], unit=row["unit"], target=row["target"] or None,
            higher_is_better=_flag(row["higher_is_better"]), frequency_months=row["frequency_months"],
            first_period_end=row["first_period_end"], return_due_days=row["return_due_days"])
        kpis[(row["contract"], row["name"])] = kpi.id
    for row in rows("contract_kpi_values"):
        contracts.record_kpi_value(session, actor, kpis[(row["contract"], row["kpi"])], period_end=row["period_end"],
                                   value=row["value"], note=row["note"] or None)
