"""Each new checkpoint copied outside after its transaction commits, the outcome recorded (issue 15, point 11).

* :func:`export_after_commit` (called by ``write_checkpoint`` for every checkpoint it signs)
  queues the copy for after the commit: a rolled-back checkpoint is never exported, and an
  export that fails can never undo the checkpoint — it is already committed. The copy runs on
  one background thread per process, so neither the action's answer nor the SQLite write
  turn waits for a slow folder or command; :func:`drain` waits for it (the CLI does before it
  exits). Each attempt is appended to ``checkpoint_exports`` in a transaction of its own.
* :func:`export_missing` retries: ``tick`` (``audit.schedule.checkpoint_if_due``) queues it, and
  it exports the newest few checkpoints that have no successful copy at a configured target
  (a failed or lost export — a worker killed before its queue ran — is caught up within a tick).
* :func:`export_status` is what the indicator page shows: when a checkpoint last left the
  system, and a warning when never, too long ago, or the last attempt failed.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.orm import Session

from review_service.audit.checkpoint_models import AuditCheckpoint, CheckpointExport
from review_service.audit.witness import Exportable, ExportFailed, Target, configured_targets, export
from review_service.core import signals
from review_service.core.clock import as_utc, utcnow
from review_service.core.db import read_only_engine

log = logging.getLogger(__name__)

MAX_AGE_ENV = "REVIEW_SERVICE_CHECKPOINT_EXPORT_MAX_HOURS"
DEFAULT_MAX_AGE_HOURS = 24.0
RETRY_BATCH = 5  # checkpoints per target and tick: bounded even after a long outage
AT_EXIT_WAIT = 3.0  # seconds a process about to exit waits for its queued exports
UNEXPORTED_GRACE = timedelta(minutes=10)  # a fresh checkpoint waits for its export (or the next tick's retry)

_CHECKPOINTS = AuditCheckpoint.__table__.c
_EXPORTS = CheckpointExport.__table__.c


@dataclass(frozen=True)
class Outcome:
    """One attempt: which checkpoint, where to, whether it worked and what happened."""

    checkpoint_id: int
    target: Target
    ok: bool
    detail: str


# --- exporting and recording ------------------------------------------------------------------------------------


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def export_checkpoint(engine: Engine, checkpoint: Exportable, targets: list[Target] | None = None) -> list[Outcome]:
    """Copy one committed checkpoint to each target now and record every attempt; the outcomes."""
    outcomes = []
    for target in configured_targets() if targets is None else targets:
        try:
            outcome = Outcome(checkpoint.id, target, True, export(target, checkpoint))
        except ExportFailed as error:
            outcome = Outcome(checkpoint.id, target, False, str(error))
        except Exception as error:  # an export can never break anything else: it is reported and recorded
            outcome = Outcome(checkpoint.id, target, False, f"导出出错（{type(error).__name__}）：{error}")
        if not outcome.ok:
            log.warning("checkpoint %s not exported to %s %s: %s", checkpoint.id, target.kind, target.destination,
                        outcome.detail)
        _record(engine, outcome)
        outcomes.append(outcome)
    return outcomes


def _record(engine: Engine, outcome: Outcome) -> None:
    """Append the attempt in a transaction of its own (the checkpoint's has committed already)."""
    try:
        with engine.begin() as connection:
            connection.execute(insert(CheckpointExport.__table__).values(
                checkpoint_id=outcome.checkpoint_id, target=outcome.target.kind,
                destination=outcome.target.destination, ok=outcome.ok, detail=outcome.detail[:2000],
                exported_at=utcnow()))
    except Exception:  # the export itself happened (or not) regardless; the log keeps what the table could not
        log.exception("could not record the export of checkpoint %s", outcome.checkpoint_id)


def export_after_commit(session: Session, row: AuditCheckpoint) -> None:
    """Queue ``row``'s export for when ``session``'s transaction has committed (nothing if none configured)."""
    if not configured_targets():
        return
    checkpoint = Exportable(row.id, row.size, row.created_at, row.text)
    engine = _engine_of(session)
    signals.after_commit(session, lambda: submit(lambda: export_checkpoint(engine, checkpoint)))


def export_missing(engine: Engine, *, limit: int = RETRY_BATCH) -> list[Outcome]:
    """Export the newest ``limit`` checkpoints lacking a successful copy at each configured target."""
    outcomes: list[Outcome] = []
    for target in configured_targets():
        copied = (select(_EXPORTS.id).where(_EXPORTS.checkpoint_id == _CHECKPOINTS.id, _EXPORTS.target == target.kind,
                                            _EXPORTS.destination == target.destination, _EXPORTS.ok.is_(True))
                  .exists())
        with read_only_engine(engine).connect() as connection:
            rows = connection.execute(select(_CHECKPOINTS.id, _CHECKPOINTS.size, _CHECKPOINTS.created_at,
                                             _CHECKPOINTS.text).where(~copied)
                                      .order_by(_CHECKPOINTS.id.desc()).limit(limit)).all()
            connection.rollback()
        for row in rows:
            outcomes += export_checkpoint(engine, Exportable(row.id, row.size, row.created_at, row.text), [target])
    return outcomes


def retry_after_commit(session: Session) -> None:
    """Queue :func:`export_missing` for after ``session`` commits (``tick``; nothing if none configured)."""
    if configured_targets():
        engine = _engine_of(session)
        signals.after_commit(session, lambda: submit(lambda: export_missing(engine)))


# --- the background thread --------------------------------------------------------------------------------------


class _Exporter:
    """One daemon thread per process running queued exports in order; restarted after a fork."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pid = -1
        self.jobs: queue.Queue[Callable[[], object]] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.at_exit = False

    def submit(self, job: Callable[[], object]) -> None:
        with self.lock:
            if self.pid != os.getpid():  # a forked child: the parent's thread and queue are not ours
                self.pid, self.jobs, self.thread = os.getpid(), queue.Queue(), None
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="checkpoint-export", daemon=True)
                self.thread.start()
            if not self.at_exit:  # a short last chance: an exiting server worker must not linger (tick retries)
                atexit.register(lambda: self.drain(AT_EXIT_WAIT))
                self.at_exit = True
            self.jobs.put(job)

    def _run(self) -> None:
        jobs = self.jobs
        while True:
            job = jobs.get()
            try:
                job()
            except Exception:
                log.exception("checkpoint export failed")
            finally:
                jobs.task_done()

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every queued export has run (at most ``timeout`` seconds); whether they all did."""
        if self.pid != os.getpid():
            return True
        jobs = self.jobs
        deadline = None if timeout is None else time.monotonic() + timeout
        with jobs.all_tasks_done:
            while jobs.unfinished_tasks:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                jobs.all_tasks_done.wait(remaining)
        return True


_exporter = _Exporter()


def submit(job: Callable[[], object]) -> None:
    """Run ``job`` on the export thread."""
    _exporter.submit(job)


def drain(timeout: float | None = 60.0) -> bool:
    """Wait for the queued exports of this process (the CLI before it exits, tests before they look)."""
    return _exporter.drain(timeout)


# --- what the indicator page shows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportStatus:
    """The latest checkpoint, its export, the last successful and the last failed export, and warnings.

    Plain rows (``latest``: id, size, created_at; the exports: id, exported_at, target, destination, detail),
    so the page can render them after the read transaction has ended.
    """

    targets: list[Target]
    latest: Row[Any] | None
    latest_exported: bool
    last_ok: Row[Any] | None
    last_failure: Row[Any] | None  # only one newer than the last success
    warnings: list[str] = field(default_factory=list)


def max_age() -> timedelta:
    """How old the last successful export may be before the page warns (default 24 hours)."""
    try:
        hours = float(os.environ.get(MAX_AGE_ENV, DEFAULT_MAX_AGE_HOURS))
    except ValueError:
        hours = DEFAULT_MAX_AGE_HOURS
    return timedelta(hours=hours if hours > 0 else DEFAULT_MAX_AGE_HOURS)


def export_status(session: Session, *, now: datetime | None = None) -> ExportStatus:
    """Where the checkpoints' outside copies stand, with a warning (Chinese) for each reason to worry."""
    now = as_utc(now or utcnow())
    targets = configured_targets()
    latest = session.execute(select(_CHECKPOINTS.id, _CHECKPOINTS.size, _CHECKPOINTS.created_at)
                             .order_by(_CHECKPOINTS.id.desc()).limit(1)).first()
    exported = select(_EXPORTS.id, _EXPORTS.exported_at, _EXPORTS.target, _EXPORTS.destination, _EXPORTS.detail)
    last_ok = session.execute(exported.where(_EXPORTS.ok.is_(True)).order_by(_EXPORTS.id.desc()).limit(1)).first()
    failure = session.execute(exported.where(_EXPORTS.ok.is_(False)).order_by(_EXPORTS.id.desc()).limit(1)).first()
    if failure is not None and last_ok is not None and failure.id < last_ok.id:
        failure = None
    latest_exported = latest is not None and session.scalar(
        select(_EXPORTS.id).where(_EXPORTS.checkpoint_id == latest.id, _EXPORTS.ok.is_(True)).limit(1)) is not None
    warnings = []
    if not targets:
        warnings.append("未配置检查点的外部见证（REVIEW_SERVICE_CHECKPOINT_WITNESS 或 "
                        "REVIEW_SERVICE_CHECKPOINT_COMMAND）：只有保存在系统之外的检查点才能发现日志尾部连同检查点一起被删除")
    if latest is not None and last_ok is None:
        warnings.append("尚未成功导出过任何检查点")
    elif last_ok is not None and now - as_utc(last_ok.exported_at) > max_age():
        hours = int((now - as_utc(last_ok.exported_at)).total_seconds() // 3600)
        warnings.append(f"上次成功导出检查点在 {hours} 小时前，超过了 {max_age().total_seconds() / 3600:g} 小时")
    if (latest is not None and last_ok is not None and not latest_exported
            and now - as_utc(latest.created_at) > UNEXPORTED_GRACE):
        warnings.append(f"最新检查点（{latest.size} 条事件）尚未导出")
    if failure is not None:
        warnings.append(f"最近一次导出失败：{failure.detail}")
    return ExportStatus(targets, latest, latest_exported, last_ok, failure, warnings)
