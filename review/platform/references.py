"""Hand out the next reference of a series (R-01, EXP-17, ACT-03) so that concurrent creations never collide.

One counter row per series (`ReferenceCounter`, keyed "<table>:<prefix>") is created if missing, then locked
(SELECT ... FOR UPDATE on PostgreSQL; on SQLite the first write already holds the database's one write lock) until
the creating transaction ends, so a second creation waits for the first to commit and then takes the next number.
The number is one more than the larger of the counter and the highest reference already stored, so references
entered by hand, demo data and databases older than the counters are respected.
"""
from __future__ import annotations

import re

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session

from review.models.references import ReferenceCounter

PREFIX_PATTERN = re.compile(r"[A-Z][A-Z0-9]{0,9}")


def _insert_missing_counter(session: Session, series: str) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(ReferenceCounter).values(series=series, last_number=0)
                    .on_conflict_do_nothing(index_elements=["series"]))


def allocate(session: Session, column: InstrumentedAttribute[str | None], prefix: str, width: int = 2) -> str:
    """The next free reference "<prefix>-<number>" (at least `width` digits) for the references in `column`."""
    if not PREFIX_PATTERN.fullmatch(prefix):
        raise ValueError(f"A reference prefix is 1 to 10 capital letters or digits, starting with a letter: {prefix!r}")
    series = f"{column.class_.__tablename__}:{prefix}"
    _insert_missing_counter(session, series)
    last = session.scalar(select(ReferenceCounter.last_number).where(ReferenceCounter.series == series)
                          .with_for_update())
    stored = session.scalars(select(column).where(column.like(f"{prefix}-%")))
    highest = max((int(r.split("-", 1)[1]) for r in stored if r is not None and r.split("-", 1)[1].isdigit()),
                  default=0)
    number = max(last or 0, highest) + 1
    session.execute(update(ReferenceCounter).where(ReferenceCounter.series == series).values(last_number=number))
    return f"{prefix}-{number:0{width}d}"
