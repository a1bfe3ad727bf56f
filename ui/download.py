"""Download buttons. Every download in the app is drawn here, so the one rule they share lives once:

A click does not rerun the page (`on_click="ignore"`). With Streamlit's default, a click sends the request for the
file and a rerun at once. The rerun drops the session's references to its files, and if any run ends before the
rerun has drawn the button again (the run the click interrupted, or another member's), Streamlit forgets a file
built on click and the click downloads nothing ("Deferred file ... not found" in the server's log). No download
records anything the page then shows, so none needs the rerun.

* `button(label, data, ...)`: a file whose bytes are ready when the page runs, or (a function that takes no
  argument) a small file written when it is clicked, so a page run does not pay for a download nobody asked for
  (the CSV and .ics files of the RAID log, decision log, audit log, theme counts and dates that need attention).
* `built_on_click(label, build, ...)`: a file built when it is clicked (Streamlit calls `build` in
  a request of its own, where no Streamlit element can be drawn); it says in words what it is preparing while the
  button shows its spinner.

The bytes come from `review.platform.exports` (spreadsheets: formula cells neutralised) or from a writer of a file
that is not a spreadsheet; `tests/review/test_exports.py` checks each call's source.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st


def button(label: str, data: bytes | str | Callable[[], bytes], file_name: str, mime: str,
           **options: Any) -> None:
    """A download of bytes made while the page runs (or, from `built_on_click`, a function that makes them on click)."""
    st.download_button(label, data, file_name, mime, on_click="ignore", **options)


def built_on_click(label: str, build: Callable[[], bytes], file_name: str, mime: str, *, key: str,
                   preparing: str, **options: Any) -> None:
    """A download of a file `build` makes on click, saying `preparing` beside the button meanwhile.

    Streamlit disables the button and shows a spinner icon in it until the file arrives; the words come from CSS
    on that state, since nothing can be drawn from the function that builds the file.
    """
    st.html(f"<style>.st-key-{key}:has([data-testid='stSpinnerIcon'])::after {{ content: {_css_string(preparing)};"
            " display: block; margin-top: 0.25rem; font-size: 0.875rem; }</style>")
    button(label, build, file_name, mime, key=key, **options)


def _css_string(text: str) -> str:
    """`text` as a CSS string literal: quotes, backslashes and angle brackets escaped."""
    return '"' + "".join(f"\\{ord(ch):x} " if ch in '"\\<>' else ch for ch in text) + '"'
