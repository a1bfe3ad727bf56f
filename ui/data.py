"""The database as pages see it: one cached engine per URL, a read session, a write transaction."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from review.platform import audit, clock, db
from review.platform.config import get_settings

T = TypeVar("T")


@st.cache_resource(show_spinner="Opening the database...")
def _engine_for(url: str) -> Engine:
    return db.prepare_database(get_settings())


def engine() -> Engine:
    """The engine for the configured database (schema upgraded, demo data loaded on first run)."""
    return _engine_for(get_settings().database_url)


@contextmanager
def reading() -> Iterator[Session]:
    with Session(engine(), expire_on_commit=False) as session:
        yield session


@contextmanager
def writing() -> Iterator[Session]:
    """One transaction: commits if the block succeeds, rolls back if it raises."""
    with db.unit_of_work(engine()) as session:
        yield session


def run_writing(action: Callable[[Session], T]) -> T:
    """`action(session)` in one transaction, run once more if the database aborted it for a deadlock or
    serialisation failure (`review.platform.db.run_in_transaction`)."""
    return db.run_in_transaction(engine(), action)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_call(name: str, version: int, today: Any, url: str, args: tuple, _fn: Callable[..., Any]) -> Any:
    with reading() as session:
        return _fn(session, *args)


def cached(fn: Callable[..., T], *args: Any) -> T:
    """`fn(session, *args)` read through a cache that any write invalidates.

    The key is the function's name, its arguments, today's date and `review.platform.audit.data_version` (the newest
    audit event id, which every write moves on), so a cached read costs one small statement.
    The result must be picklable (frames, dataclasses, plain values).
    """
    with reading() as session:
        version = audit.data_version(session)
    return _cached_call(f"{fn.__module__}.{fn.__qualname__}", version, clock.today(), get_settings().database_url,
                        args, fn)
