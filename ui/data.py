"""The database as pages see it: one cached engine per URL, a read session, a write transaction."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from review.platform import audit, clock, db
from review.platform.config import get_settings
from review.platform.roles import Actor

T = TypeVar("T")
SCHEMA_WAIT_S = 120  # creating or upgrading the schema; a page cannot run without it


@dataclass
class Preparation:
    """The database being made ready (schema upgraded; demo data loaded on a new embedded install) in a thread
    of its own, so that the first visitor sees the sign-in page and its progress rather than a blank page."""

    done: threading.Event = field(default_factory=threading.Event)
    engine: Engine | None = None
    error: BaseException | None = None
    loading_demo: bool = False
    share: float = 0.0
    step: str = ""

    def report(self, share: float, step: str) -> None:
        self.loading_demo, self.share, self.step = True, share, step


@st.cache_resource(show_spinner=False)
def _preparation(url: str) -> Preparation:
    preparation = Preparation()

    def prepare() -> None:
        try:
            preparation.engine = db.prepare_database(get_settings(), progress=preparation.report)
        except Exception as exc:  # noqa: BLE001 - handed to the page run that waits for it, and raised there
            preparation.error = exc
        finally:
            preparation.done.set()

    threading.Thread(target=prepare, name="prepare-database", daemon=True).start()
    return preparation


def preparation() -> Preparation:
    """The database's preparation, waited for unless it is loading the demo data (which takes seconds).

    Upgrading the schema is waited for: it is quick, and nothing can be shown without it.
    """
    url = get_settings().database_url
    prepared = _preparation(url)
    deadline = time.monotonic() + SCHEMA_WAIT_S
    while not prepared.done.wait(0.05) and not prepared.loading_demo and time.monotonic() < deadline:
        pass
    if prepared.done.is_set() and prepared.error is not None:
        _preparation.clear()  # the next page run tries again (the cause may have been put right)
        raise prepared.error
    return prepared


def engine() -> Engine:
    """The engine for the configured database (schema upgraded, demo data loaded on first run)."""
    prepared = preparation()
    prepared.done.wait()
    if prepared.error is not None:
        raise prepared.error
    assert prepared.engine is not None
    return prepared.engine


@contextmanager
def reading() -> Iterator[Session]:
    with Session(engine(), expire_on_commit=False) as session:
        yield session


def read(fn: Callable[..., T], *args: Any) -> T:
    """`fn(session, *args)` in a read session of its own, not cached (for reads that differ per person)."""
    with reading() as session:
        return fn(session, *args)


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


def cached_for_role(fn: Callable[..., T], actor: Actor, *args: Any) -> T:
    """`cached(fn, actor, *args)` shared by everyone with the actor's role.

    For reads that depend on the actor only through what the role may see (the dashboard's engagement counts are
    suppressed for roles without access to personal data): twenty Executive members signed in as twenty accounts
    then share one result per data version instead of computing twenty.
    """
    reader = Actor(user_id=None, username=f"{actor.role.value}-reader", display_name=actor.role.label,
                   role=actor.role)
    return cached(fn, reader, *args)
