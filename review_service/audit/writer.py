"""Append one event to the audit log, in the caller's transaction (DESIGN.md §4.4).

The writer locks the head row, takes the next ``seq``, links the event to the
head's hash, inserts it and moves the head — all flushed, never committed: the
event commits or rolls back with the change it records.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from review_service.audit.chain import (
    DEFAULT_ALGORITHM,
    GENESIS,
    event_canonical,
    event_hash,
    format_at,
    normalize_payload,
)
from review_service.audit.models import HEAD_ID, AuditEvent, AuditHead
from review_service.core.clock import utcnow

CLIENT_ADDR_KEY = "client_addr"
# (root transaction, savepoint, last_seq, last_hash) after this session's last append: later appends of the
# same transaction already hold the head lock and skip reading it again
_HEAD_KEY = "review_service.audit_head"

# Built once: these run in every action's transaction, so they skip the ORM and its statement cache keys.
_LOCK_HEAD = (
    select(AuditHead.__table__.c.last_seq, AuditHead.__table__.c.last_hash)
    .where(AuditHead.__table__.c.id == HEAD_ID)
    .with_for_update()
)
_INSERT_EVENT = insert(AuditEvent.__table__)
_ADVANCE_HEAD = (
    update(AuditHead.__table__)
    .where(AuditHead.__table__.c.id == HEAD_ID)
    .values(last_seq=bindparam("new_seq"), last_hash=bindparam("new_hash"))
)


def lock_head(session: Session) -> tuple[int, str]:
    """Lock the head row and return ``(last_seq, last_hash)``, creating it (genesis) on first use.

    PostgreSQL: ``SELECT … FOR UPDATE`` queues concurrent writers; the first
    writers race on ``INSERT … ON CONFLICT DO NOTHING`` and then all lock the
    one row. SQLite: every transaction begins ``IMMEDIATE`` (``core.db``), so
    the transaction already holds the database's write lock. Core statements,
    not the ORM unit of work: this runs in every action's transaction.
    """
    connection = session.connection()
    head = connection.execute(_LOCK_HEAD).first()
    if head is None:
        values = {"id": HEAD_ID, "last_seq": 0, "last_hash": GENESIS}
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            connection.execute(pg_insert(AuditHead).values(values).on_conflict_do_nothing(index_elements=["id"]))
        elif dialect == "sqlite":
            connection.execute(sqlite_insert(AuditHead).values(values).on_conflict_do_nothing(index_elements=["id"]))
        else:  # pragma: no cover - only the two supported databases
            connection.execute(insert(AuditHead).values(values))
        head = connection.execute(_LOCK_HEAD).one()
    return int(head.last_seq), str(head.last_hash)


def _held_head(session: Session) -> tuple[int, str] | None:
    """The head this transaction wrote last, if it is still the transaction (and savepoint) it wrote in.

    A savepoint rolled back or ended since then no longer matches, and the head is read again.
    """
    held = session.info.get(_HEAD_KEY)
    if held is None or held[0] is not session.get_transaction() or held[1] is not session.get_nested_transaction():
        return None
    return held[2], held[3]


def last_appended_seq(session: Session) -> int | None:
    """The ``seq`` of the event this session's transaction appended last (``None`` if none yet)."""
    held = _held_head(session)
    return held[0] if held is not None else None


def append_event(
    session: Session,
    *,
    action: str,
    actor: Any,
    role: str,
    agency_id: int | None,
    case_id: int | None,
    payload: dict[str, Any],
    outcome: str = "ok",
    algorithm: str = DEFAULT_ALGORITHM,
) -> AuditEvent:
    """Write the next audit event in ``session``'s transaction and return it (flushed, not committed).

    ``actor`` is ``None`` for the system or any object with ``.id`` and ``.username``;
    ``client_addr`` is read from ``session.info["client_addr"]``, which the edge sets.
    ``payload`` must be JSON-able (no NaN); it is stored as canonical JSON.
    """
    return AuditEvent(**write_event(session, action=action, actor=actor, role=role, agency_id=agency_id,
                                    case_id=case_id, payload=payload, outcome=outcome, algorithm=algorithm))


def write_event(
    session: Session,
    *,
    action: str,
    actor: Any,
    role: str,
    agency_id: int | None,
    case_id: int | None,
    payload: dict[str, Any],
    outcome: str = "ok",
    algorithm: str = DEFAULT_ALGORITHM,
) -> dict[str, Any]:
    """:func:`append_event` returning the written row as a dict (the action path needs only its ``seq``)."""
    payload_text, payload_value = normalize_payload(payload)
    last_seq, last_hash = _held_head(session) or lock_head(session)
    fields: dict[str, Any] = {
        "seq": last_seq + 1,
        "at": utcnow(),
        "actor_id": getattr(actor, "id", None),
        "actor_username": getattr(actor, "username", None),
        "role": role,
        "agency_id": agency_id,
        "case_id": case_id,
        "action": action,
        "outcome": outcome,
        "client_addr": session.info.get(CLIENT_ADDR_KEY),
        "prev_hash": last_hash,
    }
    canonical = event_canonical({**fields, "at": format_at(fields["at"]), "payload": payload_value})
    digest = event_hash(canonical, algorithm)
    row = {**fields, "payload": payload_text, "canonical": canonical, "hash": digest}
    connection = session.connection()
    connection.execute(_INSERT_EVENT, row)
    connection.execute(_ADVANCE_HEAD, {"new_seq": row["seq"], "new_hash": digest})
    session.info[_HEAD_KEY] = (session.get_transaction(), session.get_nested_transaction(), row["seq"], digest)
    return row
