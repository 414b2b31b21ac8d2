"""document numbers: each document's own 文号 from a per-agency, per-series, per-year sequence

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 18:40:00.000000

``document_number_sequences`` holds the last ordinal given per agency, series (a document kind, ``decision`` or
``decision.<decision_type>``) and year; ``documents.number`` the 文号 printed on the document (unique; none
for rows issued before, which printed the 案号). The ``penalty_decision`` kind (行政处罚决定书（代拟稿）) joins
the kinds of ``documents`` (issue 18).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

_KINDS_BEFORE = ('opinion', 'reply', 'coordination', 'collective_discussion', 'approval', 'termination',
                 'transfer', 'accountability')
_KINDS_AFTER = (*_KINDS_BEFORE, 'penalty_decision')


def upgrade() -> None:
    op.create_table('document_number_sequences',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.CheckConstraint('last_number >= 1', name=op.f('ck_document_number_sequences_last_number_positive')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'],
                            name=op.f('fk_document_number_sequences_agency_id_agencies')),
    sa.PrimaryKeyConstraint('agency_id', 'kind', 'year', name=op.f('pk_document_number_sequences'))
    )
    _documents(_KINDS_AFTER, numbered=True)


def _documents(kinds: tuple[str, ...], *, numbered: bool) -> None:
    """Set the CHECK of ``documents.kind`` to ``kinds`` and add (or drop) ``number`` with its unique constraint.

    SQLite rebuilds the table, which drops its triggers: they come back as 0013 made them.
    """
    listed = ",".join(f"'{kind}'" for kind in kinds)
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table('documents', recreate='always') as batch_op:
            batch_op.drop_constraint(op.f('ck_documents_kind_known'), type_='check')
            batch_op.create_check_constraint(op.f('ck_documents_kind_known'), f"kind IN ({listed})")
            if numbered:
                batch_op.add_column(sa.Column('number', sa.String(length=100), nullable=True))
                batch_op.create_unique_constraint(op.f('uq_documents_number'), ['number'])
            else:
                batch_op.drop_constraint(op.f('uq_documents_number'), type_='unique')
                batch_op.drop_column('number')
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER IF NOT EXISTS documents_no_{verb.lower()} BEFORE {verb} ON documents "
                       "BEGIN SELECT RAISE(ABORT, 'documents is immutable'); END")
        return
    if numbered:
        op.add_column('documents', sa.Column('number', sa.String(length=100), nullable=True))
        op.create_unique_constraint(op.f('uq_documents_number'), 'documents', ['number'])
    else:
        op.drop_constraint(op.f('uq_documents_number'), 'documents', type_='unique')
        op.drop_column('documents', 'number')
    op.drop_constraint(op.f('ck_documents_kind_known'), 'documents', type_='check')
    op.create_check_constraint(op.f('ck_documents_kind_known'), 'documents', f"kind IN ({listed})")


def downgrade() -> None:
    # a 代拟稿 issued meanwhile cannot stay under the old CHECK; documents are never deleted, so refuse
    if op.get_bind().execute(sa.text("SELECT count(*) FROM documents WHERE kind = 'penalty_decision'")).scalar():
        raise RuntimeError("documents of kind penalty_decision exist: downgrading below 0020 would lose them")
    _documents(_KINDS_BEFORE, numbered=False)
    op.drop_table('document_number_sequences')
