"""documents: the issued .docx files of each case (immutable)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 20:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('template_sha256', sa.String(length=64), nullable=False),
    sa.Column('template_source', sa.String(length=10), nullable=False),
    sa.Column('audit_seq', sa.Integer(), nullable=True),
    sa.Column('issued_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('opinion','reply','coordination','approval','accountability')", name=op.f('ck_documents_kind_known')),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_documents_sha256_length')),
    sa.CheckConstraint('round >= 0 AND sequence >= 1', name=op.f('ck_documents_round_sequence_valid')),
    sa.CheckConstraint("template_source IN ('packaged','instance')", name=op.f('ck_documents_template_source_known')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_documents_case_id_cases')),
    sa.ForeignKeyConstraint(['issued_by'], ['users.id'], name=op.f('fk_documents_issued_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('case_id', 'kind', 'round', 'sequence', name=op.f('uq_documents_case_id_kind_round_sequence'))
    )
    op.create_index('ix_documents_case_id_id', 'documents', ['case_id', 'id'], unique=False)
    _refuse_update_and_delete('documents')


def _refuse_update_and_delete(table: str) -> None:
    """A document once issued never changes (DESIGN.md §4.6); the SQL is kept here, not imported."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is immutable'); END")
    else:  # refuse_record_change() was created by 0001
        op.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION refuse_record_change()")


def downgrade() -> None:
    op.drop_index('ix_documents_case_id_id', table_name='documents')
    op.drop_table('documents')
