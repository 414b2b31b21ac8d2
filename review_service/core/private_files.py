"""Files only the service's own account may read: the instance folder, the database, keys and secrets.

The instance folder holds the SQLite database (case content), the session secret, the audit signing key
and the stored materials; on a shared host any other account could otherwise read them (a default umask
of 022 makes files 0644). The rule: the instance folder and the blob store are 0700, the database (with
its ``-wal``, ``-shm`` and ``-journal``), the secret key, the signing key and the write lock are 0600.
Files are created with their mode (never written first and narrowed after); a process that opens the
instance narrows what an older version or an operator left wider (:func:`secure_instance`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
#: The private files of an instance folder, by name (the database is found from its URL).
INSTANCE_FILES = ("secret_key", "audit-signing.key", "write.lock")
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def narrow(path: Path, mode: int) -> None:
    """Take away every permission of ``path`` beyond ``mode`` (never adds any); a missing path is skipped.

    A path this account does not own is logged and left: the operator decides (the service still runs).
    """
    try:
        current = stat.S_IMODE(path.stat().st_mode)
        if current & ~mode:
            path.chmod(current & mode)
    except FileNotFoundError:
        return
    except PermissionError:
        log.warning("cannot narrow the permissions of %s to %o: not this account's", path, mode)


def private_dir(path: Path) -> Path:
    """Make ``path`` (and missing parents) with mode 0700, or narrow it to 0700 when it exists."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    narrow(path, PRIVATE_DIR)
    return path


def create_private(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` with mode 0600 unless it exists; True when this call created it.

    Written to a temporary file (0600 from the start) and linked into place, so a concurrent reader (the
    other workers starting) sees either no file or the whole of it.
    """
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.link(temporary, path)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(temporary)


def sqlite_file(database_url: str) -> Path | None:
    """The database file of a SQLite URL, or None (another database, or an in-memory one)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def create_sqlite_file(database_url: str) -> None:
    """Create a missing SQLite database file empty with mode 0600 (SQLite gives its -wal and -shm that mode)."""
    path = sqlite_file(database_url)
    if path is None or path.exists() or not path.parent.is_dir():
        return
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))


def secure_instance(instance_path: Path, database_url: str) -> None:
    """At start: the instance folder and blob store 0700, the database and the key files 0600."""
    private_dir(instance_path)
    blobs = instance_path / "blobs"
    if blobs.is_dir():
        narrow(blobs, PRIVATE_DIR)
        for entry in os.scandir(blobs):  # the 256 fan-out folders; the blobs in them are made 0600
            if entry.is_dir(follow_symlinks=False):
                narrow(Path(entry.path), PRIVATE_DIR)
    for name in INSTANCE_FILES:
        narrow(instance_path / name, PRIVATE_FILE)
    create_sqlite_file(database_url)
    database = sqlite_file(database_url)
    if database is not None:
        for suffix in SQLITE_COMPANIONS:
            narrow(database.with_name(database.name + suffix), PRIVATE_FILE)
