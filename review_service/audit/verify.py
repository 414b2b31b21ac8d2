"""``audit verify``: re-hash the whole log and report the first bad event (DESIGN.md §4.5, §9).

Events are streamed in ``seq`` order by keyset pagination (``seq > last``,
``LIMIT batch``) over plain column rows, so memory stays flat and nothing
enters the session's identity map. For each event, in this order:

1. ``seq`` is the next number (a gap: ``missing`` at the first absent seq);
2. ``hash == H(canonical)`` over the stored bytes — the fast path (``bad_hash``);
3. the columns say what the stored bytes say (``edited``): the database
   itself rebuilds each event's canonical JSON from its columns in the same
   query (:func:`_columns_match`: string concatenation with ``json_quote`` /
   ``to_json``, the payload text spliced in unparsed) and compares bytes; a
   row it flags is re-checked exactly in Python (``chain.row_canonical``), so
   a difference in escaping could only ever cost time, never a false report,
   and a flag is never missed: both sides produce valid JSON, so equal bytes
   mean equal values;
4. the ``prev_hash`` inside the canonical bytes equals the previous event's
   hash (``broken_link``; found with one ``rfind``: it is the last key before
   ``role`` and ``seq``, whose string values cannot hold an unescaped quote).

Nothing is re-serialized per event in Python: the cost is one fetch and one
hash per event, which keeps ``audit verify`` within about twice a bare SHA-256 pass over the
stored bytes (README, "Audit trail").

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
                                                       exported checkpoints (``checkpoint_check``)
=====================================================  ==========================================

The head is read before the events and bounds the scan: on PostgreSQL under
READ COMMITTED, events appended while ``verify`` runs are newer than the
check and are left for the next run (they are committed with their head
update, so every event up to the head read first is visible).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, LargeBinary, String, cast, func, literal, literal_column, select
from sqlalchemy.orm import Session

from review_service.audit.chain import GENESIS, hash_function, row_canonical
from review_service.audit.config import recorded_algorithm
from review_service.audit.models import HEAD_ID, AuditEvent, AuditHead

BATCH_SIZE = 5000

REASONS: dict[str, str] = {
    "missing": "第 {seq} 号审计事件缺失（已被删除）",
    "bad_hash": "第 {seq} 号审计事件的哈希值与其内容不符",
    "edited": "第 {seq} 号审计事件的字段与其哈希内容不符（已被修改）",
    "broken_link": "第 {seq} 号审计事件的前序哈希与上一事件不符（上一事件被改写，或本事件被替换、重排）",
    "head_mismatch": "审计日志头记录与日志不符，自第 {seq} 号事件起（日志尾部被截断或被追加）",
}

_EVENTS = AuditEvent.__table__
_PREV_KEY = b'"prev_hash":"'
# the canonical form's keys in sorted order, as chain.event_canonical writes them
_TEMPLATE = ('{"action":%s,"actor_id":%s,"actor_username":%s,"agency_id":%s,"at":%s,"case_id":%s,'
             '"client_addr":%s,"outcome":%s,"payload":%s,"prev_hash":%s,"role":%s,"seq":%s}')


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


def _rebuilt_canonical(dialect: str) -> ColumnElement[Any]:
    """SQL that rebuilds an event's canonical JSON text from its columns (keys sorted, as ``chain`` does)."""
    c = _EVENTS.c
    if dialect == "postgresql":
        def text(column: Any) -> Any:
            return func.coalesce(cast(func.to_json(column), String), literal("null"))

        def number(column: Any) -> Any:
            return func.coalesce(cast(column, String), literal("null"))

        at = literal('"').concat(func.to_char(func.timezone("UTC", c.at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')) \
            .concat(literal('"'))
    else:
        def text(column: Any) -> Any:
            return func.json_quote(column)

        def number(column: Any) -> Any:
            return func.coalesce(cast(column, String), literal("null"))

        # SQLAlchemy stores SQLite times as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC, as the writer gives them)
        at = func.printf('"%sZ"', func.replace(c.at, " ", "T"))
    fields = [text(c.action), number(c.actor_id), text(c.actor_username), number(c.agency_id), at,
              number(c.case_id), text(c.client_addr), text(c.outcome), c.payload, text(c.prev_hash), text(c.role),
              number(c.seq)]
    if dialect != "postgresql":  # one printf instead of 23 concatenations: each one copies the string so far
        return func.printf(literal(_TEMPLATE), *fields)
    parts: list[Any] = []
    for piece, value in zip(_TEMPLATE.split("%s")[:-1], fields, strict=True):
        parts += [literal(piece), value]
    rebuilt = parts[0]
    for part in [*parts[1:], literal("}")]:
        rebuilt = rebuilt.concat(part)
    return rebuilt


def _columns_match(dialect: str) -> ColumnElement[Any]:
    rebuilt = _rebuilt_canonical(dialect)
    if dialect == "postgresql":
        return (func.convert_to(rebuilt, literal_column("'UTF8'")) == _EVENTS.c.canonical).label("same")
    return (cast(rebuilt, LargeBinary) == _EVENTS.c.canonical).label("same")


def _batches(session: Session, upto: int | None, size: int) -> Iterator[Sequence[tuple[Any, ...]]]:
    """``(seq, canonical, hash, same)`` tuples in seq order, ``size`` at a time, up to ``upto`` if given.

    The one hot query of ``verify`` goes straight to the DB-API cursor of the session's own
    connection (same transaction, same snapshot): SQLAlchemy's row objects would cost more than
    the hashing. Its SQL is rendered once from the expression, with constants inlined.
    """
    dialect = session.get_bind().dialect
    same = _columns_match(dialect.name).compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    same_sql = str(same).replace("%", "%%") if mark == "%s" else str(same)  # pyformat: a literal % is %%
    sql = (f"SELECT seq, canonical, hash, {same_sql} FROM audit_events WHERE seq > {mark}"
           + (f" AND seq <= {mark}" if upto is not None else "") + f" ORDER BY seq LIMIT {mark}")
    cursor = session.connection().connection.cursor()
    try:
        last = 0
        while True:
            cursor.execute(sql, (last, upto, size) if upto is not None else (last, size))
            rows = cursor.fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]
    finally:
        cursor.close()


def _hex_sha256(data: bytes, _sha256: Any = hashlib.sha256) -> str:
    return _sha256(data).hexdigest()


def _columns_edited(session: Session, seq: int, canonical: bytes) -> bool:
    """The exact check of a row the database flagged: re-derive its canonical bytes from the columns."""
    row = session.execute(select(_EVENTS).where(_EVENTS.c.seq == seq)).one()
    return row_canonical(row._mapping, row.payload) != canonical


def verify_chain(
    session: Session,
    *,
    progress: Callable[[int, int], None] | None = None,
    algorithm: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> VerifyResult:
    """Check every event of the log and the head; report the first bad event.

    ``progress(done, total)`` is called after each batch (``total`` is the head's
    ``last_seq``). Reads only; never writes or commits.
    """
    algorithm = algorithm or recorded_algorithm(session)
    hasher = _hex_sha256 if algorithm == "sha256" else hash_function(algorithm)
    head = _read_head(session)
    upto = head[0] if head is not None else None
    total = upto if upto is not None else session.scalar(select(func.count()).select_from(_EVENTS)) or 0
    checked, prev_hash = 0, GENESIS.encode("ascii")
    for rows in _batches(session, upto, batch_size):
        for seq_, canonical, digest, same in rows:
            seq = checked + 1
            if seq_ != seq:
                return _bad(checked, seq, "missing")
            canonical = bytes(canonical)
            if hasher(canonical) != digest:
                return _bad(checked, seq, "bad_hash")
            if not same and _columns_edited(session, seq, canonical):
                return _bad(checked, seq, "edited")
            at = canonical.rfind(_PREV_KEY) + len(_PREV_KEY)
            if canonical[at : at + 65] != prev_hash + b'"':
                return _bad(checked, seq, "broken_link")
            prev_hash = digest.encode("ascii")
            checked = seq
        if progress is not None:
            progress(checked, total)
    return _check_head(session, head, checked, prev_hash.decode("ascii"))


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
