"""Small helpers to collect field -> message errors and raise them together."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from review.platform import text_policy
from review.platform.errors import ValidationFailed


class Problems:
    """Collects one message per field; `raise_if_any()` raises ValidationFailed with all of them."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        """Record a message for a field (the first message per field is kept)."""
        self.errors.setdefault(field, message)

    def raise_if_any(self) -> None:
        """Raise ValidationFailed with every message collected, if there is one."""
        if self.errors:
            raise ValidationFailed(self.errors)


def clean_text(value: Any, *, single_line: bool = False) -> str | None:
    """Text by the text policy (`review.platform.text_policy.clean`: control characters removed, and newlines too
    for a single-line field), stripped; empty becomes None. Length limits are the services' and the policy's
    backstop's to refuse with a message, never cut here."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from pandas
        return None
    return text_policy.clean(str(value), single_line=single_line).strip() or None


def to_date(value: Any) -> date | None:
    """Accept a date, a datetime, a pandas Timestamp or ISO text; empty becomes None."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "to_pydatetime"):
        try:
            import pandas as pd

            if pd.isna(value):
                return None
        except (TypeError, ValueError):
            pass
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip()[:10])
