"""Files stored by SHA-256 under the instance folder, never under a name a user chose."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

DEFAULT_MAX_UPLOAD = 50 * 1024 * 1024


class BlobStore:
    """Content-addressed storage: ``<root>/ab/cdef…``. Writing the same bytes twice is a no-op."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256 hex digest")
        return self.root / sha256[:2] / sha256[2:]

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if not target.exists():
            if not target.parent.is_dir():
                target.parent.mkdir(parents=True, exist_ok=True)
            # write then rename, so a crash never leaves a half file under a valid hash
            fd, tmp = tempfile.mkstemp(dir=target.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        return digest

    def get(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()
