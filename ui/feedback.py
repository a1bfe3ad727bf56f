"""Messages: flash messages that survive a rerun, field errors next to inputs, friendly failures."""
from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from review.errors import DomainError, EditConflict, PermissionDenied, ValidationFailed

log = logging.getLogger("review.ui")
_FLASH_KEY = "_flash"


def flash(message: str, kind: str = "success") -> None:
    """Show `message` on the next run (st.toast before st.rerun is lost)."""
    st.session_state.setdefault(_FLASH_KEY, []).append((kind, message))


def show_flash() -> None:
    for kind, message in st.session_state.pop(_FLASH_KEY, []):
        {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}[kind](
            message, icon={"success": ":material/check_circle:", "info": ":material/info:",
                           "warning": ":material/warning:", "error": ":material/error:"}[kind])


def set_field_errors(form: str, errors: dict[str, str]) -> None:
    st.session_state[f"_errors_{form}"] = dict(errors)


def clear_field_errors(form: str) -> None:
    st.session_state.pop(f"_errors_{form}", None)


def field_errors(form: str) -> dict[str, str]:
    return st.session_state.get(f"_errors_{form}", {})


def field_error(form: str, field: str) -> None:
    """Render the stored validation message for a field, right under its input."""
    message = field_errors(form).get(field)
    if message:
        st.markdown(f":red[:material/error: {message}]")


def show_domain_error(exc: DomainError, form: str | None = None) -> None:
    """Show a refused action in the right way for its kind."""
    if isinstance(exc, ValidationFailed):
        if form:
            set_field_errors(form, exc.errors)
        st.error("Nothing was saved. Please correct the fields marked below:\n\n"
                 + "\n".join(f"- **{k}**: {v}" for k, v in exc.errors.items()), icon=":material/error:")
    elif isinstance(exc, EditConflict):
        st.warning(str(exc).replace("\n- ", "\n\n- "), icon=":material/sync_problem:")
    elif isinstance(exc, PermissionDenied):
        st.error(str(exc), icon=":material/block:")
    else:
        st.error(str(exc), icon=":material/error:")


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
