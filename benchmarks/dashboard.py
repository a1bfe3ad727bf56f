"""Run every page under AppTest on the demo database and on a scaled one; count SQL statements and time each run.

    python benchmarks/dashboard.py               # 5,000 tasks, 20,000 dependencies, 50,000 audit events
    python benchmarks/dashboard.py --repeat 5    # more runs per page (the median time is reported)
    python benchmarks/dashboard.py --pages Submission Audit   # only the pages whose file name holds a word

The scaled database is the demo data plus bulk-inserted rows: tasks spread over the phases, workstreams and owners
(some overdue, blocked, done or milestones), acyclic finish-to-start dependencies, audit events, a baseline of every
task with some tasks re-dated since, RAID items linked to tasks, and engagement inputs (copied from the demo's, with
their themes) when the engagement tables exist. Each page is run signed in as an administrator with Streamlit's data
caches cleared first, so every run reads the database (a cold cache, the worst case). Times are the CPU seconds of
the thread that runs the page script (time.thread_time), which a busy machine disturbs far less than wall time and
which leaves out AppTest's own work of turning the page's messages into an element tree (about 0.17 s a run).
Statements are counted with SQLAlchemy's before_cursor_execute event on every engine. Ends with one line:

    pages=N statements_equal=M worst_time_ratio=R

The table's "s warm" column is a page run in a new session once the shared caches hold the data (the next
Executive member), and `phone_line_input_change_s` the Phone-line costs page's rerun after one input changes.
Goals: statements equal on every page (the page issues a fixed number of statements whatever the data size), the
worst time ratio (scaled / demo) at or below 1.5, every page at or below 0.15 s a run at demo size, and the
Phone-line costs page at or below 0.3 s after an input change.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("REVIEW_TODAY", "2019-11-15")
os.environ.pop("DATABASE_URL", None)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st  # noqa: E402
import streamlit.logger  # noqa: E402
from machine import print_reference  # noqa: E402  (benchmarks/machine.py, beside this script)
from sqlalchemy import Engine, MetaData, event, func, insert, select, text  # noqa: E402
from streamlit.runtime.scriptrunner import script_runner  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from review import demo  # noqa: E402
from review.accounts.users import actor_for  # noqa: E402
from review.models import AuditEvent, Person, Phase, Task, TaskDependency, User, Workstream  # noqa: E402
from review.models.plan import RaidItem, RaidTaskLink  # noqa: E402
from review.plan import timeline as plan  # noqa: E402
from review.platform import db  # noqa: E402
from review.platform.config import PROJECT_ROOT  # noqa: E402
from review.platform.roles import SYSTEM, Role  # noqa: E402
from ui.navigation import PAGES  # noqa: E402

TASKS, DEPENDENCIES, AUDIT_EVENTS, ENGAGEMENT_INPUTS, RAID_ITEMS = 5_000, 20_000, 50_000, 2_000, 300
TIMEOUT = 600


def build_demo(path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    with db.unit_of_work(engine) as session:
        demo.load_demo(session, with_accounts=True)
    engine.dispose()


def _chunks(rows: list[dict], size: int = 5_000):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def scale(path: Path, seed: int = 2019) -> dict[str, int]:
    """Add bulk rows to a copy of the demo database; returns the counts it ends with."""
    rng = random.Random(seed)
    engine = db.make_engine(f"sqlite:///{path}")
    today = date.fromisoformat(os.environ["REVIEW_TODAY"])
    now = datetime.now(UTC)
    with db.unit_of_work(engine) as session:
        phases = session.scalars(select(Phase.id)).all()
        streams = session.scalars(select(Workstream.id)).all()
        people = session.scalars(select(Person.id)).all()
        existing = session.scalar(select(func.count(Task.id)))
        rows = []
        for n in range(TASKS - existing):
            start = date(2019, 3, 1) + timedelta(days=rng.randrange(0, 500))
            due = start + timedelta(days=rng.randrange(0, 60))
            status = rng.choices(["not_started", "in_progress", "blocked", "done", "cancelled"], [40, 30, 4, 24, 2])[0]
            done = status == "done"
            rows.append({
                "reference": f"SCL-{n + 1:04d}", "title": f"Scaled task {n + 1}", "description": "Benchmark row",
                "phase_id": rng.choice(phases), "workstream_id": rng.choice(streams + [None]),
                "owner_id": rng.choice(people), "status": status, "priority": "medium", "start_date": start,
                "due_date": due, "completed_date": due if done else None, "percent_complete": 100 if done else 30,
                "is_milestone": rng.random() < 0.05, "version": 1, "created_at": now, "updated_at": now})
        for chunk in _chunks(rows):
            session.execute(insert(Task), chunk)
        ids = session.scalars(select(Task.id).order_by(Task.id)).all()
        links = set(session.execute(select(TaskDependency.predecessor_id, TaskDependency.successor_id)).all())
        while len(links) < DEPENDENCIES:  # predecessor earlier than successor: no loops
            b = rng.randrange(1, len(ids))
            a = rng.randrange(max(0, b - 200), b)
            links.add((ids[a], ids[b]))
        new_links = [{"predecessor_id": a, "successor_id": b} for a, b in links]
        session.execute(TaskDependency.__table__.delete())
        for chunk in _chunks(new_links):
            session.execute(insert(TaskDependency), chunk)
        events = [{"occurred_at": now, "user_id": None, "username": "benchmark", "entity": "task",
                   "record_id": str(rng.choice(ids)), "action": "update",
                   "changes": {"status": {"before": "not_started", "after": "in_progress"}}, "record_version": 2,
                   "summary": "Benchmark event"} for _ in range(AUDIT_EVENTS)]
        for chunk in _chunks(events):
            session.execute(insert(AuditEvent), chunk)
        plan.save_baseline(session, SYSTEM, "Scaled baseline", as_of=today - timedelta(days=60))
        # A fifth of the tasks re-dated since the baseline, by 0 to 29 days (SQLite date arithmetic).
        session.execute(text("UPDATE tasks SET due_date = date(due_date, '+' || (id % 30) || ' days') "
                             "WHERE id % 5 = 0 AND reference LIKE 'SCL-%'"))
        raid_rows = [{"reference": f"R-{900 + n}", "kind": "risk", "title": f"Scaled risk {n}", "status": "open",
                      "likelihood": rng.randint(1, 5), "impact": rng.randint(1, 5), "review_date": today,
                      "raised_on": today, "version": 1, "created_at": now, "updated_at": now}
                     for n in range(RAID_ITEMS)]
        session.execute(insert(RaidItem), raid_rows)
        raid_ids = session.scalars(select(RaidItem.id)).all()
        raid_links = {(rng.choice(raid_ids), rng.choice(ids)) for _ in range(RAID_ITEMS * 2)}
        session.execute(insert(RaidTaskLink), [{"raid_item_id": r, "task_id": t} for r, t in raid_links])
        inputs = _scale_engagement(session, rng)
        counts = {"tasks": session.scalar(select(func.count(Task.id))),
                  "dependencies": session.scalar(select(func.count(TaskDependency.id))),
                  "audit_events": session.scalar(select(func.count(AuditEvent.id))),
                  "engagement_inputs": inputs}
    engine.dispose()
    return counts


def _scale_engagement(session, rng: random.Random) -> int:
    """Copy the demo's engagement inputs (and their theme links) up to ENGAGEMENT_INPUTS, if the tables exist."""
    meta = MetaData()
    meta.reflect(bind=session.connection())
    if "engagement_inputs" not in meta.tables:
        return 0
    inputs = meta.tables["engagement_inputs"]
    themes = meta.tables.get("engagement_input_themes")
    templates = [dict(r._mapping) for r in session.execute(select(inputs).where(inputs.c.erased_at.is_(None)))]
    if not templates:
        return 0
    theme_of = {}
    if themes is not None:
        for link in session.execute(select(themes.c.input_id, themes.c.theme_id)):
            theme_of.setdefault(link.input_id, []).append(link.theme_id)
    have = len(templates)
    for n in range(ENGAGEMENT_INPUTS - have):
        row = dict(rng.choice(templates))
        source = row.pop("id")
        if "participant" in row:
            row["participant"] = f"P-{5000 + n}"
        new_id = session.execute(insert(inputs).values(**row)).inserted_primary_key[0]
        if themes is not None and theme_of.get(source):
            session.execute(insert(themes).values(input_id=new_id, theme_id=theme_of[source][0]))
    return int(session.scalar(select(func.count()).select_from(inputs)))


