"""the indicator summary, brought up to date from the audit log

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 23:50:00.000000

``indicator_units`` holds every unit the indicator report counts (an opinion, a decision, a case …) with
its Beijing day and its facts as a key; ``indicator_counts`` how many units of a kind an agency has per
day and key, which is what the report reads (review_service.indicators.summary). Both are derived data:
the backfill computes them from the record with the same code that keeps them up to date, and
``review-service indicators rebuild`` can recompute them at any time. ``indicator_summary_mark`` names the
audit event up to which every case has been taken in.
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
    _backfill()


def _backfill() -> None:
    """Derived data, so the backfill runs the current summary code (the same as the catch-up): a later
    change of the summary comes with its own migration that calls the rebuild again."""
    from sqlalchemy.orm import Session

    from review_service.indicators.summary import rebuild

    with Session(bind=op.get_bind()) as session:
        rebuild(session)  # also sets the mark at the audit log's head
        session.flush()


def downgrade() -> None:
    op.drop_table('indicator_summary_mark')
    op.drop_table('indicator_counts')
    op.drop_index('ix_indicator_units_kind_case_id', table_name='indicator_units')
    op.drop_table('indicator_units')
