"""Costing results as finance and commissioners read them: rounded values, plain column names with units,
one table per Excel sheet with number formats and column widths.

`result_tables`, `sensitivity_table`, `monte_carlo_table` and `comparison_download` return `Table`s (a frame
plus an Excel number format per column); `tables_csv` joins them into one long CSV frame and `tables_excel`
writes a workbook with one formatted sheet per table. Both take frames so the shared export helper (which
neutralises formula cells) can wrap them; text cells starting with = + - @ are already made inert here.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from review.costing import DEFAULTS, SUMMARY_LABELS, ScenarioInputs, ScenarioResult
from review.costing.cost import COST_COLUMNS
from review.platform import exports

MONEY, MONEY_2DP, WHOLE, ONE_DP, TWO_DP, PERCENT, TEXT = (
    '"£"#,##0', '"£"#,##0.00', "#,##0", "#,##0.0", "0.00", '0.0"%"', "@")
WIDTH_MIN, WIDTH_MAX = 8, 70


@dataclass
class Table:
    """A table for people: `frame` with values already rounded; `formats` maps a column to its Excel format
    (`row_formats`, when given, formats one column row by row, for a Measure | Value table)."""

    title: str
    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    row_formats: tuple[str, list[str]] | None = None


def _rounded(values: Any, decimals: int) -> Any:
    """Rounded; whole numbers (0 decimals) as integers so a CSV shows 15000, not 15000.0."""
    if isinstance(values, pd.Series):
        return values.round(decimals).astype("int64") if decimals == 0 else values.round(decimals)
    return int(round(float(values))) if decimals == 0 else round(float(values), decimals)


def hhmm(hour: float) -> str:
    """17.5 -> '17:30'; 24 -> '24:00'."""
    minutes = round(float(hour) * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _summary_format(key: str) -> tuple[float, str, str]:
    """(multiplier, Excel format, unit) for a summary measure."""
    label = SUMMARY_LABELS[key]
    if key == "service_level":
        return 100.0, PERCENT, "%"
    if "GBP" in label:
        return 1.0, MONEY_2DP if key.startswith("cost_per") else MONEY, "£"
    if key in ("adviser_fte", "total_fte", "team_leaders"):
        return 1.0, TWO_DP, "FTE"
    return 1.0, WHOLE, {"annual_calls": "calls", "weekly_open_hours": "hours", "max_on_duty": "advisers",
                        "contract_years": "years"}.get(key, "")


def summary_table(name: str, result: ScenarioResult) -> Table:
    """The scenario's headline measures, one row each, rounded and with their units."""
    rows, formats = [], []
    for key, label in SUMMARY_LABELS.items():
        factor, fmt, unit = _summary_format(key)
        decimals = 2 if fmt in (MONEY_2DP, TWO_DP) else 1 if fmt == PERCENT else 0
        rows.append({"Scenario": name, "Measure": label.replace(" (GBP)", ""), "Value":
                     _rounded(float(result.summary[key]) * factor, decimals), "Unit": unit})
        formats.append(fmt)
    return Table("Summary", pd.DataFrame(rows, dtype=object), {"Scenario": TEXT}, ("Value", formats))


def yearly_table(result: ScenarioResult) -> Table:
    """Cost by contract year in pounds, rounded, one row a year."""
    frame = result.cost.yearly.copy()
    out = pd.DataFrame({"Year": frame["year"].astype(int)})
    formats = {"Year": WHOLE}
    for key, label in COST_COLUMNS.items():
        if key == "year":
            continue
        plain = label.replace(" (GBP)", " (£)")
        if key in ("adviser_fte", "team_leaders"):
            out[plain], formats[plain] = frame[key].round(2), TWO_DP
        elif key == "discount_factor":
            out[plain], formats[plain] = frame[key].round(4), "0.0000"
        else:
            out[plain], formats[plain] = _rounded(frame[key], 0), MONEY
    return Table("Cost by year", out, formats)


