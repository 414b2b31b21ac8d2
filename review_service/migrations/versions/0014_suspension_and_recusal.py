"""suspension and resumption of a case; recusal declarations at assignment

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 02:30:00.000000

``cases.suspended`` marks a case suspended (中止): every action but resumption is refused; ``suspensions``
holds each period with its legal reason, who suspended and who resumed it. ``deadlines.paused_days`` /
``paused_on``: the working days a deadline was pushed back by suspensions, and the day its count stopped.
``recusal_declarations``: a reviewer's or advisor's 无利害关系 statement or decline (回避) per assignment.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# frozen here: the migration must not follow later code
REASONS = ("party_died_awaiting_heir", "party_incapacitated", "entity_terminated_awaiting_successor", "appraisal",
           "awaiting_other_authority", "force_majeure", "other")
_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    # plain ADD COLUMN (no table rebuild on SQLite: the triggers and partial indexes of both tables stay)
    op.add_column('cases', sa.Column('suspended', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('deadlines', sa.Column('paused_days', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('deadlines', sa.Column('paused_on', sa.Date(), nullable=True))

    reasons = ",".join(f"'{code}'" for code in REASONS)
    op.create_table(
        'suspensions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=40), nullable=False),
        sa.Column('reason_text', sa.Text(), nullable=False),
        sa.Column('at_task', sa.String(length=30), nullable=True),
        sa.Column('suspended_at', _TZ, nullable=False),
        sa.Column('suspended_by', sa.Integer(), nullable=False),
        sa.Column('suspended_role', sa.String(length=20), nullable=False),
        sa.Column('resumed_at', _TZ, nullable=True),
        sa.Column('resumed_by', sa.Integer(), nullable=True),
        sa.Column('resume_note', sa.Text(), nullable=True),
        sa.Column('paused_working_days', sa.Integer(), nullable=True),
        sa.CheckConstraint(f"reason IN ({reasons})", name=op.f('ck_suspensions_reason_known')),
        sa.CheckConstraint("reason <> 'other' OR length(reason_text) > 0",
                           name=op.f('ck_suspensions_other_reason_written')),
        sa.CheckConstraint('(resumed_at IS NULL) = (resumed_by IS NULL)', name=op.f('ck_suspensions_resumed_together')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_suspensions_case_id_cases')),
        sa.ForeignKeyConstraint(['suspended_by'], ['users.id'], name=op.f('fk_suspensions_suspended_by_users')),
        sa.ForeignKeyConstraint(['resumed_by'], ['users.id'], name=op.f('fk_suspensions_resumed_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_suspensions')),
    )
    op.create_index(op.f('ix_suspensions_case_id'), 'suspensions', ['case_id'])
    op.create_index('uq_suspensions_open_case', 'suspensions', ['case_id'], unique=True,
                    sqlite_where=sa.text('resumed_at IS NULL'), postgresql_where=sa.text('resumed_at IS NULL'))

    op.create_table(
        'recusal_declarations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('assignment_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('capacity', sa.String(length=10), nullable=False),
        sa.Column('declaration', sa.String(length=12), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('declared_at', _TZ, nullable=False),
        sa.CheckConstraint("capacity IN ('reviewer','advisor')", name=op.f('ck_recusal_declarations_capacity_known')),
        sa.CheckConstraint("declaration IN ('no_conflict','decline')",
                           name=op.f('ck_recusal_declarations_declaration_known')),
        sa.CheckConstraint("declaration = 'no_conflict' OR length(reason) > 0",
                           name=op.f('ck_recusal_declarations_decline_reasoned')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_recusal_declarations_case_id_cases')),
        sa.ForeignKeyConstraint(['assignment_id'], ['review_assignments.id'],
                                name=op.f('fk_recusal_declarations_assignment_id_review_assignments')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recusal_declarations_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recusal_declarations')),
        sa.UniqueConstraint('assignment_id', 'user_id', name=op.f('uq_recusal_declarations_assignment_id_user_id')),
    )
    op.create_index(op.f('ix_recusal_declarations_case_id'), 'recusal_declarations', ['case_id'])
    # a declaration is a record (DESIGN.md §4.6): never edited, never deleted
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER IF NOT EXISTS recusal_declarations_no_{verb.lower()} BEFORE {verb} "
                       "ON recusal_declarations BEGIN SELECT RAISE(ABORT, 'recusal_declarations is immutable'); END")
    else:  # refuse_record_change() was created by 0001
        op.execute("CREATE TRIGGER recusal_declarations_immutable BEFORE UPDATE OR DELETE ON recusal_declarations "
                   "FOR EACH ROW EXECUTE FUNCTION refuse_record_change()")


def downgrade() -> None:
    op.drop_index(op.f('ix_recusal_declarations_case_id'), table_name='recusal_declarations')
    op.drop_table('recusal_declarations')
    op.drop_index('uq_suspensions_open_case', table_name='suspensions')
    op.drop_index(op.f('ix_suspensions_case_id'), table_name='suspensions')
    op.drop_table('suspensions')
    # plain DROP COLUMN (SQLite ≥ 3.35): rebuilding ``cases`` would trip the foreign keys that point at it
    op.drop_column('deadlines', 'paused_on')
    op.drop_column('deadlines', 'paused_days')
    op.drop_column('cases', 'suspended')
