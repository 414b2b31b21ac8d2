"""The reading pool (``core.db.reading_pool``): on PostgreSQL, reads go through a read-only pool in autocommit.

Pinned here, against the plain path it replaced (a read-only transaction on the writers' pool, rolled back):
the served case and a page of cases read the same at every step; two statements of one read see what they
saw before (at ``READ COMMITTED`` each statement its own snapshot); nothing a read writes lasts; the reason
for the seam (statements stay prepared, which a ``ROLLBACK`` undid); and a server defaulting to another
isolation level keeps its read transactions. On SQLite ``read_only_engine`` is the same pool as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from review_service.case_view.view import visible_case_view
from review_service.cases.queries import list_cases
from review_service.core.db import (
    READ_ONLY,
    make_engine,
    make_session_factory,
    read_only,
    read_only_engine,
    reading_pool,
    unit_of_work,
)
from review_service.organization.auth import authenticate_token
from review_service.organization.models import Agency
from review_service.organization.operations import add_agency
from review_service.review.operations import submit_opinion
from review_service.runtime import Runtime, connect_receivers
from tests.fixtures.api import Api
from tests.fixtures.database import PG_URL
from tests.fixtures.world import World, opinion

postgresql_only = pytest.mark.skipif(not PG_URL, reason="the reading pool is PostgreSQL's")

Read = Callable[[], AbstractContextManager[Session]]


def plain_reads(engine: Engine) -> Read:
    """The path the reading pool replaced: a read-only transaction on the writers' pool, always rolled back."""
    factory = make_session_factory(engine.execution_options(**{READ_ONLY: True}))
    return lambda: read_only(factory)


def pooled_reads(engine: Engine) -> Read:
    factory = make_session_factory(read_only_engine(engine))
    return lambda: read_only(factory)


def served_both_ways(api: Api, runtime_reads: Read, plain: Read, token: str, case_id: int) -> dict[str, Any]:
    """The case as served (``GET /api/v1/cases/{id}``) and the first page of cases, each read again on the
    plain path: the same JSON."""
    response = api.get(f"/cases/{case_id}")
    assert response.status_code == 200, response.get_json()
    served = response.get_json()
    with plain() as session:
        actor = authenticate_token(session, token)
        again = visible_case_view(session, actor, case_id)
        listed_plain = list_cases(session, actor)
    with runtime_reads() as session:
        listed = list_cases(session, authenticate_token(session, token))
    assert json.dumps(served, ensure_ascii=False) == json.dumps(again, ensure_ascii=False, default=str)
    assert json.dumps(listed, default=str) == json.dumps(listed_plain, default=str)
    return dict(served)


def test_a_case_is_served_as_the_plain_read_gives_it_at_every_step(api: Api, world: World, app: Any) -> None:
    runtime: Runtime = app.extensions["review_service"]
    plain = plain_reads(runtime.engine)
    reviewer = api.as_("reviewer")
    token = reviewer.token("reviewer")
    for step in (world.new_case, world.submitted, world.assigned):
        served_both_ways(reviewer, runtime.reading, plain, token, step())
    case_id = world.in_review()
    assert served_both_ways(reviewer, runtime.reading, plain, token, case_id)["status"] == "in_review"
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("facts_clear",)))
    after = served_both_ways(reviewer, runtime.reading, plain, token, case_id)
    assert after["status"] != "in_review"


@pytest.mark.parametrize("way", ["plain", "pooled"])
def test_two_statements_of_one_read_see_what_they_saw_before(engine: Engine, is_postgres: bool, way: str) -> None:
    """At ``READ COMMITTED`` a read transaction's second statement sees a commit made after its first, so an
    autocommit read loses nothing; on SQLite (one WAL snapshot) neither way sees it."""
    connect_receivers()
    writers = make_session_factory(engine)
    reads = plain_reads(engine) if way == "plain" else pooled_reads(engine)
    with reads() as reader:
        before = reader.scalar(select(func.count()).select_from(Agency))
        with unit_of_work(writers) as writer:
            add_agency(writer, actor=None, name="甲局")
        after = reader.scalar(select(func.count()).select_from(Agency))
    assert (before, after) == ((0, 1) if is_postgres else (0, 0))


