"""WAL checkpoints in a server process's own thread: commits append to the WAL and return."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from review_service.core.db import make_engine
from review_service.core.wal import BACKSTOP_PAGES, WalCheckpointer, checkpoint_in_background

PAGES_PER_COMMIT = 1_500  # past SQLite's default automatic checkpoint (1,000 pages)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE filler (id INTEGER PRIMARY KEY, data BLOB)"))
    yield engine
    engine.dispose()


def _commit_pages(engine: Engine, pages: int = PAGES_PER_COMMIT) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO filler (data) VALUES (zeroblob(:size))"), {"size": pages * 4096})


def _database_file(engine: Engine) -> Path:
    return Path(str(engine.url.database))


def _wait_for(condition, seconds: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_by_default_a_large_commit_checkpoints_itself(sqlite_engine: Engine) -> None:
    """What the checkpointer is for: without it, the commit itself copies its pages into the file."""
    before = _database_file(sqlite_engine).stat().st_size
    _commit_pages(sqlite_engine)
    assert _database_file(sqlite_engine).stat().st_size > before + 1_000 * 4096


def test_commits_leave_the_copying_to_the_checkpointer_thread(sqlite_engine: Engine) -> None:
    checkpointer = checkpoint_in_background(sqlite_engine, interval=3600)  # the thread waits: nothing copied yet
    assert checkpointer is not None
    try:
        with sqlite_engine.connect() as conn:
            assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == BACKSTOP_PAGES
        before = _database_file(sqlite_engine).stat().st_size
        _commit_pages(sqlite_engine)
        assert _database_file(sqlite_engine).stat().st_size == before  # only appended to the WAL
    finally:
        checkpointer.stop()
    assert not checkpointer.is_alive()


def test_the_thread_copies_the_wal_into_the_database_file(sqlite_engine: Engine) -> None:
    checkpointer = checkpoint_in_background(sqlite_engine, interval=0.05)
    assert checkpointer is not None
    try:
        before = _database_file(sqlite_engine).stat().st_size
        _commit_pages(sqlite_engine)
        assert _wait_for(lambda: _database_file(sqlite_engine).stat().st_size > before + 1_000 * 4096)
        assert _wait_for(lambda: checkpointer.last[0] > 0 and checkpointer.last[0] == checkpointer.last[1])
        assert checkpointer.checkpoints > 0
        _commit_pages(sqlite_engine, 10)  # writers go on while it runs
    finally:
        checkpointer.stop()


def test_a_failing_checkpoint_is_logged_and_the_thread_goes_on(tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database " * 400)
    checkpointer = WalCheckpointer(str(garbage))
    connection = sqlite3.connect(garbage)
    try:
        checkpointer.checkpoint(connection)
    finally:
        connection.close()
    assert checkpointer.checkpoints == 0 and "WAL checkpoint failed" in caplog.text


def test_nothing_to_do_on_postgresql_or_in_memory() -> None:
    assert checkpoint_in_background(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")) is None
    assert checkpoint_in_background(make_engine("sqlite://")) is None
