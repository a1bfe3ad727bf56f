"""Parents' personal data: finding direct identifiers in free text, redacting them, and suppressing
small counts in what readers without access to personal data see (primary suppression here; secondary
suppression, so that a total cannot give a small count away, is in review/engagement/suppression.py).

`find_identifiers(text)` looks for email addresses, UK phone numbers, full UK postcodes, NHS numbers
(only those whose modulus 11 check digit is right) and personal names: names from a configurable list
(data/privacy_names.txt, one a line) and any capitalised word after a title such as "Mrs".
Each pattern is anchored so that dates (12/03/2019), ages, school years, "the 0-25 service",
durations and reference numbers are not taken for identifiers.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from review.platform.config import DATA_DIR
from review.platform.errors import ValidationFailed
from review.platform.roles import Actor, Permission

NAMES_FILE = DATA_DIR / "privacy_names.txt"

# BRIEF.md: "Aggregate counts below 5 are suppressed when shown to viewers" (common statistical
# disclosure control practice for small cells).
SMALL_COUNT_THRESHOLD = 5
FEWER_THAN = f"fewer than {SMALL_COUNT_THRESHOLD}"
# Secondary suppression (review/engagement/suppression.py): a count of 5 or more hidden as well, so that a
# count below 5 cannot be worked out from a total shown beside it. Never labelled "fewer than 5": it is not.
NOT_SHOWN = "not shown"
SUPPRESSION_NOTE = (f'To protect the people who took part, counts below {SMALL_COUNT_THRESHOLD} are shown as '
                    f'"{FEWER_THAN}".')
NOT_SHOWN_NOTE = (f'"{NOT_SHOWN}": a count of {SMALL_COUNT_THRESHOLD} or more hidden as well, so that a count '
                  f'below {SMALL_COUNT_THRESHOLD} cannot be worked out by subtracting the others from a total.')

KIND_LABELS = {
    "email": "email address",
    "phone": "phone number",
    "postcode": "postcode",
    "nhs_number": "NHS number",
    "name": "name",
}


@dataclass(frozen=True)
class Finding:
    """One suspected direct identifier: its kind (see KIND_LABELS), the text and where it is."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


# ---------------------------------------------------------------- patterns

_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")

# UK numbers: +44 / 0044 / 0, then a non-zero digit and 8 or 9 more digits (national significant
# number of 9 or 10 digits), with spaces, hyphens or a closing bracket between digit groups. Not
# preceded by a word character, slash, dot or hyphen, so dates and references such as EHC/19/0123456
# or 19-0045123 do not match; "0-25" fails because a digit must follow the leading 0.
_PHONE = re.compile(
    r"""(?<![\w+/.\-])
        (?: (?:\+|00)\s?44\s?(?:\(0\)\s?)? | \(?0 )
        [1-9]
        (?:[\ \t\-)]{0,2}\d){8,9}
        (?![\d/])""",
    re.VERBOSE,
)

# A full postcode: outward code (area letters, district) and inward code (digit + two letters that
# are never C, I, K, M, O or V). Only real postcode areas count, which keeps "KS2 3rd" or "Y6 2pm" out.
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?P<area>[A-Za-z]{1,2})(?P<district>\d[A-Za-z\d]?)[ \t]?"
    r"(?P<inward>\d[ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2})(?![A-Za-z0-9])"
)
POSTCODE_AREAS = frozenset("""
AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX
FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE
NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ
TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE
""".split())

# Ten digits as 3-3-4 with the same separator (space, hyphen or none) between the groups.
_NHS = re.compile(r"(?<![\w/.\-])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\w/\-])")

_TITLE_NAME = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?[ \t]+[A-Z][a-z'’\-]+(?:[ \t]+[A-Z][a-z'’\-]+)?"
)
_WORD = re.compile(r"[A-Z][A-Za-z'’\-]+(?![\w’'])")
# Capitalised words that follow a first name without being a surname.
_NOT_SURNAMES = frozenset({"I", "The", "And", "But", "So", "We", "He", "She", "They", "It", "My", "Our", "His",
                           "Her", "Their", "Then", "When", "If", "At", "In", "On", "To"})


# When findings overlap the first kind here wins (an NHS number is not also a phone number).
_PRIORITY = ("email", "nhs_number", "phone", "postcode", "name")