@pytest.mark.parametrize("way", ["plain", "pooled"])
def test_nothing_a_read_writes_lasts(engine: Engine, is_postgres: bool, way: str) -> None:
    reads = plain_reads(engine) if way == "plain" else pooled_reads(engine)
    insert = text("INSERT INTO agencies (name, settings, created_at) VALUES ('丙局', '{}', '2026-01-01')")
    refused = False
    try:
        with reads() as reader:
            reader.execute(insert)
    except Exception as error:  # the pooled read on PostgreSQL: the server refuses the write
        assert "read-only" in str(error)
        refused = True
    assert refused == (is_postgres and way == "pooled")
    with reads() as reader:
        assert reader.scalar(select(func.count()).select_from(Agency)) == 0


def prepared(engine: Engine) -> list[str]:
    """The statements prepared on the reading pool's (single, reused) connection."""
    with read_only_engine(engine).connect() as connection:
        return list(connection.scalars(text("SELECT statement FROM pg_prepared_statements")))


@postgresql_only
def test_a_read_keeps_its_statements_prepared_where_a_rolled_back_one_did_not(engine: Engine) -> None:
    """The reason for the seam: psycopg prepares a statement at its fifth run on a connection and forgets
    them all at every ``ROLLBACK``; the plain path rolled back every read."""
    count = select(func.count()).select_from(Agency).where(Agency.name != "x")
    for reads in (plain_reads(engine), pooled_reads(engine)):
        for _ in range(6):
            with reads() as reader:
                reader.scalar(count)
    with engine.connect() as connection:
        assert not [s for s in connection.scalars(text("SELECT statement FROM pg_prepared_statements"))
                    if "agencies" in s]
        connection.rollback()
    assert [s for s in prepared(engine) if "agencies" in s]


@postgresql_only
def test_a_server_defaulting_to_repeatable_read_keeps_read_transactions(database_url: str) -> None:
    """Autocommit only where it reads the same: a server (here a database) defaulting to ``REPEATABLE READ``
    gives a read one snapshot, so its reads stay transactions (read-only ones), as on the plain path."""
    name = make_url(database_url).database
    admin = make_engine(database_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"ALTER DATABASE \"{name}\" SET default_transaction_isolation = 'repeatable read'"))
    admin.dispose()
    engine = make_engine(database_url)
    try:
        connect_receivers()
        writers = make_session_factory(engine)
        for reads in (plain_reads(engine), pooled_reads(engine)):
            with reads() as reader:
                before = reader.scalar(select(func.count()).select_from(Agency))
                with unit_of_work(writers) as writer:
                    add_agency(writer, actor=None, name=f"局{before}")
                assert reader.scalar(select(func.count()).select_from(Agency)) == before
    finally:
        engine.dispose()


@postgresql_only
def test_the_reading_pool_is_made_once_and_goes_with_its_engine(database_url: str) -> None:
    engine = make_engine(database_url)
    pool = read_only_engine(engine)
    assert pool is reading_pool(engine) is read_only_engine(engine) is read_only_engine(pool)
    assert pool is not engine and pool.url == engine.url
    with pool.connect() as connection:
        assert connection.scalar(text("SHOW transaction_read_only")) == "on"
    assert pool.pool.checkedin() == 1  # type: ignore[attr-defined]
    engine.dispose()
    assert pool.pool.checkedin() == 0  # type: ignore[attr-defined]


def test_on_sqlite_reads_share_the_writers_pool(engine: Engine, is_postgres: bool) -> None:
    if is_postgres:
        pytest.skip("SQLite's reads")
    assert read_only_engine(engine).pool is engine.pool
