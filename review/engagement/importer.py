"""Import survey responses (one row per response) from CSV or Excel into an engagement activity.

Three steps: read the file (`read_table`), map its columns to fields (`suggest_mapping` proposes a
mapping), then `check_rows` validates every row with the same rules as the Engagement page and
reports each rejected row and why. `import_inputs` writes nothing when any row fails, unless the
user chooses to import only the valid rows; identifiers in free text reject the row unless the
user asks for them to be redacted.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from review.engagement import records
from review.models.engagement import EngagementActivity, EngagementTheme
from review.platform import audit, privacy
from review.platform.errors import ValidationFailed
from review.platform.roles import Actor, Permission, require

MB = 1024 * 1024
MAX_ROWS = 5000
MAX_BYTES = 10 * MB
# A workbook is a zip: what it may expand to when opened. 5,000 responses of a few columns of free text fit in a
# few MB; these leave ample room while refusing a small file that inflates to gigabytes.
MAX_UNCOMPRESSED_BYTES = 100 * MB
MAX_SHARED_STRINGS_BYTES = 50 * MB  # xl/sharedStrings.xml: every text cell of the workbook
MAX_BLANK_TAIL = 1000  # empty rows read past the last filled one before the rest is taken as formatting
# The spreadsheet row of the first data row (row 1 holds the headers).
FIRST_DATA_ROW = 2

# field -> (label shown in the mapping step, header words that suggest it)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "participant": ("Participant pseudonym", ("participant", "pseudonym", "respondent", "respondent id")),
    "need": ("Need raised", ("need", "need raised", "needs", "what would help", "comment", "comments")),
    "themes": ("Themes (separated by ; or ,)", ("themes", "theme", "topics", "topic")),
    "quote": ("Verbatim quote", ("quote", "verbatim", "in your own words")),
    "consent_to_quote": ("Consent to quote (yes/no)", ("consent to quote", "consent", "may we quote", "quote consent")),
    "sentiment": ("Sentiment", ("sentiment", "feeling", "overall")),
    "district": ("District", ("district", "area", "locality")),
    "follow_up": ("Follow-up action", ("follow up", "follow-up", "follow up action", "action")),
}
LABELS = {f: label for f, (label, _) in FIELDS.items()} | {"theme_ids": "Themes", "activity_id": "Activity"}
TEXT_FIELDS = ("need", "quote", "district", "follow_up")
YES = {"yes", "y", "true", "1", "agreed", "consented"}
NO = {"no", "n", "false", "0", "", "declined"}


@dataclass
class ImportReport:
    """The outcome of checking a file: valid rows ready to save, rejected rows with reasons."""

    valid: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    rejected: list[tuple[int, list[str]]] = field(default_factory=list)
    redacted_rows: list[int] = field(default_factory=list)
    blank_rows: int = 0
    imported: int = 0

    def rejected_frame(self) -> pd.DataFrame:
        """The rejected rows with their reasons, for the page and the command line."""
        return pd.DataFrame([(row, " ".join(reasons)) for row, reasons in self.rejected],
                            columns=["Row", "Why it was rejected"])

    @property
    def summary(self) -> str:
        parts = [f"{len(self.valid)} valid row(s)", f"{len(self.rejected)} rejected"]
        if self.redacted_rows:
            parts.append(f"identifiers redacted in {len(self.redacted_rows)}")
        if self.blank_rows:
            parts.append(f"{self.blank_rows} blank row(s) skipped")
        return ", ".join(parts)


class ImportRefused(ValidationFailed):
    """Some rows failed and the user did not choose to import only the valid ones: nothing was saved."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__({"file": f"{len(report.rejected)} row(s) have problems, so nothing was imported. "
                                  "Correct the file, or choose to import only the valid rows."})


# ---------------------------------------------------------------- reading and mapping

def _refuse_expanding_workbook(data: bytes) -> None:
    """Refuse a workbook whose parts would expand past the limits once uncompressed (a "zip bomb"), before parsing.

    The sizes are the ones the zip's directory declares; Python's zipfile never inflates a member past its
    declared size, so openpyxl cannot read more than was checked here."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise ValidationFailed({"file": "The file could not be read as a table (not an Excel workbook)."}) from None
    total = sum(m.file_size for m in members)
    shared = sum(m.file_size for m in members if m.filename.lower().endswith("sharedstrings.xml"))
    if total > MAX_UNCOMPRESSED_BYTES or shared > MAX_SHARED_STRINGS_BYTES:
        raise ValidationFailed({"file": f"The workbook expands to {total / MB:,.0f} MB when opened (text "
                                        f"{shared / MB:,.0f} MB); import at most {MAX_UNCOMPRESSED_BYTES // MB} MB "
                                        f"({MAX_SHARED_STRINGS_BYTES // MB} MB of text) at a time."})


def _cell_text(value: Any) -> str:
    """A cell as text, as pandas reads it with dtype=str (whole numbers without '.0', empty as '')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _headers(row: tuple[Any, ...]) -> list[str]:
    """Column names from the header row: blank ones 'Unnamed: n', repeats numbered 'name.1' (as pandas does)."""
    names: list[str] = []
    for i, value in enumerate(row):
        name = _cell_text(value).strip() or f"Unnamed: {i}"
        base, k = name, 0
        while name in names:
            k += 1
            name = f"{base}.{k}"
        names.append(name)
    return names


