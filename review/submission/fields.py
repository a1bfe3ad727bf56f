"""What a council paper is made of: its statuses and its fields (the narrative sections with their headings).

Shared by the paper service (`papers`) and the pack (`pack`), which reads a paper without depending on the
service that writes it.
"""
from __future__ import annotations

from enum import StrEnum


class SubmissionStatus(StrEnum):
    DRAFTING = "drafting"
    IN_REVIEW = "in_review"
    SUBMITTED = "submitted"
    DECIDED = "decided"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


STATUS_LABELS = {s.value: s.label for s in SubmissionStatus}

# Narrative sections of the paper and of its project initiation document, with their headings.
PAPER_TEXT_FIELDS = {
    "purpose": "Purpose of the report",
    "recommendations": "Recommendations (one a line)",
    "background": "Background",
    "preferred_reasons": "Reasons for the preferred option",
    "consultation_notes": "Consultation and engagement",
    "financial_notes": "Financial implications",
    "legal_notes": "Legal and procurement implications",
    "equalities_notes": "Equalities (Equality Impact Assessment)",
    "data_protection_notes": "Data protection (DPIA)",
}
PID_TEXT_FIELDS = {
    "pid_definition": "Project definition",
    "pid_approach": "Project approach",
    "pid_business_case": "Business case",
    "pid_quality": "Quality management approach",
    "pid_risk_approach": "Risk management approach",
    "pid_communication": "Communication management approach",
    "pid_controls": "Project controls",
}
TEXT_FIELDS = {**PAPER_TEXT_FIELDS, **PID_TEXT_FIELDS}
EDITABLE_FIELDS = ("title", "meeting", "meeting_date", "report_of", "author", "status", "key_decision", "task_id",
                   *TEXT_FIELDS)
DECISION_FIELDS = ("decision", "decision_date", "decided_by")
AUDITED_FIELDS = (*EDITABLE_FIELDS, *DECISION_FIELDS)
