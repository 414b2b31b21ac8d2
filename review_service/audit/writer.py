"""Append one event to the audit log, in the caller's transaction (DESIGN.md §4.4).

The writer locks the head row, takes the next ``seq``, links the event to the
head's hash, inserts it and moves the head — all flushed, never committed: the
event commits or rolls back with the change it records.

An action appends two or three events. On the action path (:func:`write_event`, the audit
receiver) their rows wait in the session and go out together — one multi-row ``INSERT`` and
one head update — at the latest right before the transaction commits. Anything that reads the
log or its head in the same transaction sees them first: :func:`lock_head` and the checkpoint
writer call :func:`write_pending`; any statement run through the session (``session.execute``,
``scalars`` …) and the start of a savepoint trigger it through the session hooks that
:func:`install_session_hooks` registers. Statements on ``session.connection()`` do not: the
action path's own (records, deadlines, document contexts) never read the log.
:func:`append_event` writes at once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from review_service.audit.chain import (
    DEFAULT_ALGORITHM,
    GENESIS,
    event_hash,
    format_at,
    payload_text,
    row_canonical,
)
from review_service.audit.models import HEAD_ID, AuditEvent, AuditHead
from review_service.core.clock import utcnow

CLIENT_ADDR_KEY = "client_addr"
# (root transaction, savepoint, last_seq, last_hash) after this session's last append: later appends of the
# same transaction already hold the head lock and skip reading it again
_HEAD_KEY = "review_service.audit_head"
# (root transaction, [rows]) appended by write_event and not yet written
_PENDING_KEY = "review_service.audit_pending"

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
    write_pending(session)
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


def append_event(session: Session, **event: Any) -> AuditEvent:
    """Write the next audit event at once and return it (flushed, not committed); keywords of :func:`write_event`."""
    row = write_event(session, **event)
    write_pending(session)
    return AuditEvent(**row)


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
    """The next audit event in ``session``'s transaction, as the row (a dict) that waits to be written.

    ``actor`` is ``None`` for the system or any object with ``.id`` and ``.username``;
    ``client_addr`` is read from ``session.info["client_addr"]``, which the edge sets.
    ``payload`` must be JSON-able (no NaN); it is stored as canonical JSON. The row goes out with
    the transaction's other events (:func:`write_pending`); inside a savepoint it is written at
    once, so that a savepoint rolled back takes its events along.
    """
    text = payload_text(payload)
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
    # the payload's canonical text spliced in, as audit verify re-derives it from the stored columns
    canonical = row_canonical({**fields, "at": format_at(fields["at"])}, text)
    digest = event_hash(canonical, algorithm)
    row = {**fields, "payload": text, "canonical": canonical, "hash": digest}
    root, nested = session.get_transaction(), session.get_nested_transaction()
    session.info[_HEAD_KEY] = (root, nested, row["seq"], digest)
    pending: tuple[SessionTransaction | None, list[dict[str, Any]]] | None = session.info.get(_PENDING_KEY)
    if pending is None or pending[0] is not root:
        pending = session.info[_PENDING_KEY] = (root, [])
    pending[1].append(row)
    if nested is not None:
        write_pending(session)
    return row


def write_pending(session: Session, connection: Connection | None = None) -> None:
    """Write the rows :func:`write_event` holds for this transaction (a stale transaction's are dropped)."""
    pending = session.info.pop(_PENDING_KEY, None)
    if pending is None or not pending[1] or pending[0] is not session.get_transaction():
        return
    rows = pending[1]
    connection = connection or session.connection()
    connection.execute(_INSERT_EVENT, rows)
    connection.execute(_ADVANCE_HEAD, {"new_seq": rows[-1]["seq"], "new_hash": rows[-1]["hash"]})


def _before_commit(session: Session) -> None:
    write_pending(session)


def _before_savepoint(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested and transaction.parent is not None and _PENDING_KEY in session.info:
        # on the enclosing transaction's connection: the SAVEPOINT itself is emitted only after this hook
        write_pending(session, transaction.parent.connection(None))


def _before_orm_read(state: ORMExecuteState) -> None:
    # any statement through the session, not only those naming the log: working out which do would cost
    # a walk of every statement, and most of an action's statements come before its events anyway
    if _PENDING_KEY in state.session.info:
        write_pending(state.session)


def install_session_hooks() -> None:
    """Write held events before every commit, savepoint and ORM read of the log (idempotent)."""
    for name, hook in (("before_commit", _before_commit), ("after_transaction_create", _before_savepoint),
                       ("do_orm_execute", _before_orm_read)):
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
