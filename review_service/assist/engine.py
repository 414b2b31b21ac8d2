"""The in-memory BM25 index (``bm25s``) over ``similar_cases``, one per runtime, equal to the table when read.

Why in memory: bm25s scores every document of a 100,000-case index for one query in well under a millisecond
on sparse matrices (``bench/assist.py``), with the same code on SQLite and PostgreSQL, whereas PostgreSQL's
``ts_rank`` has no IDF (it is not BM25) and both it and an FTS5 ``MATCH`` over an OR of a draft's words rank
every matching row in SQL (0.6–2.3 s and about 150 ms a query at 100,000 cases in the benchmark).

Why it stays correct across worker processes: before each use :func:`current` reads the table's change count
(:class:`~review_service.assist.models.SimilarCaseGeneration`, one primary-key read). When it moved, the
worker reads the table's ids (ids are never reused), loads the rows it lacks and masks the ones gone. New rows
join a small *delta* scored with the same BM25 formula as bm25s (Lucene IDF, ``k1``, ``b``) over the main
index's document frequencies, so one decision costs a worker milliseconds, not a rebuild; the main index is
rebuilt from the entries held when the delta outgrows :data:`DELTA_MAX`. The rows a query returns are then
read from the table itself, so a stale entry never reaches an answer.
"""

from __future__ import annotations

import math
import sys
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import bm25s  # type: ignore[import-untyped]
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.assist.models import SimilarCase, SimilarCaseGeneration
from review_service.core import tx
from review_service.core.process_state import ProcessState, state_of

LOAD_BATCH = 20_000
DELTA_MAX = 2_000  # entries scored outside bm25s before the main index is rebuilt
K1, B = 1.5, 0.75  # bm25s's defaults, used for the delta too
Group = tuple[frozenset[str], str]  # (basis keys, discretion level)


@dataclass
class Entry:
    """What the index keeps of one row."""

    row_id: int
    case_id: int
    agency_id: int
    level: str
    keys: frozenset[str]
    fine: float  # NaN when the decision has no fine
    tokens: list[str]


@dataclass
class Main:
    """The bm25s index over the first ``n`` entries, with what the delta's scores need of it."""

    retriever: Any
    n: int
    avgdl: float
    df: dict[str, int]

    @classmethod
    def build(cls, entries: Sequence[Entry]) -> Main:
        retriever = bm25s.BM25(k1=K1, b=B)
        retriever.index([e.tokens or [""] for e in entries], show_progress=False)
        counts = np.diff(retriever.scores["indptr"])  # nonzero scores per word id = documents containing it
        df = {word: int(counts[i]) for word, i in retriever.vocab_dict.items() if i < len(counts)}
        avgdl = sum(len(e.tokens) or 1 for e in entries) / max(1, len(entries))
        return cls(retriever=retriever, n=len(entries), avgdl=avgdl, df=df)

    def idf(self, word: str) -> float:
        df = self.df.get(word, 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))


@dataclass
class Index:
    """Entries (main, then delta), the arrays and lookups the queries read, and which entries are gone."""

    generation: int | None
    entries: list[Entry]
    main: Main | None
    alive: Any  # bool per entry: False once its row left the table
    agencies: Any
    case_ids: Any
    fines: Any
    key_counts: Any
    row_ids: Any
    by_key: dict[str, Any]  # basis key → positions
    by_group: dict[Group, list[int]]
    postings: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)  # delta: word → (pos, tf, len)

    def text_scores(self, tokens: Sequence[str]) -> Any:
        """BM25 of every entry against ``tokens`` (main by bm25s, delta by the same formula).

        A word the draft repeats counts each time (as bm25s sums a repeated query word): the words of the
        violation recur in a draft's 案由 and facts, and weighing them up ranks better on the evaluation set.
        """
        words = Counter(tokens)
        scores = np.zeros(len(self.entries), dtype=np.float64)
        if self.main is None or not words:
            return scores
        known = [w for w in tokens if w in self.main.retriever.vocab_dict]
        if known and self.main.n:
            scores[: self.main.n] = self.main.retriever.get_scores(known)
        for word in words.keys() & self.postings.keys():
            weight = self.main.idf(word) * words[word]
            for position, tf, length in self.postings[word]:
                scores[position] += weight * tf / (K1 * (1 - B + B * length / self.main.avgdl) + tf)
        return scores


def build(entries: list[Entry], generation: int | None) -> Index:
    """A fresh index: every entry in the main bm25s index, no delta."""
    keyed: dict[str, list[int]] = {}
    groups: dict[Group, list[int]] = {}
    for position, entry in enumerate(entries):
        for key in entry.keys:
            keyed.setdefault(key, []).append(position)
        groups.setdefault((entry.keys, entry.level), []).append(position)
    return Index(generation=generation, entries=entries, main=Main.build(entries) if entries else None,
                 alive=np.ones(len(entries), dtype=bool), **_arrays(entries),
                 by_key={key: np.array(p, dtype=np.int64) for key, p in keyed.items()}, by_group=groups)