# ------------------------------------------------------------------ measuring

SCRIPT_CPU = {"seconds": 0.0}
_run_script = script_runner.ScriptRunner._run_script


def _timed_run_script(self, *args, **kwargs):
    """The page's own run: CPU time of the script thread (what a server pays per run), without AppTest's work of
    turning the messages into an element tree (about 0.17 s a run, which a real server does not do)."""
    started = time.thread_time()
    try:
        return _run_script(self, *args, **kwargs)
    finally:
        SCRIPT_CPU["seconds"] += time.thread_time() - started


script_runner.ScriptRunner._run_script = _timed_run_script


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args) -> None:
        self.count += 1


def admin_actor():
    engine = db.make_engine(f"sqlite:///{os.environ['REVIEW_SQLITE_PATH']}")
    with db.unit_of_work(engine) as session:
        actor = actor_for(session.scalar(select(User).where(User.is_demo.is_(True), User.role == Role.ADMIN.value)))
    engine.dispose()
    return actor


def run_page(page: str, actor, cold: bool = True) -> tuple[int, float, str | None]:
    """One run of a page in a new session: (statements, seconds, problem). Cold: the shared caches cleared first;
    warm: what another session (the next Executive member) pays once the caches hold this data version."""
    if cold:
        st.cache_data.clear()
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["actor"] = actor
    if page != "app.py":
        at.switch_page(page)
    counter = Counter()
    event.listen(Engine, "before_cursor_execute", counter)
    SCRIPT_CPU["seconds"] = 0.0
    try:
        at.run()
    finally:
        elapsed = SCRIPT_CPU["seconds"]
        event.remove(Engine, "before_cursor_execute", counter)
    problem = None
    if at.exception:
        problem = "exception: " + str(at.exception[0].message)[:120]
    elif at.error:
        problem = "error: " + str(at.error[0].value)[:120]
    return counter.count, elapsed, problem


