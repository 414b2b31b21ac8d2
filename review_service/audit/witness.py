"""Where a signed checkpoint is copied outside the database: a witness folder, a command (issue 15, point 11).

Someone who owns the database can cut the log's tail *and* delete the checkpoints that
cover it; ``audit verify`` then finds a whole, consistent, shorter log. Only a copy kept
outside sees the cut (``audit verify --checkpoint FILE``). Two ways out, both optional:

* ``REVIEW_SERVICE_CHECKPOINT_WITNESS=/path``: each checkpoint is written into that folder
  (which must exist: a missing mount must fail loudly, not fill a local directory) as
  ``checkpoint-<size, 12 digits>-<UTC time>-<id>.txt``, through a temporary file in the same
  folder, flushed to disk and renamed into place, so the folder never holds half a checkpoint.
  A file of that name with other bytes is never overwritten (it is reported: something rewrote
  the history the witness saw).
* ``REVIEW_SERVICE_CHECKPOINT_COMMAND="…"``: the command (split like a shell would, run without a
  shell) gets the checkpoint text on stdin, with ``REVIEW_SERVICE_CHECKPOINT_ID`` / ``…_SIZE`` in
  its environment; exit status 0 is success; it is stopped after
  ``REVIEW_SERVICE_CHECKPOINT_COMMAND_TIMEOUT`` seconds (default 10). It may receive the same
  checkpoint twice (a retry by ``tick``), so it should be idempotent.

Nothing here touches the database; :mod:`review_service.audit.exports` decides when to export
and records the outcome.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from review_service.core.clock import as_utc

WITNESS_ENV = "REVIEW_SERVICE_CHECKPOINT_WITNESS"
COMMAND_ENV = "REVIEW_SERVICE_CHECKPOINT_COMMAND"
TIMEOUT_ENV = "REVIEW_SERVICE_CHECKPOINT_COMMAND_TIMEOUT"
DEFAULT_TIMEOUT = 10.0
FILE_PREFIX = "checkpoint-"
FILE_SUFFIX = ".txt"
_DETAIL_LIMIT = 300


class ExportFailed(Exception):
    """The checkpoint did not reach the target; the message (Chinese, one line) says why."""


@dataclass(frozen=True)
class Target:
    """A configured way out: ``kind`` ``folder`` or ``command``; ``destination`` is what the records show."""

    kind: str
    destination: str  # the folder, or the command's program name (its arguments may hold credentials)
    setting: str  # the folder, or the whole command line


@dataclass(frozen=True)
class Exportable:
    """What an export needs of a checkpoint row (copied out of the session before it closes)."""

    id: int
    size: int
    created_at: datetime
    text: str


def configured_targets() -> list[Target]:
    """The witness folder and/or command configured in the environment (read on every call: cheap)."""
    targets = []
    folder = os.environ.get(WITNESS_ENV, "").strip()
    if folder:
        targets.append(Target("folder", folder, folder))
    command = os.environ.get(COMMAND_ENV, "").strip()
    if command:
        try:
            program = Path(shlex.split(command)[0]).name
        except (ValueError, IndexError):
            program = "?"
        targets.append(Target("command", program, command))
    return targets


def file_name(checkpoint: Exportable) -> str:
    """``checkpoint-000000001024-20261208T020304Z-17.txt``: sorted by name is sorted by size, then time."""
    at = as_utc(checkpoint.created_at).strftime("%Y%m%dT%H%M%SZ")
    return f"{FILE_PREFIX}{checkpoint.size:012d}-{at}-{checkpoint.id}{FILE_SUFFIX}"


def export(target: Target, checkpoint: Exportable) -> str:
    """Copy ``checkpoint`` to ``target``; the outcome's detail on success, ``ExportFailed`` otherwise."""
    if target.kind == "folder":
        return write_to_folder(Path(target.setting), checkpoint)
    return run_command(target.setting, checkpoint)


def write_to_folder(folder: Path, checkpoint: Exportable) -> str:
    """Write the checkpoint atomically into ``folder``; the file's path. Never overwrites other bytes."""
    if not folder.is_dir():
        raise ExportFailed(f"见证目录不存在或不是目录：{folder}")
    final = folder / file_name(checkpoint)
    data = checkpoint.text.encode("utf-8")
    try:
        if final.exists():
            if final.read_bytes() == data:
                return f"{final}（已存在，内容相同）"
            raise ExportFailed(f"见证目录中已有同名而内容不同的检查点文件：{final}（未覆盖）")
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".checkpoint-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o644)  # a checkpoint is public by design: signed, no secret in it
            os.replace(temporary, final)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _sync_folder(folder)
    except OSError as error:
        raise ExportFailed(f"写入见证目录失败：{error.strerror or error}（{folder}）") from None
    return str(final)


def _sync_folder(folder: Path) -> None:
    """Flush the rename itself to disk (POSIX: fsync the directory)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def command_timeout() -> float:
    """Seconds a witness command may run (``REVIEW_SERVICE_CHECKPOINT_COMMAND_TIMEOUT``, default 10)."""
    try:
        value = float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


def run_command(command: str, checkpoint: Exportable) -> str:
    """Run the witness command with the checkpoint text on stdin; its first output line on success."""
    try:
        argv = shlex.split(command)
    except ValueError as error:
        raise ExportFailed(f"见证命令无法解析：{error}") from None
    if not argv:
        raise ExportFailed("见证命令为空")
    env = {**os.environ, "REVIEW_SERVICE_CHECKPOINT_ID": str(checkpoint.id),
           "REVIEW_SERVICE_CHECKPOINT_SIZE": str(checkpoint.size)}
    timeout = command_timeout()
    try:
        done = subprocess.run(argv, input=checkpoint.text.encode("utf-8"), capture_output=True, env=env,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise ExportFailed(f"见证命令 {Path(argv[0]).name} 超时（{timeout:g} 秒）") from None
    except OSError as error:
        raise ExportFailed(f"见证命令 {Path(argv[0]).name} 无法运行：{error.strerror or error}") from None
    if done.returncode != 0:
        said = _last_line(done.stderr) or _last_line(done.stdout)
        raise ExportFailed(f"见证命令 {Path(argv[0]).name} 以状态 {done.returncode} 退出"
                           + (f"：{said}" if said else ""))
    return _last_line(done.stdout) or f"见证命令 {Path(argv[0]).name} 已接收"


def _last_line(output: bytes) -> str:
    lines = [line.strip() for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1][:_DETAIL_LIMIT] if lines else ""


def held_files(path: Path) -> list[Path]:
    """The checkpoint files ``audit verify --checkpoint`` reads for ``path``: itself, or a witness folder's files."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.name.startswith(FILE_PREFIX) and p.name.endswith(FILE_SUFFIX))
    return [path]
