"""Tampering with the log: the database refuses it, and ``verify`` names the first bad event."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from review_service.audit import ddl
from review_service.audit.chain import event_canonical, event_hash, normalize_payload
from review_service.audit.models import AuditEvent, AuditHead
from review_service.audit.verify import VerifyResult, verify_chain

Uow = Callable[[], AbstractContextManager[Session]]
Attacker = Callable[[], AbstractContextManager[Connection]]
EVENTS = AuditEvent.__table__
LOG_SIZE = 50
ROWS = [1, 2, 17, 33, 49, 50]


@pytest.fixture
def log(log_of: Callable[[int], None]) -> None:
    log_of(LOG_SIZE)


def _verify(uow: Uow) -> VerifyResult:
    with uow() as session:
        return verify_chain(session, batch_size=16)


def _row(conn: Connection, seq: int) -> dict[str, Any]:
    return dict(conn.execute(select(EVENTS).where(EVENTS.c.seq == seq)).one()._mapping)


def _rewrite(conn: Connection, seq: int, payload: dict[str, Any]) -> None:
    """Change an event's payload and recompute its canonical bytes and hash: a self-consistent forgery."""
    row = _row(conn, seq)
    text_, value = normalize_payload(payload)
    canonical = event_canonical({**row, "payload": value})
    conn.execute(update(EVENTS).where(EVENTS.c.seq == seq).values(
        payload=text_, canonical=canonical, hash=event_hash(canonical)))


@pytest.mark.usefixtures("log")
def test_untouched_log_verifies(uow: Uow) -> None:
    assert _verify(uow) == VerifyResult(ok=True, events=LOG_SIZE)


@pytest.mark.usefixtures("log")
@pytest.mark.parametrize("seq", ROWS)
def test_edited_payload_is_reported_at_that_event(uow: Uow, attacker: Attacker, seq: int) -> None:
    with attacker() as conn:
        conn.execute(update(EVENTS).where(EVENTS.c.seq == seq).values(payload='{"n":0}'))
    result = _verify(uow)
    assert (result.ok, result.first_bad_seq, result.reason_code) == (False, seq, "edited")
    assert result.events == seq - 1
    assert result.reason is not None and str(seq) in result.reason


@pytest.mark.usefixtures("log")
@pytest.mark.parametrize("column", ["actor_username", "case_id", "outcome", "prev_hash"])
def test_edited_column_is_reported_at_that_event(uow: Uow, attacker: Attacker, column: str) -> None:
    value = {"actor_username": "mallory", "case_id": 999, "outcome": "refused", "prev_hash": "f" * 64}[column]
    with attacker() as conn:
        conn.execute(update(EVENTS).where(EVENTS.c.seq == 20).values({column: value}))
    assert (_verify(uow).first_bad_seq, _verify(uow).reason_code) == (20, "edited")


@pytest.mark.usefixtures("log")
def test_edited_hash_or_canonical_is_a_bad_hash(uow: Uow, attacker: Attacker) -> None:
    with attacker() as conn:
        conn.execute(update(EVENTS).where(EVENTS.c.seq == 12).values(hash="0" * 64))
        conn.execute(update(EVENTS).where(EVENTS.c.seq == 30).values(canonical=b"{}"))
    assert (_verify(uow).first_bad_seq, _verify(uow).reason_code) == (12, "bad_hash")


@pytest.mark.usefixtures("log")
@pytest.mark.parametrize("seq", [1, 17, 49])
def test_consistent_rewrite_breaks_the_next_link(uow: Uow, attacker: Attacker, seq: int) -> None:
    with attacker() as conn:
        _rewrite(conn, seq, {"forged": True})
    result = _verify(uow)
    assert (result.first_bad_seq, result.reason_code) == (seq + 1, "broken_link")


@pytest.mark.usefixtures("log")
def test_consistent_rewrite_of_the_last_event_is_caught_by_the_head(uow: Uow, attacker: Attacker) -> None:
    with attacker() as conn:
        _rewrite(conn, LOG_SIZE, {"forged": True})
    result = _verify(uow)
    assert (result.first_bad_seq, result.reason_code) == (LOG_SIZE, "head_mismatch")


@pytest.mark.usefixtures("log")
@pytest.mark.parametrize("seq", ROWS)
def test_deleted_event_is_reported_at_its_seq(uow: Uow, attacker: Attacker, seq: int) -> None:
    with attacker() as conn:
        conn.execute(delete(EVENTS).where(EVENTS.c.seq == seq))
    result = _verify(uow)
    expected_code = "head_mismatch" if seq == LOG_SIZE else "missing"
    assert (result.ok, result.first_bad_seq, result.reason_code) == (False, seq, expected_code)


