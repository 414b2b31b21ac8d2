"""opinion drafts: the reviewer's 暂存 of an unsubmitted opinion

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 15:40:00.000000

``opinion_drafts`` keeps what a reviewer typed into the ten-point opinion form, one row per case, round and
reviewer, so an hour of work survives a lapsed session (issue 17 point 3). Scratch work, not a record: the
row is overwritten by each 暂存 and removed when the round's opinion is submitted.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'opinion_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('reviewer_id', sa.Integer(), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('round >= 1', name=op.f('ck_opinion_drafts_round_positive')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_opinion_drafts_case_id_cases')),
        sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_opinion_drafts_reviewer_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_drafts')),
        sa.UniqueConstraint('case_id', 'round', 'reviewer_id',
                            name=op.f('uq_opinion_drafts_case_id_round_reviewer_id')),
    )
    op.create_index(op.f('ix_opinion_drafts_case_id'), 'opinion_drafts', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_opinion_drafts_case_id'), table_name='opinion_drafts')
    op.drop_table('opinion_drafts')
