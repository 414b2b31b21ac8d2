"""Engine, declarative base and the unit of work.

The edge (a request, a CLI command, ``tick``) opens exactly one transaction with
:func:`unit_of_work` and commits once; operations only flush.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import MetaData, Table, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from review_service.core import signals
from review_service.core.process_state import KEY as PROCESS_STATE
from review_service.core.process_state import ProcessState
from review_service.core.records import write_plain_updates

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    if TYPE_CHECKING:
        # every model maps a plain table (none maps a join or a select), so ``Model.__table__`` is a ``Table``
        __table__: ClassVar[Table]


def is_sqlite(url_or_engine: str | Engine) -> bool:
    url = str(url_or_engine.url) if isinstance(url_or_engine, Engine) else url_or_engine
    return url.startswith("sqlite")


def default_database_url(instance_path: Path) -> str:
    return f"sqlite:///{instance_path / 'review-service.sqlite3'}"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and ``BEGIN IMMEDIATE`` writes.

    pysqlite's own transaction handling is switched off so that every transaction
    starts with ``BEGIN IMMEDIATE``: the write lock is taken up front, so two
    writers queue on ``busy_timeout`` instead of failing half-way with
    ``database is locked`` on lock upgrade.
    """
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
            # readers (see read_only_engine) take no write lock, so they never queue behind writers;
            # straight on the driver's connection: every transaction begins here
            conn.connection.dbapi_connection.execute(
                "BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


READ_ONLY = "review_service_read_only"
#: Where an engine keeps its reading pool (:func:`reading_pool`); the pool names itself there too.
_READING_POOL = "_review_service_reading_pool"


def read_only_engine(engine: Engine) -> Engine:
    """For transactions that only read: on SQLite the same pool, beginning DEFERRED (a WAL snapshot);
    on PostgreSQL the engine's reading pool (:func:`reading_pool`)."""
    if is_sqlite(engine):
        return engine.execution_options(**{READ_ONLY: True})
    return reading_pool(engine)


def reading_pool(engine: Engine) -> Engine:
    """PostgreSQL: a pool of its own for reads, whose connections the server keeps read-only and which, at
    ``READ COMMITTED``, send each statement on its own (autocommit). Made once per engine, disposed with it.

    Why (a speed seam): psycopg 3 prepares a statement on the server once a connection has run it five
    times, and forgets every prepared statement at each ``ROLLBACK``. Every read ended in one, on the
    connections the writes use too, so no statement ever got prepared: PostgreSQL planned the case read (a
    dozen correlated subqueries) for every request, 1.9 of a 4.3 ms read in-process, and every statement of
    every write as well. Here a read sends neither ``BEGIN`` nor ``ROLLBACK``, and nothing rolls back the
    writers' connections after a successful write: the statements of both stay prepared.

    Why it reads the same (``tests/core/test_reading_pool.py``): at ``READ COMMITTED``, PostgreSQL's default,
    every statement of a transaction takes a snapshot of its own, just as a statement sent on its own does,
    so a read sees the same rows either way. A server whose default is another level keeps its
    transactions here (then read-only ones). A read was always rolled back; here the server refuses any
    write (``default_transaction_read_only``), so nothing a read does can last, as before.
    """
    existing: Engine | None = getattr(engine, _READING_POOL, None)
    if existing is not None:
        return existing
    pool = create_engine(engine.url, pool_pre_ping=True)

    @event.listens_for(pool, "connect")
    def _read_only(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.autocommit = True
        dbapi_connection.execute("SET default_transaction_read_only = on")
        isolation = dbapi_connection.execute("SHOW default_transaction_isolation").fetchone()[0]
        dbapi_connection.autocommit = isolation == "read committed"

    @event.listens_for(engine, "engine_disposed")
    def _dispose(_engine) -> None:  # type: ignore[no-untyped-def]
        pool.dispose()

    setattr(engine, _READING_POOL, pool)
    setattr(pool, _READING_POOL, pool)
    return pool


def make_session_factory(engine: Engine, state: ProcessState | None = None) -> sessionmaker[Session]:
    """Sessions on ``engine`` that find ``state`` in their ``info`` (:func:`core.process_state.state_of`).

    A runtime passes its own state to its writing and its reading factory; without one the factory
    gets a state of its own (a test's or a tool's engine: the environment's instance folder, nothing signed).
    """
    factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True,
                           info={PROCESS_STATE: state if state is not None else ProcessState()})
    event.listen(factory, "before_flush", write_plain_updates)  # case rows: one Core UPDATE, not the flush
    return factory


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error, then run post-commit hooks."""
    session = factory()
    try:
        with session.begin():
            yield session
        signals.run_after_commit(session)
    finally:
        signals.discard_after_commit(session)
        session.close()


@contextmanager
def read_only(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A transaction that reads one consistent snapshot and is always rolled back."""
    session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def env_database_url(instance_path: Path) -> str:
    return os.environ.get("REVIEW_SERVICE_DATABASE_URL") or default_database_url(instance_path)
