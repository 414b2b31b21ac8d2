"""Leftovers after faults (issue 15, point 8): no temp file survives a failed write, and what a
crash leaves in the blob store is swept after a grace, never a file a row names."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from review_service.audit.models import AuditEvent
from review_service.cases import storage
from review_service.cases.blob_sweep import REFERENCES, check, record_sweep
from review_service.cases.models import Case, Material
from review_service.cases.operations import attach_material
from review_service.cli import main
from review_service.core.db import make_session_factory, read_only, read_only_engine
from review_service.documents.models import Document
from review_service.review.operations import submit_opinion
from tests.fixtures.world import opinion

Read = Callable[[], AbstractContextManager[Session]]
DAY = 24 * 3600


@pytest.fixture
def read(engine: Engine) -> Read:
    """A read-only snapshot per call, as ``Runtime.reading`` gives the sweep."""
    factory = make_session_factory(read_only_engine(engine))
    return lambda: read_only(factory)


def age(path: Path, seconds: float) -> Path:
    """Make ``path`` look ``seconds`` old."""
    at = time.time() - seconds
    os.utime(path, (at, at))
    return path


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


class _FullDisk:
    """``os`` as ``cases.storage`` sees it, with the disk full at one step of a blob write (ENOSPC)."""

    def __init__(self, step: str) -> None:
        self.step = step

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def _full(self, *args: Any) -> Any:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fdopen(self, fd: int, mode: str = "r") -> Any:
        handle = os.fdopen(fd, mode)
        if self.step == "write":
            handle.write = self._full  # type: ignore[method-assign]
        return handle

    def fsync(self, fd: int) -> None:
        return self._full() if self.step == "fsync" else os.fsync(fd)

    def replace(self, src: Any, dst: Any) -> None:
        return self._full() if self.step == "replace" else os.replace(src, dst)


@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
def test_disk_full_leaves_no_temp_file_and_fails_the_upload_cleanly(api: Any, web_world: Any, step: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Attack/fault: the disk fills while a material is uploaded; the old store kept a zero-byte temp
    file for every failed write (16 after one episode), and never flushed the bytes before renaming.
    Rule: a blob is written to a temp file in its own folder, fsynced and renamed into place; any
    failure removes the temp file, the action fails with the error envelope and records nothing.
    Source: CWE-459 (incomplete cleanup), CWE-404; GB/T 22239-2019 8.1.4.8 (数据完整性)."""
    root = web_world.blobs.root
    case_id = web_world.new_case()
    version = web_world.case(case_id).version
    monkeypatch.setattr(storage, "os", _FullDisk(step))
    handler = api.as_("handler")
    upload = handler.post(f"/cases/{case_id}/materials", content_type="multipart/form-data",
                          data={"file": (io.BytesIO(b"%PDF evidence"), "evidence.pdf"), "kind": "evidence",
                                "title": "询问笔录"})
    assert upload.status_code == 500 and upload.get_json()["error"]["code"] == "internal_error"
    assert files_under(root) == []  # no temp file, no half blob
    with web_world.uow() as session:
        assert session.scalar(select(func.count()).select_from(Material).where(Material.case_id == case_id)) == 0
        assert session.get(Case, case_id).version == version
        assert not session.scalar(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.action == "material_attached", AuditEvent.case_id == case_id))
    monkeypatch.undo()  # space again: the same upload goes through
    again = handler.post(f"/cases/{case_id}/materials", content_type="multipart/form-data",
                         data={"file": (io.BytesIO(b"%PDF evidence"), "evidence.pdf"), "kind": "evidence",
                               "title": "询问笔录"})
    assert again.status_code == 201, again.get_json()
    digest = hashlib.sha256(b"%PDF evidence").hexdigest()
    assert files_under(root) == [f"{digest[:2]}/{digest[2:]}"]


