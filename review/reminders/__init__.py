"""Reminders by email: each owner's overdue and upcoming tasks, and the dates needing attention for the project
team and administrators (`messages` decides what to send, `preferences` who wants what, `sending` sends it)."""
