"""The transaction seam: how domain code writes and reads rows inside an action's transaction.

Domain code (every package but ``core/`` and ``audit/``) reaches the database in exactly these ways
(``review_service/core/README.md`` has the rules and why; ``tests/core/test_tx_seam.py`` enforces them):

- the ORM as usual: ``session.get``, ``session.execute(select(...))``, ``session.scalars``,
  ``session.add`` + ``session.flush``; changing attributes of loaded objects (the case row included:
  see :func:`review_service.core.records.write_plain_updates`, installed on every session factory);
- :func:`record` — insert an immutable record now (a submission, an opinion, an approval …) and get
  it back persistent, as after ``add`` + ``flush``, at a fraction of the cost;
- :func:`fresh` — run a Core ``select`` on the transaction's connection **after flushing**, so that
  it sees every change the transaction made, at the cost of a Core statement (no ORM entities);
- :func:`write` — run a Core ``insert``/``update``/``delete`` on the connection after flushing
  (bulk changes of rows the ORM does not hold; loaded copies are the caller's to refresh);
- :func:`bulk` — the connection itself, after flushing, for work of many Core statements in a row
  (the indicator summary and report): nothing the ORM holds may change meanwhile.

Nothing else calls ``session.connection()``: a read straight on the connection does not see what
the ORM has not flushed yet, and a write there is invisible to the unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import CompoundSelect, Connection, CursorResult, Delete, Insert, Result, Select, Update
from sqlalchemy.orm import Session

from review_service.core.records import insert_record

T = TypeVar("T")
Params = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


def record(session: Session, obj: T) -> T:
    """INSERT the new mapped ``obj`` now and return it, persistent in ``session`` (as ``add`` + ``flush``).

    Defaults are applied as at a flush and pending objects are flushed first, so the row may
    reference them; a class the fast path cannot write exactly as the flush would (mapper insert
    events) is written by ``add`` + ``flush`` instead (:func:`~review_service.core.records.insert_record`).
    """
    return insert_record(session, obj)


def fresh(session: Session, statement: Select[Any] | CompoundSelect[Any], params: Params = None) -> Result[Any]:
    """Run ``statement`` after flushing the session: the rows as this transaction has made them."""
    session.flush()
    return session.connection().execute(statement, params)


def write(session: Session, statement: Insert | Update | Delete, params: Params = None) -> CursorResult[Any]:
    """Run a Core write after flushing the session (so it orders after every change made before it)."""
    session.flush()
    return session.connection().execute(statement, params)


def bulk(session: Session) -> Connection:
    """The transaction's connection after a flush, for a run of Core statements (see the module docstring)."""
    session.flush()
    return session.connection()
