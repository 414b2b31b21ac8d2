"""paths the process lacked: withdrawal of a submission, termination, transfer to judicial organs

Records written once and never changed (triggers as in 0012), and the ``termination`` and ``transfer``
document kinds (移送 record, 终止 decision record).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 02:30:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_KINDS_BEFORE = ('opinion', 'reply', 'coordination', 'collective_discussion', 'approval', 'accountability')
_KINDS_AFTER = ('opinion', 'reply', 'coordination', 'collective_discussion', 'approval', 'termination',
                'transfer', 'accountability')
_RECORDS = ('submission_withdrawals', 'termination_requests', 'termination_decisions', 'transfers')
_REASONS = ("'party_died_no_heir','legal_person_terminated','facts_not_established','time_barred',"
            "'no_jurisdiction','other'")


def upgrade() -> None:
    op.create_table('submission_withdrawals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('at_task', sa.String(length=30), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('withdrawn_by', sa.Integer(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_submission_withdrawals_case_id_cases')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_withdrawals_submission_id_submissions')),
    sa.ForeignKeyConstraint(['withdrawn_by'], ['users.id'], name=op.f('fk_submission_withdrawals_withdrawn_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_withdrawals'))
    )
    op.create_index(op.f('ix_submission_withdrawals_case_id'), 'submission_withdrawals', ['case_id'], unique=False)
    op.create_table('termination_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reason_code', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at_task', sa.String(length=30), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(f"reason_code IN ({_REASONS})", name=op.f('ck_termination_requests_reason_known')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_termination_requests_case_id_cases')),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_termination_requests_requested_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_termination_requests'))
    )
    op.create_index(op.f('ix_termination_requests_case_id'), 'termination_requests', ['case_id'], unique=False)
    op.create_table('termination_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('approved', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('head_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_termination_decisions_case_id_cases')),
    sa.ForeignKeyConstraint(['head_id'], ['users.id'], name=op.f('fk_termination_decisions_head_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['termination_requests.id'],
                            name=op.f('fk_termination_decisions_request_id_termination_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_termination_decisions')),
    sa.UniqueConstraint('request_id', name=op.f('uq_termination_decisions_request_id'))
    )
    op.create_index(op.f('ix_termination_decisions_case_id'), 'termination_decisions', ['case_id'], unique=False)
    op.create_table('transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('transferred', sa.Boolean(), nullable=False),
    sa.Column('receiving_organ', sa.String(length=200), nullable=True),
    sa.Column('transferred_on', sa.Date(), nullable=True),
    sa.Column('file_number', sa.String(length=100), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('head_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('review','head')", name=op.f('ck_transfers_source_known')),
    sa.CheckConstraint('NOT transferred OR (receiving_organ IS NOT NULL AND transferred_on IS NOT NULL '
                       'AND file_number IS NOT NULL)', name=op.f('ck_transfers_transfer_complete')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_transfers_case_id_cases')),
    sa.ForeignKeyConstraint(['head_id'], ['users.id'], name=op.f('fk_transfers_head_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfers'))
    )
    op.create_index(op.f('ix_transfers_case_id'), 'transfers', ['case_id'], unique=False)
    for table in _RECORDS:
        _immutable(table)
    _document_kinds(_KINDS_AFTER)


def _immutable(table: str) -> None:
    """A record once written never changes (DESIGN.md §4.6); the SQL is kept here, not imported."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is immutable'); END")
    else:  # refuse_record_change() was created by 0001
        op.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION refuse_record_change()")


def _document_kinds(kinds: tuple[str, ...]) -> None:
    """Set the CHECK of ``documents.kind`` to ``kinds`` (SQLite rebuilds the table: its triggers come back)."""
    listed = ",".join(f"'{kind}'" for kind in kinds)
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table('documents', recreate='always') as batch_op:
            batch_op.drop_constraint(op.f('ck_documents_kind_known'), type_='check')
            batch_op.create_check_constraint(op.f('ck_documents_kind_known'), f"kind IN ({listed})")
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER IF NOT EXISTS documents_no_{verb.lower()} BEFORE {verb} ON documents "
                       "BEGIN SELECT RAISE(ABORT, 'documents is immutable'); END")
    else:
        op.drop_constraint(op.f('ck_documents_kind_known'), 'documents', type_='check')
        op.create_check_constraint(op.f('ck_documents_kind_known'), 'documents', f"kind IN ({listed})")


def downgrade() -> None:
    _document_kinds(_KINDS_BEFORE)
    for table in reversed(_RECORDS):
        if op.get_bind().dialect.name == "sqlite":
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
        op.drop_index(op.f(f'ix_{table}_case_id'), table_name=table)
        op.drop_table(table)