def _arrays(entries: Iterable[Entry]) -> dict[str, Any]:
    listed = list(entries)
    return {"agencies": np.array([e.agency_id for e in listed], dtype=np.int64),
            "case_ids": np.array([e.case_id for e in listed], dtype=np.int64),
            "fines": np.array([e.fine for e in listed], dtype=np.float64),
            "key_counts": np.array([len(e.keys) for e in listed], dtype=np.int64),
            "row_ids": np.array([e.row_id for e in listed], dtype=np.int64)}


def changed(index: Index, added: list[Entry], removed: set[int], generation: int | None) -> Index:
    """``index`` with ``added`` joining the delta and the rows ``removed`` (ids) masked: a new object, the old
    one untouched (another thread may be reading it)."""
    alive = index.alive.copy()
    if removed:
        alive &= ~np.isin(index.row_ids, np.fromiter(removed, dtype=np.int64, count=len(removed)))
    start = len(index.entries)
    entries = [*index.entries, *added]
    extra = _arrays(added)
    by_key, by_group = dict(index.by_key), dict(index.by_group)
    for offset, entry in enumerate(added):
        for key in entry.keys:
            by_key[key] = np.append(by_key.get(key, np.zeros(0, dtype=np.int64)), start + offset)
        by_group[(entry.keys, entry.level)] = [*by_group.get((entry.keys, entry.level), []), start + offset]
    postings = {word: list(found) for word, found in index.postings.items()}
    for offset, entry in enumerate(added):
        for word, tf in Counter(entry.tokens).items():
            postings.setdefault(word, []).append((start + offset, tf, len(entry.tokens) or 1))
    return Index(generation=generation, entries=entries, main=index.main, alive=np.append(alive, np.ones(len(added),
                 dtype=bool)), **{name: np.append(getattr(index, name), extra[name]) for name in extra},
                 by_key=by_key, by_group=by_group, postings=postings)


class Holder:
    """One runtime's index and the lock that lets one thread of a worker refresh it at a time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index: Index | None = None


def _holder(state: ProcessState) -> Holder:
    return Holder()


def _entry(row: Any) -> Entry:
    return Entry(row_id=row.id, case_id=row.case_id, agency_id=row.agency_id, level=row.level or "",
                 keys=frozenset(row.basis_keys or ()), fine=float(row.fine) if row.fine is not None else float("nan"),
                 tokens=[sys.intern(token) for token in (row.tokens or "").split()])  # one copy of each word


_COLUMNS = (SimilarCase.id, SimilarCase.case_id, SimilarCase.agency_id, SimilarCase.level, SimilarCase.basis_keys,
            SimilarCase.fine, SimilarCase.tokens)


def _rows(session: Session, ids: Sequence[int] | None = None) -> list[Entry]:
    """Entries of the rows ``ids`` (all rows when ``None``), in id order."""
    if ids is not None:
        found: list[Entry] = []
        for start in range(0, len(ids), 1000):
            chunk = [int(i) for i in ids[start:start + 1000]]
            found.extend(_entry(row) for row in tx.fresh(session, select(*_COLUMNS).where(SimilarCase.id.in_(chunk))))
        return sorted(found, key=lambda entry: entry.row_id)
    entries: list[Entry] = []
    after = 0
    while True:
        rows = tx.fresh(session, select(*_COLUMNS).where(SimilarCase.id > after).order_by(SimilarCase.id)
                        .limit(LOAD_BATCH)).all()
        entries.extend(_entry(row) for row in rows)
        if len(rows) < LOAD_BATCH:
            return entries
        after = rows[-1].id


_GENERATION = select(SimilarCaseGeneration.generation).where(SimilarCaseGeneration.id == 1)


def generation_of(session: Session) -> int | None:
    """The table's change count as this transaction sees it (``None``: no count row, compare ids every time)."""
    value = tx.fresh(session, _GENERATION).scalar()
    return None if value is None else int(value)


def current(session: Session) -> Index:
    """The runtime's index, brought level with the table as ``session`` sees it."""
    holder = state_of(session).part(_holder)
    generation = generation_of(session)  # read before the ids: a change after it shows at the next use
    index = holder.index
    if index is not None and generation is not None and index.generation == generation:
        return index
    with holder.lock:
        index = holder.index
        if index is not None and generation is not None and index.generation == generation:
            return index
        if index is None:
            holder.index = build(_rows(session), generation)
            return holder.index
        present = np.fromiter(tx.fresh(session, select(SimilarCase.id)).scalars(), dtype=np.int64)
        held = index.row_ids[index.alive]
        added = np.setdiff1d(present, held, assume_unique=True)
        removed = set(np.setdiff1d(held, present, assume_unique=True).tolist())
        delta = len(index.entries) - (index.main.n if index.main else 0) + len(added)
        if delta > max(DELTA_MAX, len(present) // 20) or index.main is None:
            kept = [e for e, alive in zip(index.entries, index.alive, strict=True) if alive and e.row_id not in removed]
            holder.index = build(sorted([*kept, *_rows(session, added.tolist())], key=lambda e: e.row_id), generation)
        else:
            holder.index = changed(index, _rows(session, added.tolist()), removed, generation)
        return holder.index


def forget(session: Session) -> None:
    """Drop the runtime's index (after a rebuild in this process; the next use loads it again)."""
    state_of(session).part(_holder).index = None
