"""``audit verify``: re-hash the whole log and report the first bad event (DESIGN.md §4.5, §9).

Events are streamed in ``seq`` order by keyset pagination (``seq > last``,
``LIMIT batch``) over plain column rows, so memory stays flat and nothing
enters the session's identity map. For each event, in this order:

1. ``seq`` is the next number (a gap: ``missing`` at the first absent seq);
2. ``hash == H(canonical)`` over the stored bytes (``bad_hash``);
3. the columns say what the stored bytes say (``edited``): the database
   itself rebuilds each event's canonical JSON from its columns in the same
   query (:func:`_same_sql`; SQLite: two ``json_object`` calls with the payload
   text spliced in between, unparsed; PostgreSQL: concatenation with ``to_json``)
   and compares bytes. A row it flags is re-checked exactly in Python
   (``chain.row_canonical``), so a difference in rendering could only ever cost
   time, never a false report; and a flag is never missed: every value is
   rendered as JSON, self-delimiting and escaped as ``json.dumps`` escapes, so
   equal bytes mean equal values (``at`` is compared in its stored text form,
   ``T`` for the space and a ``Z``);
4. the ``prev_hash`` inside the canonical bytes equals the previous event's
   hash (``broken_link``; found with one ``rfind``: it is the last key before
   ``role`` and ``seq``, whose string values cannot hold an unescaped quote).

Each batch is first checked whole, in bulk (:func:`_batch_whole`: C-level maps and
list comparisons, no Python bytecode per event but the hash): first and last seq,
every ``same`` flag, the ``prev_hash`` column against the previous row's ``hash``
(with the columns matching the bytes, that is check 4), every hash. Only a batch
that fails there is walked event by event in the order above (:func:`_first_bad`),
which names the first bad event and its reason; a batch whose only failure was a
false flag passes that walk and the scan goes on. Nothing is re-serialized per event
in Python: the cost is one fetch, one hash and the database's rebuild per event. On
SQLite that rebuild costs about as much as the bare pass itself, so on a SQLite file
check 3 runs on a second connection, on the other core (:class:`_ColumnCheck`: it returns
only the seqs it flags, which are then weighed against the first failure of checks 1, 2
and 4 in the order above): ``audit verify`` takes about 1.2–1.4 times a bare SHA-256 pass
over the stored bytes, against 2–2.5 times with the check inline (PostgreSQL, or a session
bound to one connection) (``bench/indicators.py``; README, "Audit trail").

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
cut the tail with the checkpoints covering it, head    only a checkpoint kept outside:
moved back                                             ``audit verify --checkpoint FILE``
=====================================================  ==========================================

The head is read before the events and bounds the scan: on PostgreSQL under
READ COMMITTED, events appended while ``verify`` runs are newer than the
check and are left for the next run (they are committed with their head
update, so every event up to the head read first is visible).
"""

from __future__ import annotations

import hashlib
import threading
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, Engine, String, cast, func, literal, literal_column, select
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
# the columns of a row of the hot query (:func:`_batches`)
_CANONICAL, _HASH, _PREV_HASH, _SAME = itemgetter(1), itemgetter(2), itemgetter(3), itemgetter(4)
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


