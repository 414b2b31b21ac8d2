"""Truncation without an outside copy (issue 15, point 11).

Whoever owns the database can cut the audit log's tail *and* delete the signed checkpoints that
cover it: what is left is whole, chained and consistent with every checkpoint still stored, so
``audit verify`` passes. Only a checkpoint kept outside the database catches the cut — handed to
``audit verify --checkpoint FILE``, and written to a witness folder or command after each commit.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.audit import exports
from review_service.audit.checkpoint_check import log_origin
from review_service.audit.checkpoint_models import AuditCheckpoint, CheckpointExport
from review_service.audit.checkpoint_writer import write_checkpoint
from review_service.audit.checkpoints import load_or_create_signing_key
from review_service.audit.witness import COMMAND_ENV, WITNESS_ENV
from review_service.audit.writer import append_event
from review_service.cli import main
from review_service.core.db import make_engine
from review_service.web.filters import beijing
from tests.security.audit_tampering import cut_tail

Uow = Callable[[], AbstractContextManager[Session]]


@pytest.fixture(autouse=True)
def _exports_done() -> Iterator[None]:
    """No export of this test may still run when the next begins (its database is dropped)."""
    yield
    assert exports.drain(30)


@pytest.fixture
def instance(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> Path:
    """The CLI on this test's (migrated) database, SQLite or PostgreSQL, no witness configured yet."""
    monkeypatch.setenv("REVIEW_SERVICE_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("REVIEW_SERVICE_DATABASE_URL", database_url)
    for name in (WITNESS_ENV, COMMAND_ENV, "REVIEW_SERVICE_PROGRESS", "REVIEW_SERVICE_AUDIT_HASH",
                 exports.MAX_AGE_ENV):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "instance"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _events(uow: Uow, count: int) -> None:
    with uow() as session:
        for n in range(count):
            append_event(session, action="case_submitted", actor=None, role="handler", agency_id=1, case_id=7,
                         payload={"n": n})


def test_a_cut_tail_with_its_checkpoints_is_caught_only_by_an_outside_copy(
        instance: Path, tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Attack: the database owner deletes the last audit events, the checkpoints covering them and their
    export records, and moves the head back: plain ``audit verify`` passes (shown here, it is the threat).
    Rule: checkpoints leave the system after commit (witness folder); ``audit verify --checkpoint FILE``
    (a file, or the witness folder) checks the log still holds and matches each, and fails on the cut.
    Source: GB/T 22239-2019 8.1.4.3 c) (审计记录应受到保护，避免受到未预期的删除); OWASP ASVS 5.0
    V16.4.2, V16.4.3 (logs protected, sent to a separate system); CWE-353.
    """
    witness = tmp_path / "witness"
    witness.mkdir()
    monkeypatch.setenv(WITNESS_ENV, str(witness))
    for name in ("甲局", "乙局", "丙局"):
        assert _run(capsys, "agency", "add", name)[0] == 0
    assert _run(capsys, "audit", "checkpoint")[0] == 0
    for name in ("丁局", "戊局"):
        assert _run(capsys, "agency", "add", name)[0] == 0
    code, signed, _err = _run(capsys, "audit", "checkpoint")
    assert code == 0
    held = sorted(witness.iterdir())
    assert [path.name[:23] for path in held] == ["checkpoint-000000000003", "checkpoint-000000000005"]
    assert held[-1].read_text(encoding="utf-8") == signed
    assert _run(capsys, "audit", "verify", "--checkpoint", str(held[-1]))[0] == 0  # whole: the copy agrees

    engine = make_engine(database_url)
    try:
        cut_tail(engine, 3, with_checkpoints=True)
    finally:
        engine.dispose()

    code, out, _err = _run(capsys, "audit", "verify")
    assert code == 0 and "共 3 条事件" in out  # the threat: nothing inside the database shows the cut
    for given in (str(held[-1]), str(witness)):
        code, out, err = _run(capsys, "audit", "verify", "--checkpoint", given)
        assert code == 1 and out == ""
        assert err.count("\n") == 1 and "截断" in err and "覆盖 5 条事件" in err and "现仅存 3 条" in err


def test_the_witness_folder_gets_each_checkpoint_after_commit(uow: Uow, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Attack: a checkpoint that only lives in the database dies with it; one exported before its
    transaction commits would vouch for a log that was rolled back.
    Rule: each new checkpoint is written to the witness folder after its commit (atomically: no
    partial or temporary file left), never for a rolled-back one, and each copy is recorded.
    Source: GB/T 22239-2019 8.1.4.3 c) (定期备份审计记录); OWASP ASVS 5.0 V16.4.3.
    """
    witness = tmp_path / "witness"
    witness.mkdir()
    monkeypatch.setenv(WITNESS_ENV, str(witness))
    monkeypatch.delenv(COMMAND_ENV, raising=False)
    key = load_or_create_signing_key(tmp_path / "keys")
    _events(uow, 4)
    with uow() as session:
        first = write_checkpoint(session, key=key, origin=log_origin()).text
        assert list(witness.iterdir()) == []  # not before the commit
    assert exports.drain(30)
    assert [path.read_text(encoding="utf-8") for path in witness.iterdir()] == [first]

    with pytest.raises(RuntimeError), uow() as session:  # rolled back: never leaves
        _events_in(session, 1)
        write_checkpoint(session, key=key, origin=log_origin())
        raise RuntimeError("the action failed")
    _events(uow, 2)
    with uow() as session:
        second = write_checkpoint(session, key=key, origin=log_origin()).text
    assert exports.drain(30)
    files = sorted(witness.iterdir())
    assert [path.read_text(encoding="utf-8") for path in files] == [first, second]
    assert files[1].name.startswith("checkpoint-000000000006-") and files[1].stat().st_mode & 0o777 == 0o644
    with uow() as session:
        recorded = list(session.scalars(select(CheckpointExport).order_by(CheckpointExport.id)))
        sizes = [session.get(AuditCheckpoint, row.checkpoint_id).size for row in recorded]  # type: ignore[union-attr]
    assert [(row.target, row.destination, row.ok) for row in recorded] == [("folder", str(witness), True)] * 2
    assert sizes == [4, 6] and recorded[1].detail == str(files[1])


def _events_in(session: Session, count: int) -> None:
    for n in range(count):
        append_event(session, action="case_submitted", actor=None, role="handler", agency_id=1, case_id=8,
                     payload={"n": n})


def test_a_failing_witness_command_keeps_the_checkpoint_and_is_reported(
        instance: Path, tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Attack (or accident): the witness is down when a checkpoint is signed; if the export were part of
    the transaction the checkpoint would be lost, and if its failure went unrecorded nobody would know.
    Rule: the checkpoint commits first; the failed export is recorded with its reason and shown; ``tick``
    retries it until it succeeds. Source: OWASP ASVS 5.0 V16.4.3; GB/T 22239-2019 8.1.4.3 c).
    """
    monkeypatch.setenv(COMMAND_ENV, f'{sys.executable} -c "import sys; sys.stdin.read(); sys.exit(\'见证服务不可用\')"')
    for name in ("甲局", "乙局"):
        assert _run(capsys, "agency", "add", name)[0] == 0
    code, signed, err = _run(capsys, "audit", "checkpoint")
    assert code == 0 and signed.startswith("review-service/audit-log\n2\n")
    assert "未能导出到外部见证" in err and "见证服务不可用" in err
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(select(AuditCheckpoint.text)) == signed  # kept
            failed = connection.execute(select(CheckpointExport.ok, CheckpointExport.detail,
                                               CheckpointExport.destination)).one()
        assert not failed.ok and "见证服务不可用" in failed.detail and failed.destination == Path(sys.executable).name
        with Session(engine) as session:
            status = exports.export_status(session)
        assert status.last_ok is None and any("最近一次导出失败" in w and "见证服务不可用" in w
                                              for w in status.warnings)

        received = tmp_path / "received.txt"
        monkeypatch.setenv(COMMAND_ENV, f'{sys.executable} -c "import sys, pathlib; '
                                        f"pathlib.Path(sys.argv[1]).write_text(sys.stdin.read())\" {received}")
        assert _run(capsys, "tick")[0] == 0  # the retry
        assert received.read_text(encoding="utf-8") == signed
        with Session(engine) as session:
            status = exports.export_status(session)
        assert status.last_ok is not None and status.latest_exported and status.last_failure is None
        assert not any("失败" in w for w in status.warnings)
    finally:
        engine.dispose()


def test_the_indicator_page_shows_the_last_export(app: Flask, as_user: Callable[[str], object], uow: Uow,
                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Attack: exports silently stop (the witness unplugged) and the outside copies grow stale, so a later cut
    goes unnoticed. Rule: the indicator page shows the auditor when a checkpoint last left the system,
    and warns when never, too long ago, or not configured. Source: OWASP ASVS 5.0 V16.4.3; GB/T 22239-2019
    8.1.4.3 c).
    """
    for name in (WITNESS_ENV, COMMAND_ENV, exports.MAX_AGE_ENV):
        monkeypatch.delenv(name, raising=False)
    auditor = as_user("auditor")
    html = auditor.text("/indicators")  # type: ignore[attr-defined]
    assert "审计检查点的外部保存" in html and "未配置检查点的外部见证" in html and "上次成功导出：从未" in html

    witness = tmp_path / "witness"
    witness.mkdir()
    monkeypatch.setenv(WITNESS_ENV, str(witness))
    with uow() as session:
        write_checkpoint(session, key=load_or_create_signing_key(tmp_path / "keys"), origin=log_origin())
    assert exports.drain(30)
    with uow() as session:
        exported_at = session.scalar(select(CheckpointExport.exported_at))
    html = auditor.text("/indicators")  # type: ignore[attr-defined]
    assert f"上次成功导出：{beijing(exported_at)}" in html and "，已导出" in html
    assert "未配置检查点的外部见证" not in html and "超过了" not in html

    monkeypatch.setenv(exports.MAX_AGE_ENV, "0.000001")  # every export is now too old
    assert "上次成功导出检查点在 0 小时前，超过了" in auditor.text("/indicators")  # type: ignore[attr-defined]
    assert "审计检查点的外部保存" not in as_user("head").text("/indicators")  # type: ignore[attr-defined]
