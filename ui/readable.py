"""Tables as people read them: an empty cell is blank, never "None", "nan" or "<NA>"."""
from __future__ import annotations

import pandas as pd


def blank_missing(frame: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """A copy where missing values show blank: text columns get "", number columns with gaps become text
    (whole numbers without decimals). Date columns are left alone (st.dataframe already shows NaT blank)."""
    out = frame.copy()
    for col in columns or list(out.columns):
        series = out[col]
        if not series.isna().any() or pd.api.types.is_datetime64_any_dtype(series):
            continue
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            out[col] = [("" if pd.isna(v) else f"{int(v)}" if float(v).is_integer() else f"{v:g}") for v in series]
        else:
            out[col] = series.astype(object).where(series.notna(), "")
    return out
