"""Progress for long commands: a line on a terminal (stderr), nothing when piped (ISSUE 6).

    with progress("校验审计日志", total=n) as bar:
        for batch in batches:
            ...
            bar.update(done)          # or bar.advance(len(batch))

The line is redrawn in place (``\\r``) at most every ``interval`` seconds and
ends with a newline when the work is done, so the command's own output starts
on a clean line. It is shown only when the stream is a terminal;
``REVIEW_SERVICE_PROGRESS=always`` or ``never`` overrides that (e.g. to see it
under a job runner, or to silence it in a terminal).
"""

from __future__ import annotations

import os
import sys
import time
from types import TracebackType
from typing import TextIO

ENV = "REVIEW_SERVICE_PROGRESS"


def wanted(stream: TextIO) -> bool:
    """Whether progress should be drawn on ``stream``: a terminal, unless the environment says otherwise."""
    choice = os.environ.get(ENV, "").strip().lower()
    if choice in ("always", "1", "yes"):
        return True
    if choice in ("never", "0", "no"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Progress:
    """A single redrawn status line: ``label done/total (pct%) elapsed``; a no-op when not wanted."""

    def __init__(self, label: str, total: int | None = None, *, unit: str = "", stream: TextIO | None = None,
                 interval: float = 0.1, enabled: bool | None = None) -> None:
        self.label, self.total, self.unit = label, total, unit
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = wanted(self.stream) if enabled is None else enabled
        self.interval = interval
        self.done = 0
        self._started = time.monotonic()
        self._drawn_at = 0.0
        self._width = 0

    def update(self, done: int, total: int | None = None) -> None:
        """Set how much is done (and the total, if it became known); redraw if it is time."""
        self.done = done
        if total is not None:
            self.total = total
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._drawn_at >= self.interval or (self.total is not None and done >= self.total):
            self._draw(now)

    def advance(self, count: int = 1) -> None:
        """Add ``count`` to what is done."""
        self.update(self.done + count)

    def text(self, now: float | None = None) -> str:
        elapsed = (now if now is not None else time.monotonic()) - self._started
        unit = f" {self.unit}" if self.unit else ""
        if self.total:
            pct = min(100.0, 100.0 * self.done / self.total)
            return f"{self.label}：{self.done}/{self.total}{unit}（{pct:.0f}%）{elapsed:.1f} 秒"
        return f"{self.label}：{self.done}{unit} {elapsed:.1f} 秒"

    def _draw(self, now: float) -> None:
        line = self.text(now)
        pad = " " * max(0, self._width - len(line))
        self.stream.write("\r" + line + pad)
        self.stream.flush()
        self._width, self._drawn_at = len(line), now

    def close(self) -> None:
        """Draw the final state and end the line (only if anything was drawn)."""
        if self.enabled and self._width:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def progress(label: str, total: int | None = None, *, unit: str = "", stream: TextIO | None = None) -> Progress:
    """A :class:`Progress` on stderr (or ``stream``): drawn on a terminal, silent when piped."""
    return Progress(label, total, unit=unit, stream=stream)
