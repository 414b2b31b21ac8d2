"""The bounded caches behind a fast render: compiled sources, loaded templates and template files read.

Each is keyed by content (a source's text, a template's SHA-256) or by a file's identity, so a process that
meets many template versions (an admin trying overrides, many runtimes in tests) would keep every one of
them; the oldest entry goes once a cache holds more than its bound.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

CACHE_SIZE = 32


class LRU(OrderedDict[Any, Any]):
    """An ``OrderedDict`` used least-recently-first; callers bound it (``CACHE_SIZE`` or a multiple)."""

    def remember(self, key: Any, make: Callable[[], Any]) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        if len(self) > CACHE_SIZE * 4:
            self.popitem(last=False)
        return value
