"""When checkpoints are signed: every N events, every T minutes (``tick``) and at each decision (DESIGN.md §9).

* **Every N events** (``REVIEW_SERVICE_CHECKPOINT_EVERY``, default 1000): the
  append that writes event ``seq`` with ``seq % N == 0`` signs one in its own
  transaction. ``seq`` is contiguous, so this needs no query.
* **At each decision** (``decision_made``, ``decision_revoked``): the same, right
  after the decision's event is appended.
* **Every T minutes** (``REVIEW_SERVICE_CHECKPOINT_MINUTES``, default 60):
  ``review-service tick`` calls :func:`checkpoint_if_due`, which also catches up
  whatever the two above missed (a decision or N events since the last checkpoint).

Why in the action's transaction rather than after commit: the writer already
holds the head lock there, so the checkpoint covers exactly the log up to and
including the decision; the decision and its checkpoint commit or roll back
together, so no decision is ever committed without one (unless signing failed,
see below); and the cost is bounded — a checkpoint resumes from the previous
one's compact range and hashes only the events since (≤ N, plus log n), one
Ed25519 signature on top. Signing can never break the action: a missing or
unreadable key, or a log that is not whole, is logged and the checkpoint
skipped; ``tick`` signs it later (a decision after the last checkpoint makes one due).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.audit.checkpoint_check import log_origin
from review_service.audit.checkpoint_models import AuditCheckpoint
from review_service.audit.checkpoint_writer import LogNotWhole, write_checkpoint
from review_service.audit.checkpoints import SigningKeyError, load_or_create_signing_key
from review_service.audit.exports import retry_after_commit
from review_service.audit.models import AuditEvent
from review_service.audit.writer import lock_head
from review_service.core.actions import Action
from review_service.core.clock import as_utc
from review_service.core.process_state import ProcessState, state_of

log = logging.getLogger(__name__)

EVERY_ENV = "REVIEW_SERVICE_CHECKPOINT_EVERY"
MINUTES_ENV = "REVIEW_SERVICE_CHECKPOINT_MINUTES"
DECISION_ACTIONS = frozenset({Action.DECISION_MADE, Action.DECISION_REVOKED})
_EVENTS = AuditEvent.__table__


@dataclass(frozen=True)
class CheckpointPolicy:
    """N and T: sign after every ``every_events`` events and at least every ``every_minutes`` minutes."""

    every_events: int = 1000
    every_minutes: float = 60.0

    @classmethod
    def from_env(cls) -> CheckpointPolicy:
        every = int(os.environ.get(EVERY_ENV, cls.every_events))
        minutes = float(os.environ.get(MINUTES_ENV, cls.every_minutes))
        if every < 1 or minutes <= 0:
            raise ValueError(f"{EVERY_ENV} 应为正整数，{MINUTES_ENV} 应为正数")
        return cls(every, minutes)


def _keys_part(state: ProcessState) -> dict[Path, Ed25519PrivateKey]:
    """A runtime's signing keys read so far, by folder (one in practice: its ``signing_dir``)."""
    return {}


def signing_key(session: Session) -> Ed25519PrivateKey:
    """The checkpoint key of ``session``'s runtime (created on first use in its ``signing_dir``, then kept).

    ``SigningKeyError`` when the runtime signs nothing (a bare test process): no key file is
    ever created in whatever the current directory happens to be.
    """
    state = state_of(session)
    path = state.signing_dir
    if path is None:
        raise SigningKeyError("未配置实例目录，无法签名检查点")
    keys = state.part(_keys_part)
    key = keys.get(path)
    if key is None:
        key = keys[path] = load_or_create_signing_key(path)
    return key


def _sign(session: Session, key: Ed25519PrivateKey | None, why: str) -> bool:
    if key is None and state_of(session).signing_dir is None:
        return False  # a runtime that signs nothing (a bare test process)
    try:
        write_checkpoint(session, key=key or signing_key(session), origin=log_origin())
    except (SigningKeyError, LogNotWhole, OSError) as error:
        log.warning("audit checkpoint (%s) skipped: %s", why, error)
        return False
    return True


def checkpoint_after_append(session: Session, *, action: str, seq: int, policy: CheckpointPolicy | None = None) -> bool:
    """Sign a checkpoint right after event ``seq`` if it is a decision or the N-th event; report whether signed.

    Called by the audit receiver in the action's transaction (the head is locked already).
    """
    policy = policy or _policy(session)
    if action in DECISION_ACTIONS:
        return _sign(session, None, f"decision {action} at {seq}")
    if seq % policy.every_events == 0:
        return _sign(session, None, f"every {policy.every_events} events at {seq}")
    return False


def checkpoint_if_due(
    session: Session, *, now: datetime, key: Ed25519PrivateKey | None = None, policy: CheckpointPolicy | None = None
) -> bool:
    """Sign a checkpoint in ``session``'s transaction if one is due; return whether one was written.

    Due when events were appended since the latest checkpoint (nothing new: nothing to sign) and
    any of: there is no checkpoint yet; the latest is ``T`` minutes old or older; ``N`` or more
    events came since; a decision came since. Takes the audit head lock first, so several
    ``tick`` processes (or hosts) running at once write one checkpoint, not several.
    """
    policy = policy or _policy(session)
    head_seq, _head_hash = lock_head(session)
    latest = session.execute(
        select(AuditCheckpoint.size, AuditCheckpoint.created_at).order_by(AuditCheckpoint.id.desc()).limit(1)
    ).first()
    size = latest.size if latest is not None else 0
    # every tick, after its own checkpoint's export: checkpoints whose outside copy failed or was lost go out again
    if head_seq <= size:
        retry_after_commit(session)
        return False
    due = (
        latest is None
        or as_utc(now) - as_utc(latest.created_at) >= timedelta(minutes=policy.every_minutes)
        or head_seq - size >= policy.every_events
        or session.scalar(
            select(_EVENTS.c.seq).where(_EVENTS.c.seq > size, _EVENTS.c.action.in_(DECISION_ACTIONS)).limit(1)
        ) is not None
    )
    signed = due and _sign(session, key, "tick")
    retry_after_commit(session)
    return signed


def policy_part(state: ProcessState) -> CheckpointPolicy:
    """A runtime's N and T, read from the environment once (a test puts its own with ``state.put``)."""
    return CheckpointPolicy.from_env()


def _policy(session: Session) -> CheckpointPolicy:
    return state_of(session).part(policy_part)
