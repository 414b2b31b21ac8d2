"""an index on documents (kind, created_at): indicator (131) counts the 决定书 drafts generated in a period

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 22:40:00.000000
"""
from __future__ import annotations

from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_documents_kind_created_at', 'documents', ['kind', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_documents_kind_created_at', table_name='documents')
