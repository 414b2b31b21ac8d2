"""裁量基准 (discretion benchmarks) per agency: versions, entries, each level's fine ranges (issue 20 part 3)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 21:10:00.000000

``discretion_benchmarks``: one row per loaded version of an agency's benchmark (title, 文号, issuing body,
effective dates, the file's text and SHA-256, who loaded it and when); ``discretion_entries``: its violations
with their legal basis and penalty basis; ``discretion_ranges``: per level the fine range, fixed (yuan) or a
multiple of the entry's amount basis, optionally for a bracket of that amount. New tables only.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

_YUAN = sa.Numeric(14, 2)
_FACTOR = sa.Numeric(8, 3)


def upgrade() -> None:
    op.create_table(
        'discretion_benchmarks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('benchmark_id', sa.String(length=100), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('document_number', sa.String(length=100), nullable=False),
        sa.Column('issuer', sa.String(length=200), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('effective_to', sa.Date(), nullable=True),
        sa.Column('filename', sa.String(length=300), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('loaded_by', sa.Integer(), nullable=True),
        sa.CheckConstraint('version >= 1', name=op.f('ck_discretion_benchmarks_version_positive')),
        sa.CheckConstraint('effective_to IS NULL OR effective_to >= effective_from',
                           name=op.f('ck_discretion_benchmarks_dates_ordered')),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'],
                                name=op.f('fk_discretion_benchmarks_agency_id_agencies')),
        sa.ForeignKeyConstraint(['loaded_by'], ['users.id'], name=op.f('fk_discretion_benchmarks_loaded_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_discretion_benchmarks')),
        sa.UniqueConstraint('agency_id', 'benchmark_id', 'version',
                            name=op.f('uq_discretion_benchmarks_agency_id_benchmark_id_version')),
        sa.UniqueConstraint('agency_id', 'benchmark_id', 'sha256',
                            name=op.f('uq_discretion_benchmarks_agency_id_benchmark_id_sha256')),
    )
    op.create_index(op.f('ix_discretion_benchmarks_agency_id'), 'discretion_benchmarks', ['agency_id'])
    op.create_table(
        'discretion_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('benchmark_row_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('line', sa.Integer(), nullable=False),
        sa.Column('violation_key', sa.String(length=100), nullable=False),
        sa.Column('violation_name', sa.String(length=300), nullable=False),
        sa.Column('violation_basis', sa.Text(), nullable=False),
        sa.Column('penalty_basis', sa.Text(), nullable=False),
        sa.Column('amount_basis', sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(['benchmark_row_id'], ['discretion_benchmarks.id'],
                                name=op.f('fk_discretion_entries_benchmark_row_id_discretion_benchmarks')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_discretion_entries')),
        sa.UniqueConstraint('benchmark_row_id', 'violation_key',
                            name=op.f('uq_discretion_entries_benchmark_row_id_violation_key')),
    )
    op.create_index(op.f('ix_discretion_entries_benchmark_row_id'), 'discretion_entries', ['benchmark_row_id'])
    op.create_index(op.f('ix_discretion_entries_violation_key'), 'discretion_entries', ['violation_key'])
    op.create_table(
        'discretion_ranges',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('level', sa.String(length=20), nullable=False),
        sa.Column('basis_from', _YUAN, nullable=True),
        sa.Column('basis_below', _YUAN, nullable=True),
        sa.Column('fine_min', _YUAN, nullable=True),
        sa.Column('fine_max', _YUAN, nullable=True),
        sa.Column('factor_min', _FACTOR, nullable=True),
        sa.Column('factor_max', _FACTOR, nullable=True),
        sa.Column('circumstances', sa.Text(), nullable=False),
        sa.Column('measures', sa.JSON(), nullable=False),
        sa.CheckConstraint("level IN ('exempt','mitigated','lighter','general','heavier')",
                           name=op.f('ck_discretion_ranges_level_known')),
        sa.CheckConstraint('(fine_min IS NULL) = (fine_max IS NULL)', name=op.f('ck_discretion_ranges_fine_paired')),
        sa.CheckConstraint('(factor_min IS NULL) = (factor_max IS NULL)',
                           name=op.f('ck_discretion_ranges_factor_paired')),
        sa.CheckConstraint('fine_min IS NULL OR factor_min IS NULL', name=op.f('ck_discretion_ranges_one_kind')),
        sa.CheckConstraint('fine_min IS NULL OR fine_min <= fine_max', name=op.f('ck_discretion_ranges_fine_ordered')),
        sa.CheckConstraint('factor_min IS NULL OR factor_min <= factor_max',
                           name=op.f('ck_discretion_ranges_factor_ordered')),
        sa.ForeignKeyConstraint(['entry_id'], ['discretion_entries.id'],
                                name=op.f('fk_discretion_ranges_entry_id_discretion_entries')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_discretion_ranges')),
    )
    op.create_index(op.f('ix_discretion_ranges_entry_id'), 'discretion_ranges', ['entry_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_discretion_ranges_entry_id'), table_name='discretion_ranges')
    op.drop_table('discretion_ranges')
    op.drop_index(op.f('ix_discretion_entries_violation_key'), table_name='discretion_entries')
    op.drop_index(op.f('ix_discretion_entries_benchmark_row_id'), table_name='discretion_entries')
    op.drop_table('discretion_entries')
    op.drop_index(op.f('ix_discretion_benchmarks_agency_id'), table_name='discretion_benchmarks')
    op.drop_table('discretion_benchmarks')
