"""The database as pages see it: one cached engine per URL, a read session, a write transaction."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from review import db
from review.config import get_settings


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
