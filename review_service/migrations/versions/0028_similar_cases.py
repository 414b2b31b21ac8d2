"""the index of decided cases for similar cases and the 同案不同罚 check (issue 20, parts 2 and 3)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 21:10:00.000000

One row per decided case (``review_service/assist/models.py``): the decided draft's 案由 and facts
tokenized, its legal-basis keys, outcome, discretion level and fine, and the review points its opinions
found a problem with. The table is derived: it starts empty here and is filled by
``review-service assist rebuild`` (and kept current by every decision made afterwards). The one row of
``similar_case_generation`` counts the table's changes (the workers' in-memory indexes compare it).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'similar_cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=100), nullable=False),
        sa.Column('case_number', sa.String(length=100), nullable=True),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decision_type', sa.String(length=40), nullable=False),
        sa.Column('level', sa.String(length=50), nullable=False),
        sa.Column('fine', sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column('outcome', sa.JSON(), nullable=False),
        sa.Column('legal_basis', sa.JSON(), nullable=False),
        sa.Column('basis_keys', sa.JSON(), nullable=False),
        sa.Column('problems', sa.JSON(), nullable=False),
        sa.Column('tokens', sa.Text(), nullable=False),
        sa.Column('indexed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id']),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.ForeignKeyConstraint(['decision_id'], ['decisions.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_id'),
        sqlite_autoincrement=True,  # ids never reused: a worker's index tells rows apart by id
    )
    op.create_index(op.f('ix_similar_cases_agency_id'), 'similar_cases', ['agency_id'], unique=False)
    generation = op.create_table(
        'similar_case_generation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(generation, [{'id': 1, 'generation': 0}])


def downgrade() -> None:
    op.drop_table('similar_case_generation')
    op.drop_index(op.f('ix_similar_cases_agency_id'), table_name='similar_cases')
    op.drop_table('similar_cases')
