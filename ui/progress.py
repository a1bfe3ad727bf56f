"""Words on screen while a slow action runs (issue 16: progress on every action over a second).

* `working(text)`: a spinner with `text` while a block runs, pinned under the top of the window so that it shows
  wherever the page is scrolled (an element drawn in a form's callback goes to the top of the page, which may be
  out of sight). Streamlit shows a spinner only once it has run for half a second
  (`streamlit.elements.spinner.DELAY_SECS`), so a quick save does not flicker. `ui.feedback.write` uses it.
* `download_button(...)`: a download whose file is built when it is clicked (Streamlit calls the function in a
  request of its own, where no Streamlit element can be drawn) says in words what it is preparing while the
  button shows its spinner.
* `REVIEW_TEST_SLOW_WRITES`: for browser tests only. Set to a number of seconds in the app's environment, every
  `ui.feedback.write` waits that long before it writes, so that a test can see the progress message. Unset (as
  everywhere but those tests) it does nothing.
"""
from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st

from ui import palette

SAVING = "Saving..."
SLOW_WRITES_ENV = "REVIEW_TEST_SLOW_WRITES"
_PINNED_KEY = "progress_pinned"
# The pinned spinner sits under Streamlit's header bar (3.75rem), centred, above the page's content; the
# container itself has no size or colour, so nothing shows before the spinner does.
_PINNED = f'[class*="st-key-{_PINNED_KEY}"]'
CSS = f"""<style>
{_PINNED} {{ position: fixed; top: 4.25rem; left: 50%; transform: translateX(-50%); z-index: 999990;
  width: auto !important; }}
{_PINNED} [data-testid="stSpinner"] {{ background: {palette.WHITE}; border: 1px solid {palette.NAVY};
  border-radius: 0.5rem; padding: 0.5rem 1rem; box-shadow: 0 2px 8px {palette.GRID}; }}
</style>"""


def test_delay() -> None:
    """Wait `REVIEW_TEST_SLOW_WRITES` seconds when that is set (browser tests only); otherwise return at once."""
    seconds = os.environ.get(SLOW_WRITES_ENV, "")
    if seconds:
        time.sleep(float(seconds))


@contextmanager
def working(text: str = SAVING) -> Iterator[None]:
    """Show `text` (the app's own words, Markdown) with a spinner, pinned in view, while the block runs."""
    # A key of its own each time: a run may save twice, and keys must be unique in a run.
    with st.container(key=f"{_PINNED_KEY}_{uuid.uuid4().hex[:8]}"), st.spinner(text):
        yield


def _css_string(text: str) -> str:
    """`text` as a CSS string literal: quotes, backslashes and angle brackets escaped."""
    return '"' + "".join(f"\\{ord(ch):x} " if ch in '"\\<>' else ch for ch in text) + '"'


def download_button(label: str, data: Callable[[], bytes], file_name: str, mime: str, *, key: str,
                    preparing: str, **options: Any) -> None:
    """`st.download_button` for a file built on click, saying `preparing` beside it while the file is built.

    Streamlit disables the button and shows a spinner icon in it until the file arrives; the words come from CSS
    on that state, since nothing can be drawn from the function that builds the file.

    A click does not rerun the page (`on_click="ignore"`), as every download button in the app. With Streamlit's
    default, the click sends the request for the file and a rerun at once. The rerun drops the session's
    references to its files, and if any run ends before the rerun has drawn the button again (the run the click
    interrupted, or another member's), Streamlit forgets the function and the click downloads nothing
    ("Deferred file ... not found" in the server's log).
    """
    st.html(f"<style>.st-key-{key}:has([data-testid='stSpinnerIcon'])::after {{ content: {_css_string(preparing)};"
            " display: block; margin-top: 0.25rem; font-size: 0.875rem; }</style>")
    st.download_button(label, data, file_name, mime, key=key, on_click="ignore", **options)
