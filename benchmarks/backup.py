"""Time `backup` and `restore` on the scaled database (5,000 tasks, 20,000 dependencies, 50,000 audit events,
2,000 engagement inputs: the builder of benchmarks/dashboard.py).

    python benchmarks/backup.py                      # SQLite: backup, encrypted backup, restore into a new file
    python benchmarks/backup.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
                                                     # also restore into (and back up from) a new PostgreSQL database

Each figure is the median of --repeat runs, in seconds, one line per step, then one summary line:

    backup_seconds=B restore_seconds=R

Goal: each within 10 s on the project's machine.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("REVIEW_TODAY", "2019-11-15")
os.environ.pop("DATABASE_URL", None)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dashboard import build_demo, scale  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from review.operations import backup, restore  # noqa: E402
from review.platform import db  # noqa: E402
from review.platform.roles import SYSTEM  # noqa: E402

PASSPHRASE = "benchmark passphrase"
GOAL_SECONDS = 10


def timed(step: Callable[[], object], repeat: int, before: Callable[[], None] = lambda: None) -> float:
    times = []
    for _ in range(repeat):
        before()
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _pg_admin(url: str):
    return create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", help="URL of a PostgreSQL server's maintenance database (optional).")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    scaled = folder / "scaled.db"
    build_demo(scaled)
    counts = scale(scaled)
    print("scaled database: " + ", ".join(f"{n:,} {name}" for name, n in counts.items()))
    source = db.make_engine(f"sqlite:///{scaled}")

    out = folder / "scaled.zip"
    backup_seconds = timed(lambda: backup.write(source, out, None, SYSTEM), args.repeat)
    print(f"backup (SQLite, {out.stat().st_size / 1e6:.1f} MB): {backup_seconds:.2f} s")
    encrypted = folder / "scaled.zip.enc"
    print(f"backup --encrypt (SQLite): "
          f"{timed(lambda: backup.write(source, encrypted, PASSPHRASE, SYSTEM), args.repeat):.2f} s")
    content = out.read_bytes()

    targets: list[Path] = []

    def new_sqlite() -> None:
        targets.append(folder / f"restored-{uuid.uuid4().hex[:6]}.db")

    restore_seconds = timed(
        lambda: restore.restore(db.make_engine(f"sqlite:///{targets[-1]}"), content, out.name, SYSTEM),
        args.repeat, new_sqlite)
    print(f"restore (into a new SQLite file): {restore_seconds:.2f} s")
    worst = max(backup_seconds, restore_seconds)

    if args.postgres:
        admin = _pg_admin(args.postgres)
        names: list[str] = []

        def new_pg() -> None:
            names.append(f"issue14_bench_{uuid.uuid4().hex[:8]}")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{names[-1]}"'))

        def pg_url(name: str) -> str:
            return make_url(args.postgres).set(database=name).render_as_string(hide_password=False)

        try:
            pg_restore = timed(lambda: restore.restore(db.make_engine(pg_url(names[-1]), poolclass=NullPool),
                                                       content, out.name, SYSTEM), args.repeat, new_pg)
            print(f"restore (into a new PostgreSQL database): {pg_restore:.2f} s")
            pg_engine = db.make_engine(pg_url(names[-1]), poolclass=NullPool)
            pg_backup = timed(lambda: backup.take(pg_engine), args.repeat)
            print(f"backup (PostgreSQL): {pg_backup:.2f} s")
            pg_engine.dispose()
            worst = max(worst, pg_restore, pg_backup)
        finally:
            with admin.connect() as connection:
                for name in names:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    print(f"backup_seconds={backup_seconds:.2f} restore_seconds={restore_seconds:.2f} "
          f"goal={'met' if worst <= GOAL_SECONDS else 'missed'} (each within {GOAL_SECONDS} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