def nhs_number_is_valid(digits: str) -> bool:
    """NHS number check digit: weights 10..2 on the first nine digits, 11 - (sum mod 11);
    11 means 0 and 10 means the number is invalid (NHS Data Dictionary)."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _phone_is_valid(match: str) -> bool:
    digits = re.sub(r"\D", "", match.replace("(0)", ""))
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and match.lstrip().startswith("+"):
        digits = "0" + digits[2:]
    return digits.startswith("0") and digits[1:2] != "0" and len(digits) in (10, 11)


@lru_cache(maxsize=8)
def _names_from(path: str, mtime: float) -> frozenset[str]:
    text = Path(path).read_text(encoding="utf-8")
    return frozenset(line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip())


def load_names(path: Path | None = None) -> frozenset[str]:
    """The configurable list of personal names to look for (data/privacy_names.txt); re-read when edited."""
    path = Path(path or NAMES_FILE)
    if not path.exists():
        return frozenset()
    return _names_from(str(path), path.stat().st_mtime)


def _name_findings(text: str, names: frozenset[str]) -> list[Finding]:
    found = [Finding("name", m.group(0), m.start(), m.end()) for m in _TITLE_NAME.finditer(text)]
    if names:
        for m in re.finditer(r"(?<![\w’'])[A-Z][A-Za-z'’\-]+(?![\w’'])", text):
            if m.group(0) not in names:
                continue
            end = m.end()
            following = _WORD.match(text, end + 1) if text[end:end + 1] == " " else None
            if following and following.group(0) not in _NOT_SURNAMES:
                end = following.end()  # take the surname with the first name
            found.append(Finding("name", text[m.start():end], m.start(), end))
    return found


def find_identifiers(text: str | None, names: Iterable[str] | None = None) -> list[Finding]:
    """Suspected direct identifiers in `text`, in order of position; overlapping findings are merged
    (an NHS number or email wins over a phone number or name found inside it).

    `names` replaces the configured list of personal names (data/privacy_names.txt) when given.
    """
    if not text:
        return []
    name_list = load_names() if names is None else frozenset(names)
    found: list[Finding] = []
    found += [Finding("email", m.group(0), m.start(), m.end()) for m in _EMAIL.finditer(text)]
    found += [Finding("nhs_number", m.group(0), m.start(), m.end()) for m in _NHS.finditer(text)
              if nhs_number_is_valid(m.group(1) + m.group(3) + m.group(4))]
    found += [Finding("phone", m.group(0), m.start(), m.end()) for m in _PHONE.finditer(text)
              if _phone_is_valid(m.group(0))]
    found += [Finding("postcode", m.group(0), m.start(), m.end()) for m in _POSTCODE.finditer(text)
              if m.group("area").upper() in POSTCODE_AREAS]
    found += _name_findings(text, name_list)
    priority = {kind: i for i, kind in enumerate(_PRIORITY)}
    accepted: list[Finding] = []
    for f in sorted(found, key=lambda f: (priority[f.kind], f.start)):
        if not any(f.start < a.end and a.start < f.end for a in accepted):
            accepted.append(f)
    return sorted(accepted, key=lambda f: f.start)


def redact(text: str | None, findings: list[Finding] | None = None, names: Iterable[str] | None = None) -> str | None:
    """The text with each finding replaced by a marker such as [phone number removed]."""
    if not text:
        return text
    findings = find_identifiers(text, names) if findings is None else findings
    out = text
    for f in sorted(findings, key=lambda f: f.start, reverse=True):
        out = out[:f.start] + f"[{f.label} removed]" + out[f.end:]
    return out


def describe(findings: list[Finding]) -> str:
    """'a phone number (07700 900123) and a postcode (SG13 8DQ)'."""
    parts = [f"{'an' if f.label[0] in 'aeiouAEIOU' else 'a'} {f.label} ({f.text})" for f in findings]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


class IdentifiersFound(ValidationFailed):
    """Free text holds what look like direct identifiers; nothing was saved.

    `findings` maps each field to what was found so the page can offer a one-click redaction.
    """

    def __init__(self, findings: dict[str, list[Finding]]):
        self.findings = findings
        super().__init__({
            field: f"This looks like personal data: {describe(items)}. Redact it, or confirm that it is "
                   "not personal data, before saving."
            for field, items in findings.items()
        })


def check_text_fields(values: Mapping[str, Any], fields: Iterable[str], confirmed: bool = False) -> None:
    """Refuse free text holding identifiers unless the user confirmed it (safe by default)."""
    if confirmed:
        return
    findings = {f: items for f in fields if isinstance(values.get(f), str) and (items := find_identifiers(values[f]))}
    if findings:
        raise IdentifiersFound(findings)


def redact_fields(values: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """A copy of `values` with identifiers in the named text fields redacted."""
    out = dict(values)
    for f in fields:
        if isinstance(out.get(f), str):
            out[f] = redact(out[f])
    return out


# ---------------------------------------------------------------- small-count suppression

def sees_small_counts(actor: Actor | None) -> bool:
    """Only roles that may read parents' individual responses see counts below the threshold."""
    return actor is not None and actor.can(Permission.READ_PERSONAL_DATA)


def shown_count(count: int | None, actor: Actor | None) -> int | str:
    """The count as this actor may see it: below 5 (zero included, so that an empty cell cannot be
    told apart from a small one) it is 'fewer than 5' for roles without access to personal data."""
    count = int(count or 0)
    if sees_small_counts(actor) or count >= SMALL_COUNT_THRESHOLD:
        return count
    return FEWER_THAN


def suppress_columns(frame: pd.DataFrame, columns: Iterable[str], actor: Actor | None) -> pd.DataFrame:
    """A copy of the frame with the named count columns suppressed for this actor."""
    out = frame.copy()
    if sees_small_counts(actor):
        return out
    for col in columns:
        out[col] = pd.Series([shown_count(v, actor) for v in out[col]], index=out.index, dtype="object")
    return out


def is_hidden(value: Any) -> bool:
    """True for a suppressed count ("fewer than 5" or "not shown")."""
    return isinstance(value, str) and value in (FEWER_THAN, NOT_SHOWN)


def personal_marker(value: Any) -> Any:
    """What the audit trail keeps of a personal field: that it changed, never the text itself."""
    if value is None or value == "":
        return None
    return f"[personal data, {len(str(value))} characters]"
