"""Write signed checkpoints of the audit log, in the caller's transaction (DESIGN.md §9).

The root is computed by streaming the stored canonical bytes in ``seq`` order
(keyset pagination, a :class:`~review_service.audit.merkle.CompactRange`), so
memory stays flat however long the log is. A checkpoint is only signed over
a log that looks whole — contiguous ``seq`` from 1 up to the head, the last
event's hash equal to the head's — because signing a damaged log would vouch
for the damage; ``audit verify`` is the place to find out what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterator

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from review_service.audit.checkpoint_models import AuditCheckpoint
from review_service.audit.checkpoints import chain_extension, make_checkpoint
from review_service.audit.config import recorded_algorithm
from review_service.audit.exports import export_after_commit
from review_service.audit.merkle import CompactRange
from review_service.audit.models import HEAD_ID, AuditEvent, AuditHead
from review_service.audit.writer import write_pending
from review_service.core.clock import utcnow
from review_service.core.records import insert_record

BATCH_SIZE = 5000

_EVENTS = AuditEvent.__table__


class LogNotWhole(RuntimeError):
    """The log has a gap or disagrees with its head: no checkpoint is signed over it."""


# built once: a decision's checkpoint runs them in the action's transaction
_LEAVES_FROM = (select(_EVENTS.c.seq, _EVENTS.c.canonical).where(_EVENTS.c.seq >= bindparam("start"))
                .order_by(_EVENTS.c.seq).limit(bindparam("size")))
_LEAVES_BETWEEN = _LEAVES_FROM.where(_EVENTS.c.seq <= bindparam("upto"))
_CHECKPOINTS = AuditCheckpoint.__table__.c
_RESUME = (select(_CHECKPOINTS.size, _CHECKPOINTS.root, _CHECKPOINTS.compact_range)
           .where(_CHECKPOINTS.size <= bindparam("size"), _CHECKPOINTS.compact_range.is_not(None))
           .order_by(_CHECKPOINTS.id.desc()).limit(1))
_HEAD = select(AuditHead.__table__.c.last_seq, AuditHead.__table__.c.last_hash).where(
    AuditHead.__table__.c.id == HEAD_ID)
_HASH_AT = select(_EVENTS.c.hash).where(_EVENTS.c.seq == bindparam("seq"))


def log_leaves(
    session: Session, *, upto: int | None = None, batch_size: int = BATCH_SIZE, start: int = 1
) -> Iterator[bytes]:
    """The stored canonical bytes of events ``start..upto`` (to the end if ``None``) in seq order.

    ``LogNotWhole`` on a gap. Only ``seq`` and ``canonical`` are read, as plain rows, never ORM objects.
    """
    expected = start
    while upto is None or expected <= upto:
        bounds = {"start": expected, "size": batch_size}
        if upto is None:
            rows = session.execute(_LEAVES_FROM, bounds).all()
        else:
            rows = session.execute(_LEAVES_BETWEEN, {**bounds, "upto": upto}).all()
        if not rows:
            if upto is not None and expected <= upto:
                raise LogNotWhole(f"审计日志缺少第 {expected} 号事件")
            return
        for seq, canonical in rows:
            if seq != expected:
                raise LogNotWhole(f"审计日志缺少第 {expected} 号事件")
            yield bytes(canonical)
            expected += 1
        if upto is not None and len(rows) < batch_size and expected <= upto:
            raise LogNotWhole(f"审计日志缺少第 {expected} 号事件")


def _resume_point(session: Session, size: int, algorithm: str) -> CompactRange:
    """The compact range of the latest checkpoint at or below ``size`` whose stored range matches its root.

    Starting there, a checkpoint hashes only the events written since; a stored range that does not
    lead to its own signed root is ignored (the tree is then rebuilt from the first event).
    """
    rows = session.execute(_RESUME, {"size": size}).first()
    if rows is not None:
        try:
            hashes = [bytes.fromhex(h) for h in rows.compact_range.split(",") if h]
            compact = CompactRange.restore(rows.size, hashes, algorithm)
        except ValueError:
            compact = None
        if compact is not None and compact.root().hex() == rows.root:
            return compact
    return CompactRange(algorithm)


def log_tree(session: Session, *, algorithm: str | None = None) -> CompactRange:
    """The compact range of the log up to its head; ``LogNotWhole`` if the log is not whole.

    The head is read first and bounds the scan: on PostgreSQL events appended
    meanwhile are left to the next checkpoint (each commits with its head update).
    Only the events after the latest checkpoint are read and hashed.
    """
    return _log_tree(session, algorithm)[0]


def _log_tree(session: Session, algorithm: str | None) -> tuple[CompactRange, str | None]:
    """:func:`log_tree` and the hash of the last event (the head's, checked), ``None`` for an empty log."""
    write_pending(session)  # the events this transaction appended are part of the log it signs
    algorithm = algorithm or recorded_algorithm(session)
    head = session.execute(_HEAD).one_or_none()
    if head is None:  # no head row: only an empty log may lack it
        if session.scalar(select(_EVENTS.c.seq).limit(1)) is not None:
            raise LogNotWhole("审计日志有事件却没有头记录")
        return CompactRange(algorithm), None
    size, head_hash = int(head.last_seq), str(head.last_hash)
    compact = _resume_point(session, size, algorithm)
    compact.extend(log_leaves(session, start=compact.size + 1, upto=size))
    if size and session.scalar(_HASH_AT, {"seq": size}) != head_hash:
        raise LogNotWhole(f"审计日志头记录与第 {size} 号事件不符")
    return compact, head_hash if size else None


def tree_head(session: Session, *, algorithm: str | None = None) -> tuple[int, bytes]:
    """``(size, root)`` of the Merkle tree over the log up to its head; ``LogNotWhole`` if it is not whole."""
    compact = log_tree(session, algorithm=algorithm)
    return compact.size, compact.root()


def write_checkpoint(
    session: Session, *, key: Ed25519PrivateKey, origin: str, algorithm: str | None = None
) -> AuditCheckpoint:
    """Sign a checkpoint of the log as it stands and store it (flushed, not committed); return the row.

    ``origin`` names the log (e.g. ``review-service.example/agency-12``) and is
    also the key name on the signature line. Once the transaction commits, the checkpoint is
    copied to the configured witness folder or command (:mod:`review_service.audit.exports`).
    """
    compact, last_hash = _log_tree(session, algorithm)
    size, root = compact.size, compact.root()
    extensions = (chain_extension(last_hash),) if last_hash else ()
    row = AuditCheckpoint(
        size=size, root=root.hex(), text=make_checkpoint(origin, size, root, key, extensions=extensions),
        created_at=utcnow(),
        compact_range=",".join(h.hex() for h in compact.hashes),
    )
    row = insert_record(session, row)
    export_after_commit(session, row)
    return row


def checkpoints(session: Session) -> list[AuditCheckpoint]:
    """Every checkpoint written, oldest first (for export)."""
    return list(session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)))


def latest_checkpoint(session: Session) -> AuditCheckpoint | None:
    """The most recent checkpoint, or ``None``."""
    return session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)).first()
