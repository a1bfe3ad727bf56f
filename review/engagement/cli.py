"""Command-line commands for the engagement record (register with `review.cli.EXTRA_COMMANDS`):

    python -m review engagement-retention            # records past their retention-review date
    python -m review engagement-import --activity 4 --file survey.csv [--valid-only] [--redact]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from review import engagement
from review.engagement.importer import FIELDS, ImportRefused, import_inputs, read_table, suggest_mapping
from review.platform import db
from review.platform.roles import SYSTEM


def cmd_retention(args: argparse.Namespace) -> int:
    """`engagement-retention`: list records past their retention-review date."""
    with db.unit_of_work(db.existing_engine()) as session:
        due = engagement.retention_due_frame(session, SYSTEM)
    if due.empty:
        print("No engagement records are past their retention-review date.")
        return 0
    for row in due.to_dict("records"):
        print(f"{row['id']}\t{row['Activity']}\treview due {row['Retention review']:%d %b %Y} "
              f"({row['Days past review']} days ago)\t{row['Inputs with personal data']} input(s) with personal data")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """`engagement-import`: import engagement inputs from a CSV or Excel file into an activity."""
    path = Path(args.file)
    frame = read_table(path.read_bytes(), path.name)
    mapping = suggest_mapping(list(frame.columns))
    for item in args.map or []:
        field, _, column = item.partition("=")
        mapping[field.strip()] = column.strip() or None
    print("Column mapping: " + ", ".join(f"{FIELDS[f][0]} <- {c}" for f, c in mapping.items() if c and f in FIELDS))
    try:
        with db.unit_of_work(db.existing_engine()) as session:
            report = import_inputs(session, SYSTEM, frame, mapping, args.activity, args.valid_only, args.redact,
                                   path.name)
    except ImportRefused as exc:
        print(exc.errors["file"], file=sys.stderr)
        for row, reasons in exc.report.rejected:
            print(f"row {row}: {' '.join(reasons)}", file=sys.stderr)
        return 2
    print(f"Imported {report.imported} input(s): {report.summary}.")
    for row, reasons in report.rejected:
        print(f"left out row {row}: {' '.join(reasons)}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the engagement commands to the administration command line."""
    p = sub.add_parser("engagement-retention", help="List engagement records past their retention-review date.",
                       description="Activities whose retention-review date has come and whose personal data is "
                                   "not yet erased (erase them on the Engagement page).")
    p.set_defaults(handler=cmd_retention)
    p = sub.add_parser("engagement-import", help="Import survey responses (CSV or Excel) into an activity.",
                       description="Rows are checked like the Engagement page's import. Nothing is imported while "
                                   "a row fails unless --valid-only is given. Audited as the 'system' user.")
    p.add_argument("--activity", type=int, required=True, help="Id of the engagement activity (e.g. the survey).")
    p.add_argument("--file", required=True, help="A .csv or .xlsx file, one row per response.")
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN",
                   help=f"Override the suggested mapping; fields: {', '.join(FIELDS)}.")
    p.add_argument("--valid-only", action="store_true", help="Import the valid rows and leave out the rest.")
    p.add_argument("--redact", action="store_true", help="Redact identifiers in free text instead of rejecting.")
    p.set_defaults(handler=cmd_import)
