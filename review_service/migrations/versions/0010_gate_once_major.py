"""the gate without holes: once major, confirmed downgrades, possible splits, a trigger that checks the review itself

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 02:30:00.000000

``submissions.major`` records how each submission was routed, so that a case once submitted as major
stays under the gate (DESIGN.md §4.1); ``downgrade_requests`` / ``downgrade_decisions`` are the review
lead's confirmed reclassifications; ``possible_splits`` the cases flagged as one matter split to stay under a
threshold. The decision trigger is replaced by one that reads the review, the classification, the approval
and the submissions itself (frozen here from review_service.decisions.ddl), and ``cases.status`` admits ``transferred``.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# The gate trigger's condition before this revision (restored by the downgrade).
PREVIOUS_GATE = """
    NEW.draft_version_id IS NOT (SELECT current_draft_id FROM cases WHERE id = NEW.case_id)
    OR (NEW.clearance = 'review' AND NEW.review_id IS NOT
        (SELECT id FROM reviews WHERE case_id = NEW.case_id ORDER BY round DESC LIMIT 1))
    OR (NEW.clearance = 'not_major' AND NEW.classification_id IS NOT
        (SELECT max(id) FROM classifications WHERE case_id = NEW.case_id))
"""

STATUSES = ("'draft','awaiting_signoff','awaiting_materials','in_review','awaiting_reply','awaiting_resubmission',"
            "'in_coordination','awaiting_approval','decided','closed'")


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    op.add_column('submissions', sa.Column('major', sa.Boolean(), nullable=False, server_default=sa.true()))
    # A first submission went to review only when its draft was classified major; a resubmission always did.
    backfill = ("UPDATE submissions SET major = false WHERE kind = 'submit' AND EXISTS (SELECT 1 FROM "
                "classifications c WHERE c.draft_version_id = submissions.draft_version_id) AND NOT EXISTS "
                "(SELECT 1 FROM classifications c WHERE c.draft_version_id = submissions.draft_version_id "
                "AND c.major = true)")
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS submissions_no_update")
        op.execute(backfill)
    else:
        op.execute("ALTER TABLE submissions DISABLE TRIGGER submissions_immutable")
        op.execute(backfill)
        op.execute("ALTER TABLE submissions ENABLE TRIGGER submissions_immutable")

    _status_check(bind, STATUSES, f"{STATUSES},'transferred'")

    op.create_table('downgrade_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('draft_version_id', sa.Integer(), nullable=False),
    sa.Column('draft_sha256', sa.String(length=64), nullable=False),
    sa.Column('classification_id', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['classification_id'], ['classifications.id'],
                            name=op.f('fk_downgrade_requests_classification_id_classifications')),
    sa.ForeignKeyConstraint(['draft_version_id', 'case_id', 'draft_sha256'],
                            ['draft_versions.id', 'draft_versions.case_id', 'draft_versions.sha256'],
                            name='fk_downgrade_requests_draft_identity'),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_downgrade_requests_requested_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_downgrade_requests'))
    )
    op.create_index(op.f('ix_downgrade_requests_case_id'), 'downgrade_requests', ['case_id'], unique=False)
    op.create_table('downgrade_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('draft_version_id', sa.Integer(), nullable=False),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_downgrade_decisions_case_id_cases')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_downgrade_decisions_decided_by_users')),
    sa.ForeignKeyConstraint(['draft_version_id'], ['draft_versions.id'],
                            name=op.f('fk_downgrade_decisions_draft_version_id_draft_versions')),
    sa.ForeignKeyConstraint(['request_id'], ['downgrade_requests.id'],
                            name=op.f('fk_downgrade_decisions_request_id_downgrade_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_downgrade_decisions')),
    sa.UniqueConstraint('request_id', name=op.f('uq_downgrade_decisions_request_id'))
    )
    op.create_index(op.f('ix_downgrade_decisions_case_id'), 'downgrade_decisions', ['case_id'], unique=False)
    op.create_table('possible_splits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('related_case_id', sa.Integer(), nullable=False),
    sa.Column('basis', sa.JSON(), nullable=False),
    sa.Column('flagged_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_possible_splits_case_id_cases')),
    sa.ForeignKeyConstraint(['related_case_id'], ['cases.id'], name=op.f('fk_possible_splits_related_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_possible_splits')),
    sa.UniqueConstraint('case_id', 'related_case_id', name=op.f('uq_possible_splits_case_id_related_case_id'))
    )
    op.create_index(op.f('ix_possible_splits_case_id'), 'possible_splits', ['case_id'], unique=False)

    _install_gate(bind.dialect.name)  # the gate that reads the records itself, and the new records' triggers


# Frozen copy of what ``review_service.decisions.ddl.install`` created at this revision.
IMMUTABLE_TABLES = ("draft_versions", "materials", "classifications", "submissions", "signoffs",
                    "review_assignments", "review_intakes", "reviews", "replies", "coordinations", "approvals",
                    "decisions", "downgrade_requests", "downgrade_decisions", "possible_splits")

# True when the row NEW would decide a case without clearance. Plain SQL both databases run
# (PostgreSQL spells SQLite's null-safe ``IS NOT`` as ``IS DISTINCT FROM``).
GATE_VIOLATION = """
    NEW.clearance IS NULL OR NEW.clearance NOT IN ('review', 'not_major')
    OR NEW.draft_version_id IS NOT (SELECT current_draft_id FROM cases WHERE id = NEW.case_id)
    OR NOT EXISTS (SELECT 1 FROM draft_versions d WHERE d.id = NEW.draft_version_id
                   AND d.case_id = NEW.case_id AND d.sha256 = NEW.draft_sha256)
    OR NOT EXISTS (SELECT 1 FROM approvals a WHERE a.id = NEW.approval_id AND a.case_id = NEW.case_id
                   AND a.approved = true AND a.draft_sha256 = NEW.draft_sha256)
    OR (NEW.clearance = 'review' AND NOT EXISTS (
        SELECT 1 FROM reviews r
        WHERE r.id = NEW.review_id AND r.case_id = NEW.case_id AND r.conclusion = 'approve'
          AND r.draft_version_id = NEW.draft_version_id AND r.draft_sha256 = NEW.draft_sha256
          AND r.round = (SELECT max(l.round) FROM reviews l WHERE l.case_id = NEW.case_id)))
    OR (NEW.clearance = 'not_major' AND NOT (
        EXISTS (
            SELECT 1 FROM classifications c
            WHERE c.id = NEW.classification_id AND c.case_id = NEW.case_id AND c.major = false
              AND c.draft_version_id = NEW.draft_version_id AND c.draft_sha256 = NEW.draft_sha256
              AND c.id = (SELECT max(l.id) FROM classifications l WHERE l.case_id = NEW.case_id))
        AND (NOT EXISTS (SELECT 1 FROM submissions s WHERE s.case_id = NEW.case_id AND s.major = true)
             OR EXISTS (SELECT 1 FROM downgrade_decisions g
                        WHERE g.case_id = NEW.case_id AND g.draft_version_id = NEW.draft_version_id
                          AND g.confirmed = true))))