def _too_many_rows() -> ValidationFailed:
    return ValidationFailed({"file": f"The file has more than {MAX_ROWS:,} rows; import at most {MAX_ROWS:,} at a "
                                     f"time."})


def _read_workbook(data: bytes) -> pd.DataFrame:
    """The first sheet, streamed row by row (openpyxl read-only mode): reading stops past the row limit."""
    _refuse_expanding_workbook(data)
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return pd.DataFrame()
        columns = _headers(header)
        body: list[list[str]] = []
        blank_tail = 0  # empty rows after the last filled one (sheets often carry formatted empty rows)
        for row in rows:
            cells = [_cell_text(v) for v in row[:len(columns)]]
            if any(c.strip() for c in cells):
                if len(body) >= MAX_ROWS:  # empty rows in between count, as they do in a CSV
                    raise _too_many_rows()
                body.append(cells + [""] * (len(columns) - len(cells)))
                blank_tail = 0
            else:
                if blank_tail >= MAX_BLANK_TAIL:
                    break  # enough empty rows: what follows is formatting, not responses
                body.append([""] * len(columns))
                blank_tail += 1
        body = body[:len(body) - blank_tail]
    finally:
        workbook.close()
    return pd.DataFrame(body, columns=columns, dtype=str)


def _read_csv(data: bytes) -> pd.DataFrame:
    text = data.decode("utf-8-sig", errors="strict")
    # nrows: parsing stops one row past the limit, however long the file
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=None, engine="python",
                       nrows=MAX_ROWS + 1)


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """The file's rows as text (CSV, or the first sheet of an .xlsx workbook).

    Refused before or while reading: a file over MAX_BYTES, a workbook that expands past
    MAX_UNCOMPRESSED_BYTES (or MAX_SHARED_STRINGS_BYTES of text), more than MAX_ROWS rows."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed({"file": f"The file is larger than {MAX_BYTES // MB} MB."})
    suffix = Path(filename or "").suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = _read_workbook(data)
        elif suffix in (".csv", ".txt", ""):
            frame = _read_csv(data)
        else:
            raise ValidationFailed({"file": "Upload a CSV file or an Excel workbook (.xlsx)."})
    except UnicodeDecodeError:
        raise ValidationFailed({"file": "The CSV file is not UTF-8 text; save it as 'CSV UTF-8' and try again."}) \
            from None
    except ValidationFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is a problem with the file
        raise ValidationFailed({"file": f"The file could not be read as a table ({type(exc).__name__})."}) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty or not len(frame.columns):
        raise ValidationFailed({"file": "The file has no rows under its header row."})
    if len(frame) > MAX_ROWS:
        raise _too_many_rows()
    return frame.fillna("")


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower()).strip()


def suggest_mapping(columns: list[str]) -> dict[str, str | None]:
    """field -> the column that looks like it (exact header words first, then headers containing them)."""
    keys = {c: _key(c) for c in columns}
    mapping: dict[str, str | None] = {}
    used: set[str] = set()
    for exact in (True, False):
        for fld, (_, words) in FIELDS.items():
            if mapping.get(fld):
                continue
            for word in words:
                hit = next((c for c, k in keys.items() if c not in used
                            and (k == _key(word) if exact else _key(word) in k)), None)
                if hit:
                    mapping[fld] = hit
                    used.add(hit)
                    break
    return {fld: mapping.get(fld) for fld in FIELDS}


def _check_mapping(frame: pd.DataFrame, mapping: dict[str, str | None]) -> dict[str, str]:
    chosen = {f: c for f, c in mapping.items() if c}
    problems: dict[str, str] = {}
    for f, c in chosen.items():
        if f not in FIELDS:
            problems[f] = "This is not a field that can be imported."
        elif c not in frame.columns:
            problems[f] = f"The file has no column called '{c}'."
    columns = list(chosen.values())
    for f, c in chosen.items():
        if columns.count(c) > 1:
            problems.setdefault(f, f"The column '{c}' is mapped to more than one field.")
    if not chosen.get("need") and not chosen.get("themes"):
        problems["need"] = "Map at least the need raised or the themes."
    if problems:
        raise ValidationFailed(problems)
    return chosen


# ---------------------------------------------------------------- checking rows

def _theme_lookup(session: Session) -> dict[str, int]:
    rows = session.execute(select(EngagementTheme.name, EngagementTheme.id)
                           .where(EngagementTheme.active.is_(True))).all()
    return {name.strip().lower(): i for name, i in rows}


def _row_values(raw: dict[str, str], themes: dict[str, int], reasons: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for fld in ("participant", "need", "quote", "district", "follow_up"):
        if fld in raw:
            values[fld] = raw[fld]
    if "themes" in raw:
        ids = []
        for name in [t.strip() for t in re.split(r"[;,|]", raw["themes"]) if t.strip()]:
            if name.lower() in themes:
                ids.append(themes[name.lower()])
            else:
                reasons.append(f"Unknown theme '{name}' (use a theme from the list, or add it to the list first).")
        values["theme_ids"] = ids
    if "consent_to_quote" in raw:
        answer = raw["consent_to_quote"].strip().lower()
        if answer in YES:
            values["consent_to_quote"] = True
        elif answer in NO:
            values["consent_to_quote"] = False
        else:
            reasons.append(f"Consent to quote must be yes or no, not '{raw['consent_to_quote']}'.")
    if "sentiment" in raw and raw["sentiment"].strip():
        answer = raw["sentiment"].strip().lower()
        code = next((c for c, label in records.SENTIMENTS.items() if answer in (c, label.lower())), None)
        if code is None:
            reasons.append(f"Sentiment must be one of {', '.join(records.SENTIMENTS.values())}, "
                           f"not '{raw['sentiment']}'.")
        values["sentiment"] = code
    return values


def check_rows(session: Session, actor: Actor, frame: pd.DataFrame, mapping: dict[str, str | None],
               activity_id: int, redact: bool = False) -> ImportReport:
    """Validate every row against the engagement rules; nothing is written."""
    require(actor, Permission.EDIT_ENGAGEMENT)
    chosen = _check_mapping(frame, mapping)
    activity = session.get(EngagementActivity, activity_id) if activity_id else None
    if activity is None:
        raise ValidationFailed({"activity_id": "Choose the activity (e.g. the survey) these responses belong to."})
    if activity.erased_at is not None:
        raise ValidationFailed({"activity_id": "This activity's personal data was erased; import into a new activity."})
    themes = _theme_lookup(session)
    report = ImportReport()
    for position, row in enumerate(frame.to_dict("records")):
        number = position + FIRST_DATA_ROW
        raw = {f: str(row.get(c, "") if row.get(c) is not None else "").strip() for f, c in chosen.items()}
        if not any(raw.values()):
            report.blank_rows += 1
            continue
        reasons: list[str] = []
        values = _row_values(raw, themes, reasons)
        values["activity_id"] = activity_id
        normalised = {"consent_to_quote": False, "theme_ids": [], **values}
        try:
            normalised = records.checked_new_input(session, values)
        except ValidationFailed as exc:
            reasons += [f"{LABELS.get(f, f)}: {m}" for f, m in exc.errors.items()]
        found = {f: privacy.find_identifiers(normalised.get(f)) for f in TEXT_FIELDS
                 if isinstance(normalised.get(f), str)}
        found = {f: items for f, items in found.items() if items}
        if found and redact:
            normalised = privacy.redact_fields(normalised, found)
            report.redacted_rows.append(number)
        elif found:
            reasons += [f"{FIELDS[f][0]} contains {privacy.describe(items)}; remove it from the file or choose to "
                        "redact identifiers." for f, items in found.items()]
        if reasons:
            report.rejected.append((number, reasons))
        else:
            report.valid.append((number, {k: normalised.get(k) for k in records.INPUT_FIELDS}))
    return report


def import_inputs(session: Session, actor: Actor, frame: pd.DataFrame, mapping: dict[str, str | None],
                  activity_id: int, valid_only: bool = False, redact: bool = False,
                  source: str | None = None) -> ImportReport:
    """Check the rows and add the valid ones as inputs to the activity, in the caller's transaction.

    Raises ImportRefused (nothing written) when any row fails and `valid_only` is false.
    """
    report = check_rows(session, actor, frame, mapping, activity_id, redact)
    if report.rejected and not valid_only:
        raise ImportRefused(report)
    if not report.valid:
        raise ValidationFailed({"file": "There are no valid rows to import."})
    for _, values in report.valid:
        records.add_input(session, actor, **values)
    report.imported = len(report.valid)
    audit.record(session, actor, "engagement_activity", activity_id, "import",
                 {"inputs_imported": {"before": None, "after": report.imported},
                  "rows_rejected": {"before": None, "after": [r for r, _ in report.rejected]}},
                 summary=f"survey import{f' from {source}' if source else ''}: {report.summary}")
    return report
