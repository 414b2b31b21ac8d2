"""indicator figures entered by hand; indexes for the indicator report

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 20:20:00.000000

``indicator_figures`` keeps what the record cannot show (staff counts, regulations) with its source
and who entered it; like every record it refuses UPDATE and DELETE. The indexes serve the report's
period filters and joins (reviews, decisions, replies by time or review), the case counts by status,
and the audit events of a case by action (whether its record holds a step).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('indicator_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('number', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('entered_by', sa.Integer(), nullable=True),
    sa.Column('entered_by_name', sa.String(length=100), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(source) > 0', name=op.f('ck_indicator_figures_source_required')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_indicator_figures_agency_id_agencies')),
    sa.ForeignKeyConstraint(['entered_by'], ['users.id'], name=op.f('fk_indicator_figures_entered_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_figures'))
    )
    op.create_index('ix_indicator_figures_agency_id_key', 'indicator_figures', ['agency_id', 'key', 'valid_from'])
    op.create_index('ix_cases_agency_id_status', 'cases', ['agency_id', 'status'])
    op.create_index('ix_reviews_submitted_at', 'reviews', ['submitted_at'])
    op.create_index('ix_replies_review_id', 'replies', ['review_id'])
    op.create_index('ix_decisions_decided_at', 'decisions', ['decided_at'])
    op.create_index('ix_audit_events_case_id_action', 'audit_events', ['case_id', 'action'])
    _refuse_update_and_delete('indicator_figures')


def _refuse_update_and_delete(table: str) -> None:
    """Figures are records: a correction is a new row (DESIGN.md §4.6); the SQL is kept here, not imported."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is immutable'); END")
    else:  # refuse_record_change() was created by 0001
        op.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION refuse_record_change()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS indicator_figures_no_{verb}")
    for name, table in (('ix_audit_events_case_id_action', 'audit_events'), ('ix_decisions_decided_at', 'decisions'), ('ix_replies_review_id', 'replies'),
                        ('ix_reviews_submitted_at', 'reviews'), ('ix_cases_agency_id_status', 'cases')):
        op.drop_index(name, table_name=table)
    op.drop_table('indicator_figures')
