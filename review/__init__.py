"""SEND IAG Review Tracker: the application core (no Streamlit here)."""
