"""Demo data and the command line."""
from __future__ import annotations

import subprocess
import sys

from sqlalchemy import func, select

from review import demo
from review.models import Task, TaskDependency, User, Workstream
from review.plan import tasks
from review.platform.config import PROJECT_ROOT


def test_demo_loads_a_realistic_data_set(session):
    assert demo.is_empty(session)
    demo.load_demo(session)
    session.commit()
    assert session.scalar(select(func.count()).select_from(Workstream)) == 8
    assert 28 <= session.scalar(select(func.count()).select_from(Task)) <= 35
    assert session.scalar(select(func.count()).select_from(TaskDependency)) >= 30
    dates = session.execute(select(func.min(Task.start_date), func.max(Task.due_date))).one()
    assert dates[0].isoformat() >= "2019-03-01" and dates[1].isoformat() <= "2020-08-31"
    roles = set(session.scalars(select(User.role).where(User.is_demo.is_(True))))
    assert roles == {"admin", "editor", "commissioner", "viewer"}
    assert set(tasks.tasks_frame(session)["Phase"]) == {
        "Exploration and intelligence gathering", "Submission to SEND Executive",
        "Detailed project plan and infrastructure"}
    assert not demo.is_empty(session)


def test_demo_without_accounts_on_a_shared_database(session):
    demo.load_demo(session, with_accounts=False)
    assert session.scalar(select(func.count()).select_from(User)) == 0


def run_cli(*args, env_path, stdin=""):
    import os

    env = {**os.environ, "REVIEW_SQLITE_PATH": str(env_path)}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "review", *args], input=stdin, capture_output=True, text=True,
                          cwd=PROJECT_ROOT, env=env, timeout=120)


def test_cli_init_seed_and_create_user(tmp_path):
    path = tmp_path / "cli.db"
    for command in ("init-db", "seed-demo", "create-user"):
        help_run = run_cli(command, "--help", env_path=path)
        assert help_run.returncode == 0 and "usage:" in help_run.stdout
    assert run_cli("init-db", env_path=path).returncode == 0
    seeded = run_cli("seed-demo", env_path=path)
    assert seeded.returncode == 0, seeded.stderr
    again = run_cli("seed-demo", env_path=path)
    assert again.returncode == 1 and "already holds data" in again.stderr
    made = run_cli("create-user", "--username", "grace", "--role", "editor", "--password-stdin", env_path=path,
                   stdin="a long password\n")
    assert made.returncode == 0, made.stderr
    bad = run_cli("create-user", "--username", "grace", "--role", "editor", "--password-stdin", env_path=path,
                  stdin="short\n")
    assert bad.returncode == 2 and "already taken" in bad.stderr and "at least 12" in bad.stderr
