"""Costing downloads for people: rounded values, plain names with units, formatted Excel sheets."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd

from review.costing import ScenarioInputs, evaluate_scenario, monte_carlo, sensitivity
from review.costing import downloads as d


def result():
    return evaluate_scenario(ScenarioInputs())


def test_results_csv_is_rounded_with_plain_names():
    csv = d.tables_csv(d.result_tables("Office hours", result())).to_csv(index=False)
    assert csv.startswith("Section,Item,Value,Unit,Source\nSummary,Calls a year,15000,calls,")
    assert "Summary,Adviser FTE,7.32,FTE," in csv
    assert "erlang_agents" not in csv and "adviser_fte" not in csv
    for line in csv.splitlines():  # no float noise such as 7.324324324324325 or 15000.000000000004
        for cell in line.split(","):
            if cell.replace(".", "", 1).isdigit() and "." in cell:
                assert len(cell.split(".")[1]) <= 4, line
    assert "Mon 09:00-17:00" in csv and "Sat closed" in csv  # opening times as times


def test_excel_has_a_formatted_sheet_per_table():
    book = openpyxl.load_workbook(io.BytesIO(d.tables_excel(d.result_tables("Office hours", result()))))
    assert book.sheetnames == ["Summary", "Cost by year", "Staffing by month", "Busiest week", "Inputs and sources"]
    summary = book["Summary"]
    assert summary["B2"].value == "Calls a year" and summary["C2"].value == 15000
    assert summary["C2"].number_format == "#,##0"
    money = [row[2] for row in summary.iter_rows(min_row=2) if row[1].value == "Average annual cost"][0]
    assert money.number_format == '"£"#,##0'
    years = book["Cost by year"]
    assert years["D1"].value == "Adviser pay (£)" and years["D2"].number_format == '"£"#,##0'
    assert isinstance(years["D2"].value, int)
    assert years.freeze_panes == "A2" and years["A1"].font.bold
    assert years.column_dimensions["D"].width >= len("Adviser pay (£)")
    week = book["Busiest week"]
    assert [c.value for c in week[1]][:5] == ["Day", "Starts at", "Length (hours)", "Calls expected",
                                              "Advisers needed (Erlang C)"]


def test_text_that_looks_like_a_formula_is_inert():
    table = d.Table("x", pd.DataFrame({"Measure": ["=HYPERLINK(1)", "+1", "Calls"], "Value": [1, 2, 3]}))
    frame = d.tables_csv([table])
    assert frame["Item"].tolist() == ["'=HYPERLINK(1)", "+1", "Calls"]  # text that is only a number cannot run
    book = openpyxl.load_workbook(io.BytesIO(d.tables_excel(d.result_tables("=HYPERLINK(1)", result()))))
    assert book["Summary"]["A2"].value == "'=HYPERLINK(1)"


def test_sensitivity_and_monte_carlo_tables():
    inputs = ScenarioInputs()
    table = sensitivity(inputs, metric="average_annual_cost")
    low_high = [("low", "high")] * len(table)
    sens = d.sensitivity_table(table, "Average annual cost (GBP)", low_high)
    assert list(sens.frame.columns) == ["Driver", "Low value", "High value", "Average annual cost at low (£)",
                                        "Average annual cost at high (£)", "Swing (£)"]
    assert sens.frame["Swing (£)"].dtype.kind == "i"
    mc = monte_carlo(inputs, draws=2000, seed=1)
    carlo = d.monte_carlo_table(mc.percentiles(), 2000, 1)
    assert list(carlo.frame.columns) == ["Measure", "P10", "P50", "P90", "Central case", "Draws", "Random seed"]
    assert 0 < carlo.frame.loc[1, "P50"] <= 100  # the service level in per cent
    assert carlo.frame.loc[0, "P50"] == round(carlo.frame.loc[0, "P50"], 0)


def test_times_read_as_times():
    assert d.hhmm(17.5) == "17:30" and d.hhmm(9) == "09:00" and d.hhmm(24) == "24:00"
