"""Agency rules on the real process: the round cap forces coordination (and a case still moves after 400
rounds, DESIGN.md §5); the unit head signs off where the agency requires it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from review_service.audit.models import AuditEvent
from review_service.cases.storage import BlobStore
from review_service.coordination.operations import coordinate
from review_service.decisions.operations import approve_decision
from review_service.replies.operations import reply_to_opinion, resubmit_case
from review_service.review.operations import submit_opinion
from review_service.runtime import connect_receivers
from tests.fixtures.world import build_world, opinion, replies

PROBLEM = ("facts_clear",)


def _round(world, case_id: int) -> str:  # type: ignore[no-untyped-def]
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
    return world.case(case_id).status


def test_round_cap_forces_coordination(uow, tmp_path) -> None:  # type: ignore[no-untyped-def]
    connect_receivers()
    world = build_world(uow, BlobStore(tmp_path), settings={"round_cap": 2})
    case_id = world.in_review()
    assert _round(world, case_id) == "awaiting_resubmission"
    world.act(resubmit_case, "handler", case_id=case_id, attest=True)
    assert _round(world, case_id) == "in_coordination"  # second round reached the cap
    world.act(coordinate, "head2", case_id=case_id, data={"outcome": "uphold_review", "reasoning": "请按意见修改。"})
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
    assert world.case(case_id).status == "awaiting_resubmission"


@pytest.mark.slow
def test_a_case_still_moves_after_400_rounds(uow, tmp_path) -> None:  # type: ignore[no-untyped-def]
    connect_receivers()
    world = build_world(uow, BlobStore(tmp_path), settings={"round_cap": 50})
    case_id = world.in_review()
    for number in range(1, 401):
        status = _round(world, case_id)
        if status == "in_coordination":
            assert number % 50 == 0
            world.act(coordinate, "head2", case_id=case_id, data={"outcome": "uphold_review", "reasoning": "修改。"})
            world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
        world.act(resubmit_case, "handler", case_id=case_id, attest=True)
    _case, review = world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    assert review.round == 401
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    assert world.case(case_id).status == "decided"
    with uow() as session:
        continued = session.scalar(select(func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.action == "workflow_continued"))
    assert continued and continued > 0


@pytest.mark.parametrize("approve", [True, False])
def test_unit_head_sign_off_when_the_agency_requires_it(uow, tmp_path, approve: bool) -> None:  # type: ignore[no-untyped-def]
    from review_service.cases.operations import sign_off

    connect_receivers()
    world = build_world(uow, BlobStore(tmp_path), settings={"signoff_required": True})
    case_id = world.submitted()
    assert world.case(case_id).status == "awaiting_signoff"
    comment = "同意报送" if approve else "证据不足，退回"
    world.act(sign_off, "unit_head", case_id=case_id, approve=approve, comment=comment)
    assert world.case(case_id).status == ("in_review" if approve else "draft")
