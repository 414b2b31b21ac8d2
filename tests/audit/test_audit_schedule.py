"""Checkpoints every N events, every T minutes (``tick``) and at each decision; incremental trees."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from review_service.audit import merkle, schedule
from review_service.audit.checkpoint_models import AuditCheckpoint
from review_service.audit.checkpoint_writer import latest_checkpoint, log_leaves, write_checkpoint
from review_service.audit.checkpoints import load_signing_key, verifier_key, verify_checkpoint
from review_service.audit.models import AuditEvent
from review_service.core.actions import Action
from review_service.core.clock import utcnow
from review_service.runtime import Runtime

Uow = Callable[[], AbstractContextManager[Session]]
Attacker = Callable[[], AbstractContextManager[Connection]]
POLICY = schedule.CheckpointPolicy(every_events=10, every_minutes=30)


@pytest.fixture
def instance(tmp_path: Path, runtime: Runtime) -> Path:
    """Checkpoints signed by this test's runtime with a key in its instance folder."""
    runtime.state.signing_dir = tmp_path / "instance"
    return tmp_path / "instance"


def _due(uow: Uow, minutes: float = 0, policy: schedule.CheckpointPolicy = POLICY) -> bool:
    with uow() as session:
        return schedule.checkpoint_if_due(session, now=utcnow() + timedelta(minutes=minutes), policy=policy)


def _count(uow: Uow) -> int:
    with uow() as session:
        return int(session.scalar(select(func.count()).select_from(AuditCheckpoint)) or 0)


@pytest.mark.usefixtures("instance")
def test_tick_checkpoints_when_due(uow: Uow, log_of: Callable[[int], None]) -> None:
    assert _due(uow) is False  # an empty log: nothing to sign
    log_of(3)
    assert _due(uow) is True  # the first checkpoint is always due
    assert _due(uow, minutes=60) is False  # nothing new since
    log_of(3)  # 3 more: fewer than N, younger than T
    assert _due(uow, minutes=5) is False
    assert _due(uow, minutes=31) is True  # T passed
    with uow() as session:
        size = latest_checkpoint(session).size  # type: ignore[union-attr]
    assert size == 6


@pytest.mark.usefixtures("instance")
def test_n_events_or_a_decision_since_make_one_due(uow: Uow, log_of: Callable[[int], None]) -> None:
    from review_service.audit.writer import append_event

    log_of(2)
    assert _due(uow)
    log_of(12)  # 14 in all: 12 since the last checkpoint ≥ N = 10
    assert _due(uow, minutes=1)
    with uow() as session:  # a decision written without its checkpoint (e.g. signing failed then)
        append_event(session, action="decision_made", actor=None, role="head", agency_id=1, case_id=1, payload={})
    assert _due(uow, minutes=1)
    assert not _due(uow, minutes=1)


def test_without_an_instance_nothing_is_signed(uow: Uow, log_of: Callable[[int], None], runtime: Runtime) -> None:
    assert runtime.state.signing_dir is None  # the test runtime signs nothing unless told to
    log_of(2)
    assert _due(uow) is False
    assert _count(uow) == 0


def test_the_decision_and_every_nth_event_are_checkpointed_in_their_transaction(
    uow: Uow, instance: Path, audit_receiver: None, runtime: Runtime
) -> None:
    from review_service.core import signals

    runtime.state.put(schedule.policy_part, schedule.CheckpointPolicy(every_events=5, every_minutes=60))

    def act(action: Action, fail: bool = False) -> None:
        with uow() as session:
            signals.emit(action, session=session, actor=None, role="head", agency_id=1, case_id=9, payload={})
            if fail:
                raise RuntimeError("rolled back")

    act(Action.CASE_SUBMITTED)
    act(Action.DECISION_MADE)  # seq 2: a decision
    with pytest.raises(RuntimeError):
        act(Action.DECISION_MADE, fail=True)  # rolled back: neither event nor checkpoint
    act(Action.CASE_SUBMITTED)
    act(Action.CASE_SUBMITTED)
    act(Action.CASE_SUBMITTED)  # seq 5: the N-th event
    act(Action.CASE_SUBMITTED)
    with uow() as session:
        sizes = list(session.scalars(select(AuditCheckpoint.size).order_by(AuditCheckpoint.id)))
        texts = list(session.scalars(select(AuditCheckpoint.text).order_by(AuditCheckpoint.id)))
        leaves = list(log_leaves(session))
    assert sizes == [2, 5]
    vkey = verifier_key("review-service/audit-log", load_signing_key(instance).public_key())
    for size, note in zip(sizes, texts, strict=True):
        checkpoint = verify_checkpoint(note, vkey)
        assert (checkpoint.size, checkpoint.root) == (size, merkle.root(leaves[:size]))


@pytest.mark.usefixtures("instance")
def test_checkpoints_resume_from_the_previous_compact_range(uow: Uow, log_of: Callable[[int], None],
                                                            attacker: Attacker) -> None:
    with uow() as session:
        key = schedule.signing_key(session)
    for count in (1, 6, 9, 30):
        log_of(count)
        with uow() as session:
            row = write_checkpoint(session, key=key, origin="o")
            leaves = list(log_leaves(session))
        assert (row.size, row.root) == (len(leaves), merkle.root(leaves).hex())
        assert row.compact_range is not None
        assert len(row.compact_range.split(",")) == bin(row.size).count("1")
    # a stored range that does not lead to its own signed root is not trusted: the tree is rebuilt
    with attacker() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_checkpoints_no_update"))
        else:
            conn.execute(text("DROP TRIGGER audit_checkpoints_immutable ON audit_checkpoints"))
        conn.execute(update(AuditCheckpoint).values(compact_range="00" * 32))
    log_of(3)
    with uow() as session:
        row = write_checkpoint(session, key=key, origin="o")
        assert row.root == merkle.root(list(log_leaves(session))).hex()


@pytest.mark.usefixtures("instance")
def test_ticks_at_once_write_one_checkpoint(uow: Uow, log_of: Callable[[int], None], is_postgres: bool) -> None:
    """The head lock serializes ticks: the second sees the first's checkpoint and finds nothing due."""
    import threading

    if not is_postgres:
        pytest.skip("SQLite serializes writers anyway (BEGIN IMMEDIATE)")
    log_of(5)
    results: list[bool] = []
    barrier = threading.Barrier(3)

    def run() -> None:
        barrier.wait()
        results.append(_due(uow))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, True]
    assert _count(uow) == 1


def test_policy_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(schedule.EVERY_ENV, "250")
    monkeypatch.setenv(schedule.MINUTES_ENV, "15")
    assert schedule.CheckpointPolicy.from_env() == schedule.CheckpointPolicy(250, 15.0)
    monkeypatch.setenv(schedule.EVERY_ENV, "0")
    with pytest.raises(ValueError):
        schedule.CheckpointPolicy.from_env()


def test_every_event_count_matches_the_log(uow: Uow, log_of: Callable[[int], None]) -> None:
    log_of(4)
    with uow() as session:
        assert session.scalar(select(func.max(AuditEvent.seq))) == 4
