"""Warn before a half-typed form is lost: leaving or reloading the page with unsaved input in a form asks first.

Streamlit sends a form's input to the server only when the form is submitted, so the server cannot keep a draft of
what is typed; the browser can tell. A small script (added once per page, like the sign-in cookie script) marks a
form as changed when something is typed or picked in it, forgets that when its submit button is pressed, and while
a changed form is on screen: the browser asks before a reload or closing the tab (beforeunload), and a click on a
link to another page (the sidebar menu) asks "Leave this page?" first.
"""
from __future__ import annotations

import streamlit as st

LEAVE_QUESTION = "You have unsaved changes in a form on this page. Leave the page and lose them?"

_SCRIPT = """
(() => {
  if (window.__unsavedFormGuard) return;
  window.__unsavedFormGuard = true;
  const changed = new Set();
  const FORM = '[data-testid="stForm"]';
  const mark = (event) => {
    const form = event.target.closest && event.target.closest(FORM);
    if (form) changed.add(form);
  };
  const pending = () => [...changed].filter((form) => form.isConnected).length > 0;
  document.addEventListener('input', mark, true);
  document.addEventListener('change', mark, true);
  document.addEventListener('click', (event) => {
    const target = event.target.closest ? event.target : null;
    if (!target) return;
    const submit = target.closest('[data-testid="stFormSubmitButton"], button[kind$="FormSubmit"]');
    if (submit) {
      const form = submit.closest(FORM);
      if (form) changed.delete(form);
      return;
    }
    const link = target.closest('a[href]');
    if (link && pending() && !window.confirm(QUESTION)) {
      event.preventDefault();
      event.stopPropagation();
    } else if (link) {
      changed.clear();
    }
  }, true);
  window.addEventListener('beforeunload', (event) => {
    if (pending()) {
      event.preventDefault();
      event.returnValue = '';
    }
  });
})();
"""


def warn_before_leaving() -> None:
    """Add the unsaved-form guard to this page (it is installed once per browser tab)."""
    script = _SCRIPT.replace("QUESTION", repr(LEAVE_QUESTION))
    st.sidebar.html(f"<script>{script}</script>", unsafe_allow_javascript=True)
