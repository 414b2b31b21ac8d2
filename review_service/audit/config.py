"""Which hash the audit log uses, and where that choice is recorded (DESIGN.md §9).

``REVIEW_SERVICE_AUDIT_HASH`` (``sha256``, the default, or ``sm3`` for agencies
that must pass 密评) is read when the log starts: the first append records it in
``audit_settings`` (one immutable row), and from then on the recorded value is
the log's hash whatever the environment says — the chain and the Merkle tree
cannot switch hash halfway, and ``audit verify`` / the checkpoints read the row,
so an SM3 log is never checked with SHA-256. A changed environment after that
is reported (:func:`configured_mismatch`), not obeyed.

The recorded value is cached per engine: it never changes once written, and
appends run in every action's transaction.
"""

from __future__ import annotations

import logging
import os
import weakref

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from review_service.audit.chain import DEFAULT_ALGORITHM
from review_service.audit.models import AuditEvent, AuditSettings
from review_service.audit.sm3 import register_sm3
from review_service.core.clock import utcnow

log = logging.getLogger(__name__)

HASH_ENV = "REVIEW_SERVICE_AUDIT_HASH"
ALGORITHMS = ("sha256", "sm3")
LABELS = {"sha256": "SHA-256", "sm3": "SM3（国密）"}

_recorded: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def configured_algorithm() -> str:
    """The hash the environment asks for (``REVIEW_SERVICE_AUDIT_HASH``); ``ValueError`` if unknown."""
    name = (os.environ.get(HASH_ENV) or DEFAULT_ALGORITHM).strip().lower().replace("-", "")
    if name not in ALGORITHMS:
        raise ValueError(f"{HASH_ENV}={name!r}：审计哈希算法只能是 sha256 或 sm3")
    if name == "sm3":
        register_sm3()
    return name


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def recorded_algorithm(session: Session) -> str:
    """The log's hash as recorded; for a log not started yet, the configured one. Reads only."""
    name = _stored(session)
    if name is not None:
        return name
    has_events = session.scalar(select(AuditEvent.seq).limit(1)) is not None
    return DEFAULT_ALGORITHM if has_events else configured_algorithm()


def _stored(session: Session) -> str | None:
    """The recorded hash (kept per engine once read: it never changes), or ``None`` before the first record."""
    engine = _engine(session)
    cached = _recorded.get(engine)
    if cached is not None:
        return cached
    name = session.scalar(select(AuditSettings.hash_algorithm).where(AuditSettings.id == 1))
    if name is not None:
        if name == "sm3":
            register_sm3()
        _recorded[engine] = name
    return name


def log_algorithm(session: Session) -> str:
    """The log's hash for the next append, recording the configured one in this transaction on first use.

    A log that has events but no record (written before the record existed) is SHA-256.
    """
    name = _stored(session)
    if name is not None:
        return name
    has_events = session.scalar(select(AuditEvent.seq).limit(1)) is not None
    values = {"id": 1, "hash_algorithm": DEFAULT_ALGORITHM if has_events else configured_algorithm(),
              "recorded_at": utcnow()}
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # Concurrent first writers: one insert wins, the others do nothing and read the winner's row.
    session.execute(insert(AuditSettings).values(values).on_conflict_do_nothing(index_elements=["id"]))
    name = session.scalar(select(AuditSettings.hash_algorithm).where(AuditSettings.id == 1))
    assert name is not None
    # Cached only after commit: a rolled-back first append must not leave a choice behind.
    return name if name != "sm3" else _with_sm3(name)


def _with_sm3(name: str) -> str:
    register_sm3()
    return name


def configured_mismatch(session: Session) -> str | None:
    """A warning when the environment asks for another hash than the log was started with, else ``None``."""
    try:
        wanted = configured_algorithm()
    except ValueError as error:
        return str(error)
    actual = recorded_algorithm(session)
    if os.environ.get(HASH_ENV) and wanted != actual:
        return (f"{HASH_ENV}={wanted}，但审计日志自开始即使用 {LABELS[actual]}；"
                f"已按日志记录的 {LABELS[actual]} 校验（日志中途不能更换哈希算法）")
    return None


def forget_cache() -> None:
    """Drop the cached choices (tests that swap databases under one engine)."""
    _recorded.clear()
