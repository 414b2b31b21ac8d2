"""On PostgreSQL the application's role cannot UPDATE, DELETE or TRUNCATE the audit records (DESIGN.md §9).

The tables' owner (the role migrations run as) grants the app role what it needs with
``review-service audit grant ROLE`` or, at migration time, ``REVIEW_SERVICE_DB_APP_ROLE``.
Connected as that role, appends work and every change is refused by the privilege system
itself — before any trigger runs — and the role cannot drop the triggers either.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ProgrammingError

from review_service.audit.checkpoint_writer import write_checkpoint
from review_service.audit.ddl import AUDIT_RECORD_TABLES, postgres_app_role_sql
from review_service.audit.verify import verify_chain
from review_service.audit.writer import append_event
from review_service.core.db import make_engine, make_session_factory, unit_of_work
from tests.fixtures.database import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (set REVIEW_SERVICE_TEST_DATABASE_URL)")
PASSWORD = "app-role-pass"


@pytest.fixture
def app_role(database_url: str) -> Iterator[str]:
    """A login role for the application, granted its privileges by the owner on this test's database."""
    role = f"rs_app_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'"))
    owner = create_engine(database_url)
    with owner.begin() as conn:
        for statement in postgres_app_role_sql(role):
            conn.execute(text(statement))
    owner.dispose()
    yield role
    owner = create_engine(database_url)
    with owner.begin() as conn:
        conn.execute(text(f"DROP OWNED BY {role}"))
    owner.dispose()
    with admin.connect() as conn:
        conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
    admin.dispose()


def _as(database_url: str, role: str) -> Engine:
    return make_engine(make_url(database_url).set(username=role, password=PASSWORD)
                       .render_as_string(hide_password=False))


def test_the_app_role_appends_but_cannot_change_the_audit_records(database_url: str, app_role: str) -> None:
    engine = _as(database_url, app_role)
    uow = make_session_factory(engine)
    try:
        with unit_of_work(uow) as session:
            for n in range(3):
                append_event(session, action="case_submitted", actor=SimpleNamespace(id=1, username="u"),
                             role="handler", agency_id=None, case_id=n, payload={"n": n})
            write_checkpoint(session, key=Ed25519PrivateKey.generate(), origin="o")
        with unit_of_work(uow) as session:
            assert verify_chain(session).ok
        for statement in ("UPDATE audit_events SET payload = '{}' WHERE seq = 2",
                          "DELETE FROM audit_events WHERE seq = 3",
                          "TRUNCATE audit_events",
                          "UPDATE audit_checkpoints SET root = ''",
                          "DELETE FROM audit_checkpoints",
                          "TRUNCATE audit_checkpoints",
                          "DELETE FROM audit_settings",
                          "DROP TRIGGER audit_events_append_only ON audit_events",
                          "ALTER TABLE audit_events DISABLE TRIGGER ALL"):
            with pytest.raises(ProgrammingError) as refused, engine.begin() as conn:
                conn.execute(text(statement))
            message = str(refused.value.orig)
            assert "permission denied" in message or "must be owner" in message, (statement, message)
        with engine.begin() as conn:  # the domain tables stay writable, the lock row too
            conn.execute(text("UPDATE audit_head SET last_seq = last_seq WHERE id = 1"))
            conn.execute(text("UPDATE agencies SET settings = settings WHERE false"))
        with unit_of_work(uow) as session:
            assert verify_chain(session).ok and verify_chain(session).events == 3
    finally:
        engine.dispose()


def test_the_migration_sets_up_the_role_when_asked(app_role: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database migrated with ``REVIEW_SERVICE_DB_APP_ROLE`` comes out with the role's privileges in place."""
    from review_service.core.migrate import upgrade_database

    name = f"rs_roles_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        monkeypatch.setenv("REVIEW_SERVICE_DB_APP_ROLE", app_role)
        upgrade_database(url)
        owner = create_engine(url)
        with owner.connect() as conn:
            def can(table: str, privilege: str) -> bool:
                return bool(conn.scalar(text("SELECT has_table_privilege(:r, :t, :p)"),
                                        {"r": app_role, "t": table, "p": privilege}))

            for table in AUDIT_RECORD_TABLES:
                assert can(table, "SELECT") and can(table, "INSERT"), table
                assert not any(can(table, p) for p in ("UPDATE", "DELETE", "TRUNCATE")), table
            assert can("audit_head", "UPDATE") and can("cases", "UPDATE") and can("cases", "DELETE")
            conn.execute(text(f"DROP OWNED BY {app_role}"))
            conn.commit()
        owner.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_role_names_are_checked() -> None:
    with pytest.raises(ValueError):
        postgres_app_role_sql('x"; DROP TABLE audit_events; --')
    assert any("REVOKE UPDATE, DELETE, TRUNCATE" in s and "audit_events" in s for s in postgres_app_role_sql("app"))
