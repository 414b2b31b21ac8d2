"""Row writes without the unit of work: immutable records inserted, plain column changes updated.

Every action writes one or two rows that are never updated afterwards; going through the
unit of work for them costs several times the INSERT itself (measured: ~230 µs against
~40 µs on SQLite). :func:`insert_record` takes a mapped object built as usual, INSERTs it
with ``RETURNING`` (column defaults applied by the database layer as at flush), and attaches
it to the session as persistent, so that the caller uses it exactly as after ``add`` + ``flush``.

Every action also changes its case row (status, task, version …), and the flush that writes it
costs about ten times its one ``UPDATE``. :func:`write_plain_updates` runs before each flush: a
loaded object of a class marked ``__plain_updates__`` whose changes are all plain columns is
written with one Core ``UPDATE`` of exactly those columns and marked clean, so the unit of work
has nothing left to do. A change to a relationship leaves the object to the unit of work.

Both are speed tricks with one rule: where they could not write exactly what the unit of work
would (a mapper with insert/update events, an ``onupdate`` column, a version counter), they hand
the object to the unit of work instead (:func:`exact_fast_insert`, :func:`exact_fast_update`).
``tests/core/test_records_equivalence.py`` pins the fast paths to the plain ones row for row.
Domain code reaches them through :mod:`review_service.core.tx` only.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Column, Insert, Table, Update, bindparam, insert, inspect, update
from sqlalchemy.orm import Mapper, Session, make_transient_to_detached
from sqlalchemy.orm.state import InstanceState
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

T = TypeVar("T")


@cache
def _statement(table: Table, returned: tuple[str, ...]) -> Insert:
    """``INSERT … RETURNING`` only the columns the database fills in (the key, server defaults)."""
    statement = insert(table)
    return statement.returning(*(table.columns[key] for key in returned)) if returned else statement


@cache
def _column_attributes(mapper: Mapper[Any]) -> tuple[tuple[str, str, Column[Any]], ...]:
    """``(column key, attribute key, column)`` for each column of the mapped table."""
    table = mapper.local_table
    assert isinstance(table, Table)
    return tuple((column.key, mapper.get_property_by_column(column).key, column) for column in table.columns)


def _python_default(column: Column[Any]) -> tuple[bool, Any]:
    """``(True, value)`` for a client-side scalar or callable default (computed here, as the flush does)."""
    default = column.default
    if isinstance(default, ScalarElementColumnDefault | CallableColumnDefault):
        # the flush passes an ExecutionContext; the wrapped callable of a zero-argument default ignores it
        return True, default.arg(None) if isinstance(default, CallableColumnDefault) else default.arg  # type: ignore[arg-type]
    return False, None


@cache
def exact_fast_insert(mapper: Mapper[Any]) -> bool:
    """Whether :func:`insert_record` writes this class's rows exactly as the flush would."""
    return not (mapper.dispatch.before_insert or mapper.dispatch.after_insert)


@cache
def exact_fast_update(mapper: Mapper[Any]) -> bool:
    """Whether :func:`write_plain_updates` writes this class's changes exactly as the flush would."""
    table = mapper.local_table
    return not (mapper.dispatch.before_update or mapper.dispatch.after_update or mapper.version_id_col is not None
                or any(column.onupdate is not None or column.server_onupdate is not None for column in table.columns))


def insert_record(session: Session, record: T) -> T:
    """INSERT ``record`` (a new, transient mapped object) now and return it, persistent in ``session``.

    Pending objects are flushed first, so that the row may reference them. A column left
    ``None`` that has a default gets the default, as with the unit of work.
    """
    state: InstanceState[Any] = inspect(record, raiseerr=True)  # (raiseerr spelled out: the typed overload)
    mapper = state.mapper
    if not exact_fast_insert(mapper):
        session.add(record)
        session.flush()
        return record
    if session.new:
        session.flush()
    values: dict[str, Any] = {}
    for column_key, attribute, column in _column_attributes(mapper):
        value = getattr(record, attribute)
        if value is None:
            computed, value = _python_default(column)
            if computed:
                setattr(record, attribute, value)
            elif column.primary_key or column.server_default is not None or column.default is not None:
                continue  # the database fills it in; RETURNING brings it back
        values[column_key] = value
    table = mapper.local_table
    assert isinstance(table, Table)
    # what we passed stays as given (SQLite would return datetimes naive); only the rest comes back
    returned = tuple(column_key for column_key, _attribute, _column in _column_attributes(mapper)
                     if column_key not in values)
    result = session.connection().execute(_statement(table, returned), values)
    if returned:
        row = result.one()
        for column_key, attribute, _column in _column_attributes(mapper):
            if column_key not in values:
                setattr(record, attribute, row._mapping[column_key])
    make_transient_to_detached(record)
    session.add(record)
    return record


def write_plain_updates(session: Session, _flush_context: Any = None, _instances: Any = None) -> None:
    """``before_flush``: write the plain column changes of ``__plain_updates__`` objects with Core (see above)."""
    for instance in list(session.dirty):
        if not getattr(type(instance), "__plain_updates__", False):
            continue
        state: InstanceState[Any] = inspect(instance)
        if not exact_fast_update(state.mapper):
            continue
        changes = _plain_changes(state)
        if not changes:
            continue
        statement = _update_statement(state.mapper, tuple(sorted(changes)))
        assert state.identity is not None  # _plain_changes answers None for an object without a key
        session.connection().execute(statement, {**changes, _KEY_PARAMETER: state.identity[0]})
        state._commit_all(state.dict, session.identity_map)  # what the flush does once it wrote the row


def _plain_changes(state: InstanceState[Any]) -> dict[str, Any] | None:
    """``{column: new value}`` when every change of ``state`` is a plain column; ``None`` otherwise."""
    if state.key is None or state.deleted or not state.committed_state:
        return None
    columns = _plain_columns(state.mapper)
    changes: dict[str, Any] = {}
    for key in state.committed_state:
        column = columns.get(key)
        if column is None:
            return None  # a relationship (or a column we do not write plainly): the unit of work does it
        value = state.dict.get(key)
        if isinstance(value, ClauseElement):
            return None  # a SQL expression: the unit of work writes it and reads the result back
        changes[column] = value
    return changes


_KEY_PARAMETER = "plain_update_key"


@cache
def _update_statement(mapper: Mapper[Any], columns: tuple[str, ...]) -> Update:
    """``UPDATE table SET <columns> WHERE <key> = :plain_update_key``, built once per set of columns."""
    table = mapper.local_table
    assert isinstance(table, Table)
    (key,) = mapper.primary_key
    return update(table).where(key == bindparam(_KEY_PARAMETER)).values({name: bindparam(name) for name in columns})


@cache
def _plain_columns(mapper: Mapper[Any]) -> dict[str, str]:
    """Attribute key → column name for the mapper's single-column, non-key attributes."""
    return {prop.key: prop.columns[0].key for prop in mapper.column_attrs
            if len(prop.columns) == 1 and not prop.columns[0].primary_key}
