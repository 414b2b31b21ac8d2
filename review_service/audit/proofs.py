"""Offline verification against signed checkpoints: what an auditor runs with no access to the database.

Everything here is pure: it takes the events' canonical bytes (as exported),
the proofs, and a checkpoint (its signed text plus the verifier key, or an
already verified :class:`~review_service.audit.checkpoints.Checkpoint`), and
answers ``(ok, reason)`` with the reason in Chinese for people to read.

* :func:`verify_events_against_checkpoint` — the whole log against a checkpoint:
  a log shorter than the checkpoint was truncated; a different root means the
  first ``size`` events were rewritten (even if the chain was recomputed).
* :func:`verify_case_inclusion` — one case's events, each with its inclusion
  proof, without the rest of the log.
* :func:`verify_checkpoint_consistency` — a later checkpoint extends an earlier one.

A proof bundle (:func:`case_proof_bundle`) carries one case's events and
proofs as JSON-able data (base64), so it can be handed over as one file.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from review_service.audit.chain import DEFAULT_ALGORITHM
from review_service.audit.checkpoints import Checkpoint, CheckpointError, Verifier, verify_checkpoint
from review_service.audit.merkle import MerkleTree, digest_function, root, verify_consistency, verify_inclusion

BUNDLE_FORMAT = "review-service/audit-inclusion/v1"

Result = tuple[bool, str]


def verify_events_against_checkpoint(
    events_canonical: Sequence[bytes],
    checkpoint_text: str,
    verifier_key: Verifier | str,
    *,
    algorithm: str = DEFAULT_ALGORITHM,
    origin: str | None = None,
) -> Result:
    """Check that the log ``events_canonical`` (in seq order) still contains the checkpointed log as its prefix.

    Events after the checkpoint's size are allowed (the log grew); fewer events
    than its size, or a different root over the first ``size`` events, fail.
    """
    try:
        checkpoint = verify_checkpoint(checkpoint_text, verifier_key, origin=origin)
    except CheckpointError as exc:
        return False, f"检查点无效：{exc}"
    if len(events_canonical) < checkpoint.size:
        return False, (
            f"日志只有 {len(events_canonical)} 个事件，少于检查点记录的 {checkpoint.size} 个（日志尾部被截断）"
        )
    if root(events_canonical[: checkpoint.size], algorithm) != checkpoint.root:
        return False, f"前 {checkpoint.size} 个事件的默克尔根与检查点不符（检查点之前的日志被改写、删除或重排）"
    return True, f"前 {checkpoint.size} 个事件与签名检查点一致"


def verify_case_inclusion(
    event_canonicals_with_index: Sequence[tuple[int, bytes]],
    proofs: Sequence[Sequence[bytes]],
    checkpoint: Checkpoint,
    *,
    algorithm: str = DEFAULT_ALGORITHM,
) -> Result:
    """Check each ``(leaf index, canonical bytes)`` against ``checkpoint`` with its inclusion proof.

    The leaf index is ``seq - 1``. ``checkpoint`` must already be verified
    (:func:`~review_service.audit.checkpoints.verify_checkpoint`): its signature
    is what binds the size and root the proofs lead to.
    """
    if len(event_canonicals_with_index) != len(proofs):
        return False, f"事件数（{len(event_canonicals_with_index)}）与证明数（{len(proofs)}）不一致"
    for (index, canonical), proof in zip(event_canonicals_with_index, proofs, strict=True):
        if not verify_inclusion(canonical, index, checkpoint.size, proof, checkpoint.root, algorithm):
            return False, f"第 {index + 1} 号事件无法证明属于检查点记录的日志（事件被修改，或证明、序号有误）"
    return True, f"{len(proofs)} 个事件均属于检查点记录的前 {checkpoint.size} 个事件"


def verify_checkpoint_consistency(
    old: Checkpoint, new: Checkpoint, proof: Sequence[bytes], *, algorithm: str = DEFAULT_ALGORITHM
) -> Result:
    """Check that the log of ``new`` extends the log of ``old`` (both already verified checkpoints)."""
    if old.origin != new.origin:
        return False, f"两个检查点属于不同的日志（{old.origin} 与 {new.origin}）"
    if new.size < old.size:
        return False, f"后一检查点（{new.size} 个事件）比前一检查点（{old.size} 个事件）短（日志被截断）"
    if not verify_consistency(old.size, new.size, old.root, new.root, proof, algorithm):
        return False, f"第 {new.size} 号检查点的日志不是第 {old.size} 号检查点日志的延续（历史被改写）"
    return True, f"{new.size} 个事件的日志延续了 {old.size} 个事件的日志"


# --- producing proofs (needs the whole log, so it runs on the server) -------------------------------------------


def case_inclusion_proofs(
    leaves: Sequence[bytes], indices: Iterable[int], *, size: int | None = None, algorithm: str = DEFAULT_ALGORITHM
) -> list[list[bytes]]:
    """Inclusion proofs of the leaves at ``indices`` in the tree of the first ``size`` leaves (all by default).

    The tree is built once, so each proof then costs O(log n); pass the
    checkpoint's size to prove against that checkpoint rather than the current log.
    """
    tree = MerkleTree(leaves if size is None else leaves[:size], algorithm)
    return [tree.inclusion_proof(index) for index in indices]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def case_proof_bundle(
    checkpoint_text: str,
    events: Sequence[tuple[int, bytes]],
    proofs: Sequence[Sequence[bytes]],
    *,
    algorithm: str = DEFAULT_ALGORITHM,
) -> dict[str, Any]:
    """A JSON-able bundle of one case's events (``(leaf index, canonical)``), their proofs and the checkpoint."""
    return {
        "format": BUNDLE_FORMAT,
        "algorithm": algorithm,
        "checkpoint": checkpoint_text,
        "events": [
            {"index": index, "canonical": _b64(canonical), "proof": [_b64(h) for h in proof]}
            for (index, canonical), proof in zip(events, proofs, strict=True)
        ],
    }


