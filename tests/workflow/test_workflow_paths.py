"""Every path of the real process file, at the engine level, with dump + restore between steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from review_service.workflow import ProcessRegistry
from tests.workflow.driver import PROCESS_ID, Driver

Step = tuple[str, str, dict[str, Any]]

DRAFT_MAJOR: Step = ("draft", "handler", {"signoff_required": False, "major": True})
DRAFT_MINOR: Step = ("draft", "handler", {"signoff_required": False, "major": False})
TO_REVIEW: list[Step] = [
    DRAFT_MAJOR,
    ("assign", "review_lead", {}),
    ("intake", "reviewer", {"materials_complete": True}),
]
REVIEW_APPROVE: Step = ("review", "reviewer", {"conclusion": "approve"})
APPROVE: Step = ("approve", "head", {"approved": True})
REPLY_ACCEPTED: Step = ("reply", "handler", {"disputed": False, "force_coordination": False})
REPLY_DISPUTED: Step = ("reply", "handler", {"disputed": True, "force_coordination": False})
RESUBMIT: Step = ("resubmit", "handler", {"abandon": False})

PATHS: dict[str, tuple[list[Step], str]] = {
    "not major, approved": ([DRAFT_MINOR, APPROVE], "decided"),
    "major, approved first time": ([*TO_REVIEW, REVIEW_APPROVE, APPROVE], "decided"),
    "amend, reply, resubmit, approve": (
        [*TO_REVIEW, ("review", "reviewer", {"conclusion": "amend"}), REPLY_ACCEPTED, RESUBMIT,
         REVIEW_APPROVE, APPROVE],
        "decided",
    ),
    "reject, reply, resubmit, approve": (
        [*TO_REVIEW, ("review", "reviewer", {"conclusion": "reject"}), REPLY_ACCEPTED, RESUBMIT,
         REVIEW_APPROVE, APPROVE],
        "decided",
    ),
    "dispute, coordination upholds the review": (
        [*TO_REVIEW, ("review", "reviewer", {"conclusion": "amend"}), REPLY_DISPUTED,
         ("coordinate", "head", {"outcome": "uphold_review"}), REPLY_ACCEPTED, RESUBMIT, REVIEW_APPROVE,
         APPROVE],
        "decided",
    ),
    "dispute, coordination asks to reconsider": (
        [*TO_REVIEW, ("review", "reviewer", {"conclusion": "amend"}), REPLY_DISPUTED,
         ("coordinate", "head", {"outcome": "reconsider"}), REVIEW_APPROVE, APPROVE],
        "decided",
    ),
    "dispute, coordination terminates": (
        [*TO_REVIEW, ("review", "reviewer", {"conclusion": "reject"}), REPLY_DISPUTED,
         ("coordinate", "head", {"outcome": "terminate"})],
        "closed_without_decision",
    ),
    "materials incomplete, supplement, intake again": (
        [DRAFT_MAJOR, ("assign", "review_lead", {}), ("intake", "reviewer", {"materials_complete": False}),
         ("supplement", "handler", {}), ("intake", "reviewer", {"materials_complete": False}),
         ("supplement", "handler", {}), ("intake", "reviewer", {"materials_complete": True}),
         REVIEW_APPROVE, APPROVE],
        "decided",
    ),
    "head returns the case to the handler": (
        [DRAFT_MINOR, ("approve", "head", {"approved": False}), DRAFT_MAJOR, ("assign", "review_lead", {}),
         ("intake", "reviewer", {"materials_complete": True}), REVIEW_APPROVE, APPROVE],
        "decided",
    ),
    "sign-off required and given": (
        [("draft", "handler", {"signoff_required": True, "major": True}),
         ("signoff", "unit_head", {"signed_off": True}), ("assign", "review_lead", {}),
         ("intake", "reviewer", {"materials_complete": True}), REVIEW_APPROVE, APPROVE],
        "decided",
    ),
    "sign-off required and refused": (
        [("draft", "handler", {"signoff_required": True, "major": False}),
         ("signoff", "unit_head", {"signed_off": False}),
         ("draft", "handler", {"signoff_required": True, "major": False}),
         ("signoff", "unit_head", {"signed_off": True}), APPROVE],
        "decided",
    ),
    "round cap forces coordination although nothing is disputed": (
        [*TO_REVIEW, ("review", "reviewer", {"conclusion": "amend"}),
         ("reply", "handler", {"disputed": False, "force_coordination": True}),
         ("coordinate", "head", {"outcome": "reconsider"}), REVIEW_APPROVE, APPROVE],
        "decided",
    ),
    "abandoned at resubmission": (
        [*TO_REVIEW, ("review", "reviewer", {"conclusion": "reject"}), REPLY_ACCEPTED,
         ("resubmit", "handler", {"abandon": True})],
        "closed_without_decision",
    ),
}  # fmt: skip


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
