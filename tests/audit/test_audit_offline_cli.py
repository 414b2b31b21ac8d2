"""The auditor's round trip: ``audit checkpoint`` → ``audit prove`` → ``audit check-proof`` (or standalone)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from review_service.audit.writer import append_event
from review_service.cli import main
from review_service.runtime import open_runtime


@pytest.fixture
def instance(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("REVIEW_SERVICE_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("REVIEW_SERVICE_DATABASE_URL", raising=False)
    monkeypatch.delenv("REVIEW_SERVICE_AUDIT_HASH", raising=False)
    assert main(["init"]) == 0
    return tmp_path / "instance"


def _events(count: int, case_ids: tuple[int, ...] = (7, 8, 9)) -> None:
    runtime = open_runtime()
    try:
        with runtime.transaction() as session:
            for n in range(count):
                append_event(session, action="case_submitted", actor=None, role="handler", agency_id=1,
                             case_id=case_ids[n % len(case_ids)], payload={"n": n})
    finally:
        runtime.close()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_prove_and_check_a_case_offline(instance: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _events(40)
    code, checkpoint = _run(capsys, "audit", "checkpoint")
    assert code == 0
    held = tmp_path / "checkpoint.txt"
    held.write_text(checkpoint, encoding="utf-8")
    code, key = _run(capsys, "audit", "key")
    assert code == 0 and key.startswith("review-service/audit-log+")
    key_file = tmp_path / "key.pub"
    key_file.write_text(key, encoding="utf-8")
    _events(5)  # the log grows after the checkpoint the auditor holds

    code, proof_text = _run(capsys, "audit", "prove", "--case", "7", "--checkpoint", str(held))
    assert code == 0
    proof = json.loads(proof_text)
    assert proof["case_id"] == "7" and len(proof["events"]) == 14  # case 7's events among the first 40
    proof_file = tmp_path / "proof.json"
    proof_file.write_text(proof_text, encoding="utf-8")

    code, out = _run(capsys, "audit", "check-proof", str(proof_file), "--key", f"@{key_file}",
                     "--checkpoint", str(held))
    assert code == 0 and "核验通过" in out and "case_submitted" in out

    # standalone, in a clean process, with no instance or database at all
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEW_SERVICE_")}
    standalone = subprocess.run([sys.executable, "-m", "review_service.audit.offline", str(proof_file),
                                 "--key", key.strip()], capture_output=True, text=True, env=env, cwd=tmp_path,
                                check=False)
    assert standalone.returncode == 0, standalone.stdout + standalone.stderr

    # a tampered event, a wrong index, a forged key, a checkpoint of another size: all refused
    tampered = json.loads(proof_text)
    event = json.loads(base64.b64decode(tampered["events"][3]["canonical"]))
    event["payload"] = {"n": 999}
    tampered["events"][3]["canonical"] = base64.b64encode(json.dumps(event).encode()).decode()
    proof_file.write_text(json.dumps(tampered), encoding="utf-8")
    code, out = _run(capsys, "audit", "check-proof", str(proof_file), "--key", key.strip())
    assert code == 1 and "核验失败" in out
    moved = json.loads(proof_text)
    moved["events"][0]["index"] += 1
    proof_file.write_text(json.dumps(moved), encoding="utf-8")
    assert _run(capsys, "audit", "check-proof", str(proof_file), "--key", key.strip())[0] == 1
    proof_file.write_text(proof_text, encoding="utf-8")
    other_key = key.strip()[:-8] + "AAAAAAA="
    assert _run(capsys, "audit", "check-proof", str(proof_file), "--key", other_key)[0] == 1
    code, newer = _run(capsys, "audit", "checkpoint")
    newer_file = tmp_path / "newer.txt"
    newer_file.write_text(newer, encoding="utf-8")
    code, out = _run(capsys, "audit", "check-proof", str(proof_file), "--key", key.strip(),
                     "--checkpoint", str(newer_file))
    assert code == 1 and "45" in out


def test_consistency_between_two_checkpoints(instance: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    _events(9)
    assert _run(capsys, "audit", "checkpoint")[0] == 0
    _events(14)
    assert _run(capsys, "audit", "checkpoint")[0] == 0
    key = _run(capsys, "audit", "key")[1].strip()
    code, proof_text = _run(capsys, "audit", "prove", "--consistency", "1", "2")
    assert code == 0
    proof_file = tmp_path / "consistency.json"
    proof_file.write_text(proof_text, encoding="utf-8")
    code, out = _run(capsys, "audit", "check-proof", str(proof_file), "--key", key)
    assert code == 0 and "23" in out and "9" in out
    forged = json.loads(proof_text)
    forged["proof"][0] = base64.b64encode(b"\x00" * 32).decode()
    proof_file.write_text(json.dumps(forged), encoding="utf-8")
    assert _run(capsys, "audit", "check-proof", str(proof_file), "--key", key)[0] == 1


def test_prove_needs_a_checkpoint_and_a_case(instance: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _events(3)
    code, out = _run(capsys, "audit", "prove", "--case", "7")
    assert code == 1 and "检查点" in out
    assert _run(capsys, "audit", "checkpoint")[0] == 0
    code, out = _run(capsys, "audit", "prove", "--case", "12345")
    assert code == 1 and "12345" in out


def test_verify_shows_progress_only_on_a_terminal(instance: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _events(30)
    code, out = _run(capsys, "audit", "verify")
    assert code == 0 and "\r" not in out and "校验审计日志：" not in out  # piped: quiet
    monkeypatch.setenv("REVIEW_SERVICE_PROGRESS", "always")
    capsys.readouterr()
    assert main(["audit", "verify"]) == 0
    captured = capsys.readouterr()
    assert "校验审计日志：30/30" in captured.err and "校验通过" in captured.out
