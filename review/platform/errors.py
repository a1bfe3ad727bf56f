"""The few domain errors that every page knows how to show."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class DomainError(Exception):
    """Base class: a message fit to show to the user as it is."""


class PermissionDenied(DomainError):
    """The signed-in role may not do this; nothing was changed."""


class AuthenticationFailed(DomainError):
    """Wrong username or password, or the account is inactive."""


class NotFound(DomainError):
    """The record no longer exists (perhaps someone deleted it)."""


class ValidationFailed(DomainError):
    """Input was refused. `errors` maps a field name to the message to show next to it."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class SimultaneousSave(DomainError):
    """Two people saved at the same moment and the database kept the first; nothing of this save was kept.

    Raised by `review.platform.db.unit_of_work` when the version column (or a unique rule) rejects a write that passed
    the services' own checks because another transaction committed in between.
    """

    def __init__(self, message: str = "Someone else saved a change to the same record at the same moment, so "
                                      "nothing of yours was saved. Reload to see their change, then make yours "
                                      "again.") -> None:
        super().__init__(message)


class TransientConflict(SimultaneousSave):
    """The database aborted the transaction because of another one (a deadlock or serialisation failure), even
    after running it again (`review.platform.db.run_in_transaction`); shown like any simultaneous save."""


@dataclass
class OtherChange:
    """One field someone else changed since you loaded the record."""

    who: str
    when: Any
    field: str
    before: Any
    after: Any


# How a kind of record reads in a message; other audit entity codes read well with spaces for underscores.
RECORD_WORDS = {"contract_kpi": "KPI", "contract_kpi_value": "KPI value", "raid_item": "RAID item"}


def record_words(entity: str) -> str:
    """'contract_kpi_value' -> 'KPI value', 'engagement_input' -> 'engagement input'."""
    return RECORD_WORDS.get(entity, entity.replace("_", " "))


@dataclass
class EditConflict(DomainError):
    """Someone else saved the record after you loaded it; your edit was not applied."""

    entity: str
    record_id: Any
    your_version: int
    current_version: int
    their_changes: list[OtherChange] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        who = sorted({c.who for c in self.their_changes}) or ["someone else"]
        lines = [
            f"{', '.join(who)} saved this {record_words(self.entity)} after you opened it "
            f"(version {self.your_version} -> {self.current_version}). Your change was not saved."
        ]
        for c in self.their_changes:
            lines.append(f"- {c.field}: {c.before!r} -> {c.after!r} ({c.who})")
        lines.append("\nReload to see their change, then make yours again.")  # its own paragraph in Markdown
        return "\n".join(lines)


class DatabaseUnavailable(DomainError):
    """The database cannot be used: its file is missing or was replaced while the app ran, or it is read-only.

    Raised before anything is written, so no save is reported as done when it was not kept.
    """
