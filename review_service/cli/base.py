"""What every command shares: its one-line refusal, the parser's usage error, and the runtime it opens.

A command opens the runtime with :func:`command_runtime`; :func:`review_service.cli.main` closes
every runtime opened so once the command is done (:func:`finish`).
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from review_service.runtime import Runtime, open_runtime


class CommandError(Exception):
    """A failure with a one-line reason for the person at the terminal."""


class Parser(argparse.ArgumentParser):
    """argparse with a usage error on one line, in Chinese, exit status 2 (its subcommands inherit it)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"用法错误：{message}（运行 {self.prog} --help 查看用法）\n")


_opened: list[Runtime] = []


def command_runtime() -> Runtime:
    """The instance's runtime, opened for this command (closed by ``main`` once the command is done)."""
    runtime = open_runtime()
    _opened.append(runtime)
    return runtime


def refused(errors: list[str], what: str) -> int:
    """A file check that found faults: each ``file:line: reason`` on standard output, the count on standard
    error (``what``: 目录清单校验未通过 …); the command's exit status."""
    for line in errors:
        print(line)
    print(f"{what}：共 {len(errors)} 处错误（见标准输出）", file=sys.stderr)
    return 1


def display_url(url: str) -> str:
    """A database URL to show: its password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def finish() -> None:
    """Let queued checkpoint exports run (they need the database to record themselves), then close."""
    exports = sys.modules.get("review_service.audit.exports")
    try:
        if exports is not None:
            from review_service.audit.witness import command_timeout

            exports.drain(command_timeout() * 2 + 5)
    finally:
        while _opened:
            _opened.pop().close()
