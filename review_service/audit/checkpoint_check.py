"""Check the log against its latest signed checkpoint: what ``audit verify`` adds to the chain check.

The chain alone cannot see a log whose tail was cut together with its head row, or one
recomputed from an edited event onward; a checkpoint signed earlier with the instance's key
can (DESIGN.md §9). An exported checkpoint is the stronger witness; this checks the stored one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from review_service.audit.checkpoint_writer import LogNotWhole, latest_checkpoint, log_leaves
from review_service.audit.checkpoints import CheckpointError, SigningKeyError, load_signing_key, verifier_key
from review_service.audit.checkpoints import verify_checkpoint as verify_signed
from review_service.audit.merkle import CompactRange

DEFAULT_ORIGIN = "review-service/audit-log"


def log_origin() -> str:
    """The log's name in its checkpoints (``REVIEW_SERVICE_LOG_ORIGIN``)."""
    return os.environ.get("REVIEW_SERVICE_LOG_ORIGIN", DEFAULT_ORIGIN)


@dataclass(frozen=True)
class CheckpointCheck:
    ok: bool
    size: int | None  # events the checkpoint covers (None: no checkpoint yet)
    reason: str


def check_latest_checkpoint(session: Session, instance_path: Path) -> CheckpointCheck:
    """Verify the latest checkpoint's signature and that the log's first ``size`` events still hash to its root."""
    row = latest_checkpoint(session)
    if row is None:
        return CheckpointCheck(True, None, "尚无签名检查点")
    try:
        key = load_signing_key(instance_path)
        checkpoint = verify_signed(row.text, verifier_key(log_origin(), key.public_key()), origin=log_origin())
    except (CheckpointError, SigningKeyError) as error:
        return CheckpointCheck(False, row.size, f"检查点签名无效：{error}")
    tree = CompactRange()
    try:
        tree.extend(log_leaves(session, upto=checkpoint.size))
    except LogNotWhole as missing:
        return CheckpointCheck(False, checkpoint.size, f"日志被截断：检查点覆盖 {checkpoint.size} 条事件，{missing}")
    if tree.size < checkpoint.size:
        return CheckpointCheck(False, checkpoint.size,
                               f"日志被截断：检查点覆盖 {checkpoint.size} 条事件，现仅存 {tree.size} 条")
    if tree.root() != checkpoint.root:
        return CheckpointCheck(False, checkpoint.size, f"前 {checkpoint.size} 条事件与签名检查点不一致（日志被改写）")
    return CheckpointCheck(True, checkpoint.size, f"与签名检查点一致（前 {checkpoint.size} 条事件）")
