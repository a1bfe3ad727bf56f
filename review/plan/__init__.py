"""plan"""
from review.plan import network  # noqa: F401 - registers the hooks that keep the stored critical path up to date
