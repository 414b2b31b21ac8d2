"""What the owner of the database can do to the audit trail: cut its tail, with or without the checkpoints.

The owner (SQLite: whoever can write the file; PostgreSQL: the tables' owner, README "The audit trail
on PostgreSQL") can switch off the append-only triggers; the application's role cannot. These helpers
play that owner, on purpose, so the tests can show what is and is not detected afterwards.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

RECORDS = ("audit_events", "audit_checkpoints", "checkpoint_exports")


def drop_guards(connection: Connection) -> None:
    """Switch off the triggers that refuse DELETE on the audit records (the owner may)."""
    for table in RECORDS:
        if connection.dialect.name == "sqlite":
            connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_delete"))
        else:
            connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))


def cut_tail(engine: Engine, keep: int, *, with_checkpoints: bool) -> None:
    """Delete every event after ``keep``; ``with_checkpoints``: also the checkpoints (and their export records)
    that cover them, and move the head back, so that the log left is whole and consistent in itself."""
    with engine.begin() as connection:
        drop_guards(connection)
        if with_checkpoints:
            connection.execute(text("DELETE FROM checkpoint_exports WHERE checkpoint_id IN "
                                    "(SELECT id FROM audit_checkpoints WHERE size > :keep)"), {"keep": keep})
            connection.execute(text("DELETE FROM audit_checkpoints WHERE size > :keep"), {"keep": keep})
        connection.execute(text("DELETE FROM audit_events WHERE seq > :keep"), {"keep": keep})
        if with_checkpoints:
            last = connection.scalar(text("SELECT hash FROM audit_events WHERE seq = :keep"), {"keep": keep})
            connection.execute(text("UPDATE audit_head SET last_seq = :keep, last_hash = :last"),
                               {"keep": keep, "last": last})
