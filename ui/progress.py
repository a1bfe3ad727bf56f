"""Words on screen while a slow action runs (issue 16: progress on every action over a second).

* `working(text)`: a spinner with `text` while a block runs, pinned under the top of the window so that it shows
  wherever the page is scrolled (an element drawn in a form's callback goes to the top of the page, which may be
  out of sight). Streamlit shows a spinner only once it has run for half a second
  (`streamlit.elements.spinner.DELAY_SECS`), so a quick save does not flicker. `ui.feedback.write` uses it.
* A download whose file is built when it is clicked says in words what it is preparing: that is
  `ui.download.built_on_click`.
* `REVIEW_TEST_SLOW_WRITES`: for browser tests only. Set to a number of seconds in the app's environment, every
  `ui.feedback.write` waits that long before it writes, so that a test can see the progress message. Unset (as
  everywhere but those tests) it does nothing.
"""
from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

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
