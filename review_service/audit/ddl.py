"""What the database itself enforces about the audit log: it is append-only (DESIGN.md §4.5, §9).

SQLite: triggers refuse UPDATE and DELETE on ``audit_events``. PostgreSQL: a
trigger function refuses UPDATE and DELETE (per row) and TRUNCATE (per
statement); in production the app role additionally lacks those privileges
(:func:`postgres_grants_sql`), which also stops it from dropping the triggers
as long as it does not own the table. ``audit_head`` stays writable: it is
the lock writers take, and ``verify`` checks it against the log.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection

APPEND_ONLY_MESSAGE = "audit_events is append-only"
SQLITE_TRIGGERS = ("audit_events_no_update", "audit_events_no_delete")
PG_FUNCTION = "audit_events_refuse_change"
PG_ROW_TRIGGER = "audit_events_append_only"
PG_TRUNCATE_TRIGGER = "audit_events_no_truncate"


def install(connection: Connection) -> None:
    """Create the append-only triggers for the connection's dialect; safe to run again."""
    if connection.dialect.name == "sqlite":
        _install_sqlite(connection)
    elif connection.dialect.name == "postgresql":
        _install_postgres(connection)
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"unsupported database: {connection.dialect.name}")


def _install_sqlite(connection: Connection) -> None:
    for name, verb in zip(SQLITE_TRIGGERS, ("UPDATE", "DELETE"), strict=True):
        connection.execute(text(f"""
            CREATE TRIGGER IF NOT EXISTS {name} BEFORE {verb} ON audit_events
            BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END
        """))


def _install_postgres(connection: Connection) -> None:
    connection.execute(text(f"""
        CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '{APPEND_ONLY_MESSAGE} (% refused)', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$ LANGUAGE plpgsql
    """))
    # Create each trigger only if missing: re-running never drops the protection, not even briefly.
    for name, timing in (
        (PG_ROW_TRIGGER, "BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW"),
        (PG_TRUNCATE_TRIGGER, "BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT"),
    ):
        connection.execute(text(f"""
            DO $$
            BEGIN
                IF NOT EXISTS (
                    SELECT 1 FROM pg_trigger
                    WHERE tgname = '{name}' AND tgrelid = 'audit_events'::regclass
                ) THEN
                    CREATE TRIGGER {name} {timing} EXECUTE FUNCTION {PG_FUNCTION}();
                END IF;
            END $$
        """))


_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$-]{0,62}$")


def postgres_grants_sql(app_role: str) -> list[str]:
    """SQL that leaves ``app_role`` able to read and append the audit log but not change it.

    Revokes UPDATE, DELETE and TRUNCATE on ``audit_events`` (from the role and
    from PUBLIC) and grants SELECT, INSERT on it plus SELECT, INSERT, UPDATE on
    ``audit_head``. Run it as the tables' owner, which must not be ``app_role``
    (an owner can grant itself anything back and drop the triggers).
    """
    if not _ROLE_NAME.match(app_role):
        raise ValueError(f"不是合法的 PostgreSQL 角色名：{app_role!r}（字母或下划线开头，仅含字母、数字、_、$、-）")
    role = '"' + app_role + '"'
    return [
        "REVOKE UPDATE, DELETE, TRUNCATE ON TABLE audit_events FROM PUBLIC",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON TABLE audit_events FROM {role}",
        f"GRANT SELECT, INSERT ON TABLE audit_events TO {role}",
        f"GRANT SELECT, INSERT, UPDATE ON TABLE audit_head TO {role}",
    ]


# Records the application only ever appends: the audit log, its checkpoints and the hash it was started with.
AUDIT_RECORD_TABLES = ("audit_events", "audit_checkpoints", "audit_settings")


def postgres_app_role_sql(app_role: str, schema: str = "public") -> list[str]:
    """The whole privilege set-up of the application's role, run by the tables' owner.

    ``app_role`` may use the schema, read and write every table (and the
    tables later migrations create, through default privileges), use the
    sequences — and only SELECT and INSERT the audit records
    (:data:`AUDIT_RECORD_TABLES`): no UPDATE, DELETE or TRUNCATE, and as it
    owns nothing it cannot drop the triggers or grant itself more.
    """
    if not _ROLE_NAME.match(app_role) or not _ROLE_NAME.match(schema):
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