def measure(databases: dict[str, Path], pages: list[str], repeat: int) -> dict[str, dict[str, tuple]]:
    """Per size and page: (statements, median seconds, problem). Each page is run once untimed first (imports), then
    the sizes alternate run by run so that a busy machine slows both alike."""
    def use(size: str) -> None:
        os.environ["REVIEW_SQLITE_PATH"] = str(databases[size])

    use(next(iter(databases)))
    actor = admin_actor()
    for size in databases:  # open each engine (schema check) outside the measured runs
        use(size)
        run_page("app.py", actor)
    runs: dict[str, dict[str, list]] = {size: {} for size in databases}
    for page in pages:
        use(next(iter(databases)))
        run_page(page, actor)
        for _ in range(repeat):
            for size in databases:
                use(size)
                runs[size].setdefault(page, []).append(run_page(page, actor))
    results: dict[str, dict[str, tuple]] = {size: {} for size in databases}
    for size, by_page in runs.items():
        for page, page_runs in by_page.items():
            statements = {r[0] for r in page_runs}
            problem = next((r[2] for r in page_runs if r[2]), None)
            if len(statements) > 1:
                problem = (problem or "") + f" statements vary between runs: {sorted(statements)}"
            results[size][page] = (max(statements), statistics.median(r[1] for r in page_runs), problem)
    return results


