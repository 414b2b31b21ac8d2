"""The app's runtime, the write turn, and a write transaction begun in it: API requests and pages alike."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy.orm import Session

from review_service.core.private_files import PRIVATE_FILE
from review_service.edge import ahead
from review_service.runtime import Runtime

#: Where ``create_app`` keeps the app's runtime (``app.extensions[EXTENSION]``).
EXTENSION = "review_service"


def runtime() -> Runtime:
    """The runtime of the current app."""
    return current_app.extensions[EXTENSION]


@contextmanager
def write_turn(step: ahead.Planned | None = None) -> Iterator[None]:
    """On SQLite, wait for the write turn on a lock file before ``BEGIN IMMEDIATE``.

    SQLite's busy handler polls with growing sleeps, so under load some writers wait
    hundreds of milliseconds while others keep winning; the kernel wakes ``flock`` waiters
    the moment the lock is free. The database lock still guards correctness (CLI writers
    that skip this file simply queue on ``busy_timeout`` as before). Before queueing, the
    request's case is restored (and its ``step`` worked out) ahead: :func:`.ahead.before_turn`.
    """
    lock_path = current_app.config.get("WRITE_LOCK_FILE")
    if not lock_path:
        yield
        return
    ahead.before_turn(runtime(), step)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)  # created 0600, as the instance's files are
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def writing(client_addr: str | None = None, step: ahead.Planned | None = None) -> Iterator[Session]:
    """A write transaction, begun in this process's write turn (every write of a request runs in one)."""
    with write_turn(step), runtime().transaction(client_addr=client_addr) as session:
        yield session
