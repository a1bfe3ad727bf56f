"""The app's colours, named once: charts, badges and status colours use these names, never hex codes.

Status colours carry meaning (red, amber, green as in the council's RAG reporting); the qualitative list is for
categories with no order (workstreams), Okabe-Ito first because those stay distinct for colour-blind readers.
"""
from __future__ import annotations

NAVY = "#1d4f91"  # the app's main colour: bars, lines, headings
LIGHT_BLUE = "#4f8fd9"
TEAL = "#2a7f8f"
RED = "#c0392b"
AMBER = "#e6a117"
GREEN = "#2e8540"
ORANGE = "#e67e22"  # overdue, today
GREY = "#9aa5b1"  # not started, not rated, ended
LIGHT_GREY = "#d0d5da"  # cancelled, not started yet, options left
DARK_GREY = "#555555"  # targets and secondary markers
SLATE = "#7b8794"  # dependency links
MUTED = "#5f6b7a"
INK = "#1b1b1b"  # text on amber, milestones
SHADE = "#eef2f7"  # background bands
GRID = "#e5e8eb"
WHITE = "#ffffff"  # boxes that float over the page (the pinned progress message)

RAG = {"Red": RED, "Amber": AMBER, "Green": GREEN}
QUALITATIVE = ["#0072b2", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#6a3d9a", "#999999", NAVY,
               "#8c564b", "#17becf", "#bcbd22"]
