"""Messages: flash messages that survive a rerun, field errors next to inputs, friendly failures."""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Generic, TypeVar

import streamlit as st
from sqlalchemy.orm import Session

from review.platform.errors import DomainError, EditConflict, PermissionDenied, ValidationFailed
from ui import data, progress
from ui.text import plain

log = logging.getLogger("review.ui")
_FLASH_KEY = "_flash"
T = TypeVar("T")
NOTHING_SAVED = "Nothing was saved. Please correct the fields marked below."
ERROR_RED = "#c0392b"


def flash(message: str, kind: str = "success") -> None:
    """Show `message` on the next run (st.toast before st.rerun is lost), as plain text: messages often
    carry stored text (a title, a name, someone else's change), which must not render as Markdown."""
    st.session_state.setdefault(_FLASH_KEY, []).append((kind, message))


def show_flash() -> None:
    for kind, message in st.session_state.pop(_FLASH_KEY, []):
        {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}[kind](
            plain(message), icon={"success": ":material/check_circle:", "info": ":material/info:",
                           "warning": ":material/warning:", "error": ":material/error:"}[kind])


def set_field_errors(form: str, errors: dict[str, str]) -> None:
    st.session_state[f"_errors_{form}"] = dict(errors)


def clear_field_errors(form: str) -> None:
    st.session_state.pop(f"_errors_{form}", None)


def field_errors(form: str) -> dict[str, str]:
    return st.session_state.get(f"_errors_{form}", {})




def field_error(form: str, field: str, label: str | None = None, key: str | None = None) -> None:
    """Render the stored validation message for a field, right under its input.

    With `label`, the message names the field as the form does ("Initial password: use at least ..."); with the
    widget's `key`, the input itself is outlined in red so the field to correct is marked, not only described.
    """
    message = field_errors(form).get(field)
    if message:
        named = f"{label.rstrip(' *')}: {message}" if label else message
        st.markdown(f":red[:material/error: {plain(named)}]")
        if key:
            st.html(f"<style>.st-key-{key} [data-testid$='RootElement'], .st-key-{key} [data-baseweb='input'], "
                    f".st-key-{key} [data-baseweb='select'] > div, .st-key-{key} textarea "
                    f"{{ outline: 2px solid {ERROR_RED}; outline-offset: -1px; }}</style>")


def refusal_text(exc: DomainError) -> str:
    """A refusal in words: its field messages joined (for a ValidationFailed), otherwise its message."""
    return " ".join(getattr(exc, "errors", {}).values()) or str(exc)


@dataclass(frozen=True)
class Written(Generic[T]):
    """What `write` did: true when the action was committed; `result` is what the action returned."""

    saved: bool
    result: T | None = None

    def __bool__(self) -> bool:
        return self.saved


def write(action: Callable[[Session], T], success: str | Callable[[T], str] | None = None, *,
          form: str | None = None, invalid: str | Callable[[ValidationFailed], str] | None = None,
          refusal_kind: str = "warning", reason: Callable[[DomainError], str] = str,
          progress_text: str | None = progress.SAVING) -> Written[T]:
    """Run `action(session)` in one transaction (`ui.data.run_writing`, which runs it again after a deadlock) and
    report it with `flash()`, for callbacks.

    While it runs, `progress_text` ("Saving..." unless the caller says what it does, e.g. "Importing 1,240
    rows...") shows with a spinner pinned in view (`ui.progress.working`, after half a second); None when the caller
    shows its own progress.

    Committed: clear `form`'s field errors and flash `success` (a message, or a function of the action's result).
    ValidationFailed, when `form` or `invalid` is given: store the field errors for `form` (shown by
    `field_error`) and flash `invalid` (a message, or a function of the error; default NOTHING_SAVED) as an error.
    Any other refusal (and a ValidationFailed otherwise): flash `reason(exc)` with `refusal_kind`.
    Unexpected exceptions propagate. It never calls `st.rerun()`; Streamlit reruns after the callback.
    """
    try:
        with progress.working(progress_text) if progress_text is not None else nullcontext():
            progress.test_delay()
            result = data.run_writing(action)
    except DomainError as exc:
        if isinstance(exc, ValidationFailed) and (form is not None or invalid is not None):
            if form is not None:
                set_field_errors(form, exc.errors)
            message = invalid(exc) if callable(invalid) else invalid
            flash(NOTHING_SAVED if message is None else message, "error")
        else:
            flash(reason(exc), refusal_kind)
        return Written(False)
    if form is not None:
        clear_field_errors(form)
    if success is not None:
        flash(success(result) if callable(success) else success)
    return Written(True, result)


def show_domain_error(exc: DomainError, form: str | None = None) -> None:
    """Show a refused action in the right way for its kind."""
    if isinstance(exc, ValidationFailed):
        if form:
            set_field_errors(form, exc.errors)
        st.error("Nothing was saved. Please correct the fields marked below:\n\n"
                 + "\n".join(f"- **{plain(k)}**: {plain(v)}" for k, v in exc.errors.items()), icon=":material/error:")
    elif isinstance(exc, EditConflict):
        st.warning(plain(exc), icon=":material/sync_problem:")
    elif isinstance(exc, PermissionDenied):
        st.error(plain(exc), icon=":material/block:")
    else:
        st.error(plain(exc), icon=":material/error:")


@contextmanager
def guarded(form: str | None = None) -> Iterator[None]:
    """Run a UI action: domain errors are shown plainly; anything unexpected is logged with a
    reference and the user sees a short message, never a stack trace."""
    try:
        yield
    except DomainError as exc:
        show_domain_error(exc, form)
    except Exception:  # noqa: BLE001 - last line of defence for the user
        reference = uuid.uuid4().hex[:8]
        log.exception("Unexpected error (reference %s)", reference)
        st.error(f"Something went wrong and nothing was saved. Please try again; if it happens again, "
                 f"give your administrator this reference: {reference}.", icon=":material/error:")