def test_sweep_removes_old_leftovers_and_keeps_named_and_new_files(world: Any, read: Read,
                                                                   uow: Callable[[], Any]) -> None:
    """Fault: a kill -9 between the blob write and the commit left an unreferenced .docx; crashed
    writes left temp files. Rule: ``storage check --sweep`` (and ``tick``) removes files no row names
    and temp files, only once they are older than the grace (24 h), rechecking the database before
    each removal; a file a row names, a file inside the grace and a file the store does not know
    are kept; every removal is audited. Source: CWE-459; OWASP ASVS 5.0 V14 (data protection: no
    stray copies of sensitive data); GB/T 22239-2019 8.1.4.10 (剩余信息保护)."""
    root = world.blobs.root
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))  # issues a .docx
    with world.uow() as session:
        material = session.scalars(select(Material).where(Material.case_id == case_id)).one()
        document = session.scalars(select(Document).where(Document.case_id == case_id)).one()
        named = [world.blobs.path_for(material.sha256), world.blobs.path_for(document.sha256)]
    for path in named:
        age(path, 3 * DAY)
    orphan = age(world.blobs.path_for(world.blobs.put(b"PK\x03\x04 killed before commit")), 2 * DAY)
    fresh = world.blobs.path_for(world.blobs.put(b"PK\x03\x04 a transaction in flight"))
    old_temp = age(_touch(root / "ab" / f"{storage.TEMP_PREFIX}x1y2z3{storage.TEMP_SUFFIX}", b"half"), 2 * DAY)
    legacy_temp = age(_touch(root / "cd" / "tmpk3j_9x0a"), 2 * DAY)  # the old store's nameless temp files
    new_temp = _touch(root / "cd" / f"{storage.TEMP_PREFIX}w8v7u6{storage.TEMP_SUFFIX}")
    stranger = age(_touch(root / "notes.txt", b"someone's file"), 2 * DAY)

    looked = check(root, read)  # a check alone touches nothing
    assert {e.path for e in looked.orphans} == {orphan, old_temp, legacy_temp} and looked.ok
    assert {e.path for e in looked.waiting} == {fresh, new_temp} and [e.path for e in looked.unknown] == [stranger]
    assert looked.referenced == 2 and not looked.removed

    swept = check(root, read, sweep=True)
    record_sweep(uow, swept, by="command")
    assert {e.path for e in swept.removed} == {orphan, old_temp, legacy_temp} and swept.ok
    assert swept.removed_bytes == len(b"PK\x03\x04 killed before commit") + len(b"half")
    for path in (orphan, old_temp, legacy_temp):
        assert not path.exists()
    for path in (*named, fresh, new_temp, stranger):
        assert path.exists()
    assert world.blobs.get(material.sha256) == b"evidence"
    with world.uow() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "storage_swept")).one()
        payload = json.loads(event.payload)
        assert payload["removed"] == 3 and payload["bytes"] == swept.removed_bytes


def test_a_blob_named_during_the_sweep_is_never_removed(world: Any, read: Read) -> None:
    """Race: a file left unreferenced long ago is uploaded again (same bytes, same name) while a sweep
    runs; the upload finds the file present and commits a row naming it. Rule: ``put`` marks a blob
    it reuses as just written, and the sweep sets a file aside, then rechecks its mtime and the
    database before the unlink, putting it back if either says it is in use; a writer that finds it
    gone writes it again. Source: CWE-367 (TOCTOU), CWE-362."""
    case_id = world.new_case()
    data = b"the same evidence, uploaded again"
    stale = age(world.blobs.path_for(world.blobs.put(data)), 3 * DAY)
    calls = 0

    @contextmanager
    def racing_read() -> Iterator[Session]:
        nonlocal calls
        calls += 1
        if calls == 2:  # after the sweep read the references, before it unlinks: the upload commits
            world.act(attach_material, "handler", case_id=case_id, kind="evidence", title="询问笔录",
                      filename="a.txt", data=data, content_type="text/plain", blobs=world.blobs)
        with read() as session:
            yield session

    report = check(world.blobs.root, racing_read, sweep=True)
    assert calls == 2 and not report.removed and report.ok
    assert stale.read_bytes() == data  # still there, under its name

    # an upload whose transaction has not committed yet: the reused file is inside the grace again
    reused = age(world.blobs.path_for(world.blobs.put(b"in flight")), 3 * DAY)
    world.blobs.put(b"in flight")
    assert not check(world.blobs.root, read, sweep=True).removed and reused.exists()


