"""SQLite WAL checkpoints in a thread of the server process, not inside a writer's commit.

By default the commit that takes the WAL past 1,000 pages copies them into the database file
and syncs both files before it returns. In a server that commit holds the write turn, so every
writer queued behind it waits for the disk: measured under write load (``bench/http.py``), turns
of 30–340 ms where a turn is about 8. Here a server process checkpoints from its own thread
every ``interval`` seconds instead (PASSIVE: it takes no write lock, so writers go on appending
to the WAL meanwhile, and SQLite lets the thread's disk waits run without holding the GIL).
The writers' own automatic checkpoint stays as a backstop, at ``BACKSTOP_PAGES``, should this
thread ever fall behind.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from review_service.core.db import is_sqlite

log = logging.getLogger(__name__)

INTERVAL = 0.5  # seconds between two checkpoints
BACKSTOP_PAGES = 20_000  # a writer's own checkpoint only past this (about 80 MB of WAL at 4 KiB pages)


class WalCheckpointer(threading.Thread):
    """Checkpoint one SQLite database every ``interval`` seconds until :meth:`stop`."""

    def __init__(self, database: str, interval: float = INTERVAL) -> None:
        super().__init__(name="wal-checkpointer", daemon=True)
        self.database = database
        self.interval = interval
        self.checkpoints = 0  # checkpoints run so far
        self.last: tuple[int, int] = (0, 0)  # after the last one: frames in the WAL, frames of them copied
        self._stopping = threading.Event()

    def run(self) -> None:
        connection = sqlite3.connect(self.database, timeout=0, isolation_level=None, check_same_thread=False)
        try:
            while not self._stopping.wait(self.interval):
                self.checkpoint(connection)
        finally:
            connection.close()

    def checkpoint(self, connection: sqlite3.Connection) -> None:
        """One PASSIVE checkpoint: as many frames as no reader still needs; never waits for a lock."""
        try:
            _busy, in_wal, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as error:  # the writers' backstop checkpoint still bounds the WAL
            log.warning("WAL checkpoint failed: %s", error)
            return
        self.checkpoints += 1
        self.last = (in_wal, copied)

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        if self.is_alive():
            self.join(timeout)


def _writers_backstop(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
    cursor.close()


def checkpoint_in_background(engine: Engine, interval: float = INTERVAL) -> WalCheckpointer | None:
    """On SQLite: raise ``engine``'s own checkpoints to the backstop and start a checkpointer thread.

    Call it once per server process, before it serves (PostgreSQL: nothing to do, None).
    """
    if not is_sqlite(engine) or not engine.url.database or engine.url.database == ":memory:":
        return None
    event.listen(engine, "connect", _writers_backstop)
    engine.dispose()  # connections already pooled reopen with the backstop
    checkpointer = WalCheckpointer(engine.url.database, interval)
    checkpointer.start()
    return checkpointer