def warm_runs(database: Path, pages: list[str], repeat: int) -> dict[str, float]:
    """Median seconds of a page run in a new session once the shared caches are filled (demo size)."""
    os.environ["REVIEW_SQLITE_PATH"] = str(database)
    actor = admin_actor()
    found = {}
    for page in pages:
        run_page(page, actor)
        found[page] = statistics.median(run_page(page, actor, cold=False)[1] for _ in range(repeat))
    return found


def input_change(database: Path, repeat: int) -> float:
    """Median seconds of the Phone-line costs page's rerun after a commissioner changes one input."""
    os.environ["REVIEW_SQLITE_PATH"] = str(database)
    actor = admin_actor()
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["actor"] = actor
    at.switch_page("pages/9_Phone_line_costs.py")
    at.run()
    calls = next(w for w in at.number_input if w.key and w.key.endswith("_annual_calls"))
    seconds = []
    for i in range(repeat):
        calls.set_value(20_000 + 1_000 * i)
        SCRIPT_CPU["seconds"] = 0.0
        at.run()
        seconds.append(SCRIPT_CPU["seconds"])
        calls = next(w for w in at.number_input if w.key and w.key.endswith("_annual_calls"))
    return statistics.median(seconds)


def main() -> int:
    streamlit.logger.set_log_level("error")  # AppTest's "no runtime" warnings are expected here
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per page and size (median time reported)")
    parser.add_argument("--keep", action="store_true", help="keep the databases and print where they are")
    parser.add_argument("--pages", nargs="+", metavar="WORD",
                        help="only the pages whose file name contains one of these words (case-insensitive)")
    args = parser.parse_args()
    print_reference()
    folder = Path(tempfile.mkdtemp(prefix="review-bench-"))
    demo_db, scaled_db = folder / "demo.db", folder / "scaled.db"
    started = time.perf_counter()
    build_demo(demo_db)
    shutil.copy(demo_db, scaled_db)
    counts = scale(scaled_db)
    print(f"Scaled database built in {time.perf_counter() - started:.1f} s: " +
          ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in counts.items()))
    pages = [p.path for p in PAGES if (PROJECT_ROOT / p.path).exists()]
    if args.pages:
        words = [w.lower() for w in args.pages]
        pages = [p for p in pages if any(w in Path(p).name.lower() for w in words)]
        if not pages:
            parser.error(f"no page's file name contains any of {args.pages}")
    results = measure({"demo": demo_db, "scaled": scaled_db}, pages, args.repeat)
    small, large = results["demo"], results["scaled"]
    warm = warm_runs(demo_db, pages, args.repeat)
    costs_page = "pages/9_Phone_line_costs.py"
    change = input_change(demo_db, args.repeat) if costs_page in pages else None
    print(f"{'page':38} {'stmts demo':>10} {'stmts scaled':>12} {'s demo':>8} {'s scaled':>9} {'ratio':>6} "
          f"{'s warm':>7}  note")
    equal, ratios = 0, []
    for page in pages:
        (s1, t1, p1), (s2, t2, p2) = small[page], large[page]
        ratio = t2 / t1 if t1 else float("inf")
        ratios.append(ratio)
        equal += s1 == s2
        note = "; ".join(p for p in (p1 and f"demo {p1}", p2 and f"scaled {p2}") if p)
        print(f"{page:38} {s1:>10} {s2:>12} {t1:>8.2f} {t2:>9.2f} {ratio:>6.2f} {warm[page]:>7.2f}  {note}")
    if args.keep:
        print(f"Databases kept in {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    if change is not None:
        print(f"phone_line_input_change_s={change:.2f}")
    print(f"pages={len(pages)} statements_equal={equal} worst_time_ratio={max(ratios):.2f} "
          f"worst_demo_s={max(t for _, t, _ in small.values()):.2f} worst_warm_s={max(warm.values()):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
