"""SM3 as the configured hash of the chain and the tree, recorded with the log so verify knows which."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.audit import config, merkle, sm3
from review_service.audit.checkpoint_writer import log_leaves, write_checkpoint
from review_service.audit.checkpoints import verifier_key, verify_checkpoint
from review_service.audit.models import AuditEvent, AuditSettings
from review_service.audit.verify import verify_chain
from review_service.core.actions import Action

Uow = Callable[[], AbstractContextManager[Session]]
ABC_SM3 = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    config.forget_cache()
    yield
    config.forget_cache()


def test_gb_t_32905_known_answer() -> None:
    assert sm3.sm3_digest(b"abc").hex() == ABC_SM3
    assert sm3.sm3_pure(b"abc").hex() == ABC_SM3


@pytest.mark.usefixtures("audit_receiver")
def test_an_sm3_log_is_chained_treed_and_verified_with_sm3(uow: Uow, log_of: Callable[[int], None],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from review_service.core import signals

    monkeypatch.setenv(config.HASH_ENV, "sm3")
    for n in range(5):  # through the receiver, as every action does
        with uow() as session:
            signals.emit(Action.CASE_SUBMITTED, session=session, actor=None, role="handler", agency_id=1, case_id=n,
                         payload={"n": n})
    with uow() as session:
        assert session.scalar(select(AuditSettings.hash_algorithm)) == "sm3"
        rows = list(session.execute(select(AuditEvent.canonical, AuditEvent.hash).order_by(AuditEvent.seq)))
        assert all(sm3.sm3_pure(bytes(r.canonical)).hex() == r.hash for r in rows)
        assert verify_chain(session).ok
        key = Ed25519PrivateKey.generate()
        text = write_checkpoint(session, key=key, origin="o").text
        leaves = list(log_leaves(session))
    assert verify_checkpoint(text, verifier_key("o", key.public_key())).root == merkle.root(leaves, "sm3")
    # the environment changing later does not switch the log: it stays SM3, and the mismatch is reported
    monkeypatch.setenv(config.HASH_ENV, "sha256")
    config.forget_cache()
    with uow() as session:
        assert verify_chain(session).ok
        assert config.recorded_algorithm(session) == "sm3"
        assert "SM3" in (config.configured_mismatch(session) or "")
    with uow() as session:
        signals.emit(Action.CASE_SUBMITTED, session=session, actor=None, role="handler", agency_id=1, case_id=9,
                     payload={})
    with uow() as session:
        last = session.execute(select(AuditEvent.canonical, AuditEvent.hash).order_by(AuditEvent.seq.desc())).first()
        assert last is not None and sm3.sm3_pure(bytes(last.canonical)).hex() == last.hash
        assert verify_chain(session).ok
        # checked with the other hash, every event would be bad: the record is what makes it verify
        assert verify_chain(session, algorithm="sha256").first_bad_seq == 1


@pytest.mark.usefixtures("audit_receiver")
def test_default_is_sha256_and_unknown_names_are_refused(uow: Uow, monkeypatch: pytest.MonkeyPatch) -> None:
    from review_service.core import signals

    monkeypatch.delenv(config.HASH_ENV, raising=False)
    with uow() as session:
        signals.emit(Action.CASE_SUBMITTED, session=session, actor=None, role="handler", agency_id=1, case_id=1,
                     payload={})
    with uow() as session:
        assert session.scalar(select(AuditSettings.hash_algorithm)) == "sha256"
    monkeypatch.setenv(config.HASH_ENV, "md5")
    with pytest.raises(ValueError):
        config.configured_algorithm()
    monkeypatch.setenv(config.HASH_ENV, "SM-3")
    assert config.configured_algorithm() == "sm3"


def test_a_first_append_rolled_back_records_no_choice(uow: Uow, audit_receiver: None,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from review_service.core import signals

    monkeypatch.setenv(config.HASH_ENV, "sm3")
    with pytest.raises(RuntimeError), uow() as session:
        signals.emit(Action.CASE_SUBMITTED, session=session, actor=None, role="handler", agency_id=1, case_id=1,
                     payload={})
        raise RuntimeError("rolled back")
    monkeypatch.setenv(config.HASH_ENV, "sha256")
    with uow() as session:
        signals.emit(Action.CASE_SUBMITTED, session=session, actor=None, role="handler", agency_id=1, case_id=1,
                     payload={})
    with uow() as session:
        assert session.scalar(select(AuditSettings.hash_algorithm)) == "sha256"
        assert verify_chain(session).ok