def monthly_table(result: ScenarioResult) -> Table:
    """Calls and staffing by month, rounded, with plain column names and units."""
    m = result.demand.monthly
    out = pd.DataFrame({
        "Month": m["month"],
        "Calls": _rounded(m["calls"], 0),
        "Calls a week": m["calls_per_week"].round(1),
        "Calls in the busiest half hour": m["busiest_interval_calls"].round(1),
        "Most advisers on duty": m["max_on_duty"].astype(int),
        "Rostered hours a week": m["scheduled_hours_per_week"].round(1),
        "Adviser FTE needed": m["fte"].round(2),
        "Service level achieved (%)": (m["service_level"] * 100).round(1),
    })
    return Table("Staffing by month", out, {"Month": TEXT, "Calls": WHOLE, "Calls a week": ONE_DP,
                                            "Calls in the busiest half hour": ONE_DP, "Most advisers on duty": WHOLE,
                                            "Rostered hours a week": ONE_DP, "Adviser FTE needed": TWO_DP,
                                            "Service level achieved (%)": PERCENT})


def busiest_week_table(result: ScenarioResult) -> Table:
    """Advisers needed in each opening interval of the busiest week."""
    w = result.demand.intervals
    out = pd.DataFrame({
        "Day": w["day"], "Starts at": w["time"], "Length (hours)": w["hours"].round(2),
        "Calls expected": w["calls"].round(1), "Advisers needed (Erlang C)": w["erlang_agents"].astype(int),
        "Advisers on duty": w["on_duty"].astype(int), "Advisers rostered (with shrinkage)": w["scheduled"].astype(int),
        "Service level (%)": (w["service_level"] * 100).round(1), "Occupancy (%)": (w["occupancy"] * 100).round(1),
    })
    return Table("Busiest week", out, {"Day": TEXT, "Starts at": TEXT, "Length (hours)": TWO_DP,
                                       "Calls expected": ONE_DP, "Service level (%)": PERCENT,
                                       "Occupancy (%)": PERCENT})


def input_text(name: str, value: Any) -> str:
    """An input as a person reads it: percentages, opening times as 09:00-17:00, lists joined."""
    spec = DEFAULTS[name]
    if value is None:
        return "Not used"
    if name == "opening_hours":
        from review.costing import WEEKDAYS
        return "; ".join(f"{day} {hhmm(o)}-{hhmm(c)}" if c > o else f"{day} closed"
                         for day, (o, c) in zip(WEEKDAYS, value, strict=True))
    if isinstance(value, list | tuple):
        return ", ".join(f"{float(v):,.3g}" for v in value)
    if spec.percent:
        return f"{float(value) * 100:.1f}%"
    if isinstance(value, str):
        return {"peak": "the busiest month", "average": "the average month"}.get(value, value)
    if "GBP" in spec.unit:
        return f"£{float(value):,.0f}"
    return f"{float(value):,.10g}"


def inputs_table(inputs: ScenarioInputs) -> Table:
    """Every input as typed, with its unit and the source of its default."""
    rows = [{"Input": DEFAULTS[name].label, "Value": input_text(name, value),
             "Unit": "" if DEFAULTS[name].percent or name == "opening_hours"
             else DEFAULTS[name].unit.replace("GBP", "£"),
             "Illustrative default": "Yes" if DEFAULTS[name].illustrative else "No",
             "Source": DEFAULTS[name].source}
            for name, value in inputs.to_dict().items()]
    return Table("Inputs and sources", pd.DataFrame(rows), {c: TEXT for c in ("Input", "Value", "Unit", "Source")})


def result_tables(name: str, result: ScenarioResult) -> list[Table]:
    """The tables of one scenario's download: summary, cost by year, by month, busiest week, inputs."""
    return [summary_table(name, result), yearly_table(result), monthly_table(result), busiest_week_table(result),
            inputs_table(result.inputs)]


def sensitivity_table(table: pd.DataFrame, metric_label: str, low_high: list[tuple[str, str]]) -> Table:
    """The tornado's table: each driver's low and high value and the result at each (rounded to the pound)."""
    unit = metric_label.replace(" (GBP)", "")
    out = pd.DataFrame({
        "Driver": table["label"].to_numpy(),
        "Low value": [lo for lo, _ in low_high], "High value": [hi for _, hi in low_high],
        f"{unit} at low (£)": _rounded(table["low_result"], 0).to_numpy(),
        f"{unit} at high (£)": _rounded(table["high_result"], 0).to_numpy(),
        "Swing (£)": _rounded(table["swing"], 0).to_numpy(),
    })
    return Table("Sensitivity", out, {c: MONEY for c in out.columns if c.endswith("(£)")})