"""
NOT_CLEARED = "not_cleared: decision without clearance of the current draft"


def _install_gate(dialect: str) -> None:
    """Replace the gate trigger; give every record table so far its refuse-change triggers."""
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS decisions_require_clearance")
        op.execute(f"CREATE TRIGGER decisions_require_clearance BEFORE INSERT ON decisions WHEN {GATE_VIOLATION} "
                   f"BEGIN SELECT RAISE(ABORT, '{NOT_CLEARED}'); END")
        for table in IMMUTABLE_TABLES:
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is immutable'); END")
        return
    condition = GATE_VIOLATION.replace(" IS NOT (", " IS DISTINCT FROM (")
    op.execute(f"""CREATE OR REPLACE FUNCTION decisions_require_clearance() RETURNS trigger AS $$
        BEGIN
            IF {condition} THEN
                RAISE EXCEPTION '{NOT_CLEARED}' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql""")
    op.execute("DROP TRIGGER IF EXISTS decisions_require_clearance ON decisions")
    op.execute("CREATE TRIGGER decisions_require_clearance BEFORE INSERT ON decisions "
               "FOR EACH ROW EXECUTE FUNCTION decisions_require_clearance()")
    op.execute("""CREATE OR REPLACE FUNCTION refuse_record_change() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '% is immutable', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END $$ LANGUAGE plpgsql""")
    for table in IMMUTABLE_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
        op.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION refuse_record_change()")


def downgrade() -> None:
    op.drop_index(op.f('ix_possible_splits_case_id'), table_name='possible_splits')
    op.drop_table('possible_splits')
    op.drop_index(op.f('ix_downgrade_decisions_case_id'), table_name='downgrade_decisions')
    op.drop_table('downgrade_decisions')
    op.drop_index(op.f('ix_downgrade_requests_case_id'), table_name='downgrade_requests')
    op.drop_table('downgrade_requests')
    _status_check(op.get_bind(), f"{STATUSES},'transferred'", STATUSES)
    # the gate trigger reads submissions.major: put back the one before this revision, then drop the column
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS decisions_require_clearance")
        op.drop_column('submissions', 'major')
        op.execute(f"CREATE TRIGGER decisions_require_clearance BEFORE INSERT ON decisions WHEN {PREVIOUS_GATE} "
                   "BEGIN SELECT RAISE(ABORT, 'not_cleared: decision without clearance of the current draft'); END")
    else:
        condition = PREVIOUS_GATE.replace(" IS NOT", " IS DISTINCT FROM")
        op.execute(f"""CREATE OR REPLACE FUNCTION decisions_require_clearance() RETURNS trigger AS $$
            BEGIN
                IF {condition} THEN
                    RAISE EXCEPTION 'not_cleared: decision without clearance of the current draft'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql""")
        op.drop_column('submissions', 'major')


def _status_check(bind: sa.engine.Connection, old: str, new: str) -> None:
    """Widen (or narrow) the list of ``cases.status`` values in its CHECK constraint.

    On SQLite, rebuilding ``cases`` (Alembic's batch mode) would drop a table that every record
    references while foreign keys are on; a CHECK whose list only changes leaves the stored rows as
    they are, so the table's SQL is edited in place (SQLite's documented ``writable_schema`` way).
    """
    if bind.dialect.name == "sqlite":
        sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'cases'")).scalar()
        assert sql is not None and f"status IN ({old})" in sql, "unexpected cases table definition"
        version = bind.execute(sa.text("PRAGMA schema_version")).scalar()
        assert version is not None
        bind.execute(sa.text("PRAGMA writable_schema = ON"))
        bind.execute(sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'cases'"),
                     {"sql": sql.replace(f"status IN ({old})", f"status IN ({new})")})
        bind.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
        bind.execute(sa.text("PRAGMA writable_schema = OFF"))
    else:
        op.drop_constraint(op.f('ck_cases_status_known'), 'cases', type_='check')
        op.create_check_constraint(op.f('ck_cases_status_known'), 'cases', sa.text(f"status IN ({new})"))
