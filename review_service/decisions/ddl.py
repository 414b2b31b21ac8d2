"""Database-level guarantees of the decision gate and of "nothing is deleted" (DESIGN.md §4.1, §4.6).

The composite keys in ``decisions.models`` bind a decision to an approving review
of its draft, but a connection with foreign keys off (a plain ``sqlite3`` shell)
skips them. So the trigger here checks the gate itself from the rows it reads,
never from the decision's own copies of them:

- the decided draft is the case's current draft, with that hash;
- the head's approval it names approved this case and this draft;
- ``review`` clearance: the case's latest review concluded ``approve`` for exactly this draft;
- ``not_major`` clearance: the case's latest classification found this draft not major, and the
  case was never submitted as major, or the review lead confirmed a downgrade of this draft.

Record tables refuse UPDATE and DELETE.
"""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

# Records that are versions or facts: never edited, never deleted. A migration that adds such a table
# creates its triggers itself (the SQL kept in the migration); this list is the whole set, which
# :func:`install` (re)creates for the tables that exist.
IMMUTABLE_TABLES = (
    "draft_versions",
    "materials",
    "classifications",
    "submissions",
    "signoffs",
    "review_assignments",
    "review_intakes",
    "reviews",
    "replies",
    "coordinations",
    "approvals",
    "decisions",
    "downgrade_requests",
    "downgrade_decisions",
    "possible_splits",
    "collective_discussions",  # 0012
    "collective_discussion_participants",
    "complexity_flags",
    "submission_withdrawals",  # 0013
    "termination_requests",
    "termination_decisions",
    "transfers",
    "recusal_declarations",  # 0014
)

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

_NOT_CLEARED = "not_cleared: decision without clearance of the current draft"


def install(connection: Connection) -> None:
    """Create (or replace) the gate trigger and the record tables' triggers that exist so far."""
    present = set(inspect(connection).get_table_names())
    tables = [table for table in IMMUTABLE_TABLES if table in present]
    if connection.dialect.name == "sqlite":
        _install_sqlite(connection, tables)
    elif connection.dialect.name == "postgresql":
        _install_postgres(connection, tables)
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"unsupported database: {connection.dialect.name}")


def _install_sqlite(connection: Connection, tables: list[str]) -> None:
    connection.execute(text("DROP TRIGGER IF EXISTS decisions_require_clearance"))
    connection.execute(text(f"""
        CREATE TRIGGER decisions_require_clearance BEFORE INSERT ON decisions
        WHEN {GATE_VIOLATION}
        BEGIN SELECT RAISE(ABORT, '{_NOT_CLEARED}'); END
    """))
    for table in tables:
        for verb in ("UPDATE", "DELETE"):
            connection.execute(text(f"""
                CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} is immutable'); END
            """))


def _install_postgres(connection: Connection, tables: list[str]) -> None:
    pg_condition = GATE_VIOLATION.replace(" IS NOT (", " IS DISTINCT FROM (")  # SQLite's null-safe <>
    connection.execute(text(f"""
        CREATE OR REPLACE FUNCTION decisions_require_clearance() RETURNS trigger AS $$
        BEGIN
            IF {pg_condition} THEN
                RAISE EXCEPTION 'not_cleared: decision without clearance of the current draft'
                    USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql
    """))
    connection.execute(text("DROP TRIGGER IF EXISTS decisions_require_clearance ON decisions"))
    connection.execute(text("""
        CREATE TRIGGER decisions_require_clearance BEFORE INSERT ON decisions
        FOR EACH ROW EXECUTE FUNCTION decisions_require_clearance()
    """))
    connection.execute(text("""
        CREATE OR REPLACE FUNCTION refuse_record_change() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '% is immutable', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END $$ LANGUAGE plpgsql
    """))
    for table in tables:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}"))
        connection.execute(text(f"""
            CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION refuse_record_change()
        """))
