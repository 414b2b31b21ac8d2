"""Issue 21: cases started on the previous process file (``tests/workflow/previous``, the file as it was before the
gate-and-process issue) at every step where it waits, planned and migrated to the current file by the audited
migration, then driven to their end through the new file with the product's own operations."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from review_service.audit.models import AuditEvent
from review_service.audit.verify import verify_chain
from review_service.cases.flow import PROCESS_ID, registry
from review_service.cases.migration import MigrationPlan, migrate_case, plan_migration, read_mapping
from review_service.cases.models import Case
from review_service.cases.operations import sign_off, submit_case, supplement_materials
from review_service.cases.storage import BlobStore
from review_service.coordination.operations import coordinate
from review_service.core.db import unit_of_work
from review_service.core.errors import Conflict, Invalid
from review_service.deadlines.models import Deadline
from review_service.decisions.operations import approve_decision
from review_service.paths.operations import withdraw_submission
from review_service.replies.operations import reply_to_opinion, resubmit_case
from review_service.review.operations import assign_reviewer, record_intake, submit_opinion
from review_service.runtime import Runtime, connect_receivers
from review_service.workflow import ProcessRegistry
from review_service.workflow.models import WorkflowInstance
from tests.fixtures.waiting_steps import PROBLEM, WAITING_STEPS, approvable, in_review
from tests.fixtures.world import World, build_world, opinion, replies

PREVIOUS = Path(__file__).resolve().parents[1] / "workflow" / "previous"


@pytest.fixture
def old_world(engine: Engine, instance_path: Path, tmp_path: Path) -> Iterator[World]:
    """An agency that requires sign-off, on a runtime whose process file is the previous one."""
    connect_receivers()
    runtime = Runtime.on_engine(engine, instance_path, sign_checkpoints=False,
                                process_registry=ProcessRegistry.load(PREVIOUS))
    yield build_world(lambda: unit_of_work(runtime.session_factory), BlobStore(tmp_path / "blobs"),
                      settings={"signoff_required": True})
    runtime.close()


@pytest.fixture
def new_world(old_world: World, uow: Callable[[], Any]) -> World:
    """The same database and people, on the runtime that loads the current file."""
    return World(uow=uow, blobs=old_world.blobs, ids=old_world.ids)


def _finish(world: World, case_id: int) -> list[str]:
    """Drive the case to a decision through whatever the process asks next; the tasks it passed."""
    passed: list[str] = []
    for _ in range(20):
        case = world.case(case_id)
        if case.status == "decided":
            return passed
        task = case.current_task or ""
        passed.append(task)
        if task == "draft":
            world.act(submit_case, "handler", case_id=case_id, attest=True)
        elif task == "signoff":
            world.act(sign_off, "unit_head", case_id=case_id, approve=True, comment="同意报送")
        elif task == "assign":
            world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"])
            world.declare(case_id, "reviewer")
        elif task == "intake":
            world.act(record_intake, "reviewer", case_id=case_id, complete=True)
        elif task == "supplement":
            world.act(supplement_materials, "handler", case_id=case_id, note="已补充送达回证")
        elif task == "review":
            world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
        elif task == "reply":
            world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
        elif task == "resubmit":
            world.act(resubmit_case, "handler", case_id=case_id, attest=True)
        elif task == "coordinate":
            world.act(coordinate, "head2", case_id=case_id, data={"outcome": "reconsider",
                                                                 "reasoning": "经协调，由法制审核机构重新审核。"})
        elif task == "approve":
            world.act(approve_decision, "head", case_id=case_id, data={"approve": True, "comment": "同意"})
        else:
            raise AssertionError(f"case {case_id} waits on {task!r} ({case.status})")
    raise AssertionError(f"case {case_id} did not reach a decision: {passed}")


def _snapshot(world: World, case_id: int) -> dict[str, Any]:
    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        deadlines = sorted((d.kind, d.state, d.due_on, d.task_id) for d in
                           session.scalars(select(Deadline).where(Deadline.case_id == case_id)))
        instance = session.get(WorkflowInstance, case.workflow_instance_id)
        assert instance is not None
        return {"task": case.current_task, "task_id": case.current_task_id, "status": case.status,
                "deadlines": deadlines, "sha": instance.definition_sha256, "next_due_at": instance.next_due_at,
                "state": instance.state, "version": case.version}


def test_cases_at_every_waiting_step_move_to_the_current_file_and_end_through_it(
        old_world: World, new_world: World) -> None:
    cases = {step: reach(old_world) for step, reach in WAITING_STEPS.items()}
    decided_on_old = approvable(old_world)
    old_world.act(approve_decision, "head", case_id=decided_on_old, data={"approve": True, "comment": "同意"})
    before = {step: _snapshot(new_world, case_id) for step, case_id in cases.items()}
    assert {step: snap["task"] for step, snap in before.items()} == {step: step for step in WAITING_STEPS}
    old_sha = before["draft"]["sha"]

    with new_world.uow() as session:
        current = registry(session).definition(PROCESS_ID).sha256
        assert current != old_sha  # the runtime loads the current file; the cases stayed on theirs
        plan = plan_migration(session, from_hash=old_sha[:12], to_hash="current", mapping={})
    assert plan.to_sha256 == current and "transfer" in plan.diff["added"] and not plan.diff["removed"]
    assert {case.case_id: (case.task, case.movable) for case in plan.cases} == \
        {case_id: (step, True) for step, case_id in cases.items()}  # the decided case is not in it
    plan = MigrationPlan.from_json(plan.to_json())  # what the operator runs is the file

    for case_id in cases.values():
        with new_world.uow() as session:
            assert migrate_case(session, plan=plan, case_id=case_id).result == "migrated"
    for step, case_id in cases.items():
        after = _snapshot(new_world, case_id)
        assert after["sha"] == current, step
        # where it waits, the task id deadlines and links hold, and every due date stay as they were
        for key in ("task", "task_id", "status", "deadlines", "next_due_at"):
            assert after[key] == before[step][key], (step, key)
        assert after["version"] == before[step]["version"] + 1
    with new_world.uow() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "process_migrated")).all()
        assert sorted(event.case_id for event in events) == sorted(cases.values())  # one per case
        payload = json.loads(next(event.payload for event in events if event.case_id == cases["review"]))
        assert (payload["from_sha256"], payload["to_sha256"], payload["task"], payload["target"]) == \
            (old_sha, current, "review", "review")
        assert set(payload["timers"]) == {"review_due_soon", "review_overdue"}
        assert session.get(WorkflowInstance, session.get(Case, decided_on_old).workflow_instance_id) \
            .definition_sha256 == old_sha  # a decided case is never migrated

    # a second run changes nothing
    for case_id in cases.values():
        with new_world.uow() as session:
            assert migrate_case(session, plan=plan, case_id=case_id).result == "already"

    # the new file's paths work on a migrated case: withdrawal at review (the previous file had none)
    new_world.act(withdraw_submission, "handler", case_id=cases["review"], data={"reason": "补充证据后重新报送"})
    assert new_world.case(cases["review"]).current_task == "draft"
    for step, case_id in cases.items():
        passed = _finish(new_world, case_id)
        assert new_world.case(case_id).status == "decided", (step, passed)
    with new_world.uow() as session:
        assert verify_chain(session).ok


def test_a_case_whose_step_the_target_lacks_is_refused_and_untouched(new_world: World, old_world: World) -> None:
    """Backwards, current → previous: a case waiting on the head's 移送 decision has no such step there."""
    case_id = in_review(new_world)
    new_world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("criminal_transfer",)))
    movable_id = in_review(new_world)
    before = _snapshot(new_world, case_id)
    with new_world.uow() as session:
        previous = registry(session).register((PREVIOUS / "major_decision_review.bpmn").read_bytes(),
                                              "major_decision_review.bpmn")
        current = registry(session).definition(PROCESS_ID).sha256
        plan = plan_migration(session, from_hash=current, to_hash=previous.sha256, mapping={})
    by_case = plan.by_case
    assert before["task"] == "transfer"
    assert not by_case[case_id].movable and "在新流程定义中不存在" in by_case[case_id].reasons[0]
    assert by_case[movable_id].movable
    with new_world.uow() as session:
        assert migrate_case(session, plan=plan, case_id=case_id).result == "skipped"
    assert _snapshot(new_world, case_id) == before
    with new_world.uow() as session:  # back to an older file (a rollback): stored with the first case moved there
        assert migrate_case(session, plan=plan, case_id=movable_id).result == "migrated"
    assert _snapshot(new_world, movable_id)["sha"] == previous.sha256
    new_world.act(submit_opinion, "reviewer", case_id=movable_id, data=opinion("approve"))
    new_world.act(approve_decision, "head", case_id=movable_id, data={"approve": True, "comment": "同意"})
    assert new_world.case(movable_id).status == "decided"


