"""units: an agency's internal units (内设机构), and the unit a user belongs to

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 19:00:00.000000

``units`` lists each agency's 内设机构 with what it does for the documents (``handling`` 承办机构,
``legal_review`` 法制审核机构, ``office`` 办公室, ``other``): the documents name them as 主送 and 落款 instead of
made-up names (issue 18). At most one active ``legal_review`` unit per agency (a partial unique index).
``users.unit_id`` is the unit a user sits in (none for existing accounts).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

_ONE_REVIEW_BODY = "kind = 'legal_review' AND active"


def upgrade() -> None:
    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('handling','legal_review','office','other')", name=op.f('ck_units_kind_known')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_units_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('agency_id', 'name', name=op.f('uq_units_agency_id_name'))
    )
    op.create_index('uq_units_one_legal_review', 'units', ['agency_id'], unique=True,
                    sqlite_where=sa.text(_ONE_REVIEW_BODY), postgresql_where=sa.text(_ONE_REVIEW_BODY))
    if op.get_bind().dialect.name == "sqlite":
        # a plain ADD COLUMN, not a batch rebuild: rebuilding ``users`` drops the table every other table refers
        # to, which foreign_keys=ON refuses inside the migration's transaction
        op.execute("ALTER TABLE users ADD COLUMN unit_id INTEGER "
                   "CONSTRAINT fk_users_unit_id_units REFERENCES units (id)")
    else:
        op.add_column('users', sa.Column('unit_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_users_unit_id_units'), 'users', 'units', ['unit_id'], ['id'])
    op.create_index(op.f('ix_users_unit_id'), 'users', ['unit_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_users_unit_id'), table_name='users')
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE users DROP COLUMN unit_id")  # SQLite ≥ 3.35; the column only refers, none refers to it
    else:
        op.drop_constraint(op.f('fk_users_unit_id_units'), 'users', type_='foreignkey')
        op.drop_column('users', 'unit_id')
    op.drop_index('uq_units_one_legal_review', table_name='units')
    op.drop_table('units')
