"""Fictional engagement demo data (data/demo/engagement_*.csv), loaded through the services so it is
validated, checked for identifiers and audited like anything a user records."""
from __future__ import annotations

from sqlalchemy.orm import Session

from review import engagement
from review.platform.demo_files import rows
from review.platform.roles import Actor


def load_demo(session: Session, actor: Actor) -> None:
    """Load the demo partners, themes, activities, inputs and responses through the services."""
    partner_ids = {}
    for row in rows("engagement_partners"):
        partner = engagement.create_partner(session, actor, row["name"], row["short_name"], row["also_known_as"])
        partner_ids[row["short_name"]] = partner.id
    theme_ids = {}
    for row in rows("engagement_themes"):
        theme = engagement.create_theme(session, actor, row["name"], row["description"], int(row["sort_order"]))
        theme_ids[row["name"]] = theme.id
    activity_ids = {}
    for row in rows("engagement_activities"):
        activity = engagement.create_activity(
            session, actor, title=row["title"], activity_type=row["activity_type"], start_date=row["start_date"],
            end_date=row["end_date"] or None, partner_id=partner_ids.get(row["partner"]),
            facilitator=row["facilitator"], channel=row["channel"], participants=int(row["participants"]),
            summary=row["summary"], lawful_basis=row["lawful_basis"],
            special_category_condition=row["special_category_condition"],
            consent_form_version=row["consent_form_version"] or None,
            retention_review_date=row["retention_review_date"])
        activity_ids[row["key"]] = activity.id
    input_ids = {}
    for row in rows("engagement_inputs"):
        item = engagement.add_input(
            session, actor, activity_id=activity_ids[row["activity"]], participant=row["participant"] or None,
            need=row["need"], theme_ids=[theme_ids[t] for t in row["themes"].split(";") if t],
            quote=row["quote"] or None, consent_to_quote=row["consent_to_quote"] == "yes",
            sentiment=row["sentiment"] or None, district=row["district"] or None, follow_up=row["follow_up"] or None)
        input_ids[row["key"]] = item.id
    for row in rows("engagement_responses"):
        engagement.create_response(
            session, actor, theme_id=theme_ids.get(row["theme"]), you_said=row["you_said"], we_did=row["we_did"],
            by_whom=row["by_whom"], status=row["status"], response_date=row["response_date"] or None,
            input_ids=[input_ids[k] for k in row["answers"].split(";") if k])
