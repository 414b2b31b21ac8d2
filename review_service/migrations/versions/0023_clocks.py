"""the clocks as the law counts them (issue 19): pauses, the review extension's approval, art. 60

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 18:30:00.000000

``clock_pauses``: each dated interval a clock of a case stood still (中止, a request for materials), with the
working or calendar days it moved the due date. ``review_extension_requests``: the review period's one
extension, requested by the review body and decided by the role the agency configures.
``decision_limit_extensions`` and ``excluded_periods``: the art. 60 limit's extensions (two at most) and the
periods it does not count (听证, 鉴定/检测/检验, 公告, 送达 …). New tables only: nothing existing changes.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

# frozen here: the migration must not follow later code
CAUSES = ("suspended", "materials_requested")
EXCLUDED = ("hearing", "appraisal", "announcement", "service", "other")
REASONS = ("complex", "further_investigation", "expert_opinion", "other")
_TZ = sa.DateTime(timezone=True)


def _in(values: tuple[str, ...]) -> str:
    return ",".join(f"'{v}'" for v in values)


def upgrade() -> None:
    op.create_table(
        'clock_pauses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('deadline_id', sa.Integer(), nullable=True),
        sa.Column('clock', sa.String(length=20), nullable=False),
        sa.Column('cause', sa.String(length=30), nullable=False),
        sa.Column('suspension_id', sa.Integer(), nullable=True),
        sa.Column('unit', sa.String(length=10), nullable=False),
        sa.Column('started_on', sa.Date(), nullable=False),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('days', sa.Integer(), nullable=True),
        sa.CheckConstraint(f"cause IN ({_in(CAUSES)})", name=op.f('ck_clock_pauses_cause_known')),
        sa.CheckConstraint("unit IN ('working','calendar')", name=op.f('ck_clock_pauses_unit_known')),
        sa.CheckConstraint('ended_on IS NULL OR ended_on >= started_on', name=op.f('ck_clock_pauses_ends_after_start')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_clock_pauses_case_id_cases')),
        sa.ForeignKeyConstraint(['deadline_id'], ['deadlines.id'], name=op.f('fk_clock_pauses_deadline_id_deadlines')),
        sa.ForeignKeyConstraint(['suspension_id'], ['suspensions.id'],
                                name=op.f('fk_clock_pauses_suspension_id_suspensions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_clock_pauses')),
    )
    op.create_index(op.f('ix_clock_pauses_case_id'), 'clock_pauses', ['case_id'])

    op.create_table(
        'review_extension_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('deadline_id', sa.Integer(), nullable=False),
        sa.Column('days', sa.Integer(), nullable=False),
        sa.Column('reason_code', sa.String(length=30), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('requested_by', sa.Integer(), nullable=False),
        sa.Column('requested_role', sa.String(length=20), nullable=False),
        sa.Column('requested_at', _TZ, nullable=False),
        sa.Column('approved', sa.Boolean(), nullable=True),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('decided_role', sa.String(length=20), nullable=True),
        sa.Column('decided_at', _TZ, nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.CheckConstraint(f"reason_code IN ({_in(REASONS)})", name=op.f('ck_review_extension_requests_reason_known')),
        sa.CheckConstraint("reason_code <> 'other' OR length(reason) > 0",
                           name=op.f('ck_review_extension_requests_other_reason_written')),
        sa.CheckConstraint('days > 0', name=op.f('ck_review_extension_requests_days_positive')),
        sa.CheckConstraint('(decided_at IS NULL) = (approved IS NULL)',
                           name=op.f('ck_review_extension_requests_decided_together')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_review_extension_requests_case_id_cases')),
        sa.ForeignKeyConstraint(['deadline_id'], ['deadlines.id'],
                                name=op.f('fk_review_extension_requests_deadline_id_deadlines')),
        sa.ForeignKeyConstraint(['requested_by'], ['users.id'],
                                name=op.f('fk_review_extension_requests_requested_by_users')),
        sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_review_extension_requests_decided_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_extension_requests')),
    )
    op.create_index(op.f('ix_review_extension_requests_case_id'), 'review_extension_requests', ['case_id'])
    op.create_index('uq_review_extension_requests_pending', 'review_extension_requests', ['case_id'], unique=True,
                    sqlite_where=sa.text('decided_at IS NULL'), postgresql_where=sa.text('decided_at IS NULL'))

    op.create_table(
        'decision_limit_extensions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('days', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('approval', sa.String(length=30), nullable=False),
        sa.Column('approver', sa.String(length=200), nullable=False),
        sa.Column('approval_document', sa.String(length=200), nullable=True),
        sa.Column('approved_on', sa.Date(), nullable=False),
        sa.Column('recorded_by', sa.Integer(), nullable=False),
        sa.Column('recorded_at', _TZ, nullable=False),
        sa.CheckConstraint('seq IN (1, 2)', name=op.f('ck_decision_limit_extensions_seq_known')),
        sa.CheckConstraint('days > 0', name=op.f('ck_decision_limit_extensions_days_positive')),
        sa.CheckConstraint("approval IN ('agency_head','superior_authority','collective_discussion')",
                           name=op.f('ck_decision_limit_extensions_approval_known')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_decision_limit_extensions_case_id_cases')),
        sa.ForeignKeyConstraint(['recorded_by'], ['users.id'],
                                name=op.f('fk_decision_limit_extensions_recorded_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_limit_extensions')),
    )
    op.create_index('uq_decision_limit_extensions_seq', 'decision_limit_extensions', ['case_id', 'seq'], unique=True)

    op.create_table(
        'excluded_periods',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('start_on', sa.Date(), nullable=False),
        sa.Column('end_on', sa.Date(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('recorded_by', sa.Integer(), nullable=False),
        sa.Column('recorded_role', sa.String(length=20), nullable=False),
        sa.Column('recorded_at', _TZ, nullable=False),
        sa.CheckConstraint(f"kind IN ({_in(EXCLUDED)})", name=op.f('ck_excluded_periods_kind_known')),
        sa.CheckConstraint('end_on >= start_on', name=op.f('ck_excluded_periods_ends_after_start')),
        sa.CheckConstraint("kind <> 'other' OR length(note) > 0", name=op.f('ck_excluded_periods_other_noted')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_excluded_periods_case_id_cases')),
        sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_excluded_periods_recorded_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_excluded_periods')),
    )
    op.create_index(op.f('ix_excluded_periods_case_id'), 'excluded_periods', ['case_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_excluded_periods_case_id'), table_name='excluded_periods')
    op.drop_table('excluded_periods')
    op.drop_index('uq_decision_limit_extensions_seq', table_name='decision_limit_extensions')
    op.drop_table('decision_limit_extensions')
    op.drop_index('uq_review_extension_requests_pending', table_name='review_extension_requests')
    op.drop_index(op.f('ix_review_extension_requests_case_id'), table_name='review_extension_requests')
    op.drop_table('review_extension_requests')
    op.drop_index(op.f('ix_clock_pauses_case_id'), table_name='clock_pauses')
    op.drop_table('clock_pauses')
