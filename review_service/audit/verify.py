"""``audit verify``: re-hash the whole log and report the first bad event (DESIGN.md §4.5, §9).

Events are streamed in ``seq`` order by keyset pagination (``seq > last``,
``LIMIT batch``) over plain column rows, so memory stays flat and nothing
enters the session's identity map. For each event, in this order:

1. ``seq`` is the next number (a gap: ``missing`` at the first absent seq);
2. ``hash == H(canonical)`` over the stored bytes — the fast path (``bad_hash``);
3. the canonical re-derived from the columns equals the stored bytes
   (``edited``); the payload text is spliced in unparsed, so this is a
   byte-exact comparison without a JSON parse (``chain.row_canonical``);
4. ``prev_hash`` equals the previous event's hash (``broken_link``).

Which check catches which tampering:

=====================================================  ==========================================
tampering                                              caught as
=====================================================  ==========================================
edit a column (payload, actor, time, seq …) only       ``edited`` at that event
edit the stored canonical and/or hash only             ``bad_hash`` at that event
rewrite event *i* consistently (columns, canonical,    ``broken_link`` at *i + 1*: its stored
hash recomputed)                                       ``prev_hash`` names the original hash
swap two events' contents, seq kept                    ``edited`` at the first (``seq`` is hashed);
                                                       recomputed: ``broken_link`` at the first
delete event *i* inside the log                        ``missing`` at *i*
delete the tail                                        ``head_mismatch`` at the first missing seq
rows appended behind the head's back                   ``head_mismatch`` after the head's seq
rewrite everything from *i* on, head included          not from the database alone: signed,
                                                       exported checkpoints (later issue)
=====================================================  ==========================================

The head is read before the events and bounds the scan: on PostgreSQL under
READ COMMITTED, events appended while ``verify`` runs are newer than the
check and are left for the next run (they are committed with their head
update, so every event up to the head read first is visible).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from review_service.audit.chain import DEFAULT_ALGORITHM, GENESIS, hash_function, row_canonical
from review_service.audit.models import HEAD_ID, AuditEvent, AuditHead

BATCH_SIZE = 1000

REASONS: dict[str, str] = {
    "missing": "第 {seq} 号审计事件缺失（已被删除）",
    "bad_hash": "第 {seq} 号审计事件的哈希值与其内容不符",
    "edited": "第 {seq} 号审计事件的字段与其哈希内容不符（已被修改）",
    "broken_link": "第 {seq} 号审计事件的前序哈希与上一事件不符（上一事件被改写，或本事件被替换、重排）",
    "head_mismatch": "审计日志头记录与日志不符，自第 {seq} 号事件起（日志尾部被截断或被追加）",
}

_EVENTS = AuditEvent.__table__


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of :func:`verify_chain`.

    ``events`` counts the events that passed every check (all of them when ``ok``);
    ``reason`` is for people (Chinese), ``reason_code`` is stable: ``missing``,
    ``bad_hash``, ``edited``, ``broken_link`` or ``head_mismatch``.
    """

    ok: bool
    events: int
    first_bad_seq: int | None = None
    reason: str | None = None
    reason_code: str | None = None


def _bad(events: int, seq: int, code: str) -> VerifyResult:
    return VerifyResult(False, events, seq, REASONS[code].format(seq=seq), code)


def _read_head(session: Session) -> tuple[int, str] | None:
    row = session.execute(
        select(AuditHead.last_seq, AuditHead.last_hash).where(AuditHead.id == HEAD_ID)
    ).one_or_none()
    return None if row is None else (row.last_seq, row.last_hash)


def _batches(session: Session, upto: int | None, size: int) -> Iterator[Sequence[Row[Any]]]:
    """Rows of ``audit_events`` in seq order, ``size`` at a time, up to ``upto`` if given."""
    last = 0
    while True:
        stmt = select(_EVENTS).where(_EVENTS.c.seq > last).order_by(_EVENTS.c.seq).limit(size)
        if upto is not None:
            stmt = stmt.where(_EVENTS.c.seq <= upto)
        rows = session.execute(stmt).all()
        if not rows:
            return
        yield rows
        last = rows[-1].seq


def verify_chain(
    session: Session,
    *,
    progress: Callable[[int, int], None] | None = None,
    algorithm: str = DEFAULT_ALGORITHM,
    batch_size: int = BATCH_SIZE,
) -> VerifyResult:
    """Check every event of the log and the head; report the first bad event.

    ``progress(done, total)`` is called after each batch (``total`` is the head's
    ``last_seq``). Reads only; never writes or commits.
    """
    hasher = hash_function(algorithm)
    head = _read_head(session)
    upto = head[0] if head is not None else None
    total = upto if upto is not None else session.scalar(select(func.count()).select_from(_EVENTS)) or 0
    checked, prev_hash = 0, GENESIS
    for rows in _batches(session, upto, batch_size):
        for row in rows:
            seq = checked + 1
            if row.seq != seq:
                return _bad(checked, seq, "missing")
            canonical = bytes(row.canonical)
            if hasher(canonical) != row.hash:
                return _bad(checked, seq, "bad_hash")
            if row_canonical(row._mapping, row.payload) != canonical:
                return _bad(checked, seq, "edited")
            if row.prev_hash != prev_hash:
                return _bad(checked, seq, "broken_link")
            prev_hash = row.hash
            checked = seq
        if progress is not None:
            progress(checked, total)
    return _check_head(session, head, checked, prev_hash)


def _check_head(session: Session, head: tuple[int, str] | None, checked: int, last_hash: str) -> VerifyResult:
    """The head must name the last event; no event may lie beyond it."""
    if head is None:  # no head row: only an empty log may lack it
        return _bad(checked, 1, "head_mismatch") if checked else VerifyResult(True, 0)
    head_seq, head_hash = head
    if checked < head_seq:  # the tail was cut off
        return _bad(checked, checked + 1, "head_mismatch")
    if head_hash != last_hash:
        return _bad(max(checked - 1, 0), max(checked, 1), "head_mismatch")
    # Max first, head second: any event a later writer committed moved the head with it.
    max_seq = session.scalar(select(func.max(_EVENTS.c.seq))) or 0
    now = _read_head(session)
    now_seq = now[0] if now is not None else 0
    if max_seq > now_seq:
        return _bad(checked, now_seq + 1, "head_mismatch")
    return VerifyResult(True, checked)