def verify_case_proof_bundle(bundle: Mapping[str, Any], verifier_key: Verifier | str) -> Result:
    """Verify a :func:`case_proof_bundle`: the checkpoint's signature, then every event's inclusion.

    The bundle names its hash; an unknown name fails. A bundle cannot gain
    anything by naming another hash: the signed root was computed with one.
    """
    try:
        if bundle.get("format") != BUNDLE_FORMAT:
            return False, "不是审计包含证明文件"
        algorithm = str(bundle.get("algorithm", DEFAULT_ALGORITHM))
        digest_function(algorithm)
        checkpoint = verify_checkpoint(bundle["checkpoint"], verifier_key)
        events = [(int(e["index"]), base64.b64decode(e["canonical"], validate=True)) for e in bundle["events"]]
        proofs = [[base64.b64decode(h, validate=True) for h in e["proof"]] for e in bundle["events"]]
    except CheckpointError as exc:
        return False, f"检查点无效：{exc}"
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        return False, f"证明文件格式有误：{exc}"
    return verify_case_inclusion(events, proofs, checkpoint, algorithm=algorithm)


CONSISTENCY_FORMAT = "review-service/audit-consistency/v1"


def consistency_bundle(old_text: str, new_text: str, proof: Sequence[bytes], *,
                       algorithm: str = DEFAULT_ALGORITHM) -> dict[str, Any]:
    """A JSON-able bundle: two signed checkpoints and the proof that the later log extends the earlier."""
    return {"format": CONSISTENCY_FORMAT, "algorithm": algorithm, "old": old_text, "new": new_text,
            "proof": [_b64(h) for h in proof]}


def verify_consistency_bundle(bundle: Mapping[str, Any], verifier_key: Verifier | str) -> Result:
    """Verify a :func:`consistency_bundle`: both signatures, then the consistency proof."""
    try:
        if bundle.get("format") != CONSISTENCY_FORMAT:
            return False, "不是审计一致性证明文件"
        algorithm = str(bundle.get("algorithm", DEFAULT_ALGORITHM))
        digest_function(algorithm)
        old = verify_checkpoint(bundle["old"], verifier_key)
        new = verify_checkpoint(bundle["new"], verifier_key)
        proof = [base64.b64decode(h, validate=True) for h in bundle["proof"]]
    except CheckpointError as exc:
        return False, f"检查点无效：{exc}"
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        return False, f"证明文件格式有误：{exc}"
    return verify_checkpoint_consistency(old, new, proof, algorithm=algorithm)
