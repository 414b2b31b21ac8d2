"""must change password: a password an admin handed over is replaced by the user at the next login

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 18:20:00.000000

``users.must_change_password`` is set when an admin resets a user's password or opens an account with a
password they chose (issue 17 point 10): the admin knows that password, so until the user sets their own,
every page leads to 修改密码 and the API answers 403. Existing accounts are not forced (false).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN with a default (no table rebuild on SQLite: the users table's constraints stay)
    op.add_column('users', sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                     server_default=sa.false()))


def downgrade() -> None:
    op.drop_column('users', 'must_change_password')
