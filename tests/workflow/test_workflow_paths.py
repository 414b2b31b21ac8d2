"""Every path of the real process file, at the engine level, with dump + restore between steps."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from review_service.workflow import ProcessRegistry
from tests.fixtures.workflow_paths import APPROVE, PATHS, REPLY_DISPUTED, REVIEW_APPROVE, TO_REVIEW, Step
from tests.workflow.driver import PROCESS_ID, Driver


@pytest.mark.parametrize(("steps", "end_event"), list(PATHS.values()), ids=list(PATHS))
def test_path(drive: Callable[..., Driver], steps: list[Step], end_event: str) -> None:
    driver = drive()
    for kind, role, data in steps:
        driver.step(kind, role, **data)
    driver.assert_ended(end_event)


def test_start_waits_on_the_handler_draft(registry: ProcessRegistry) -> None:
    run = registry.start(PROCESS_ID)
    [task] = run.ready_tasks()
    assert (task.kind, task.role, task.name) == ("draft", "handler", "起草并报送")
    assert run.find_ready("draft") == task
    assert run.find_ready("review") is None
    assert not run.completed
    assert run.end_event is None
    assert run.definition_sha256 == registry.definition(PROCESS_ID).sha256


def test_ready_task_names_and_roles_come_from_the_file(drive: Callable[..., Driver]) -> None:
    driver = drive()
    seen: dict[str, tuple[str, str]] = {}
    for kind, role, data in [*TO_REVIEW, ("review", "reviewer", {"conclusion": "amend"}), REPLY_DISPUTED]:
        [task] = driver.run.ready_tasks()
        seen[task.kind] = (task.role, task.name)
        driver.step(kind, role, **data)
    [task] = driver.run.ready_tasks()
    seen[task.kind] = (task.role, task.name)
    assert seen == {
        "draft": ("handler", "起草并报送"),
        "assign": ("review_lead", "分配审核人员"),
        "intake": ("reviewer", "受理审查 (材料是否齐全)"),
        "review": ("reviewer", "法制审核"),
        "reply": ("handler", "书面回复"),
        "coordinate": ("head", "协调"),
    }


def test_data_holds_the_routing_values_so_far(drive: Callable[..., Driver]) -> None:
    driver = drive({"agency_code": "xa-scjg"})
    for kind, role, data in TO_REVIEW:
        driver.step(kind, role, **data)
    assert driver.run.data() == {
        "agency_code": "xa-scjg",
        "transfer_suggested": False,  # the process file's routing default (rs:routingDefault)
        "signoff_required": False,
        "major": True,
        "materials_complete": True,
    }
    driver.step(*REVIEW_APPROVE[:2], **REVIEW_APPROVE[2])
    driver.step(*APPROVE[:2], **APPROVE[2])
    assert driver.run.data()["approved"] is True
    assert driver.run.data()["conclusion"] == "approve"
