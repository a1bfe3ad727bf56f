"""SEND IAG Review Tracker: the application core (no Streamlit here).

pandas keeps text columns in Python objects, not Arrow arrays. With pandas 3's default (Arrow storage where pyarrow
is installed, as Streamlit requires), every small frame the app builds pays for Arrow conversions: a new column, a
column label looked up, a handful of rows made into a table. The app's frames are small (a page of rows, a year's
costs), and with Python storage a cold page run costs about a fifth less (benchmarks/dashboard.py: the Submission
pack 0.24-0.26 s to 0.11-0.16 s in runs taken turn about). The dtype stays pandas' ``str`` with the same
missing-value rules; only where the text is kept changes. Set here, in the one package every entry point imports
(the app, the command line, the tests), before any frame is made.
"""
import pandas as pd

pd.set_option("mode.string_storage", "python")
