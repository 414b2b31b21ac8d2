"""The fast record paths (``core.records``) write exactly what the unit of work writes, or step aside.

``insert_record`` (behind ``tx.record``) and ``write_plain_updates`` (the ``before_flush`` hook on
every session factory) skip the unit of work for speed. These tests pin them to the plain path:
the same rows and the same object state; and where they could not be exact (mapper events,
``onupdate``, a version counter) the unit of work does the write and everything it implies happens.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import DateTime, ForeignKey, Integer, MetaData, String, create_engine, event, func, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from review_service.core import tx
from review_service.core.records import exact_fast_insert, exact_fast_update, write_plain_updates

STAMP = datetime(2026, 12, 7, 8, 0, 0)


class Base(DeclarativeBase):
    metadata = MetaData()


class Parent(Base):
    __tablename__ = "parent"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(20))


class Entry(Base):
    """A record with every kind of default the fast insert must apply as the flush does."""

    __tablename__ = "entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("parent.id"))
    body: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(10), default="plain")
    made_at: Mapped[datetime] = mapped_column(DateTime, default=lambda: STAMP)
    counted: Mapped[int] = mapped_column(Integer, server_default=text("7"))
    note: Mapped[str | None] = mapped_column(String(20), nullable=True)


class Watched(Base):
    """A record with an insert event: the fast path cannot run it, so the unit of work writes it."""

    __tablename__ = "watched"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[str] = mapped_column(String(50))
    stamped: Mapped[str | None] = mapped_column(String(20), nullable=True)


@event.listens_for(Watched, "before_insert")
def _stamp(_mapper: Any, _connection: Any, target: Watched) -> None:
    target.stamped = "by-event"


class Row(Base):
    """A plainly updated row (as the case is)."""

    __tablename__ = "row"
    __plain_updates__ = True
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer, default=1)


class Touched(Base):
    """A plainly updated row with an ``onupdate`` column: the fast update would skip it, so it steps aside."""

    __tablename__ = "touched"
    __plain_updates__ = True
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, onupdate=func.current_timestamp())


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    event.listen(factory, "before_flush", write_plain_updates)
    with factory() as session, session.begin():
        session.add(Parent(id=1, name="p"))
        session.flush()
        yield session
    engine.dispose()


def _row(session: Session, table: Any, key: int) -> dict[str, Any]:
    return dict(session.execute(select(table).where(table.c.id == key)).mappings().one())


def _state(obj: Any) -> dict[str, Any]:
    return {key: value for key, value in vars(obj).items() if not key.startswith("_")}


@pytest.mark.parametrize("note", [None, "given"])
def test_a_fast_insert_writes_the_row_and_object_the_flush_writes(session: Session, note: str | None) -> None:
    fast = tx.record(session, Entry(parent_id=1, body="同一条记录", note=note))
    plain = Entry(parent_id=1, body="同一条记录", note=note)
    session.add(plain)
    session.flush()
    table = Entry.__table__
    assert {**_row(session, table, fast.id), "id": 0} == {**_row(session, table, plain.id), "id": 0}
    assert {**_state(fast), "id": 0} == {**_state(plain), "id": 0}
    assert fast in session and not session.new and not session.dirty
    assert (fast.kind, fast.made_at, fast.counted) == ("plain", STAMP, 7)


def test_a_fast_insert_flushes_what_it_may_reference(session: Session) -> None:
    session.add(Parent(id=2, name="pending"))
    entry = tx.record(session, Entry(parent_id=2, body="x"))
    assert _row(session, Entry.__table__, entry.id)["parent_id"] == 2


def test_a_class_with_insert_events_is_written_by_the_unit_of_work(session: Session) -> None:
    assert exact_fast_insert(Entry.__mapper__)
    assert not exact_fast_insert(Watched.__mapper__)
    watched = tx.record(session, Watched(body="x"))
    assert watched.stamped == "by-event"
    assert _row(session, Watched.__table__, watched.id)["stamped"] == "by-event"


def test_a_fast_update_writes_the_row_the_flush_writes() -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    hooked = sessionmaker(bind=engine, expire_on_commit=False)
    event.listen(hooked, "before_flush", write_plain_updates)
    plain = sessionmaker(bind=engine, expire_on_commit=False)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, statement, *_a: statements.append(statement))
    rows = {}
    for key, factory in ((1, hooked), (2, plain)):
        with factory() as session, session.begin():
            row = Row(id=key, status="draft")
            session.add(row)
            session.flush()
            statements.clear()
            row.status, row.version = "submitted", row.version + 1
            session.flush()
            assert not session.dirty and row.status == "submitted" and row.version == 2
            rows[key] = statements[:]
    with plain() as session:
        assert {**_row(session, Row.__table__, 1), "id": 0} == {**_row(session, Row.__table__, 2), "id": 0}
        assert _row(session, Row.__table__, 1) == {"id": 1, "status": "submitted", "version": 2}
    assert len(rows[1]) == 1 and rows[1][0].startswith('UPDATE "row" SET')  # the one Core UPDATE, no more
    engine.dispose()


def test_an_onupdate_column_leaves_the_update_to_the_unit_of_work(session: Session) -> None:
    assert exact_fast_update(Row.__mapper__)
    assert not exact_fast_update(Touched.__mapper__)
    touched = Touched(id=1, status="draft")
    session.add(touched)
    session.flush()
    touched.status = "submitted"
    session.flush()
    row = _row(session, Touched.__table__, 1)
    assert row["status"] == "submitted" and row["changed_at"] is not None


def test_fresh_sees_what_the_orm_has_not_flushed(session: Session) -> None:
    session.add(Row(id=3, status="pending"))  # not flushed
    statuses = tx.fresh(session, select(Row.__table__.c.status).where(Row.__table__.c.id == 3)).scalars().all()
    assert statuses == ["pending"]
    plain = session.connection().execute(select(Row.__table__.c.status).where(Row.__table__.c.id == 3)).all()
    assert plain == [("pending",)]  # flushed by fresh(); straight on the connection it would not have been
