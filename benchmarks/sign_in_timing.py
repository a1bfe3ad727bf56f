"""Time password sign-ins for a known username (wrong password), an unknown username, an inactive account and
the right password, on a fresh migrated SQLite database, and print the median, spread and the gap between
known and unknown names.

    python benchmarks/sign_in_timing.py            # 40 rounds
    python benchmarks/sign_in_timing.py --n 100

Each round uses a new client and a new name for the unknown case, so the throttle never locks; the known
account's failures are cleared between rounds by a correct sign-in. Unknown names verify a dummy argon2 hash with
the same parameters, so the medians should differ by a few milliseconds at most (a database lookup), against
argon2's tens of milliseconds. The gap is the median of the paired differences (the cases are interleaved, so
load on a shared machine moves both alike). Exits with status 1 when it exceeds --tolerance (a share of the known
case's median; before this work the unknown name answered 100 times faster).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from review.accounts import users  # noqa: E402
from review.platform import db  # noqa: E402
from review.platform.roles import SYSTEM  # noqa: E402

PASSWORD = "river otter lantern"


def timed(session: Session, username: str, password: str, client: str) -> float:
    start = time.perf_counter()
    users.sign_in_with_password(session, username, password, client)
    session.commit()
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--tolerance", type=float, default=0.25, help="largest gap as a share of the median")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = db.make_engine(f"sqlite:///{folder}/timing.db")
        db.upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            users.create_user(session, SYSTEM, "known-person", "editor", PASSWORD)
            inactive = users.create_user(session, SYSTEM, "inactive-person", "viewer", PASSWORD)
            users.update_user(session, SYSTEM, inactive.id, inactive.version, active=False)
            session.commit()
            timed(session, "warm-up", "x", "warm-up")
            results: dict[str, list[float]] = {"known username, wrong password": [], "unknown username": [],
                                               "inactive account": [], "known username, right password": []}
            for i in range(args.n):
                results["known username, wrong password"].append(timed(session, "known-person", "wrong guess",
                                                                       f"a{i}"))
                results["unknown username"].append(timed(session, f"nobody-{i}", "wrong guess", f"b{i}"))
                results["inactive account"].append(timed(session, "inactive-person", PASSWORD, f"c{i}"))
                results["known username, right password"].append(timed(session, "known-person", PASSWORD,
                                                                       f"d{i}"))
        engine.dispose()
    print(f"Password sign-in timing over {args.n} rounds (ms)")
    print(f"{'case':34} {'median':>8} {'p10':>8} {'p90':>8}")
    for case, values in results.items():
        deciles = statistics.quantiles(values, n=10)
        print(f"{case:34} {statistics.median(values):8.1f} {deciles[0]:8.1f} {deciles[-1]:8.1f}")
    known, unknown = results["known username, wrong password"], results["unknown username"]
    gap = statistics.median(k - u for k, u in zip(known, unknown, strict=True))
    allowed = args.tolerance * statistics.median(known)
    print(f"known minus unknown username, median of paired differences: {gap:+.1f} ms "
          f"({abs(gap) / statistics.median(known):.0%} of the known median; tolerance {args.tolerance:.0%})")
    return 0 if abs(gap) <= allowed else 1


if __name__ == "__main__":
    raise SystemExit(main())
