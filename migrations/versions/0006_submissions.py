"""submissions: papers to SEND Executive, options, strategic alignment, decision actions, generated packs

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-27 19:26:18.329629
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('strategic_priorities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_strategic_priorities')),
    sa.UniqueConstraint('name', name=op.f('uq_strategic_priorities_name'))
    )
    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('meeting', sa.String(length=120), nullable=False),
    sa.Column('meeting_date', sa.Date(), nullable=False),
    sa.Column('report_of', sa.String(length=160), nullable=True),
    sa.Column('author', sa.String(length=160), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('key_decision', sa.Boolean(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=True),
    sa.Column('recommendations', sa.Text(), nullable=True),
    sa.Column('background', sa.Text(), nullable=True),
    sa.Column('preferred_reasons', sa.Text(), nullable=True),
    sa.Column('consultation_notes', sa.Text(), nullable=True),
    sa.Column('financial_notes', sa.Text(), nullable=True),
    sa.Column('legal_notes', sa.Text(), nullable=True),
    sa.Column('equalities_notes', sa.Text(), nullable=True),
    sa.Column('data_protection_notes', sa.Text(), nullable=True),
    sa.Column('pid_definition', sa.Text(), nullable=True),
    sa.Column('pid_approach', sa.Text(), nullable=True),
    sa.Column('pid_business_case', sa.Text(), nullable=True),
    sa.Column('pid_quality', sa.Text(), nullable=True),
    sa.Column('pid_risk_approach', sa.Text(), nullable=True),
    sa.Column('pid_communication', sa.Text(), nullable=True),
    sa.Column('pid_controls', sa.Text(), nullable=True),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('decided_by', sa.String(length=160), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_submissions_task_id_tasks'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_meeting_date'), ['meeting_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_status'), ['status'], unique=False)

    op.create_table('submission_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_actions_submission_id_submissions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_submission_actions_task_id_tasks'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_actions'))
    )
    with op.batch_alter_table('submission_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_actions_submission_id'), ['submission_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_actions_task_id'), ['task_id'], unique=False)

    op.create_table('submission_alignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.Column('how', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['priority_id'], ['strategic_priorities.id'], name=op.f('fk_submission_alignments_priority_id_strategic_priorities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_alignments_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_alignments')),
    sa.UniqueConstraint('submission_id', 'priority_id', name=op.f('uq_submission_alignments_submission_id_priority_id'))
    )
    with op.batch_alter_table('submission_alignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_alignments_priority_id'), ['priority_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_alignments_submission_id'), ['submission_id'], unique=False)

    op.create_table('submission_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('advantages', sa.Text(), nullable=True),
    sa.Column('disadvantages', sa.Text(), nullable=True),
    sa.Column('scenario_id', sa.Integer(), nullable=True),
    sa.Column('is_preferred', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_options_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_options'))
    )
    with op.batch_alter_table('submission_options', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_options_submission_id'), ['submission_id'], unique=False)

    op.create_table('submission_packs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('generated_by', sa.String(length=60), nullable=False),
    sa.Column('as_at', sa.Date(), nullable=False),
    sa.Column('data_version', sa.Integer(), nullable=False),
    sa.Column('submission_version', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('document', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_packs_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_packs'))
    )
    with op.batch_alter_table('submission_packs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_packs_submission_id'), ['submission_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('submission_packs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_packs_submission_id'))

    op.drop_table('submission_packs')
    with op.batch_alter_table('submission_options', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_options_submission_id'))

    op.drop_table('submission_options')
    with op.batch_alter_table('submission_alignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_alignments_submission_id'))
        batch_op.drop_index(batch_op.f('ix_submission_alignments_priority_id'))

    op.drop_table('submission_alignments')
    with op.batch_alter_table('submission_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_actions_task_id'))
        batch_op.drop_index(batch_op.f('ix_submission_actions_submission_id'))

    op.drop_table('submission_actions')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_status'))
        batch_op.drop_index(batch_op.f('ix_submissions_meeting_date'))

    op.drop_table('submissions')
    op.drop_table('strategic_priorities')