def test_the_commands_plan_then_migrate_each_case_alone_and_run_again_safely(
        old_world: World, new_world: World, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """``process plan`` writes the plan and changes nothing; ``process migrate`` moves each case in its own
    transaction: one that fails is left as it was and reported, the others move; a second run finishes it."""
    from review_service.cli import main
    from review_service.workflow.registry import ProcessRegistry as Registry

    monkeypatch.setenv("REVIEW_SERVICE_DATABASE_URL", database_url)
    monkeypatch.setenv("REVIEW_SERVICE_INSTANCE", str(tmp_path / "instance"))
    reviewed, approvable_id = in_review(old_world), approvable(old_world)
    before = _snapshot(new_world, reviewed)
    out = tmp_path / "plan.json"
    assert main(["process", "plan", "--from", before["sha"][:12], "--to", "current", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "可迁移 2 件，不能迁移 0 件" in printed and "未作任何改动" in printed
    assert "可迁移：法制审核（review） 1 件" in printed and "可迁移：负责人审批（approve） 1 件" in printed
    assert _snapshot(new_world, reviewed) == before

    real_move = Registry.move

    def failing_for_review(self: Registry, run: Any, to_sha256: str, mapping: Any) -> Any:
        if run.ready_tasks()[0].kind == "review":
            raise RuntimeError("磁盘已满")
        return real_move(self, run, to_sha256, mapping)

    monkeypatch.setattr(Registry, "move", failing_for_review)
    assert main(["process", "migrate", "--plan", str(out)]) == 1
    captured = capsys.readouterr()
    assert f"案件 {reviewed}：不能迁移，未动（RuntimeError: 磁盘已满）" in captured.out
    assert "已迁移 1 件" in captured.out
    assert _snapshot(new_world, reviewed) == before  # rolled back: exactly as it was
    assert _snapshot(new_world, approvable_id)["sha"] != before["sha"]

    monkeypatch.setattr(Registry, "move", real_move)
    assert main(["process", "migrate", "--plan", str(out)]) == 0
    assert "已迁移 1 件，已在目标版本 1 件" in capsys.readouterr().out
    with new_world.uow() as session:
        assert [event.case_id for event in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "process_migrated").order_by(AuditEvent.seq))] == \
            [approvable_id, reviewed]  # one event per case, whatever the runs


def test_a_mapping_file_names_steps_that_exist(old_world: World, new_world: World) -> None:
    """One ``旧环节 = 新环节`` per line (comments and blank lines allowed); a bad line or a step neither file has is
    refused with its line, never silently mapping nothing."""
    assert read_mapping("# 改名\nreview = legal_review\n\ncoordinate: coordination  # 注释\n") == {
        "review": "legal_review", "coordinate": "coordination"}
    with pytest.raises(Invalid, match="第 2 行"):
        read_mapping("review = legal_review\n法制审核 → 审核\n")
    case_id = in_review(old_world)
    old_sha = _snapshot(new_world, case_id)["sha"]
    with new_world.uow() as session, pytest.raises(Invalid, match="reviw 在源版本中不存在"):
        plan_migration(session, from_hash=old_sha, to_hash="current", mapping={"reviw": "review"})
    with new_world.uow() as session, pytest.raises(Invalid, match="legal_review 在目标版本中不存在"):
        plan_migration(session, from_hash=old_sha, to_hash="current", mapping={"review": "legal_review"})


def test_a_path_the_old_file_lacks_says_the_case_needs_migrating(old_world: World, new_world: World) -> None:
    """撤回送审 on a case still on the previous file (which had no withdrawal): a conflict that says why and what
    helps, not "the task was done"; after the migration the same request goes through."""
    case_id = in_review(old_world)
    with pytest.raises(Conflict) as refused:
        new_world.act(withdraw_submission, "handler", case_id=case_id, data={"reason": "补充证据后重新报送"})
    assert refused.value.details["rule"] == "process_version" and "迁移到当前流程版本" in refused.value.message
    with new_world.uow() as session:
        plan = plan_migration(session, from_hash=_snapshot(new_world, case_id)["sha"], to_hash="current", mapping={})
    with new_world.uow() as session:
        assert migrate_case(session, plan=plan, case_id=case_id).result == "migrated"
    new_world.act(withdraw_submission, "handler", case_id=case_id, data={"reason": "补充证据后重新报送"})
    assert new_world.case(case_id).current_task == "draft"
