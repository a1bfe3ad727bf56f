"""Tables for people to read: every read-only table goes through `show`, so a gap reads as blank, never "None"."""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from review.platform.wording import BLANK, blank_missing


def show(data: Any, **kwargs: Any) -> Any:
    """`st.dataframe` without the index, text gaps blanked and missing numbers or dates shown as BLANK."""
    if isinstance(data, pd.DataFrame):
        data = blank_missing(data)
    kwargs.setdefault("hide_index", True)
    return st.dataframe(data, placeholder=BLANK, **kwargs)
