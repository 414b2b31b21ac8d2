"""the indicator summary, brought up to date from the audit log

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 23:50:00.000000

``indicator_units`` holds every unit the indicator report counts (an opinion, a decision, a case …) with
its Beijing day and its facts as a key; ``indicator_counts`` how many units of a kind an agency has per
day and key, which is what the report reads (review_service.indicators.summary). Both are derived data,
created empty here: ``indicator_summary_mark`` names the audit event up to which every case has been taken
in; its row starts at 0 (no event has been), so the first catch-up (``tick``, every report) takes in every
case with the code of its day; ``review-service indicators rebuild`` recomputes all at any time. A migration never runs the application's code: a later change of what the
summary holds empties these tables and sets the mark back to 0 in plain SQL, and the catch-up does the rest.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('indicator_units',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'ref', name=op.f('pk_indicator_units')),
    sqlite_with_rowid=False,
    )
    op.create_index('ix_indicator_units_kind_case_id', 'indicator_units', ['kind', 'case_id', 'day', 'agency_id', 'key'])
    op.create_table('indicator_counts',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'agency_id', 'day', 'key', name=op.f('pk_indicator_counts')),
    sqlite_with_rowid=False,
    )
    op.create_table('indicator_summary_mark',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('upto_seq', sa.Integer(), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_indicator_summary_mark_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_summary_mark')),
    )
    # No backfill here (see the module docstring). The mark row exists from the start, at 0 (no event taken
    # in yet): concurrent catch-ups lock it and take turns instead of racing to insert the same units.
    op.execute("INSERT INTO indicator_summary_mark (id, upto_seq) VALUES (1, 0)")


def downgrade() -> None:
    op.drop_table('indicator_summary_mark')
    op.drop_table('indicator_counts')
    op.drop_index('ix_indicator_units_kind_case_id', table_name='indicator_units')
    op.drop_table('indicator_units')
