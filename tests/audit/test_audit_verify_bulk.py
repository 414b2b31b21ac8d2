"""``verify``'s bulk check of a whole batch, and the event-by-event walk it falls back to."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from review_service.audit import writer
from review_service.audit.chain import GENESIS
from review_service.audit.models import AuditEvent
from review_service.audit.sm3 import register_sm3
from review_service.audit.verify import _batch_whole, _first_bad, _sha256_hexes, verify_chain
from review_service.audit.writer import append_event

Uow = Callable[[], AbstractContextManager[Session]]
Attacker = Callable[[], AbstractContextManager[Connection]]
EVENTS = AuditEvent.__table__


def _chain(count: int) -> list[tuple[Any, ...]]:
    """``count`` rows as the hot query returns them, on a valid chain: (seq, canonical, hash, prev_hash, same)."""
    rows, prev = [], GENESIS
    for seq in range(1, count + 1):
        canonical = f'{{"prev_hash":"{prev}","role":"r","seq":{seq}}}'.encode()
        digest = hashlib.sha256(canonical).hexdigest()
        rows.append((seq, canonical, digest, prev, 1))
        prev = digest
    return rows


def _with(rows: list[tuple[Any, ...]], index: int, column: int, value: Any) -> list[tuple[Any, ...]]:
    row = list(rows[index])
    row[column] = value
    return [*rows[:index], tuple(row), *rows[index + 1:]]


def test_a_whole_batch_passes_in_bulk() -> None:
    rows = _chain(6)
    assert _batch_whole(rows, 0, GENESIS, _sha256_hexes)
    assert _batch_whole(rows[3:], 3, rows[2][2], _sha256_hexes)  # a later batch, linked to the one before


@pytest.mark.parametrize(("index", "column", "value"), [
    (5, 0, 7),  # a gap before the last seq
    (0, 0, 2),  # the first seq is not the next one
    (3, 4, 0),  # the database flagged the columns
    (3, 4, None),  # ... or could not compare them
    (0, 3, "f" * 64),  # the first prev_hash does not name the previous batch's last hash
    (4, 3, "f" * 64),  # a prev_hash inside the batch does not name the hash before it
    (2, 2, "0" * 64),  # a stored hash that is not the hash of the bytes
    (5, 1, b"{}"),  # the last event's bytes changed
])
def test_any_failure_in_a_batch_sends_it_to_the_walk(index: int, column: int, value: Any) -> None:
    assert not _batch_whole(_with(_chain(6), index, column, value), 0, GENESIS, _sha256_hexes)


def test_the_walk_passes_a_whole_batch() -> None:
    assert _first_bad(None, _chain(6), 0, GENESIS, lambda data: hashlib.sha256(data).hexdigest()) is None  # type: ignore[arg-type]


@pytest.fixture
def whole_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Events written at whole seconds (microsecond 0), one minute apart."""
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    times = (start + timedelta(minutes=n) for n in range(10_000))
    monkeypatch.setattr(writer, "utcnow", lambda: next(times))


def _drop_microseconds(conn: Connection, seq: int) -> None:
    """Store ``at`` as 'YYYY-MM-DD HH:MM:SS': the same time to SQLAlchemy, other text to the database's rebuild."""
    conn.execute(text("UPDATE audit_events SET at = substr(at, 1, 19) WHERE seq = :seq"), {"seq": seq})


@pytest.mark.usefixtures("whole_seconds")
def test_a_row_the_database_flags_wrongly_is_cleared_and_the_scan_goes_on(
    uow: Uow, attacker: Attacker, log_of: Callable[[int], None], is_postgres: bool
) -> None:
    if is_postgres:
        pytest.skip("PostgreSQL stores a timestamp, not its text")
    log_of(40)
    with attacker() as conn:
        _drop_microseconds(conn, 10)
        conn.execute(update(EVENTS).where(EVENTS.c.seq == 12).values(outcome="refused"))
        conn.execute(update(EVENTS).where(EVENTS.c.seq == 31).values(actor_username="mallory"))
    with uow() as session:  # the false flag at 10 is cleared; the real edit later in its batch is found
        result = verify_chain(session, batch_size=16)
    assert (result.first_bad_seq, result.reason_code, result.events) == (12, "edited", 11)
    with attacker() as conn:
        conn.execute(update(EVENTS).where(EVENTS.c.seq == 12).values(outcome="ok"))
    with uow() as session:  # the batch with the false flag passes; the next batch starts where it ended
        result = verify_chain(session, batch_size=16)
    assert (result.first_bad_seq, result.reason_code, result.events) == (31, "edited", 30)
    with attacker() as conn:
        conn.execute(update(EVENTS).where(EVENTS.c.seq == 31).values(actor_username="alice"))  # as written
    with uow() as session:
        assert verify_chain(session, batch_size=16).ok


@pytest.mark.parametrize(("values", "code"), [({"payload": '{"n":0}'}, "edited"), ({"hash": "0" * 64}, "bad_hash")])
def test_an_sm3_log_is_checked_in_bulk_with_sm3(uow: Uow, attacker: Attacker, values: dict[str, str],
                                                code: str) -> None:
    register_sm3()
    with uow() as session:
        for n in range(1, 31):
            append_event(session, action="case_submitted", actor=None, role="system", agency_id=1, case_id=n,
                         payload={"n": n}, algorithm="sm3")
    with uow() as session:
        assert verify_chain(session, algorithm="sm3", batch_size=8).ok
        assert verify_chain(session, algorithm="sha256", batch_size=8).first_bad_seq == 1
    with attacker() as conn:
        conn.execute(update(EVENTS).where(EVENTS.c.seq == 21).values(values))
    with uow() as session:
        result = verify_chain(session, algorithm="sm3", batch_size=8)
    assert (result.first_bad_seq, result.reason_code, result.events) == (21, code, 20)