def _rebuilt_canonical_postgresql() -> ColumnElement[Any]:
    """SQL that rebuilds an event's canonical JSON text from its columns (keys sorted, as ``chain`` does)."""
    c = _EVENTS.c

    def text(column: Any) -> Any:
        return func.coalesce(cast(func.to_json(column), String), literal("null"))

    def number(column: Any) -> Any:
        return func.coalesce(cast(column, String), literal("null"))

    at = literal('"').concat(func.to_char(func.timezone("UTC", c.at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')) \
        .concat(literal('"'))
    fields = [text(c.action), number(c.actor_id), text(c.actor_username), number(c.agency_id), at,
              number(c.case_id), text(c.client_addr), text(c.outcome), c.payload, text(c.prev_hash), text(c.role),
              number(c.seq)]
    parts: list[Any] = []
    for piece, value in zip(_TEMPLATE.split("%s")[:-1], fields, strict=True):
        parts += [literal(piece), value]
    rebuilt: ColumnElement[Any] = parts[0]
    for part in [*parts[1:], literal("}")]:
        rebuilt = rebuilt.concat(part)
    return rebuilt


# SQLite: two json_object calls render (and JSON-escape) every member but the payload, in sorted key order;
# the payload text is spliced between them unparsed. Cheaper than quoting each column on its own (one
# function call and one buffer per half); rtrim/ltrim only ever drop the object's own closing/opening brace,
# as no member value here is an object. SQLAlchemy stores SQLite times as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC).
_SQLITE_SAME = (
    "CAST(rtrim(json_object('action', action, 'actor_id', actor_id, 'actor_username', actor_username, "
    "'agency_id', agency_id, 'at', replace(at, ' ', 'T') || 'Z', 'case_id', case_id, "
    "'client_addr', client_addr, 'outcome', outcome), '}') "
    "|| ',\"payload\":' || payload || ',' "
    "|| ltrim(json_object('prev_hash', prev_hash, 'role', role, 'seq', seq), '{') AS BLOB) = canonical"
)


def _same_sql(dialect: Any) -> str:
    """The SQL of the ``same`` column: does the stored canonical equal the one rebuilt from the columns?"""
    if dialect.name != "postgresql":
        return _SQLITE_SAME
    rebuilt = _rebuilt_canonical_postgresql()
    same = func.convert_to(rebuilt, literal_column("'UTF8'")) == _EVENTS.c.canonical
    sql = str(same.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    return sql.replace("%", "%%") if dialect.paramstyle != "qmark" else sql  # pyformat: a literal % is %%


def _batches(session: Session, upto: int | None, size: int, same_sql: str) -> Iterator[Sequence[tuple[Any, ...]]]:
    """``(seq, canonical, hash, prev_hash, same)`` tuples in seq order, ``size`` at a time, up to ``upto`` if given.

    The one hot query of ``verify`` goes straight to the DB-API cursor of the session's own
    connection (same transaction, same snapshot): SQLAlchemy's row objects would cost more than
    the hashing.
    """
    dialect = session.get_bind().dialect
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (f"SELECT seq, canonical, hash, prev_hash, {same_sql} FROM audit_events WHERE seq > {mark}"
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


class _ColumnCheck(threading.Thread):
    """Check 3 for a whole SQLite log on a second connection, so that it runs on another core.

    The database rebuilds every event's canonical bytes from its columns (:data:`_SQLITE_SAME`) and
    hands back only the seqs of the rows that do not match (almost always none), while the main
    thread fetches and hashes. SQLite releases Python's lock while it steps, so the rebuild (about as
    costly as the bare pass) overlaps the fetching and hashing instead of adding to them.

    It reads its own snapshot, taken a moment after the main one: the rows up to the head read first
    are append-only, so both see the same rows unless someone edits the file during the run, and then
    that edit is reported by this run or the next; a row flagged here is re-checked exactly in the
    main snapshot (:func:`_columns_edited`), so a report is never wrong.
    """

    def __init__(self, engine: Any, upto: int | None) -> None:
        super().__init__(name="audit-verify-columns", daemon=True)
        self.engine, self.upto = engine, upto
        self.flagged: list[int] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            connection = self.engine.raw_connection()  # autocommit (core.db): one statement, one snapshot
            try:
                cursor = connection.cursor()
                bound = " AND seq <= ?" if self.upto is not None else ""
                cursor.execute(f"SELECT seq FROM audit_events WHERE ({_SQLITE_SAME}) IS NOT 1{bound} ORDER BY seq",
                               () if self.upto is None else (self.upto,))
                self.flagged = [row[0] for row in cursor.fetchall()]
                cursor.close()
            finally:
                connection.close()
        except BaseException as error:  # handed to the main thread, which checks inline instead
            self.error = error


def _column_check_apart(session: Session, upto: int | None) -> _ColumnCheck | None:
    """Start :class:`_ColumnCheck` where it can run: a SQLite database in a file (PostgreSQL checks inline)."""
    engine = session.get_bind()
    if not isinstance(engine, Engine):  # bound to one connection (its own, maybe uncommitted, view): inline
        return None
    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or database in ("", ":memory:") or "mode=memory" in str(engine.url):
        return None
    check = _ColumnCheck(engine, upto)
    check.start()
    return check


def _sha256_hexes(canonicals: list[Any], _sha256: Any = hashlib.sha256) -> list[str]:
    return [_sha256(canonical).hexdigest() for canonical in canonicals]


def _columns_edited(session: Session, seq: int, canonical: bytes) -> bool:
    """The exact check of a row the database flagged: re-derive its canonical bytes from the columns."""
    row = session.execute(select(_EVENTS).where(_EVENTS.c.seq == seq)).one()
    return row_canonical(typing.cast(Mapping[str, Any], row._mapping), row.payload) != canonical


def _batch_whole(rows: Sequence[tuple[Any, ...]], checked: int, prev_hash: str,
                 hashes: Callable[[list[Any]], list[str]]) -> bool:
    """Every check at once over a batch, in bulk (C-level maps and list compares): True if all pass.

    Seqs are the primary key, so ascending and unique: first and last right means none missing.
    With ``same`` true on every row the ``prev_hash`` column is the one inside the canonical bytes,
    so comparing the columns with the previous hashes is the link check. False says only that some
    check failed somewhere: :func:`_first_bad` finds which, and where.
    """
    if rows[0][0] != checked + 1 or rows[-1][0] != checked + len(rows) or not all(map(_SAME, rows)):
        return False
    digests = list(map(_HASH, rows))
    prev_hashes = list(map(_PREV_HASH, rows))
    return (prev_hashes[0] == prev_hash and prev_hashes[1:] == digests[:-1]
            and hashes(list(map(_CANONICAL, rows))) == digests)


def _first_bad(session: Session, rows: Sequence[tuple[Any, ...]], checked: int, prev_hash: str,
               hasher: Callable[[bytes], str]) -> VerifyResult | None:
    """The checks one event at a time, in the documented order; the first failure, or None."""
    prev = prev_hash.encode("ascii")
    for seq_, canonical, digest, _prev_column, same in rows:
        seq = checked + 1
        if seq_ != seq:
            return _bad(checked, seq, "missing")
        canonical = bytes(canonical)
        if hasher(canonical) != digest:
            return _bad(checked, seq, "bad_hash")
        if not same and _columns_edited(session, seq, canonical):
            return _bad(checked, seq, "edited")
        at = canonical.rfind(_PREV_KEY) + len(_PREV_KEY)
        if canonical[at : at + 65] != prev + b'"':
            return _bad(checked, seq, "broken_link")
        prev = digest.encode("ascii")
        checked = seq
    return None


def verify_chain(
    session: Session,
    *,
    progress: Callable[[int, int], None] | None = None,
    algorithm: str | None = None,
    batch_size: int = BATCH_SIZE,
    columns_apart: bool = True,
) -> VerifyResult:
    """Check every event of the log and the head; report the first bad event.

    ``progress(done, total)`` is called after each batch (``total`` is the head's
    ``last_seq``). Reads only; never writes or commits. ``columns_apart``: on SQLite, run
    check 3 on a second connection (:class:`_ColumnCheck`); off, in the main query.
    """
    algorithm = algorithm or recorded_algorithm(session)
    hasher = hash_function(algorithm)
    hashes = _sha256_hexes if algorithm == "sha256" else lambda canonicals: list(map(hasher, canonicals))
    head = _read_head(session)
    upto = head[0] if head is not None else None
    total = upto if upto is not None else session.scalar(select(func.count()).select_from(_EVENTS)) or 0
    apart = _column_check_apart(session, upto) if columns_apart else None
    same_sql = "1" if apart is not None else _same_sql(session.get_bind().dialect)
    checked, prev_hash, bad = 0, GENESIS, None
    for rows in _batches(session, upto, batch_size, same_sql):
        if not _batch_whole(rows, checked, prev_hash, hashes):
            bad = _first_bad(session, rows, checked, prev_hash, hasher)
            if bad is not None:
                break
        checked, prev_hash = checked + len(rows), rows[-1][2]
        if progress is not None:
            progress(checked, total)
    if apart is not None:
        apart.join()
        if apart.error is not None:  # e.g. a value SQLite's JSON functions refuse: check the slow way
            return verify_chain(session, progress=progress, algorithm=algorithm, batch_size=batch_size,
                                columns_apart=False)
        edited = _first_edited(session, apart.flagged, bad)
        if edited is not None:
            return edited
    return bad if bad is not None else _check_head(session, head, checked, prev_hash)


def _first_edited(session: Session, flagged: list[int], bad: VerifyResult | None) -> VerifyResult | None:
    """The first flagged event whose columns really differ, if it comes before ``bad`` (check 3 comes
    after checks 1 and 2 of the same event, before check 4)."""
    limit = bad.first_bad_seq if bad is not None and bad.first_bad_seq is not None else None
    for seq in flagged:
        if limit is not None and (seq > limit or (seq == limit and bad is not None
                                                  and bad.reason_code in ("missing", "bad_hash"))):
            return None
        canonical = session.scalar(select(_EVENTS.c.canonical).where(_EVENTS.c.seq == seq))
        if canonical is not None and _columns_edited(session, seq, bytes(canonical)):
            return _bad(seq - 1, seq, "edited")
    return None


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
