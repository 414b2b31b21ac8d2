"""Fixtures: a fresh database per test, on SQLite by default or PostgreSQL.

Set ``REVIEW_SERVICE_TEST_DATABASE_URL`` to a PostgreSQL server URL (a role
allowed to create databases) to run the same tests on PostgreSQL: each test
gets its own database cloned from a migrated template.
"""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from review_service.core import signals
from review_service.core.db import make_engine, make_session_factory, unit_of_work

PG_URL = os.environ.get("REVIEW_SERVICE_TEST_DATABASE_URL", "")
_TEMPLATE_NAME = f"review_service_template_{os.getpid()}"


def _create_schema(url: str) -> None:
    from review_service.core.migrate import upgrade_database

    upgrade_database(url)


@pytest.fixture(scope="session", autouse=True)
def _one_password_hash_per_password() -> Iterator[None]:
    """Every test world gives its dozen users the same password, and argon2 is slow on purpose
    (0.1–0.2 s a hash: 94% of building a world). Tests reuse one real argon2id hash per password;
    logins verify it exactly as in production. (Only the salt is shared, which matters for
    nothing a test database holds; the product hashes each password afresh.)"""
    from review_service.organization import operations

    patch = pytest.MonkeyPatch()
    patch.setattr(operations, "hash_password", functools.lru_cache(maxsize=16)(operations.hash_password))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated empty database that each test copies (SQLite file or PostgreSQL template)."""
    if PG_URL:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{_TEMPLATE_NAME}"'))
            conn.execute(text(f'CREATE DATABASE "{_TEMPLATE_NAME}"'))
        _create_schema(make_url(PG_URL).set(database=_TEMPLATE_NAME).render_as_string(hide_password=False))
        yield _TEMPLATE_NAME
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{_TEMPLATE_NAME}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        _create_schema(f"sqlite:///{path}")
        yield str(path)


@pytest.fixture
def database_url(_template: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, migrated, empty database for this test."""
    if PG_URL:
        name = f"rs_test_{uuid.uuid4().hex[:12]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_template}"'))
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(_template, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def uow(session_factory: sessionmaker[Session]) -> Callable[[], AbstractContextManager[Session]]:
    """``with uow() as s:`` opens one committed transaction, like a request does."""
    return lambda: unit_of_work(session_factory)


@pytest.fixture
def is_postgres() -> bool:
    return bool(PG_URL)


@pytest.fixture
def world(uow: Callable[[], AbstractContextManager[Session]], engine: Engine,  # type: ignore[no-untyped-def]
          tmp_path: Path):
    """An agency with a user for every role and the market-regulation catalog; receivers connected."""
    from review_service.cases.storage import BlobStore
    from review_service.documents.storage import bind_instance
    from review_service.runtime import connect_receivers
    from tests.fixtures.world import build_world

    connect_receivers()
    bind_instance(engine, tmp_path)  # issued documents go to this test's folder, not ./instance
    return build_world(uow, BlobStore(tmp_path / "blobs"))


@pytest.fixture
def audited() -> Iterator[list[dict[str, Any]]]:
    """A stand-in audit receiver for this test: records each action and reports it audited."""
    events: list[dict[str, Any]] = []

    def _record(sender: str, **kwargs: Any) -> str:
        events.append({"action": sender, **kwargs})
        return signals.AUDITED

    signals.action_performed.connect(_record, weak=False)
    try:
        yield events
    finally:
        signals.action_performed.disconnect(_record)


@pytest.fixture
def adopted_steps(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The workflow runs that took a step worked out ahead (``WorkflowRun.prepare_step``) instead of running it."""
    from review_service.workflow.runtime import WorkflowRun

    taken: list[Any] = []
    original = WorkflowRun._adopt

    def recording(run: WorkflowRun, other: WorkflowRun) -> None:
        taken.append(run)
        original(run, other)

    monkeypatch.setattr(WorkflowRun, "_adopt", recording)
    return taken
