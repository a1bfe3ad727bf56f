"""The one way to turn tables into CSV or Excel downloads, with spreadsheet formulas neutralised.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by Excel, LibreOffice
and Google Sheets (OWASP "CSV injection"): a task titled `=cmd|' /C calc'!A0` would run on the reader's machine.
Text cells starting so get a leading single quote, which spreadsheets show as text; numbers (and text that is only
a number, such as "-5") stay as they are. In Excel files every text cell is also stored as a string, never a formula.
"""
from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

# OWASP CSV injection: the characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """The value, with a leading single quote when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every text cell (and text header) neutralised; numeric columns untouched."""
    out = frame.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_datetime64_any_dtype(out[column])):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV (no index), safe to open in a spreadsheet."""
    return neutralised(frame).to_csv(index=False).encode("utf-8")


def to_excel_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per frame (name -> frame), text as strings, never formulas."""
    # Imported here, not at the top: openpyxl takes 0.1 s to import, and every page imports this module.
    from openpyxl.cell.cell import TYPE_FORMULA, TYPE_STRING

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            neutralised(frame).to_excel(writer, sheet_name=name[:31], index=False)
        for worksheet in writer.book.worksheets:
            for row in worksheet.iter_rows():
                for cell in row:
                    if cell.data_type == TYPE_FORMULA:  # openpyxl reads any text starting "=" as a formula
                        cell.data_type = TYPE_STRING
    return buffer.getvalue()
