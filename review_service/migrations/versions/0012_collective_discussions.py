"""collective discussion (行政处罚法 art. 57) as its own record: participants, views, conclusion, the draft it concerns

Also the 情节复杂 flags the review body or the head set on a case, and the ``collective_discussion``
document kind (the documents' ``kind`` column widens to 30 characters to hold it).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 02:30:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_KINDS_BEFORE = ('opinion', 'reply', 'coordination', 'approval', 'accountability')
_KINDS_AFTER = ('opinion', 'reply', 'coordination', 'collective_discussion', 'approval', 'accountability')
_RECORDS = ('collective_discussions', 'collective_discussion_participants', 'complexity_flags')


def upgrade() -> None:
    op.create_table('collective_discussions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('draft_version_id', sa.Integer(), nullable=False),
    sa.Column('draft_sha256', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('coordination_id', sa.Integer(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('chair_id', sa.Integer(), nullable=False),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('coordination','approval','recorded')",
                       name=op.f('ck_collective_discussions_source_known')),
    sa.CheckConstraint('length(conclusion) > 0', name=op.f('ck_collective_discussions_conclusion_given')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_collective_discussions_case_id_cases')),
    sa.ForeignKeyConstraint(['chair_id'], ['users.id'], name=op.f('fk_collective_discussions_chair_id_users')),
    sa.ForeignKeyConstraint(['coordination_id'], ['coordinations.id'],
                            name=op.f('fk_collective_discussions_coordination_id_coordinations')),
    sa.ForeignKeyConstraint(['draft_version_id', 'case_id', 'draft_sha256'],
                            ['draft_versions.id', 'draft_versions.case_id', 'draft_versions.sha256'],
                            name='fk_collective_discussions_draft_identity'),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_collective_discussions_recorded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collective_discussions'))
    )
    op.create_index(op.f('ix_collective_discussions_case_id'), 'collective_discussions', ['case_id'], unique=False)
    op.create_table('collective_discussion_participants',
    sa.Column('discussion_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('view', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['discussion_id'], ['collective_discussions.id'],
                            name=op.f('fk_collective_discussion_participants_discussion_id_collective_discussions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_collective_discussion_participants_user_id_users')),
    sa.PrimaryKeyConstraint('discussion_id', 'user_id', name=op.f('pk_collective_discussion_participants'))
    )
    op.create_table('complexity_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('flagged_by', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('draft_sha256', sa.String(length=64), nullable=True),
    sa.Column('flagged_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_complexity_flags_case_id_cases')),
    sa.ForeignKeyConstraint(['flagged_by'], ['users.id'], name=op.f('fk_complexity_flags_flagged_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complexity_flags'))
    )
    op.create_index(op.f('ix_complexity_flags_case_id'), 'complexity_flags', ['case_id'], unique=False)
    for table in _RECORDS:
        _immutable(table)
    _document_kinds(_KINDS_AFTER, 30)


def _immutable(table: str) -> None:
    """A record once written never changes (DESIGN.md §4.6); the SQL is kept here, not imported."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is immutable'); END")
    else:  # refuse_record_change() was created by 0001
        op.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION refuse_record_change()")


def _document_kinds(kinds: tuple[str, ...], length: int) -> None:
    """Widen ``documents.kind`` and its CHECK to ``kinds``.

    SQLite cannot alter a CHECK: the batch rebuilds the table, which drops its triggers, so the
    immutability triggers of 0005 are made again afterwards.
    """
    listed = ",".join(f"'{kind}'" for kind in kinds)
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table('documents', recreate='always') as batch_op:
            batch_op.alter_column('kind', existing_type=sa.String(length=20 if length == 30 else 30),
                                  type_=sa.String(length=length), existing_nullable=False)
            batch_op.drop_constraint(op.f('ck_documents_kind_known'), type_='check')
            batch_op.create_check_constraint(op.f('ck_documents_kind_known'), f"kind IN ({listed})")
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER IF NOT EXISTS documents_no_{verb.lower()} BEFORE {verb} ON documents "
                       "BEGIN SELECT RAISE(ABORT, 'documents is immutable'); END")
    else:
        op.drop_constraint(op.f('ck_documents_kind_known'), 'documents', type_='check')
        op.alter_column('documents', 'kind', existing_type=sa.String(length=20 if length == 30 else 30),
                        type_=sa.String(length=length), existing_nullable=False)
        op.create_check_constraint(op.f('ck_documents_kind_known'), 'documents', f"kind IN ({listed})")


def downgrade() -> None:
    _document_kinds(_KINDS_BEFORE, 20)
    for table in reversed(_RECORDS):
        if op.get_bind().dialect.name == "sqlite":
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    op.drop_index(op.f('ix_complexity_flags_case_id'), table_name='complexity_flags')
    op.drop_table('complexity_flags')
    op.drop_table('collective_discussion_participants')
    op.drop_index(op.f('ix_collective_discussions_case_id'), table_name='collective_discussions')
    op.drop_table('collective_discussions')
