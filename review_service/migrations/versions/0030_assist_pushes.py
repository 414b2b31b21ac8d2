"""what the 办案参考 panel pushed to whom (issue 20: indicators (127)–(130) evidenced by use)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 22:00:00.000000

``assist_pushes``: one row per case, person, kind (办案规范, 法律法规规定, 相似案例, 处理意见建议) and draft version,
the first time the draft or review page showed something of that kind. A new table only.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'assist_pushes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('draft_sha256', sa.String(length=64), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('shown_at', _TZ, nullable=False),
        sa.CheckConstraint("kind IN ('guidance', 'provisions', 'similar_cases', 'advice')",
                           name=op.f('ck_assist_pushes_kind_known')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_assist_pushes_case_id_cases')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assist_pushes_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assist_pushes')),
        sa.UniqueConstraint('case_id', 'user_id', 'kind', 'draft_sha256',
                            name=op.f('uq_assist_pushes_case_id_user_id_kind_draft_sha256')),
    )
    op.create_index(op.f('ix_assist_pushes_case_id'), 'assist_pushes', ['case_id'])
    op.create_index(op.f('ix_assist_pushes_shown_at'), 'assist_pushes', ['shown_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_assist_pushes_shown_at'), table_name='assist_pushes')
    op.drop_index(op.f('ix_assist_pushes_case_id'), table_name='assist_pushes')
    op.drop_table('assist_pushes')
