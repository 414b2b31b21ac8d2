"""a reviewer's request for more materials during the review (issue 19)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 21:10:00.000000

``review_materials_requests``: the request (what is needed), the dated pause of the review period it opened,
and how it closed (answered by the handling unit with the materials attached since, or lapsed when the
opinion came first). And an index on ``draft_versions.sha256``: the document verification page
(``/documents/verify/<sha256>``) looks a draft up by it, which scanned the table.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'review_materials_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('requested_by', sa.Integer(), nullable=False),
        sa.Column('requested_at', _TZ, nullable=False),
        sa.Column('kinds', sa.JSON(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('pause_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=10), nullable=True),
        sa.Column('closed_at', _TZ, nullable=True),
        sa.Column('answered_by', sa.Integer(), nullable=True),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('material_ids', sa.JSON(), nullable=False),
        sa.CheckConstraint("outcome IS NULL OR outcome IN ('answered', 'lapsed')",
                           name=op.f('ck_review_materials_requests_outcome_known')),
        sa.CheckConstraint('(outcome IS NULL) = (closed_at IS NULL)',
                           name=op.f('ck_review_materials_requests_closed_together')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_review_materials_requests_case_id_cases')),
        sa.ForeignKeyConstraint(['requested_by'], ['users.id'],
                                name=op.f('fk_review_materials_requests_requested_by_users')),
        sa.ForeignKeyConstraint(['answered_by'], ['users.id'],
                                name=op.f('fk_review_materials_requests_answered_by_users')),
        sa.ForeignKeyConstraint(['pause_id'], ['clock_pauses.id'],
                                name=op.f('fk_review_materials_requests_pause_id_clock_pauses')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_materials_requests')),
    )
    op.create_index(op.f('ix_review_materials_requests_case_id'), 'review_materials_requests', ['case_id'])
    op.create_index(op.f('ix_draft_versions_sha256'), 'draft_versions', ['sha256'])


def downgrade() -> None:
    op.drop_index(op.f('ix_draft_versions_sha256'), table_name='draft_versions')
    op.drop_index(op.f('ix_review_materials_requests_case_id'), table_name='review_materials_requests')
    op.drop_table('review_materials_requests')
