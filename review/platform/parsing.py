"""Service input read from a declaration of its fields.

A service declares how each field it accepts is read, e.g. `FIELDS = {"due_date": DATE, "title": TEXT,
"owner_id": WHOLE}`, and calls `parse(values, FIELDS)`: each value given is converted, and one that cannot be
is kept as an `Invalid` marker. Validation then turns markers into the field's message (`report_invalid`), so
bad input never escapes as a ValueError. Text goes through the text policy (`validation.clean_text`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from review.platform.validation import Problems, clean_text, to_date

# What a user sees when a value cannot be read as its field's kind (each written once, here).
MESSAGES = {
    "date": "'{raw}' is not a date; use YYYY-MM-DD.",
    "whole number": "'{raw}' is not a whole number.",
    "amount": "'{raw}' is not an amount; use digits, e.g. 185000 or 185000.50.",
    "choices": "Choose from the list.",
}


@dataclass(frozen=True)
class Invalid:
    """A value that could not be read as its field's kind (`kind` is a key of MESSAGES), kept as typed."""

    raw: Any
    kind: str

    @property
    def message(self) -> str:
        return MESSAGES[self.kind].format(raw=self.raw)


Parser = Callable[[Any], Any]


def is_blank(value: Any) -> bool:
    """None, empty text or NaN (an empty cell from pandas)."""
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and value != value)


def DATE(value: Any) -> Any:  # noqa: N802 - field kinds read as constants in declarations
    """A date (from a date, datetime, Timestamp or ISO text), None when blank, else Invalid."""
    try:
        return to_date(value)
    except (TypeError, ValueError):
        return Invalid(value, "date")


def WHOLE(value: Any) -> Any:  # noqa: N802
    """A whole number (12, 12.0, '12'), None when blank, else Invalid."""
    if is_blank(value):
        return None
    if isinstance(value, int):
        return int(value)
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return Invalid(value, "whole number")
    if number != number or number in (float("inf"), float("-inf")) or number != int(number):
        return Invalid(value, "whole number")
    return int(number)


def MONEY(value: Any) -> Any:  # noqa: N802
    """An amount in pounds to the penny ('£185,000.50' reads), None when blank, else Invalid."""
    if is_blank(value):
        return None
    text = str(value).replace("£", "").replace(",", "").strip()
    try:
        amount = Decimal(text).quantize(Decimal("0.01")) if text else None
    except (InvalidOperation, ValueError):
        return Invalid(value, "amount")
    if amount is not None and not amount.is_finite():
        return Invalid(value, "amount")
    return amount


def BOOL(value: Any) -> bool:  # noqa: N802
    """A tick box: true or false."""
    return bool(value)


def IDS(value: Any) -> Any:  # noqa: N802
    """A list of record ids, sorted without repeats; [] when blank, else Invalid."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str | bytes):
        return Invalid(value, "choices")
    try:
        numbers = [WHOLE(v) for v in value]
    except TypeError:
        return Invalid(value, "choices")
    if any(n is None or isinstance(n, Invalid) for n in numbers):
        return Invalid(value, "choices")
    return sorted(set(numbers))


def text(single_line: bool = False) -> Parser:
    """Text through the text policy (`clean_text`): control characters removed, stripped, empty becomes None.
    Length limits (and newlines in one-line columns) are the text policy's backstop's to apply, from the schema."""
    def read(value: Any) -> str | None:
        return clean_text(value, single_line=single_line)
    return read


TEXT = text()


def parse(values: Mapping[str, Any], fields: Mapping[str, Parser]) -> dict[str, Any]:
    """A copy of `values` with each declared field that is present read by its parser (others left as given)."""
    out = dict(values)
    for key, read in fields.items():
        if key in out:
            out[key] = read(out[key])
    return out


class Fields(dict[str, Parser]):
    """A service's declaration of its input fields (name -> parser); `FIELDS.parse(values)` reads them."""

    def parse(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """`parse(values, self)`."""
        return parse(values, self)


def declare(parser: Parser, keys: Iterable[str]) -> dict[str, Parser]:
    """The same parser for several fields: `{**declare(DATE, ("start_date", "due_date")), ...}`."""
    return dict.fromkeys(keys, parser)


def report_invalid(problems: Problems, v: dict[str, Any], kinds: Iterable[str] | None = None) -> None:
    """Add each Invalid value's message under its field and blank it (None) for the rules that follow; with
    `kinds`, only markers of those kinds (a service with its own wording for the others checks `is_invalid`)."""
    wanted = None if kinds is None else set(kinds)
    for key, value in list(v.items()):
        if isinstance(value, Invalid) and (wanted is None or value.kind in wanted):
            problems.add(key, value.message)
            v[key] = None


def is_invalid(value: Any) -> bool:
    """Whether a parsed value is an Invalid marker."""
    return isinstance(value, Invalid)
