"""stored schedule: each task's place in the critical path, kept up to date on every change to the plan

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 13:45:00

`task_schedule` (one row per task: earliest start and finish, latest start, critical) and `plan_schedule` (one row:
the critical path's length, the number of tasks, up to five critical chains as task ids) are written by
`review.plan.network.refresh` before any transaction that changed tasks or dependencies commits, so that the plan
page reads them with the tasks it shows. Two new tables: nothing existing is recreated. The upgrade works the
schedule out for the plan already stored, with the same pure function the application uses.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task_schedule",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("earliest_start", sa.Integer(), nullable=False),
        sa.Column("earliest_finish", sa.Integer(), nullable=False),
        sa.Column("latest_start", sa.Integer(), nullable=False),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_task_schedule_task_id_tasks"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_task_schedule")),
    )
    with op.batch_alter_table("task_schedule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_schedule_critical"), ["critical"], unique=False)
    op.create_table(
        "plan_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("tasks", sa.Integer(), nullable=False),
        sa.Column("chains", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_schedule")),
    )
    _store_schedule(op.get_bind())


def _store_schedule(bind: sa.Connection) -> None:
    """The schedule of the plan already stored (a task's duration as review.plan.network.duration_expr)."""
    from review.plan.schedule import critical_path, planned_duration

    tasks = sa.table("tasks", sa.column("id", sa.Integer), sa.column("status", sa.String),
                     sa.column("start_date", sa.Date), sa.column("due_date", sa.Date),
                     sa.column("is_milestone", sa.Boolean))
    links = sa.table("task_dependencies", sa.column("predecessor_id", sa.Integer),
                     sa.column("successor_id", sa.Integer))
    durations = {i: 0 if status == "cancelled" else planned_duration(start, due, bool(milestone))
                 for i, status, start, due, milestone in bind.execute(sa.select(tasks))}
    if not durations:  # no plan yet: the first task written stores the schedule (and a restore loads its own)
        return
    cpm = critical_path(durations, [tuple(r) for r in bind.execute(sa.select(links))])
    rows = [{"task_id": t, "earliest_start": cpm.earliest_start[t], "earliest_finish": cpm.earliest_finish[t],
             "latest_start": cpm.latest_start[t], "critical": t in cpm.critical} for t in cpm.order]
    bind.execute(sa.insert(sa.table("task_schedule", *(sa.column(c) for c in rows[0]))), rows)
    plan = sa.table("plan_schedule", sa.column("id", sa.Integer), sa.column("length", sa.Integer),
                    sa.column("tasks", sa.Integer), sa.column("chains", sa.JSON))
    bind.execute(sa.insert(plan).values(id=1, length=cpm.length, tasks=len(durations), chains=cpm.chains(limit=5)))


def downgrade() -> None:
    op.drop_table("plan_schedule")
    with op.batch_alter_table("task_schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_schedule_critical"))
    op.drop_table("task_schedule")
