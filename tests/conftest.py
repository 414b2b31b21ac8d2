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
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from review_service.core import signals
from review_service.core.db import make_engine, unit_of_work
from review_service.runtime import Runtime, connect_receivers
from review_service.workflow import ProcessRegistry
from tests.fixtures.database import PG_URL

# Fixtures shared across folders (pytest allows ``pytest_plugins`` only here, in the root conftest).
# Their helpers (classes, functions) are imported from these modules; no test imports a conftest.
pytest_plugins = ["tests.fixtures.api", "tests.fixtures.web", "tests.fixtures.clock"]

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
def fresh_database(_template: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """``fresh_database()``: the URL of one more fresh, migrated, empty database (dropped after the test)."""
    created: list[str] = []

    def make() -> str:
        if PG_URL:
            name = f"rs_test_{uuid.uuid4().hex[:12]}"
            with _admin() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_template}"'))
            created.append(name)
            return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        path = tmp_path / ("test.sqlite3" if not created else f"test-{len(created) + 1}.sqlite3")
        shutil.copyfile(_template, path)
        created.append(str(path))
        return f"sqlite:///{path}"

    yield make
    if PG_URL:
        with _admin() as conn:
            for name in created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def _admin() -> Iterator[Connection]:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            yield conn
    finally:
        admin.dispose()


@pytest.fixture
def database_url(fresh_database: Callable[[], str]) -> str:
    """The URL of a fresh, migrated, empty database for this test."""
    return fresh_database()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def process_registry() -> ProcessRegistry:
    """The packaged process files, parsed and linted once for the whole run (each test's runtime uses them)."""
    from review_service.cases.flow import BPMN_DIR

    return ProcessRegistry.load(BPMN_DIR)


@pytest.fixture
def instance_path(tmp_path: Path) -> Path:
    """This test's instance folder: where its runtime stores issued documents (override it in a folder's conftest)."""
    return tmp_path


@pytest.fixture
def runtime(engine: Engine, instance_path: Path, process_registry: ProcessRegistry) -> Runtime:
    """This test's runtime on its database: its own process state (warm runs, templates, calendars),
    the shared process files, and no signed checkpoints (``runtime.state.signing_dir`` turns them on)."""
    return Runtime.on_engine(engine, instance_path, sign_checkpoints=False, process_registry=process_registry)


@pytest.fixture
def session_factory(runtime: Runtime) -> sessionmaker[Session]:
    return runtime.session_factory


@pytest.fixture
def uow(session_factory: sessionmaker[Session]) -> Callable[[], AbstractContextManager[Session]]:
    """``with uow() as s:`` opens one committed transaction, like a request does."""
    return lambda: unit_of_work(session_factory)


@pytest.fixture
def is_postgres() -> bool:
    return bool(PG_URL)


@pytest.fixture
def world(uow: Callable[[], AbstractContextManager[Session]], tmp_path: Path):  # type: ignore[no-untyped-def]
    """An agency with a user for every role and the market-regulation catalog; receivers connected.

    Documents its actions issue go to the test runtime's instance folder (``instance_path``), not ./instance.
    """
    from review_service.cases.storage import BlobStore
    from tests.fixtures.world import build_world

    connect_receivers()
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
def adopted_steps() -> Iterator[list[Any]]:
    """The workflow runs that took a step worked out ahead (``WorkflowRun.prepare_step``) instead of running it
    (the ``step_ahead_taken`` signal of ``core.signals``)."""
    taken: list[Any] = []

    def _record(run: Any, **kwargs: Any) -> None:
        taken.append(run)

    signals.step_ahead_taken.connect(_record, weak=False)
    try:
        yield taken
    finally:
        signals.step_ahead_taken.disconnect(_record)