@pytest.mark.usefixtures("log")
def test_truncated_tail_is_caught_by_the_head(uow: Uow, attacker: Attacker) -> None:
    with attacker() as conn:
        conn.execute(delete(EVENTS).where(EVENTS.c.seq > 40))
    result = _verify(uow)
    assert (result.first_bad_seq, result.reason_code, result.events) == (41, "head_mismatch", 40)


@pytest.mark.usefixtures("log")
def test_events_behind_the_heads_back_are_caught(uow: Uow, attacker: Attacker) -> None:
    with attacker() as conn:
        last_hash = _row(conn, 45)["hash"]
        conn.execute(update(AuditHead).where(AuditHead.id == 1).values(last_seq=45, last_hash=last_hash))
    assert (_verify(uow).first_bad_seq, _verify(uow).reason_code) == (46, "head_mismatch")


@pytest.mark.usefixtures("log")
def test_missing_head_is_caught(uow: Uow, attacker: Attacker) -> None:
    with attacker() as conn:
        conn.execute(delete(AuditHead))
    assert (_verify(uow).first_bad_seq, _verify(uow).reason_code) == (1, "head_mismatch")


@pytest.mark.usefixtures("log")
@pytest.mark.parametrize(("first", "second"), [(1, 2), (10, 40), (49, 50)])
@pytest.mark.parametrize("recompute", [False, True])
def test_swapped_events_are_reported_at_the_first(
    uow: Uow, attacker: Attacker, first: int, second: int, recompute: bool
) -> None:
    with attacker() as conn:
        a, b = _row(conn, first), _row(conn, second)
        for seq, other in ((first, b), (second, a)):
            values = {k: v for k, v in other.items() if k != "seq"}
            if recompute:  # re-seal each moved row under its new seq
                payload = json.loads(other["payload"])
                values["canonical"] = event_canonical({**other, "seq": seq, "payload": payload})
                values["hash"] = event_hash(values["canonical"])
            conn.execute(update(EVENTS).where(EVENTS.c.seq == seq).values(values))
    result = _verify(uow)
    assert result.first_bad_seq == first
    assert result.reason_code == ("broken_link" if recompute else "edited")


@pytest.mark.usefixtures("log")
def test_database_refuses_update_and_delete_through_orm_and_sql(uow: Uow, engine: Engine) -> None:
    attempts: list[Callable[[Session], object]] = [
        lambda s: s.execute(text("UPDATE audit_events SET payload = '{}' WHERE seq = 3")),
        lambda s: s.execute(text("DELETE FROM audit_events WHERE seq = 3")),
        lambda s: s.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(outcome="x")),
        lambda s: s.execute(delete(AuditEvent).where(AuditEvent.seq >= 1)),
        lambda s: (setattr(s.get(AuditEvent, 3), "payload", "{}"), s.flush()),
        lambda s: (s.delete(s.get(AuditEvent, 3)), s.flush()),
    ]
    if engine.dialect.name == "postgresql":
        attempts.append(lambda s: s.execute(text("TRUNCATE audit_events")))
    for attempt in attempts:
        with pytest.raises(DBAPIError, match="append-only"), uow() as session:
            attempt(session)
    assert _verify(uow) == VerifyResult(ok=True, events=LOG_SIZE)


def test_install_is_idempotent(engine: Engine) -> None:
    with engine.begin() as conn:
        ddl.install(conn)
        ddl.install(conn)
        if conn.dialect.name == "sqlite":
            names = conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                      "AND tbl_name = 'audit_events' ORDER BY name")).all()
            assert names == sorted(ddl.SQLITE_TRIGGERS)
        else:
            names = conn.scalars(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                                      "AND tgrelid = 'audit_events'::regclass ORDER BY tgname")).all()
            assert names == sorted([ddl.PG_ROW_TRIGGER, ddl.PG_TRUNCATE_TRIGGER])


def test_postgres_grants_sql_revokes_changes_from_the_app_role() -> None:
    statements = ddl.postgres_grants_sql("review_app")
    assert 'REVOKE UPDATE, DELETE, TRUNCATE ON TABLE audit_events FROM "review_app"' in statements
    assert not any("GRANT" in s and "audit_events" in s and ("UPDATE" in s or "DELETE" in s)
                   for s in statements if s.startswith("GRANT"))
    with pytest.raises(ValueError):
        ddl.postgres_grants_sql('app"; DROP TABLE audit_events; --')
