"""Stored text shown through Streamlit's Markdown, made inert: no images, links, HTML or formatting from users.

Streamlit renders Markdown (and its own `:red[...]`, `:material/...:` and `$...$` directives) in st.markdown,
st.caption, alerts, subheaders, expander and tab labels, widget labels and flash messages. A task comment holding
`![p](http://host/x.png)` would make every reader's browser fetch that address. `plain(text)` escapes every ASCII
punctuation character with a backslash, which CommonMark shows literally, breaks bare addresses with an invisible
zero-width space so they are not turned into links, and keeps the text's line breaks; the
app adds its own formatting around it (`**{plain(title)}**`). Where a link is wanted, the app builds it.
"""
from __future__ import annotations

import re
import string
from typing import Any

import pandas as pd

_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
# Streamlit's GitHub-flavoured Markdown turns bare addresses into links after escapes are resolved, so a
# zero-width space (invisible) is put inside each trigger: "http|https|ftp|mailto" before ":", "www" before ".",
# and after "@" (e-mail addresses).
ZERO_WIDTH_SPACE = "\u200b"
_AUTOLINK = re.compile(r"(?i)((?:https?|ftp|mailto)(?=:)|www(?=\.)|@)")


def plain(text: Any) -> str:
    """The text (any value, shown with str()) escaped for Markdown, each line break kept as a line break."""
    if text is None:
        return ""
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "  \n".join(_SPECIAL.sub(r"\\\1", _AUTOLINK.sub(r"\1" + ZERO_WIDTH_SPACE, line)) for line in lines)


def plain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame whose text cells and headers are escaped, for st.table (which renders Markdown)."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_string_dtype(values) and not isinstance(values.dtype, pd.CategoricalDtype):
            # text (and mixed) columns through a list: Series.map costs many pandas calls on a string column
            out[column] = pd.Series([plain(v) if isinstance(v, str) else v for v in values.tolist()],
                                    index=out.index)
        elif not pd.api.types.is_numeric_dtype(values):
            out[column] = values.map(lambda v: plain(v) if isinstance(v, str) else v)
    out.columns = [plain(c) if isinstance(c, str) else c for c in out.columns]
    return out
