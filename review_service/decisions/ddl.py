"""Database-level guarantees of the decision gate and of "nothing is deleted" (DESIGN.md §4.1, §4.6).

The composite keys in ``decisions.models`` bind a decision to an approving review
of its draft; these triggers add what a key cannot say: the review is the case's
latest round, the draft is the case's current draft, and a not-major clearance
is the case's latest classification. Record tables refuse UPDATE and DELETE.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

# Records that are versions or facts: never edited, never deleted.
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
)

_GATE_CONDITION = """
    NEW.draft_version_id IS NOT (SELECT current_draft_id FROM cases WHERE id = NEW.case_id)
    OR (NEW.clearance = 'review' AND NEW.review_id IS NOT
        (SELECT id FROM reviews WHERE case_id = NEW.case_id ORDER BY round DESC LIMIT 1))
    OR (NEW.clearance = 'not_major' AND NEW.classification_id IS NOT
        (SELECT max(id) FROM classifications WHERE case_id = NEW.case_id))
"""


def install(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        _install_sqlite(connection)
    elif connection.dialect.name == "postgresql":
        _install_postgres(connection)
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"unsupported database: {connection.dialect.name}")


def _install_sqlite(connection: Connection) -> None:
    connection.execute(text(f"""
        CREATE TRIGGER IF NOT EXISTS decisions_require_clearance BEFORE INSERT ON decisions
        WHEN {_GATE_CONDITION}
        BEGIN SELECT RAISE(ABORT, 'not_cleared: decision without clearance of the current draft'); END
    """))
    for table in IMMUTABLE_TABLES:
        for verb in ("UPDATE", "DELETE"):
            connection.execute(text(f"""
                CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} is immutable'); END
            """))


def _install_postgres(connection: Connection) -> None:
    pg_condition = _GATE_CONDITION.replace(" IS NOT", " IS DISTINCT FROM")  # SQLite's null-safe <>
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
    for table in IMMUTABLE_TABLES:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}"))
        connection.execute(text(f"""
            CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION refuse_record_change()
        """))
