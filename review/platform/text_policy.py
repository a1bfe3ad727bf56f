"""The one text policy: what text may reach the database, the same on SQLite and PostgreSQL.

* Control characters are removed, never refused: NUL and the other C0 controls except tab and newline, DEL, and
  lone surrogates (PostgreSQL refuses NUL and unencodable text with a raw error; XML, so the Word pack, refuses
  them too). A carriage return becomes a newline (Windows line ends become one newline).
* Single-line fields (a `String(n)` column) also lose their newlines and tabs: each becomes one space.
* Every `String(n)` column has a maximum length of n characters, read from the models so it cannot drift from the
  schema; longer text is refused with a field message naming the limit (never cut short behind the user's back).

Services clean their input with `review.platform.validation.clean_text` (which uses `clean`); `_check_flush`, a
`before_flush` listener on every Session, is the backstop that makes a missed field impossible: it cleans every text
attribute (and the strings inside JSON attributes) of new and changed objects and raises
`ValidationFailed({attribute: message})` for text over its column's length, before any SQL is sent.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import JSON, String, event, inspect
from sqlalchemy.orm import DeclarativeBase, Mapper, Session

from review.platform.errors import ValidationFailed

# C0 controls except tab (\x09), newline (\x0a) and carriage return (\x0d, turned into a newline), DEL, surrogates.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"\r\n?")
_SINGLE_LINE_BREAKS = re.compile(r"[\t\n]")


# What XML 1.0 cannot hold (its Char production): C0 controls but tab, newline and return, surrogates, U+FFFE/FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters an XML document (a Word file) cannot hold: they are removed."""
    return _NOT_XML.sub("", text)


def clean(text: str, *, single_line: bool = False) -> str:
    """`text` with control characters removed (and, for a single-line field, newlines and tabs made spaces)."""
    text = _CONTROL.sub("", _LINE_BREAKS.sub("\n", text))
    return _SINGLE_LINE_BREAKS.sub(" ", text) if single_line else text


def too_long_message(limit: int, length: int) -> str:
    """The field message for text over its column's limit."""
    return f"Keep this to {limit:,} characters (it has {length:,})."


def column_limit(model: type[DeclarativeBase], attribute: str) -> int | None:
    """The maximum length of `model.attribute` from its column type (None for Text and non-text columns)."""
    column = inspect(model).columns.get(attribute)
    if column is None or not isinstance(column.type, String):
        return None
    return column.type.length


def _text_columns(mapper: Mapper) -> list[tuple[str, int | None, bool]]:
    """(attribute, length limit or None, is JSON) for each text or JSON column attribute of a mapped class."""
    found = []
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if isinstance(column.type, String):
            found.append((prop.key, column.type.length, False))
        elif isinstance(column.type, JSON):
            found.append((prop.key, None, True))
    return found


_COLUMNS_BY_MAPPER: dict[Mapper, list[tuple[str, int | None, bool]]] = {}


def _clean_json(value: Any) -> Any:
    """JSON with control characters removed from every string in it (keys included)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {_clean_json(k): _clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_json(v) for v in value]
    return value


def check_object(obj: Any) -> dict[str, str]:
    """Clean `obj`'s text attributes in place; the field messages for those over their column's length."""
    mapper = inspect(obj).mapper
    columns = _COLUMNS_BY_MAPPER.get(mapper)
    if columns is None:
        columns = _COLUMNS_BY_MAPPER[mapper] = _text_columns(mapper)
    state = inspect(obj)
    problems: dict[str, str] = {}
    for key, limit, is_json in columns:
        if key in state.unloaded:
            continue
        value = state.dict.get(key)
        if value is None:
            continue
        if is_json:
            cleaned = _clean_json(value)
            if cleaned != value:
                setattr(obj, key, cleaned)
            continue
        if not isinstance(value, str):
            continue
        cleaned = clean(value, single_line=limit is not None)
        if cleaned != value:
            setattr(obj, key, cleaned)
        if limit is not None and len(cleaned) > limit:
            problems[key] = too_long_message(limit, len(cleaned))
    return problems


@event.listens_for(Session, "before_flush")
def _check_flush(session: Session, _flush_context: Any, _instances: Any) -> None:
    """The backstop: every new or changed object's text obeys the policy before the database sees it."""
    problems: dict[str, str] = {}
    for obj in (*session.new, *session.dirty):
        for key, message in check_object(obj).items():
            problems.setdefault(key, message)
    if problems:
        raise ValidationFailed(problems)
