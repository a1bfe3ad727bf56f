"""Tables for people to read: every read-only table goes through `show`, so a gap reads as blank, never "None"."""
from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa
import streamlit as st

from review.platform.wording import BLANK, blank_missing


def ready(frame: pd.DataFrame) -> pa.Table:
    """The frame as `show` draws it (text gaps blanked), already in Arrow: for a table made once and kept in a cache
    (the Executive dashboard's), so a run that draws it does not convert it again."""
    return pa.Table.from_pandas(blank_missing(frame), preserve_index=False)


def show(data: Any, **kwargs: Any) -> Any:
    """`st.dataframe` without the index, text gaps blanked and missing numbers or dates shown as BLANK (a frame from
    `ready` is drawn as it is)."""
    if isinstance(data, pd.DataFrame):
        data = blank_missing(data)
    kwargs.setdefault("hide_index", True)
    return st.dataframe(data, placeholder=BLANK, **kwargs)
