"""Signals of the real process: 撤回送审, 申请终止 and the head's transfer, and the lint of bpmn.io."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from review_service.workflow import TaskNotReady, WorkflowDataError
from tests.workflow.driver import BPMN_DIR, Driver

REMIND, DUE = "2030-01-01T00:00:00+00:00", "2030-01-02T00:00:00+00:00"
ROOT = Path(__file__).resolve().parents[2]


def _to(drive: Callable[..., Driver], kind: str) -> Driver:
    driver = drive()
    driver.step("draft", "handler", major=True, signoff_required=kind == "signoff")
    if kind == "signoff":
        return driver
    driver.step("assign", "review_lead")
    if kind == "intake":
        return driver
    driver.step("intake", "reviewer", materials_complete=kind != "supplement", review_remind_at=REMIND,
                review_due_at=DUE)
    return driver


def _signal(driver: Driver, name: str, **data: object) -> None:
    driver.run.send_event(name, data)
    driver.reload()


@pytest.mark.parametrize("stage", ["signoff", "assign", "intake", "supplement", "review"])
def test_a_submission_is_withdrawn_before_the_opinion(drive: Callable[..., Driver], stage: str) -> None:
    driver = _to(drive, stage if stage != "assign" else "intake")
    if stage == "assign":
        driver = drive()
        driver.step("draft", major=True, signoff_required=False)
    driver.assert_waiting(stage)
    assert driver.run.waiting_signals() == ["withdraw_submission"]
    _signal(driver, "withdraw_submission")
    driver.assert_waiting("draft")
    assert driver.run.pending_timers() == {} and driver.run.next_due_at() is None  # the review timers went too
    assert driver.run.waiting_signals() == ["request_termination"]


def test_nothing_is_withdrawn_once_the_opinion_is_written(drive: Callable[..., Driver]) -> None:
    driver = _to(drive, "review")
    driver.step("review", conclusion="amend", transfer_suggested=False)
    driver.assert_waiting("reply")
    state = driver.run.dump()
    with pytest.raises(TaskNotReady):
        driver.run.send_event("withdraw_submission")
    with pytest.raises(WorkflowDataError):
        driver.run.send_event("withdraw_submission", {"note": ["not", "routing"]})
    assert driver.run.dump() == state  # refused: nothing changed


def test_termination_is_requested_and_approved_or_refused(drive: Callable[..., Driver]) -> None:
    driver = drive()
    _signal(driver, "request_termination")
    driver.step("terminate", "head", termination_approved=False)
    driver.assert_waiting("draft")
    _signal(driver, "request_termination")
    driver.step("terminate", "head", termination_approved=True)
    driver.assert_ended("terminated")


def test_the_review_suggests_a_transfer_and_the_head_decides(drive: Callable[..., Driver]) -> None:
    driver = _to(drive, "review")
    driver.step("review", conclusion="reject", transfer_suggested=True)
    driver.step("transfer", "head", transfer=False)
    driver.assert_waiting("reply")
    driver.step("reply", disputed=False, force_coordination=False)
    driver.step("resubmit", abandon=False)
    driver.step("review", conclusion="amend", transfer_suggested=True)
    driver.step("transfer", "head", transfer=True)
    driver.assert_ended("transferred")


def test_the_head_transfers_at_approval(drive: Callable[..., Driver]) -> None:
    driver = _to(drive, "review")
    driver.step("review", conclusion="approve", transfer_suggested=False)
    assert driver.run.waiting_signals() == ["transfer_decided"]
    _signal(driver, "transfer_decided")
    driver.assert_ended("transferred")


def test_a_review_without_the_flag_routes_on_the_process_default(drive: Callable[..., Driver]) -> None:
    driver = _to(drive, "review")
    driver.step("review", conclusion="amend")  # rs:routingDefault transfer_suggested=false
    driver.assert_waiting("reply")


def test_bpmnlint_recommended_finds_no_error_and_no_warning() -> None:
    """bpmn.io's linter (package.json, installed by scripts/setup) with ``bpmnlint:recommended`` (.bpmnlintrc)."""
    binary = ROOT / "node_modules" / ".bin" / "bpmnlint"
    if shutil.which("node") is None:
        pytest.skip("node is not installed: bpmnlint cannot run (CI has it)")
    assert binary.exists(), "node_modules/.bin/bpmnlint missing: run scripts/setup (npm ci)"
    result = subprocess.run([str(binary), str(BPMN_DIR / "major_decision_review.bpmn")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in result.stdout and "error" not in result.stdout, result.stdout