def monte_carlo_table(percentiles: pd.DataFrame, draws: int, seed: int) -> Table:
    """P10, P50, P90 and the central case: the cost in pounds, the service level in per cent."""
    cost, level = percentiles.iloc[0], percentiles.iloc[1]
    cols = ["P10", "P50", "P90", "central_case"]
    out = pd.DataFrame({
        "Measure": ["Average annual cost to meet the target (£ a year)",
                    "Service level achieved with the planned staff (%)"],
        **{("Central case" if c == "central_case" else c): [round(float(cost[c]), 0), round(float(level[c]) * 100, 1)]
           for c in cols},
        "Draws": [draws, draws], "Random seed": [seed, seed],
    })
    # one row is money and the other a percentage, so the values keep one decimal place in a plain format
    return Table("Monte Carlo", out, {"Draws": WHOLE, "Random seed": "0",
                                      **{c: "#,##0.0" for c in ("P10", "P50", "P90", "Central case")}})


def comparison_download(table: pd.DataFrame, recommended: set[str]) -> Table:
    """Scenarios as rows with each measure rounded, units in the column names, the recommended one marked."""
    out = pd.DataFrame({"Scenario": table["scenario"],
                        "Recommended": ["Yes" if s in recommended else "No" for s in table["scenario"]]})
    formats = {"Scenario": TEXT, "Recommended": TEXT}
    for key, label in SUMMARY_LABELS.items():
        factor, fmt, unit = _summary_format(key)
        decimals = 2 if fmt in (MONEY_2DP, TWO_DP) else 1 if fmt == PERCENT else 0
        plain = label.replace(" (GBP)", "")
        column = plain if unit in ("", "calls", "hours", "advisers", "years") else f"{plain} ({unit})"
        out[column] = _rounded(table[key].astype(float) * factor, decimals)
        formats[column] = fmt
    return Table("Comparison", out, formats)



def tables_csv(tables: list[Table]) -> pd.DataFrame:
    """One long frame for a CSV: Section | Item | Value | Unit | Source, values rounded as in the sheets.

    A Measure or Input table gives one line per row; any other table one line per cell, its section naming
    the row ("Cost by year: 2", "Staffing by month: Jan").
    """
    rows: list[dict[str, Any]] = []
    for t in tables:
        key = next((c for c in ("Measure", "Input") if c in t.frame.columns), None)
        for record in t.frame.to_dict("records"):
            if key is not None:
                rows.append({"Section": t.title, "Item": record[key], "Value": record.get("Value"),
                             "Unit": record.get("Unit", ""), "Source": record.get("Source", "")})
                continue
            first = t.frame.columns[0]
            rows += [{"Section": f"{t.title}: {record[first]}", "Item": column, "Value": value, "Unit": "",
                      "Source": ""} for column, value in record.items() if column != first]
    frame = pd.DataFrame(rows, columns=["Section", "Item", "Value", "Unit", "Source"], dtype=object)
    return frame.map(exports.neutralise)


def tables_excel(tables: list[Table]) -> bytes:
    """A workbook with one sheet per table: bold header, frozen header row, number formats, fitted widths."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for t in tables:
            sheet_name = t.title[:31]
            t.frame.map(exports.neutralise).to_excel(writer, sheet_name=sheet_name, index=False)
            sheet = writer.sheets[sheet_name]
            sheet.freeze_panes = "A2"
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for i, column in enumerate(t.frame.columns, start=1):
                letter = get_column_letter(i)
                fmt = t.formats.get(column)
                cells = sheet[letter][1:]
                if t.row_formats and t.row_formats[0] == column:
                    for cell, row_fmt in zip(cells, t.row_formats[1], strict=False):
                        cell.number_format = row_fmt
                elif fmt:
                    for cell in cells:
                        cell.number_format = fmt
                longest = max([len(str(column)), *(len(f"{v:,}" if isinstance(v, int | float) else str(v))
                                                   for v in t.frame[column])])
                sheet.column_dimensions[letter].width = min(max(longest + 2, WIDTH_MIN), WIDTH_MAX)
    return buffer.getvalue()
