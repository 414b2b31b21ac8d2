"""The progress line of long commands: drawn on a terminal, silent when piped, overridable."""

from __future__ import annotations

import io

import pytest

from review_service.core.progress import Progress, progress, wanted


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_silent_when_piped_drawn_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REVIEW_SERVICE_PROGRESS", raising=False)
    piped = io.StringIO()
    with progress("载入", total=3, stream=piped) as bar:
        for _ in range(3):
            bar.advance()
    assert piped.getvalue() == ""
    terminal = Terminal()
    with Progress("载入", total=3, stream=terminal, interval=0) as bar:
        for _ in range(3):
            bar.advance()
    out = terminal.getvalue()
    assert out.startswith("\r载入：1/3") and "载入：3/3（100%）" in out and out.endswith("\n")


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEW_SERVICE_PROGRESS", "never")
    assert not wanted(Terminal())
    monkeypatch.setenv("REVIEW_SERVICE_PROGRESS", "always")
    assert wanted(io.StringIO())


def test_unknown_total_and_nothing_drawn_means_no_newline() -> None:
    terminal = Terminal()
    bar = Progress("扫描", stream=terminal, interval=0)
    bar.update(7)
    assert "扫描：7" in bar.text()
    bar.close()
    quiet = Terminal()
    Progress("无事", stream=quiet).close()
    assert quiet.getvalue() == ""
