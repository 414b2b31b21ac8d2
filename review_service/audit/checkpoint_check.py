"""Check the log against its latest signed checkpoint: what ``audit verify`` adds to the chain check.

The chain alone cannot see a log whose tail was cut together with its head row, or one
recomputed from an edited event onward; a checkpoint signed earlier with the instance's key
can (DESIGN.md §9). But whoever can cut the tail can also delete the stored checkpoints covering
it: only a checkpoint kept outside (:func:`check_held_checkpoint`, ``audit verify --checkpoint``)
catches that.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.audit.checkpoint_writer import LogNotWhole, latest_checkpoint, log_leaves
from review_service.audit.checkpoints import (
    Checkpoint,
    CheckpointError,
    SigningKeyError,
    load_signing_key,
    signed_chain_hash,
    verifier_key,
)
from review_service.audit.checkpoints import verify_checkpoint as verify_signed
from review_service.audit.config import recorded_algorithm
from review_service.audit.merkle import CompactRange
from review_service.audit.models import AuditEvent

DEFAULT_ORIGIN = "review-service/audit-log"


def log_origin() -> str:
    """The log's name in its checkpoints (``REVIEW_SERVICE_LOG_ORIGIN``)."""
    return os.environ.get("REVIEW_SERVICE_LOG_ORIGIN", DEFAULT_ORIGIN)


@dataclass(frozen=True)
class CheckpointCheck:
    ok: bool
    size: int | None  # events the checkpoint covers (None: no checkpoint yet)
    reason: str


def check_latest_checkpoint(session: Session, instance_path: Path, *, chain_verified: int | None = None,
                            progress: Callable[[int, int], None] | None = None) -> CheckpointCheck:
    """Verify the latest checkpoint's signature and that the log's first ``size`` events still match it.

    ``chain_verified``: the number of events ``verify_chain`` has just found whole. When the
    checkpoint signs the chain hash at its size (every checkpoint written since that line was
    added does) and the chain is verified that far, one lookup settles it: the event at ``size``
    must still have the signed hash (the chain links it to every event before). Otherwise the
    Merkle root of the first ``size`` events is recomputed and compared.
    """
    row = latest_checkpoint(session)
    if row is None:
        return CheckpointCheck(True, None, "尚无签名检查点")
    try:
        key = load_signing_key(instance_path)
        checkpoint = verify_signed(row.text, verifier_key(log_origin(), key.public_key()), origin=log_origin())
    except (CheckpointError, SigningKeyError) as error:
        return CheckpointCheck(False, row.size, f"检查点签名无效：{error}")
    return _check_log_against(session, checkpoint, chain_verified=chain_verified, progress=progress,
                              what="签名检查点")


def instance_verifier(instance_path: Path) -> str:
    """The verifier key of the instance's signing key (``SigningKeyError`` if it cannot be read)."""
    return verifier_key(log_origin(), load_signing_key(instance_path).public_key())


def check_held_checkpoint(session: Session, text: str, verifier: str, *, name: str,
                          chain_verified: int | None = None,
                          progress: Callable[[int, int], None] | None = None) -> CheckpointCheck:
    """Check a checkpoint kept outside the database (``audit verify --checkpoint FILE``) against the log.

    The checkpoint must be signed by ``verifier`` for this log's origin; the log must still hold
    at least its ``size`` events, and the first ``size`` must be exactly the ones it signs. Only
    such an outside copy catches a tail cut together with the stored checkpoints covering it.
    ``name`` (the file) goes into the reason.
    """
    try:
        checkpoint = verify_signed(text, verifier, origin=log_origin())
    except CheckpointError as error:
        return CheckpointCheck(False, None, f"外部检查点 {name} 无效：{error}")
    return _check_log_against(session, checkpoint, chain_verified=chain_verified, progress=progress,
                              what=f"外部检查点 {name} ")


def _check_log_against(session: Session, checkpoint: Checkpoint, *, chain_verified: int | None,
                       progress: Callable[[int, int], None] | None, what: str) -> CheckpointCheck:
    """Does the log still hold the first ``checkpoint.size`` events exactly as ``checkpoint`` signs them?"""
    signed_hash = signed_chain_hash(checkpoint)
    if signed_hash is not None and chain_verified is not None and checkpoint.size:
        if chain_verified < checkpoint.size:
            return CheckpointCheck(False, checkpoint.size, f"日志被截断：{what}覆盖 {checkpoint.size} 条事件，"
                                                           f"现仅存 {chain_verified} 条")
        stored = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == checkpoint.size))
        if stored != signed_hash:
            return CheckpointCheck(False, checkpoint.size,
                                   f"前 {checkpoint.size} 条事件与{what}不一致（日志被改写）")
        return CheckpointCheck(True, checkpoint.size, f"与{what}一致（前 {checkpoint.size} 条事件）")
    tree = CompactRange(recorded_algorithm(session))
    try:
        for leaf in log_leaves(session, upto=checkpoint.size):
            tree.append(leaf)
            if progress is not None and tree.size % 5000 == 0:
                progress(tree.size, checkpoint.size)
    except LogNotWhole as missing:
        return CheckpointCheck(False, checkpoint.size, f"日志被截断：{what}覆盖 {checkpoint.size} 条事件，{missing}")
    if tree.size < checkpoint.size:
        return CheckpointCheck(False, checkpoint.size,
                               f"日志被截断：{what}覆盖 {checkpoint.size} 条事件，现仅存 {tree.size} 条")
    if tree.root() != checkpoint.root:
        return CheckpointCheck(False, checkpoint.size, f"前 {checkpoint.size} 条事件与{what}不一致（日志被改写）")
    return CheckpointCheck(True, checkpoint.size, f"与{what}一致（前 {checkpoint.size} 条事件）")
