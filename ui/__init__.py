"""Shared Streamlit pieces: page setup and role gate, menu, feedback, data access helpers.

Pages import from here; `review/` never imports this package.
"""
