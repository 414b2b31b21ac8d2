"""The national corpus imported once per test session into a database of its own (SQLite or PostgreSQL).

Tests that only read the library share it (``national``); tests that load files use the per-test database.
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from review_service.core.db import make_engine
from review_service.laws.national import corpus_sha256, default_corpus, read_corpus
from review_service.laws.operations import load_laws
from review_service.runtime import Runtime, connect_receivers
from tests.fixtures.database import PG_URL
from tests.fixtures.laws import National


@pytest.fixture(scope="session")
def national(_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[National]:
    base = tmp_path_factory.mktemp("national")
    name = f"rs_laws_{uuid.uuid4().hex[:12]}"
    if PG_URL:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_template}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    else:
        shutil.copyfile(_template, base / "national.sqlite3")
        url = f"sqlite:///{base / 'national.sqlite3'}"
    engine = make_engine(url)
    runtime = Runtime.on_engine(engine, base, sign_checkpoints=False)
    connect_receivers()
    started = time.perf_counter()
    path = default_corpus()
    with runtime.transaction() as session:
        result = load_laws(session, actor=None, laws=read_corpus(path), filename=path.name,
                           sha256=corpus_sha256(path), kind="national")
    yield National(runtime, result, time.perf_counter() - started)
    engine.dispose()
    if PG_URL:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
