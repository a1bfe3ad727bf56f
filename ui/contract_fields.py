"""Form inputs and table columns shared by the contract and KPI components: each input is keyed
`{prefix}_{field}` and followed by its validation message (`field_error`)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import streamlit as st

from review.platform.errors import ValidationFailed
from ui.feedback import field_error
from ui.forms import read_fields  # noqa: F401 - the contract forms import it from here

DATE_FORMAT = "DD MMM YYYY"
MONEY_FORMAT = "£%,d"
MIN_DATE, MAX_DATE = date(2000, 1, 1), date(2100, 12, 31)


def date_col(label: str) -> Any:
    return st.column_config.DateColumn(label, format=DATE_FORMAT)


def money_col(label: str) -> Any:
    return st.column_config.NumberColumn(label, format=MONEY_FORMAT)


def text_field(form: str, prefix: str, field: str, label: str, value: Any, area: bool = False,
               **kwargs: Any) -> None:
    widget = st.text_area if area else st.text_input
    widget(label, value or "", key=f"{prefix}_{field}", **kwargs)
    field_error(form, field)


def date_field(form: str, prefix: str, field: str, label: str, value: Any, **kwargs: Any) -> None:
    st.date_input(label, value, key=f"{prefix}_{field}", format="DD/MM/YYYY", min_value=MIN_DATE,
                  max_value=MAX_DATE, **kwargs)
    field_error(form, field)


def number_field(form: str, prefix: str, field: str, label: str, value: Any, step: int | float = 1,
                 **kwargs: Any) -> None:
    """A whole-number input for an int `step`, an amount (two decimals, none for large steps) for a float one."""
    amount = isinstance(step, float)
    if amount:
        kwargs.setdefault("format", "%.2f" if step < 1000 else "%.0f")
    st.number_input(label, value=None if value is None else float(value) if amount else int(value), step=step,
                    key=f"{prefix}_{field}", **kwargs)
    field_error(form, field)


def invalid_message(what: str) -> Callable[[ValidationFailed], str]:
    """The message for refused fields: `what`, the usual request, and any error not tied to one field."""
    def message(exc: ValidationFailed) -> str:
        general = exc.errors.get("extension") or exc.errors.get("decision")
        return f"{what} Please correct the fields marked below." + (f" {general}" if general else "")
    return message
