"""Producing the proofs an auditor takes away (``review-service audit prove``): needs the log, so it runs here.

* :func:`case_bundle` — one case's events with their inclusion proofs against a
  signed checkpoint (the latest, or one the auditor already holds);
* :func:`consistency_between` — the proof that a later checkpoint's log extends
  an earlier one's.

The checking side is :mod:`review_service.audit.offline`, which needs nothing but
the bundle, the checkpoint and the verifier key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.audit.checkpoint_models import AuditCheckpoint
from review_service.audit.checkpoint_writer import LogNotWhole, latest_checkpoint, log_leaves
from review_service.audit.checkpoints import CheckpointError, parse_checkpoint_body, split_note
from review_service.audit.config import recorded_algorithm
from review_service.audit.merkle import MerkleTree
from review_service.audit.models import AuditEvent
from review_service.audit.proofs import case_proof_bundle, consistency_bundle


class NothingToProve(ValueError):
    """No checkpoint to prove against, or the case has no event it covers."""


def _leaves(session: Session, size: int) -> list[bytes]:
    """The first ``size`` stored leaves; a log that no longer holds them (cut or with a gap) proves nothing."""
    try:
        return list(log_leaves(session, upto=size))
    except LogNotWhole as missing:
        raise NothingToProve(f"审计日志已不完整，无法针对覆盖 {size} 条事件的检查点生成证明：{missing}"
                             "（日志可能被截断，请运行 review-service audit verify --checkpoint 检查点文件）") from None


def _checkpoint_size(text: str) -> int:
    body, _signatures = split_note(text)
    return parse_checkpoint_body(body).size


def case_bundle(session: Session, case_id: int, *, checkpoint_text: str | None = None) -> dict[str, Any]:
    """The inclusion proof bundle of case ``case_id``'s events against a checkpoint (the latest by default).

    Only the case's events the checkpoint covers (``seq <= size``) are included; the tree is the
    first ``size`` stored events, so a log changed since the checkpoint yields proofs that fail.
    """
    if checkpoint_text is None:
        row = latest_checkpoint(session)
        if row is None:
            raise NothingToProve("尚无签名检查点：请先运行 review-service audit checkpoint")
        checkpoint_text = row.text
    try:
        size = _checkpoint_size(checkpoint_text)
    except CheckpointError as error:
        raise NothingToProve(f"检查点格式有误：{error}") from None
    seqs = list(session.scalars(select(AuditEvent.seq).where(AuditEvent.case_id == case_id, AuditEvent.seq <= size)
                                .order_by(AuditEvent.seq)))
    if not seqs:
        raise NothingToProve(f"检查点（{size} 条事件）中没有案件 {case_id} 的事件")
    algorithm = recorded_algorithm(session)
    leaves = _leaves(session, size)
    tree = MerkleTree(leaves, algorithm)
    events = [(seq - 1, leaves[seq - 1]) for seq in seqs]
    proofs = [tree.inclusion_proof(index) for index, _leaf in events]
    bundle = case_proof_bundle(checkpoint_text, events, proofs, algorithm=algorithm)
    bundle["case_id"] = str(case_id)
    return bundle


def consistency_between(session: Session, old_id: int, new_id: int) -> dict[str, Any]:
    """The consistency proof bundle between two stored checkpoints (by id)."""
    old, new = session.get(AuditCheckpoint, old_id), session.get(AuditCheckpoint, new_id)
    if old is None or new is None:
        raise NothingToProve("检查点不存在")
    if old.size > new.size:
        old, new = new, old
    algorithm = recorded_algorithm(session)
    tree = MerkleTree(_leaves(session, new.size), algorithm)
    return consistency_bundle(old.text, new.text, tree.consistency_proof(old.size), algorithm=algorithm)
