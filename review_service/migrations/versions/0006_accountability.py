"""accountability inquiries and findings; the audit log's hash recorded; incremental checkpoints

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 20:30:00
"""
from __future__ import annotations

import os
import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

APP_ROLE_ENV = "REVIEW_SERVICE_DB_APP_ROLE"


def upgrade() -> None:
    op.create_table('accountability_inquiries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('document_sha256', sa.String(length=64), nullable=True),
    sa.CheckConstraint("reason IN ('revoked','confirmed_illegal','ordered_remake')",
                       name=op.f('ck_accountability_inquiries_reason_known')),
    sa.CheckConstraint("status IN ('open','closed')", name=op.f('ck_accountability_inquiries_status_known')),
    sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)",
                       name=op.f('ck_accountability_inquiries_closed_has_time')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'],
                            name=op.f('fk_accountability_inquiries_agency_id_agencies')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_accountability_inquiries_case_id_cases')),
    sa.ForeignKeyConstraint(['closed_by'], ['users.id'], name=op.f('fk_accountability_inquiries_closed_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accountability_inquiries'))
    )
    with op.batch_alter_table('accountability_inquiries', schema=None) as batch_op:
        batch_op.create_index('ix_accountability_inquiries_agency_id_closed_at', ['agency_id', 'closed_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_accountability_inquiries_case_id'), ['case_id'], unique=False)

    op.create_table('accountability_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inquiry_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('finding', sa.String(length=20), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("finding IN ('abuse_of_power','dereliction','favoritism','no_fault')",
                       name=op.f('ck_accountability_findings_finding_known')),
    sa.ForeignKeyConstraint(['inquiry_id'], ['accountability_inquiries.id'],
                            name=op.f('fk_accountability_findings_inquiry_id_accountability_inquiries')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_accountability_findings_recorded_by_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_accountability_findings_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accountability_findings')),
    sa.UniqueConstraint('inquiry_id', 'user_id', name=op.f('uq_accountability_findings_inquiry_id_user_id'))
    )
    with op.batch_alter_table('accountability_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accountability_findings_inquiry_id'), ['inquiry_id'], unique=False)

    op.create_table('audit_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('hash_algorithm', sa.String(length=16), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_audit_settings_single_row')),
    sa.CheckConstraint("hash_algorithm IN ('sha256','sm3')", name=op.f('ck_audit_settings_hash_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_settings'))
    )
    # A log written before this revision was hashed with SHA-256, the only hash there was.
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM audit_events LIMIT 1")).first() is not None:
        bind.execute(sa.text("INSERT INTO audit_settings (id, hash_algorithm, recorded_at) VALUES (1, 'sha256', :at)"),
                     {"at": datetime.now(UTC)})
    _immutable("audit_settings")
    # Adding a nullable column keeps the checkpoints' immutability triggers (no table rebuild on SQLite).
    op.add_column('audit_checkpoints', sa.Column('compact_range', sa.Text(), nullable=True))

    app_role = os.environ.get(APP_ROLE_ENV)
    if app_role and bind.dialect.name == "postgresql":
        _grant_app_role(app_role)


def _immutable(table: str) -> None:
    """Refuse UPDATE and DELETE on ``table`` (its SQL kept here, not imported: migrations stay as written)."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is immutable'); END")
    else:  # refuse_record_change() was created by 0001
        op.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION refuse_record_change()")


def _grant_app_role(app_role: str) -> None:
    """The application's role may read and write the domain tables but only append to the audit records.

    Run by the tables' owner (the role ``review-service init`` connects as); the app connects as
    ``app_role``. Tables created by later migrations get the same default privileges, and the
    audit tables lose UPDATE, DELETE and TRUNCATE (README: "The audit trail on PostgreSQL").
    """
    for statement in app_role_sql(app_role):
        op.execute(statement)


# Frozen copy of ``review_service.audit.ddl.postgres_app_role_sql`` at this revision.
ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$-]{0,62}$")
AUDIT_RECORD_TABLES = ("audit_events", "audit_checkpoints", "audit_settings")


def app_role_sql(app_role: str, schema: str = "public") -> list[str]:
    """Read and write every table (and later ones, by default privileges); only append the audit records."""
    if not ROLE_NAME.match(app_role) or not ROLE_NAME.match(schema):
        raise ValueError(f"不是合法的 PostgreSQL 角色名或模式名：{app_role!r} / {schema!r}")
    role, space = '"' + app_role + '"', '"' + schema + '"'
    statements = [
        f"GRANT USAGE ON SCHEMA {space} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {space} TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {space} TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {space} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {space} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
    ]
    for table in AUDIT_RECORD_TABLES:
        statements += [
            f"REVOKE UPDATE, DELETE, TRUNCATE ON TABLE {space}.{table} FROM PUBLIC",
            f"REVOKE UPDATE, DELETE, TRUNCATE ON TABLE {space}.{table} FROM {role}",
        ]
    statements.append(f"GRANT SELECT, INSERT, UPDATE ON TABLE {space}.audit_head TO {role}")
    return statements


def downgrade() -> None:
    op.drop_column('audit_checkpoints', 'compact_range')
    op.drop_table('audit_settings')
    with op.batch_alter_table('accountability_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accountability_findings_inquiry_id'))
    op.drop_table('accountability_findings')
    with op.batch_alter_table('accountability_inquiries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accountability_inquiries_case_id'))
        batch_op.drop_index('ix_accountability_inquiries_agency_id_closed_at')
    op.drop_table('accountability_inquiries')
