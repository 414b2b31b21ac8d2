"""deadlines, reminders (notifications, mail outbox), publicity, revocation and withdrawal records

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 20:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'deadlines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('round', sa.Integer(), nullable=True),
        sa.Column('task_id', sa.String(length=36), nullable=True),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('start_on', sa.Date(), nullable=False),
        sa.Column('working_days', sa.Integer(), nullable=False),
        sa.Column('extension_days', sa.Integer(), nullable=False),
        sa.Column('extension_reason', sa.Text(), nullable=True),
        sa.Column('extended_by', sa.Integer(), nullable=True),
        sa.Column('extended_at', _TZ, nullable=True),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('remind_on', sa.Date(), nullable=False),
        sa.Column('provisional', sa.Boolean(), nullable=False),
        sa.Column('limit_on', sa.Date(), nullable=True),
        sa.Column('beyond_limit', sa.Boolean(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('opened_at', _TZ, nullable=False),
        sa.Column('closed_at', _TZ, nullable=True),
        sa.Column('next_check_at', _TZ, nullable=True),
        sa.CheckConstraint("kind IN ('review','reply','publish','withdraw')", name=op.f('ck_deadlines_kind_known')),
        sa.CheckConstraint("state IN ('open','met','cancelled')", name=op.f('ck_deadlines_state_known')),
        sa.CheckConstraint('working_days >= 0 AND extension_days >= 0', name=op.f('ck_deadlines_days_not_negative')),
        sa.CheckConstraint('due_on >= start_on', name=op.f('ck_deadlines_due_after_start')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_deadlines_case_id_cases')),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_deadlines_agency_id_agencies')),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_deadlines_owner_id_users')),
        sa.ForeignKeyConstraint(['extended_by'], ['users.id'], name=op.f('fk_deadlines_extended_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deadlines')),
    )
    op.create_index(op.f('ix_deadlines_case_id'), 'deadlines', ['case_id'])
    op.create_index(op.f('ix_deadlines_state'), 'deadlines', ['state'])
    op.create_index(op.f('ix_deadlines_next_check_at'), 'deadlines', ['next_check_at'])
    op.create_index('uq_deadlines_open_kind', 'deadlines', ['case_id', 'kind'], unique=True,
                    sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))

    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('deadline_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', _TZ, nullable=False),
        sa.Column('read_at', _TZ, nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_notifications_case_id_cases')),
        sa.ForeignKeyConstraint(['deadline_id'], ['deadlines.id'], name=op.f('fk_notifications_deadline_id_deadlines')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
        sa.UniqueConstraint('key', name=op.f('uq_notifications_key')),
    )
    op.create_index(op.f('ix_notifications_user_id'), 'notifications', ['user_id'])
    op.create_index(op.f('ix_notifications_case_id'), 'notifications', ['case_id'])

    op.create_table(
        'email_addresses',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_email_addresses_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_email_addresses')),
    )

    op.create_table(
        'mail_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notification_id', sa.Integer(), nullable=True),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', _TZ, nullable=False),
        sa.Column('claimed_until', _TZ, nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', _TZ, nullable=False),
        sa.Column('sent_at', _TZ, nullable=True),
        sa.CheckConstraint("state IN ('pending','sent','failed')", name=op.f('ck_mail_outbox_state_known')),
        sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'],
                                name=op.f('fk_mail_outbox_notification_id_notifications')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outbox')),
        sa.UniqueConstraint('notification_id', name=op.f('uq_mail_outbox_notification_id')),
    )
    op.create_index(op.f('ix_mail_outbox_next_attempt_at'), 'mail_outbox', ['next_attempt_at'])

    op.create_table(
        'publications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('published_at', _TZ, nullable=False),
        sa.Column('recorded_by', sa.Integer(), nullable=False),
        sa.Column('recorded_at', _TZ, nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_publications_case_id_cases')),
        sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_publications_decision_id_decisions')),
        sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_publications_recorded_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
        sa.UniqueConstraint('decision_id', name=op.f('uq_publications_decision_id')),
    )
    op.create_index(op.f('ix_publications_case_id'), 'publications', ['case_id'])

    op.create_table(
        'revocations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=30), nullable=False),
        sa.Column('authority', sa.String(length=300), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('recorded_by', sa.Integer(), nullable=False),
        sa.Column('recorded_at', _TZ, nullable=False),
        sa.CheckConstraint("reason IN ('revoked','confirmed_illegal','ordered_remake')",
                           name=op.f('ck_revocations_reason_known')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_revocations_case_id_cases')),
        sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_revocations_decision_id_decisions')),
        sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_revocations_recorded_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_revocations')),
        sa.UniqueConstraint('decision_id', name=op.f('uq_revocations_decision_id')),
    )
    op.create_index(op.f('ix_revocations_case_id'), 'revocations', ['case_id'])

    op.create_table(
        'withdrawals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('revocation_id', sa.Integer(), nullable=False),
        sa.Column('withdrawn_at', _TZ, nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('recorded_by', sa.Integer(), nullable=False),
        sa.Column('recorded_at', _TZ, nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_withdrawals_case_id_cases')),
        sa.ForeignKeyConstraint(['revocation_id'], ['revocations.id'],
                                name=op.f('fk_withdrawals_revocation_id_revocations')),
        sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_withdrawals_recorded_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_withdrawals')),
        sa.UniqueConstraint('revocation_id', name=op.f('uq_withdrawals_revocation_id')),
    )
    op.create_index(op.f('ix_withdrawals_case_id'), 'withdrawals', ['case_id'])

    for table in ("publications", "revocations", "withdrawals"):
        _refuse_update_and_delete(table)


def _refuse_update_and_delete(table: str) -> None:
    """Records: a revocation or withdrawal is a new row, nothing is edited or deleted (DESIGN.md §4.6)."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is immutable'); END")
    else:  # refuse_record_change() was created by 0001
        op.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION refuse_record_change()")


def downgrade() -> None:
    for table in ("withdrawals", "revocations", "publications", "mail_outbox", "email_addresses", "notifications"):
        op.drop_table(table)
    op.drop_index('uq_deadlines_open_kind', table_name='deadlines')
    op.drop_table('deadlines')
