"""``check_latest_checkpoint``: the O(1) check through the signed chain hash, and the Merkle fallback."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from review_service.audit import merkle
from review_service.audit.checkpoint_check import check_latest_checkpoint, log_origin
from review_service.audit.checkpoint_models import AuditCheckpoint
from review_service.audit.checkpoint_writer import log_leaves, write_checkpoint
from review_service.audit.checkpoints import load_or_create_signing_key, make_checkpoint
from review_service.audit.verify import verify_chain
from review_service.core.clock import utcnow

Uow = Callable[[], AbstractContextManager[Session]]


@pytest.mark.parametrize("with_chain_line", [True, False])
def test_checkpoint_check_both_ways(uow: Uow, log_of: Callable[[int], None], tmp_path: Path,
                                    with_chain_line: bool) -> None:
    key = load_or_create_signing_key(tmp_path)
    log_of(12)
    with uow() as session:
        if with_chain_line:
            row = write_checkpoint(session, key=key, origin=log_origin())
            assert "\nchain " in row.text
        else:  # a checkpoint signed before the chain line existed: root only
            leaves = list(log_leaves(session))
            root = merkle.root(leaves)
            session.add(AuditCheckpoint(size=12, root=root.hex(), created_at=utcnow(),
                                        text=make_checkpoint(log_origin(), 12, root, key)))
    log_of(3)
    with uow() as session:
        events = verify_chain(session).events
        assert check_latest_checkpoint(session, tmp_path, chain_verified=events).ok
        assert check_latest_checkpoint(session, tmp_path).ok
        if with_chain_line:  # the chain verified only up to 11 (say event 12 was bad): not whole
            cut = check_latest_checkpoint(session, tmp_path, chain_verified=11)
            assert not cut.ok and "截断" in cut.reason
    other = tmp_path / "other"
    load_or_create_signing_key(other)
    with uow() as session:  # signed with another key than the instance's: refused
        assert not check_latest_checkpoint(session, other, chain_verified=15).ok
