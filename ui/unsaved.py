"""Warn before a half-typed form is lost: leaving or reloading the page with unsaved input in a form asks first.

Streamlit sends a form's input to the server only when the form is submitted, so the server cannot keep a draft of
what is typed; the browser can tell. A small script (added once per page, like the sign-in cookie script) marks a
form as changed when something is typed or picked in it, forgets that when its submit button is pressed, and while
a changed form is on screen: the browser asks before a reload or closing the tab (beforeunload), and a click on a
link to another page (the sidebar menu) asks "Leave this page?" first. Pages run only the open tab, so opening
another tab (a click, or an arrow key on the tab list) drops a form typed in the open one: that asks first too.
"""
from __future__ import annotations

import streamlit as st

LEAVE_QUESTION = "You have unsaved changes in a form on this page. Leave the page and lose them?"
TAB_QUESTION = "You have unsaved changes in a form on this tab. Open the other tab and lose them?"

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
  const pendingInTab = () => [...changed].some((form) => form.isConnected && form.closest('[role="tabpanel"]'));
  // Another tab of a tab list whose open tab holds a changed form: ask before the switch drops the form. A tab
  // opens on the pointer going down (or an arrow key on the tab list), so that is where it is stopped; the mouse
  // down and click that follow a refused press are swallowed too.
  let refused = null;
  const tabOf = (event) => (event.target.closest ? event.target.closest('[role="tab"]') : null);
  const leaveTab = (event) => {
    if (window.confirm(TAB_QUESTION)) {
      changed.clear();
      return true;
    }
    event.preventDefault();
    event.stopPropagation();
    return false;
  };
  document.addEventListener('pointerdown', (event) => {
    const tab = tabOf(event);
    refused = null;
    if (tab && tab.getAttribute('aria-selected') !== 'true' && pendingInTab() && !leaveTab(event)) refused = tab;
  }, true);
  document.addEventListener('mousedown', (event) => {
    if (refused && tabOf(event) === refused) {
      event.preventDefault();  // and the focus stays where it was
      event.stopPropagation();
    }
  }, true);
  document.addEventListener('keydown', (event) => {
    if (tabOf(event) && ['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key) && pendingInTab()) {
      leaveTab(event);
    }
  }, true);
  document.addEventListener('input', mark, true);
  document.addEventListener('change', mark, true);
  document.addEventListener('click', (event) => {
    const target = event.target.closest ? event.target : null;
    if (!target) return;
    if (refused && tabOf(event) === refused) {
      refused = null;
      event.preventDefault();
      event.stopPropagation();
      return;
    }
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
    script = _SCRIPT.replace("TAB_QUESTION", repr(TAB_QUESTION)).replace("QUESTION", repr(LEAVE_QUESTION))
    st.sidebar.html(f"<script>{script}</script>", unsafe_allow_javascript=True)
