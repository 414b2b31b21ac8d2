"""the law library: laws (one row per version), their articles, and the loads that brought them (issue 20)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 21:10:00.000000

``law_loads`` (who loaded which file, its SHA-256, what it added), ``laws`` (one row per version of a law,
unique by normalized name and version date; status 现行有效 / 已修改 / 已废止) and ``law_articles``. New tables
only: nothing existing changes.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'law_loads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('filename', sa.String(length=500), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('loaded_at', _TZ, nullable=False),
        sa.Column('loaded_by', sa.Integer(), nullable=True),
        sa.Column('laws', sa.Integer(), nullable=False),
        sa.Column('articles', sa.Integer(), nullable=False),
        sa.Column('skipped', sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('file', 'national')", name=op.f('ck_law_loads_kind_known')),
        sa.ForeignKeyConstraint(['loaded_by'], ['users.id'], name=op.f('fk_law_loads_loaded_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_law_loads')),
    )
    op.create_index(op.f('ix_law_loads_sha256'), 'law_loads', ['sha256'])
    op.create_table(
        'laws',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=300), nullable=False),
        sa.Column('key', sa.String(length=300), nullable=False),
        sa.Column('short_names', sa.JSON(), nullable=False),
        sa.Column('level', sa.String(length=20), nullable=False),
        sa.Column('issuing_body', sa.String(length=200), nullable=False),
        sa.Column('document_number', sa.String(length=100), nullable=False),
        sa.Column('published_on', sa.Date(), nullable=True),
        sa.Column('effective_on', sa.Date(), nullable=True),
        sa.Column('version_on', sa.Date(), nullable=False),
        sa.Column('in_force_from', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('source_status', sa.String(length=20), nullable=False),
        sa.Column('repealed_on', sa.Date(), nullable=True),
        sa.Column('replaced_by', sa.String(length=300), nullable=False),
        sa.Column('source', sa.String(length=300), nullable=False),
        sa.Column('load_id', sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('现行有效', '已修改', '已废止')", name=op.f('ck_laws_status_known')),
        sa.ForeignKeyConstraint(['load_id'], ['law_loads.id'], name=op.f('fk_laws_load_id_law_loads')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_laws')),
        sa.UniqueConstraint('key', 'version_on', name=op.f('uq_laws_key_version_on')),
    )
    op.create_index(op.f('ix_laws_key'), 'laws', ['key'])
    op.create_index(op.f('ix_laws_load_id'), 'laws', ['load_id'])
    op.create_table(
        'law_articles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('law_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('chapter', sa.String(length=200), nullable=False),
        sa.Column('section', sa.String(length=200), nullable=False),
        sa.Column('number', sa.Integer(), nullable=True),
        sa.Column('suffix', sa.Integer(), nullable=True),
        sa.Column('number_text', sa.String(length=40), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['law_id'], ['laws.id'], name=op.f('fk_law_articles_law_id_laws')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_law_articles')),
    )
    op.create_index(op.f('ix_law_articles_law_id'), 'law_articles', ['law_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_law_articles_law_id'), table_name='law_articles')
    op.drop_table('law_articles')
    op.drop_index(op.f('ix_laws_load_id'), table_name='laws')
    op.drop_index(op.f('ix_laws_key'), table_name='laws')
    op.drop_table('laws')
    op.drop_index(op.f('ix_law_loads_sha256'), table_name='law_loads')
    op.drop_table('law_loads')
