"""Writing checkpoints of the stored log, and what they catch that the chain alone cannot.

These tests need the ``audit_checkpoints`` table; they skip until its migration
is in the test schema.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, inspect, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from review_service.audit import merkle
from review_service.audit.chain import GENESIS, event_canonical, event_hash, normalize_payload
from review_service.audit.checkpoint_writer import (
    LogNotWhole,
    checkpoints,
    latest_checkpoint,
    log_leaves,
    tree_head,
    write_checkpoint,
)
from review_service.audit.checkpoints import verifier_key, verify_checkpoint
from review_service.audit.models import AuditEvent, AuditHead
from review_service.audit.proofs import verify_checkpoint_consistency, verify_events_against_checkpoint
from review_service.audit.verify import verify_chain

Uow = Callable[[], AbstractContextManager[Session]]
Attacker = Callable[[], AbstractContextManager[Connection]]
EVENTS = AuditEvent.__table__
ORIGIN = "review-service.example/test"
KEY = Ed25519PrivateKey.generate()
VKEY = verifier_key(ORIGIN, KEY.public_key())


@pytest.fixture(autouse=True)
def _checkpoint_table(engine: Engine) -> None:
    """Skip while the migrated test schema has no ``audit_checkpoints`` table (its migration comes separately)."""
    if "audit_checkpoints" not in inspect(engine).get_table_names():
        pytest.skip("audit_checkpoints table not migrated yet")


def _leaves(uow: Uow) -> list[bytes]:
    with uow() as session:
        return list(log_leaves(session, batch_size=7))


def _checkpoint(uow: Uow, algorithm: str = "sha256") -> tuple[int, str, str]:
    with uow() as session:
        row = write_checkpoint(session, key=KEY, origin=ORIGIN, algorithm=algorithm)
        return row.size, row.root, row.text


def test_checkpoint_of_empty_log(uow: Uow) -> None:
    size, root, text = _checkpoint(uow)
    assert (size, root) == (0, merkle.empty_root().hex())
    assert verify_checkpoint(text, VKEY).size == 0


def test_checkpoint_signs_the_root_of_the_stored_log(uow: Uow, log_of: Callable[[int], None]) -> None:
    log_of(30)
    size, root, text = _checkpoint(uow)
    leaves = _leaves(uow)
    assert size == 30 and len(leaves) == 30
    assert root == merkle.root(leaves).hex()
    checkpoint = verify_checkpoint(text, VKEY, origin=ORIGIN)
    assert (checkpoint.size, checkpoint.root_hex) == (30, root)
    with uow() as session:
        assert [c.size for c in checkpoints(session)] == [30]
        latest = latest_checkpoint(session)
        assert latest is not None and latest.text == text and latest.created_at is not None


def test_later_checkpoint_is_consistent_with_earlier(uow: Uow, log_of: Callable[[int], None]) -> None:
    log_of(20)
    _size, _root, first = _checkpoint(uow)
    log_of(25)  # appends 25 more (45 in all)
    _size, _root, second = _checkpoint(uow)
    leaves = _leaves(uow)
    old, new = verify_checkpoint(first, VKEY), verify_checkpoint(second, VKEY)
    assert (old.size, new.size) == (20, 45)
    assert verify_checkpoint_consistency(old, new, merkle.consistency_proof(leaves, 20))[0]
    assert verify_events_against_checkpoint(leaves, first, VKEY)[0]
    with uow() as session:
        assert [c.size for c in checkpoints(session)] == [20, 45]
        assert latest_checkpoint(session).size == 45  # type: ignore[union-attr]


def _recompute_chain_from(conn: Connection, seq: int, payload: dict[str, Any] | None) -> None:
    """Rewrite event ``seq`` (or drop it when ``payload`` is None, renumbering the rest) and re-link the chain."""
    rows = [dict(r._mapping) for r in conn.execute(select(EVENTS).order_by(EVENTS.c.seq))]
    if payload is None:
        conn.execute(delete(EVENTS).where(EVENTS.c.seq >= seq))
        survivors = rows[: seq - 1] + [{**r, "seq": r["seq"] - 1} for r in rows[seq:]]
    else:
        text = normalize_payload(payload)[0]
        survivors = [{**r, "payload": text} if r["seq"] == seq else r for r in rows]
    prev = GENESIS if seq == 1 else survivors[seq - 2]["hash"]
    for row in survivors[seq - 1 :]:
        canonical = event_canonical({**row, "payload": json.loads(row["payload"]), "prev_hash": prev})
        digest = event_hash(canonical)
        values = {**row, "prev_hash": prev, "canonical": canonical, "hash": digest}
        if payload is None:
            conn.execute(EVENTS.insert().values(values))
        else:
            conn.execute(update(EVENTS).where(EVENTS.c.seq == row["seq"]).values(values))
        prev = digest
    conn.execute(update(AuditHead.__table__).values(last_seq=len(survivors), last_hash=prev))


@pytest.mark.parametrize(("seq", "payload"), [(1, {"n": 0}), (17, {"n": 0}), (30, {"n": 0}), (17, None)])
def test_chain_recomputed_after_edit_or_delete_passes_verify_but_not_the_checkpoint(
    uow: Uow, attacker: Attacker, log_of: Callable[[int], None], seq: int, payload: dict[str, Any] | None
) -> None:
    log_of(30)
    _size, _root, exported = _checkpoint(uow)
    with attacker() as conn:
        _recompute_chain_from(conn, seq, payload)
    with uow() as session:
        assert verify_chain(session).ok  # the database alone cannot tell
    ok, reason = verify_events_against_checkpoint(_leaves(uow), exported, VKEY)
    assert not ok
    assert ("截断" if payload is None else "改写") in reason


def test_truncated_tail_with_head_moved_back_is_caught(
    uow: Uow, attacker: Attacker, log_of: Callable[[int], None]
) -> None:
    log_of(30)
    _size, _root, exported = _checkpoint(uow)
    with attacker() as conn:
        conn.execute(delete(EVENTS).where(EVENTS.c.seq > 24))
        last = conn.execute(select(EVENTS.c.hash).where(EVENTS.c.seq == 24)).scalar_one()
        conn.execute(update(AuditHead.__table__).values(last_seq=24, last_hash=last))
    with uow() as session:
        assert verify_chain(session).ok
    ok, reason = verify_events_against_checkpoint(_leaves(uow), exported, VKEY)
    assert not ok and "截断" in reason


def test_no_checkpoint_over_a_log_with_a_gap(uow: Uow, attacker: Attacker, log_of: Callable[[int], None]) -> None:
    log_of(12)
    with attacker() as conn:
        conn.execute(delete(EVENTS).where(EVENTS.c.seq == 5))
    with uow() as session, pytest.raises(LogNotWhole, match="5"):
        write_checkpoint(session, key=KEY, origin=ORIGIN)


def test_no_checkpoint_when_head_disagrees(uow: Uow, attacker: Attacker, log_of: Callable[[int], None]) -> None:
    log_of(12)
    with attacker() as conn:
        conn.execute(update(AuditHead.__table__).values(last_hash="f" * 64))
    with uow() as session, pytest.raises(LogNotWhole):
        tree_head(session)


def test_no_checkpoint_when_head_is_missing(uow: Uow, attacker: Attacker, log_of: Callable[[int], None]) -> None:
    log_of(3)
    with attacker() as conn:
        conn.execute(delete(AuditHead.__table__))
    with uow() as session, pytest.raises(LogNotWhole):
        tree_head(session)


def test_sm3_checkpoint(uow: Uow, log_of: Callable[[int], None]) -> None:
    log_of(9)
    size, root, text = _checkpoint(uow, algorithm="sm3")
    assert (size, root) == (9, merkle.root(_leaves(uow), "sm3").hex())
    assert verify_events_against_checkpoint(_leaves(uow), text, VKEY, algorithm="sm3")[0]
