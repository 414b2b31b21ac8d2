"""Files stored by SHA-256 under the instance folder, never under a name a user chose.

A blob is written to a temp file in its own folder (``.blob-XXXXXXXX.tmp``), flushed to the disk, and
renamed into place, so a crash or a full disk never leaves a half file under a valid hash; a write
that fails removes its temp file. What is left anyway (a kill -9 between write and rename, a
transaction rolled back after its blob was written) is found and swept by
:mod:`review_service.cases.blob_sweep` after a grace period.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path

DEFAULT_MAX_UPLOAD = 50 * 1024 * 1024
# a temp file's name says what it is, so that a sweep can tell it from a blob and from a stranger
TEMP_PREFIX = ".blob-"
TEMP_SUFFIX = ".tmp"
# what ``tempfile.mkstemp`` called temp files before they had a prefix (found after old disk-full episodes)
LEGACY_TEMP = re.compile(r"tmp[a-z0-9_]{8}")
SHARD = re.compile(r"[0-9a-f]{2}")
REST = re.compile(r"[0-9a-f]{62}")


def fsync_dir(path: Path) -> None:
    """Make a rename or a new entry in ``path`` durable (POSIX: the folder's own entry list is synced)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BlobStore:
    """Content-addressed storage: ``<root>/ab/cdef…``. Writing the same bytes twice is a no-op."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256 hex digest")
        return self.root / sha256[:2] / sha256[2:]

    def put(self, data: bytes) -> str:
        """Store ``data``; return its SHA-256. An ``OSError`` (e.g. ENOSPC) leaves no file behind."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if _refresh(target):
            return digest
        created = not target.parent.is_dir()
        if created:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # private, like the instance
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())  # the bytes are on the disk before the name points at them
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        fsync_dir(target.parent)  # the rename survives a power cut
        if created:
            fsync_dir(target.parent.parent)
        return digest

    def get(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()


def _refresh(target: Path) -> bool:
    """Whether ``target`` exists; if so, mark it as just written.

    The row that will name this blob commits after ``put`` returns: a fresh mtime keeps a sweep
    (which removes only unreferenced files older than its grace) off the file meanwhile, even when
    the same bytes were left unreferenced long ago. A sweep that took the file away between the
    check and now makes ``utime`` fail, and the caller writes the file again.
    """
    try:
        os.utime(target)
    except FileNotFoundError:
        return False
    except PermissionError:  # a store mounted read-only still serves what it holds
        return target.exists()
    return True
