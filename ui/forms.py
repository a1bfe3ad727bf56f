"""The pieces every edit form repeats: reading its fields from the session state, the "someone else saved this"
guard that keeps the version the user opened, and the delete (or erase) button that asks first."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import streamlit as st

T = TypeVar("T")
RELOAD_ADVICE = "Saving will show their change; or reload to start from the latest version."


def _keep(key: str, valid: Callable[[Any], bool]) -> None:
    """Put the remembered value of the widget `key` back when Streamlit has forgotten it (a run that did not draw
    the widget forgets it) and `valid(value)` still holds."""
    if key not in st.session_state and kept_key(key) in st.session_state and valid(st.session_state[kept_key(key)]):
        st.session_state[key] = st.session_state[kept_key(key)]


def _store_kept(key: str, value: Any) -> None:
    st.session_state[kept_key(key)] = value


def _keep_choice(key: str, choices: Iterable[Any]) -> None:
    """`_keep` for a pick list of `choices`: a choice that is no longer one of them (a record deleted since) is
    dropped, so the list starts at its first item."""
    choices = list(choices)
    if st.session_state.get(key) not in choices:
        st.session_state.pop(key, None)
    _keep(key, lambda value: value in choices)


def kept_key(key: str) -> str:
    return f"_kept_{key}"


def keep_value(key: str, value: Any) -> None:
    """Make the kept widget `key` come back with `value` the next time it is drawn (on another page, say)."""
    st.session_state.pop(key, None)
    _store_kept(key, value)


def within(options: Iterable[Any]) -> Callable[[Any], bool]:
    """A `valid` for a kept multiselect: every choice is still one of `options` (none was deleted since)."""
    allowed = set(options)
    return lambda chosen: set(chosen) <= allowed


def kept(draw: Callable[..., T], *args: Any, key: str, valid: Callable[[Any], bool] = lambda _value: True,
         choices: Iterable[Any] | None = None, **kwargs: Any) -> T:
    """Draw the widget `draw(*args, key=key, **kwargs)` (`st.selectbox`, a column's `multiselect`, ...) so that it
    comes back with its value after a run that did not draw it (a tab that runs only when open, and Streamlit
    forgets a widget it did not draw): the remembered value is put back before, the new one remembered after.
    With `choices` (a pick list) a value no longer among them is dropped."""
    if choices is not None:
        _keep_choice(key, choices)
    else:
        _keep(key, valid)
    value = draw(*args, key=key, **kwargs)
    _store_kept(key, value)
    return value


def read_fields(prefix: str, fields: Iterable[str] | Mapping[str, str]) -> dict[str, Any]:
    """The values of a form's widgets, keyed `{prefix}_{suffix}`: `fields` lists the field names (each its own
    suffix) or maps field name -> widget suffix."""
    suffixes = fields if isinstance(fields, Mapping) else {f: f for f in fields}
    return {field: st.session_state.get(f"{prefix}_{suffix}") for field, suffix in suffixes.items()}


def forget(key: str) -> None:
    """Drop a remembered state (a loaded version, a pending confirmation)."""
    st.session_state.pop(key, None)


def loaded_version(key: str, record_id: Any, current: int, what: str = "", reload_key: str | None = None) -> int:
    """The version of the record this user opened, kept in the session under `key` until they save, delete or
    reload it. When someone else has saved the record since, say so and offer to reload: a save from the form as
    it is is refused with their change, instead of silently overwriting it."""
    loaded = st.session_state.get(key)
    if not loaded or loaded[0] != record_id:
        loaded = (record_id, current)
        st.session_state[key] = loaded
    if loaded[1] != current:
        warn_stale(key, what, reload_key)
    return loaded[1]


def warn_stale(key: str, what: str = "", reload_key: str | None = None) -> None:
    """Say that someone else has saved the record since this user opened it, with a button that forgets what
    was loaded under `key` (so the form starts from the latest version)."""
    subject = f"this {what}" if what else "this"
    st.warning(f"Someone else has saved {subject} since you opened it. {RELOAD_ADVICE}",
               icon=":material/sync_problem:")
    st.button("Reload the latest version", key=reload_key or f"{key}_reload", icon=":material/refresh:",
              on_click=forget, args=(key,))


def _remember(key: str, record_id: Any) -> None:
    st.session_state[key] = record_id


def confirm_button(key: str, record_id: Any, *, ask: str, question: str, yes: str,
                   on_yes: Callable[..., None], args: tuple[Any, ...] = (), widgets: str | None = None,
                   answer_keys: tuple[str, str] | None = None, icon: str = ":material/delete:",
                   ask_icon: str | None = None) -> None:
    """A destructive button that asks first: `ask` shows `question` with `yes` (calls `on_yes(*args)`) and
    Cancel. `key` remembers which record is being confirmed. Widget keys: `widgets` (default `{key}_ask`) for the
    first button, then `answer_keys` (default `{widgets or key}_yes` and `_no`). Put people's text in `question`
    through `plain()`: Streamlit renders the message as markdown."""
    ask_key = widgets or f"{key}_ask"
    yes_key, no_key = answer_keys or (f"{widgets or key}_yes", f"{widgets or key}_no")
    if st.session_state.get(key) == record_id:
        st.warning(question, icon=icon)
        c1, c2 = st.columns(2)
        c1.button(yes, type="primary", key=yes_key, on_click=on_yes, args=args)
        c2.button("Cancel", key=no_key, on_click=forget, args=(key,))
    else:
        st.button(ask, icon=ask_icon or icon, key=ask_key, on_click=_remember, args=(key, record_id))


