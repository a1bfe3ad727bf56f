"""The accessibility statement: GDS model sections, open to signed-out visitors and listed in their menu."""
from __future__ import annotations

from review.accessibility.statement import statement
from review.platform.roles import Actor, Role
from ui.navigation import visible_pages


def test_statement_has_the_gds_model_sections_and_names_the_contact():
    sections = statement("accessibility@council.example")
    headings = [s.heading for s in sections]
    for required in ("Compliance status", "Non-accessible content", "Enforcement procedure",
                     "Reporting accessibility problems with this service",
                     "Preparation of this accessibility statement"):
        assert required in headings
    text = " ".join(p for s in sections for p in [*s.paragraphs, *s.bullets, *s.after])
    assert "accessibility@council.example" in text and "Equality and Human Rights Commission" in text
    assert "partially compliant" in text and "WCAG" in text


def test_statement_is_in_the_menu_signed_out_and_for_every_role():
    assert [p.key for p in visible_pages(None)] == ["home", "accessibility"]
    for role in Role:
        assert "accessibility" in [p.key for p in visible_pages(Actor(1, "x", "X", role, None))]