def test_missing_or_damaged_named_blob_is_reported_never_deleted(world: Any, database_url: str, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Fault: a referenced blob disappears or its bytes change (disk error, a hand-made "cleanup").
    Rule: ``review-service storage check`` reports it as an integrity problem, in Chinese, and exits
    non-zero; the sweep never deletes a damaged file a row names. Source: GB/T 22239-2019 8.1.4.8
    (数据完整性, 完整性受到破坏时采取恢复措施); OWASP ASVS 5.0 V14; CWE-354."""
    lost, damaged = world.submitted(), world.new_case()
    world.act(attach_material, "handler", case_id=damaged, kind="evidence", title="现场照片", filename="p.jpg",
              data=b"photo", content_type="image/jpeg", blobs=world.blobs)
    with world.uow() as session:
        digests = {case_id: session.scalars(select(Material.sha256).where(Material.case_id == case_id)).one()
                   for case_id in (lost, damaged)}
    world.blobs.path_for(digests[lost]).unlink()
    age(_touch(world.blobs.path_for(digests[damaged]), b"photX"), 3 * DAY)
    monkeypatch.setenv("REVIEW_SERVICE_INSTANCE", str(tmp_path))  # the world's store is <tmp_path>/blobs
    monkeypatch.setenv("REVIEW_SERVICE_DATABASE_URL", database_url)

    assert main(["storage", "check", "--sweep"]) == 1
    out = capsys.readouterr().out
    assert f"缺失：被引用的文件不存在 {digests[lost][:2]}/{digests[lost][2:]}" in out
    assert f"损坏：内容与 SHA-256 不符 {digests[damaged][:2]}/{digests[damaged][2:]}" in out
    assert "完整性问题 2 个" in out
    assert world.blobs.path_for(digests[damaged]).read_bytes() == b"photX"  # evidence for the inquiry: kept
    assert main(["storage", "check", "--grace", "0.01"]) == 1  # a grace shorter than a transaction: refused
    assert "宽限期" in capsys.readouterr().err


def test_tick_sweeps_after_the_grace_and_audits_it(world: Any, database_url: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Rule: the periodic ``tick`` runs the sweep (hourly, with the 24 h grace, without hashing) and
    audits ``storage_swept`` when it removed anything. Source: CWE-459; GB/T 22239-2019 8.1.4.10."""
    world.submitted()
    orphan = age(world.blobs.path_for(world.blobs.put(b"rolled back")), 2 * DAY)
    monkeypatch.setenv("REVIEW_SERVICE_INSTANCE", str(tmp_path))
    monkeypatch.setenv("REVIEW_SERVICE_DATABASE_URL", database_url)
    assert main(["tick"]) == 0
    assert f"存储清理 删除 1 个文件（{len(b'rolled back')} 字节）" in capsys.readouterr().out
    assert not orphan.exists()
    with world.uow() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "storage_swept")).one()
        payload = json.loads(event.payload)
        assert payload["by"] == "tick" and event.role == "system"
        assert payload["files"] == [str(orphan.relative_to(world.blobs.root))]


def test_every_blob_column_is_known_to_the_sweep() -> None:
    """Rule: the sweep's list of columns naming blobs matches the schema (a renamed column would
    make every blob it names look unreferenced). Source: CWE-459."""
    from review_service.core.db import Base

    for ref in REFERENCES:
        assert ref.column in Base.metadata.tables[ref.table].c, ref


def _touch(path: Path, data: bytes = b"") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
