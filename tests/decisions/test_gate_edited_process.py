"""Invariant 1 holds even when the BPMN file is edited to skip the review: the operation refuses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from review_service.cases import flow
from review_service.core.errors import NotCleared
from review_service.decisions.operations import approve_decision
from review_service.review.operations import submit_opinion
from review_service.runtime import Runtime
from review_service.workflow import ProcessRegistry
from tests.fixtures.world import World, opinion

REAL = flow.BPMN_DIR / "major_decision_review.bpmn"
CONDITION = '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{}</bpmn:conditionExpression>'
MAJOR = CONDITION.format("major")
APPROVE = CONDITION.format('conclusion == "approve" and not transfer_suggested')


@pytest.fixture
def edited_process(tmp_path: Path, runtime: Runtime) -> Callable[[str, str], None]:
    """``edited_process(old, new)``: this test's runtime runs the real process file with ``old`` replaced."""
    def use(old: str, new: str) -> None:
        source = REAL.read_text("utf-8")
        assert old in source, "the process file changed: update this test's edit"
        (tmp_path / "major_decision_review.bpmn").write_text(source.replace(old, new), "utf-8")
        runtime.use_registry(ProcessRegistry.load(tmp_path))

    return use


def test_process_that_skips_review_cannot_decide_a_major_case(world: World, edited_process) -> None:  # type: ignore[no-untyped-def]
    edited_process(MAJOR, MAJOR.replace(">major<", ">False<"))
    case_id = world.submitted()
    assert world.case(case_id).status == "awaiting_approval"  # the edited file routed it past review
    with pytest.raises(NotCleared):
        world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    assert world.case(case_id).status == "awaiting_approval"


def test_process_that_treats_amend_as_approve_cannot_decide(world: World, edited_process) -> None:  # type: ignore[no-untyped-def]
    edited_process(APPROVE, APPROVE.replace('conclusion == "approve"', "True"))
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("facts_clear",)))
    assert world.case(case_id).status == "awaiting_approval"
    with pytest.raises(NotCleared):
        world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
