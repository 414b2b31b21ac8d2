"""Check the blob store against the database; sweep what no row names, after a grace period.

A blob is written before the row that names it commits (``BlobStore.put`` then the insert), so
a rolled-back transaction or a kill -9 leaves an unreferenced file, and a crash between write
and rename a temp file. This module finds them and, when asked, removes them, by these rules:

- only files older than the grace (by mtime, default 24 h) are removed: a transaction in flight
  has just written or touched its blob (``put`` refreshes the mtime of a blob it finds already
  there), so its file is never old;
- a blob is removed only if no row names it, checked against the database at sweep time and
  again just before the unlink: the file is first renamed aside (``.sweep-<name>``), then its
  mtime and the database are looked at once more, and it is put back if either says it is in
  use. A writer that finds the file gone writes it again, so neither order of events loses it;
- a file named by a row is never removed. A referenced blob that is missing, or whose bytes do
  not hash to its name, is an integrity problem: reported, never touched;
- files the store does not know (not a blob, temp or set-aside name) are reported, never removed.

The tables that name blobs are listed in :data:`REFERENCES`; a new table that stores a blob's
SHA-256 must be added there, or its blobs would look unreferenced.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnClause, column, literal, select, table
from sqlalchemy.orm import Session

from review_service.cases.storage import LEGACY_TEMP, REST, SHARD, TEMP_PREFIX, TEMP_SUFFIX
from review_service.core import signals
from review_service.core.actions import Action

log = logging.getLogger(__name__)
Uow = Callable[[], AbstractContextManager[Session]]
Progress = Callable[[int, int], None]

DEFAULT_GRACE = timedelta(hours=24)
MIN_GRACE = timedelta(hours=1)  # longer than any transaction: what protects a blob whose row is not committed yet
TICK_EVERY = timedelta(hours=1)  # tick sweeps at most this often (a sweep reads every blob name and digest)
ASIDE_PREFIX = ".sweep-"
MARKER = ".last-sweep"
AUDITED_FILES = 100  # the audit event names at most this many files (the counts are always whole)


@dataclass(frozen=True)
class BlobReference:
    """A column holding the SHA-256 of a blob. ``required``: a row naming it needs the file."""

    table: str
    column: str
    required: bool = True


REFERENCES: tuple[BlobReference, ...] = (
    BlobReference("materials", "sha256"),
    BlobReference("documents", "sha256"),
    BlobReference("accountability_inquiries", "document_sha256"),
    # a packaged template is not in the store; an uploaded one may be: keep it if it is, never require it
    BlobReference("documents", "template_sha256", required=False),
)


@dataclass(frozen=True)
class Entry:
    """One file found in the store."""

    path: Path
    kind: str  # blob | temp | aside | unknown
    size: int
    mtime: float
    digest: str | None = None


@dataclass
class StorageReport:
    """What a check found and what a sweep did (paths relative to the store)."""

    root: Path
    grace: timedelta
    swept: bool = False
    blobs: int = 0
    blob_bytes: int = 0
    referenced: int = 0
    removed: list[Entry] = field(default_factory=list)
    waiting: list[Entry] = field(default_factory=list)  # unreferenced or temp, still inside the grace
    orphans: list[Entry] = field(default_factory=list)  # old enough, found by a check without --sweep
    restored: list[str] = field(default_factory=list)  # set aside by an interrupted sweep, named again: put back
    unknown: list[Entry] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    verified: bool = False

    @property
    def removed_bytes(self) -> int:
        return sum(entry.size for entry in self.removed)

    @property
    def ok(self) -> bool:
        """No problem a sweep cannot fix: nothing referenced is missing or damaged, every removal worked."""
        return not (self.missing or self.corrupt or self.errors)

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.root))


def scan(root: Path) -> Iterator[Entry]:
    """Every file under the store, classified by name (nothing is opened)."""
    if not root.is_dir():
        return
    for top in sorted(os.scandir(root), key=lambda item: item.name):
        if top.name == MARKER:
            continue
        if not (SHARD.fullmatch(top.name) and top.is_dir(follow_symlinks=False)):
            yield _entry(Path(top.path), "unknown", top)
            continue
        for item in sorted(os.scandir(top.path), key=lambda item: item.name):
            yield _classify(top.name, item)


def _classify(shard: str, item: os.DirEntry[str]) -> Entry:
    name, path = item.name, Path(item.path)
    if not item.is_file(follow_symlinks=False):
        return _entry(path, "unknown", item)
    if REST.fullmatch(name):
        return _entry(path, "blob", item, shard + name)
    if name.startswith(ASIDE_PREFIX) and REST.fullmatch(name[len(ASIDE_PREFIX):]):
        return _entry(path, "aside", item, shard + name[len(ASIDE_PREFIX):])
    if (name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)) or LEGACY_TEMP.fullmatch(name):
        return _entry(path, "temp", item)
    return _entry(path, "unknown", item)


def _entry(path: Path, kind: str, item: os.DirEntry[str], digest: str | None = None) -> Entry:
    stat = item.stat(follow_symlinks=False)
    return Entry(path, kind, stat.st_size, stat.st_mtime, digest)


def _columns() -> Iterator[tuple[BlobReference, Any, Any]]:
    for ref in REFERENCES:
        col: ColumnClause[Any] = column(ref.column)
        yield ref, table(ref.table, col), col


def referenced_digests(session: Session) -> dict[str, bool]:
    """Every digest a row names, and whether some row needs its file (``required``)."""
    found: dict[str, bool] = {}
    for ref, tbl, col in _columns():
        for digest in session.scalars(select(col).select_from(tbl).where(col.is_not(None)).distinct()):
            found[digest] = found.get(digest, False) or ref.required
    return found


def is_referenced(session: Session, digest: str) -> bool:
    """Whether any row names ``digest`` now."""
    return any(session.execute(select(literal(1)).select_from(tbl).where(col == digest).limit(1)).first()
               for _ref, tbl, col in _columns())


def check(root: Path, read: Uow, *, grace: timedelta = DEFAULT_GRACE, sweep: bool = False, verify: bool = True,
          now: float | None = None, progress: Progress | None = None) -> StorageReport:
    """Compare the store under ``root`` with the rows ``read`` sees; with ``sweep``, remove the leftovers.

    ``read`` opens a read-only transaction (a fresh snapshot each call). ``verify`` hashes every
    referenced blob (slow on a big store: ``tick`` leaves it off). ``progress(done, total)`` is
    called as files are looked at.
    """
    report = StorageReport(root=root, grace=grace, swept=sweep, verified=verify)
    cutoff = (now if now is not None else time.time()) - grace.total_seconds()
    entries = list(scan(root))  # the listing first, the references after: a row committed since has a fresh file
    with read() as session:
        references = referenced_digests(session)
    present: set[str] = set()
    for done, entry in enumerate(entries, 1):
        _look_at(report, entry, references, present, cutoff, sweep, read, verify)
        if progress:
            progress(done, len(entries))
    for digest in sorted(d for d, required in references.items() if required and d not in present):
        if not _path_for(root, digest).exists():  # written since the listing: not missing
            report.missing.append(digest)
    return report


def _look_at(report: StorageReport, entry: Entry, references: dict[str, bool], present: set[str], cutoff: float,
             sweep: bool, read: Uow, verify: bool) -> None:
    if entry.kind == "unknown":
        report.unknown.append(entry)
        return
    if entry.kind == "blob":
        assert entry.digest is not None
        present.add(entry.digest)
        report.blobs += 1
        report.blob_bytes += entry.size
        if entry.digest in references:
            report.referenced += 1
            if verify and not _content_matches(entry):
                report.corrupt.append(entry.digest)
            return
    if entry.kind == "aside":  # set aside by a sweep that stopped half-way: decide again, as it would have
        assert entry.digest is not None
        if entry.digest in references or entry.mtime >= cutoff:
            _put_back(report, entry.path, _path_for(report.root, entry.digest))
            present.add(entry.digest)
            return
    if entry.mtime >= cutoff:
        report.waiting.append(entry)
    elif not sweep:
        report.orphans.append(entry)
    elif entry.kind == "temp":
        _unlink(report, entry, entry.path)
    else:
        _remove_blob(report, entry, read, cutoff)


def _remove_blob(report: StorageReport, entry: Entry, read: Uow, cutoff: float) -> None:
    """Set the file aside, look again (mtime, then the database), then unlink it or put it back."""
    assert entry.digest is not None
    target = _path_for(report.root, entry.digest)
    aside = target.with_name(ASIDE_PREFIX + target.name)
    if entry.kind == "blob":
        try:
            os.rename(target, aside)
        except FileNotFoundError:  # another sweep took it
            return
        except OSError as error:
            report.errors.append(f"{report.rel(target)}：{error.strerror}")
            return
    try:
        fresh = aside.stat().st_mtime >= cutoff  # a writer touched it before the rename: in use
    except FileNotFoundError:  # another sweep decided already
        return
    with read() as session:
        in_use = fresh or is_referenced(session, entry.digest)
    if in_use:
        _put_back(report, aside, target)
    else:
        _unlink(report, entry, aside)


def _put_back(report: StorageReport, aside: Path, target: Path) -> None:
    try:
        os.replace(aside, target)  # if a writer wrote it again meanwhile, these are the same bytes
        os.utime(target)  # in use: a later sweep gives it a whole grace again
    except FileNotFoundError:
        return
    except OSError as error:
        report.errors.append(f"{report.rel(target)}：{error.strerror}")
        return
    report.restored.append(report.rel(target))


def _unlink(report: StorageReport, entry: Entry, path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        return
    except OSError as error:
        report.errors.append(f"{report.rel(path)}：{error.strerror}")
        return
    report.removed.append(entry)


def _content_matches(entry: Entry) -> bool:
    try:
        with entry.path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest() == entry.digest
    except FileNotFoundError:
        return True  # gone since the listing: the missing check reports it if a row still needs it


def _path_for(root: Path, digest: str) -> Path:
    return root / digest[:2] / digest[2:]


def due(root: Path, *, every: timedelta = TICK_EVERY, now: float | None = None) -> bool:
    """Whether ``tick`` should sweep now; claims the turn (touches the marker) when it should."""
    marker = root / MARKER
    at = now if now is not None else time.time()
    try:
        if at - marker.stat().st_mtime < every.total_seconds():
            return False
    except FileNotFoundError:
        if not root.is_dir():
            return False  # nothing stored yet
    marker.touch()
    os.utime(marker, (at, at))
    return True


def record_sweep(uow: Uow, report: StorageReport, *, by: str) -> None:
    """Audit what a sweep removed or put back (nothing is written when it did neither)."""
    if not (report.removed or report.restored):
        return
    payload: dict[str, Any] = {
        "by": by, "grace_hours": report.grace.total_seconds() / 3600,
        "removed": len(report.removed), "bytes": report.removed_bytes,
        "files": [report.rel(entry.path) for entry in report.removed[:AUDITED_FILES]],
        "restored": report.restored[:AUDITED_FILES],
    }
    with uow() as session:
        signals.emit(Action.STORAGE_SWEPT, session=session, actor=None, role="system", agency_id=None, case_id=None,
                     payload=payload)


def sweep_for_tick(runtime: Any) -> str | None:
    """The hourly sweep ``tick`` runs (no hashing); a summary for its line, or None when it did nothing."""
    root = runtime.blobs.root
    try:
        if not due(root):
            return None
        report = check(root, runtime.reading, grace=DEFAULT_GRACE, sweep=True, verify=False)
    except OSError as error:  # the rest of tick's work is done: say it, do not fail it
        log.exception("tick: storage sweep failed")
        return f"存储清理失败：{error}"
    record_sweep(runtime.transaction, report, by="tick")
    parts = []
    if report.removed:
        parts.append(f"存储清理 删除 {len(report.removed)} 个文件（{report.removed_bytes} 字节）")
    if not report.ok:
        parts.append(f"存储发现 {_problem_count(report)} 个问题，请运行 review-service storage check")
    return "，".join(parts) or None


def _problem_count(report: StorageReport) -> int:
    return len(report.missing) + len(report.corrupt) + len(report.errors)
