"""Every path of the real BPMN process, driven through the service operations."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from review_service.audit.models import AuditEvent
from review_service.cases.models import DraftVersion
from review_service.cases.operations import submit_case, supplement_materials, update_draft
from review_service.coordination.operations import coordinate
from review_service.core.errors import Invalid
from review_service.decisions.models import Decision
from review_service.decisions.operations import approve_decision
from review_service.replies.operations import abandon_case, reply_to_opinion, resubmit_case
from review_service.review.operations import assign_reviewer, record_intake, submit_opinion
from tests.fixtures.world import World, minor_draft, opinion, replies

PROBLEM = ("evidence_sufficient",)


def decision_of(world: World, case_id: int) -> Decision | None:
    with world.uow() as session:
        return session.scalars(select(Decision).where(Decision.case_id == case_id)).first()


def actions_of(world: World, case_id: int) -> list[str]:
    with world.uow() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id)
                                    .order_by(AuditEvent.seq)))


def test_not_major_case_goes_straight_to_approval(world: World) -> None:
    case_id = world.submitted(minor_draft())
    case = world.case(case_id)
    assert case.major is False
    assert case.status == "awaiting_approval"
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True, "comment": "同意"})
    assert world.case(case_id).status == "decided"
    decision = decision_of(world, case_id)
    assert decision is not None and decision.clearance == "not_major"


def test_major_case_approved_first_time(world: World) -> None:
    case_id = world.in_review()
    case = world.case(case_id)
    assert (case.status, case.current_task) == ("in_review", "review")
    assert case.current_task_id is not None
    _case, review = world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    assert world.case(case_id).status == "awaiting_approval"
    assert world.case(case_id).current_task == "approve"
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    assert world.case(case_id).current_task is None
    decision = decision_of(world, case_id)
    assert decision is not None
    assert (decision.clearance, decision.review_id, decision.draft_sha256) == ("review", review.id, review.draft_sha256)
    actions = actions_of(world, case_id)
    assert [action for action in actions if action not in ("deadlines_updated", "document_issued")] == [
        "case_created", "material_attached", "case_submitted", "reviewer_assigned", "recusal_declared",
        "intake_recorded", "opinion_submitted", "decision_made",
    ]
    assert actions.count("deadlines_updated") == 3  # review opened, review met, publication opened
    assert actions.count("document_issued") == 2  # the opinion, the approval record
    assert actions.index("document_issued") > actions.index("opinion_submitted")


def test_amend_reply_resubmit_approve(world: World) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    assert world.case(case_id).status == "awaiting_reply"
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
    assert world.case(case_id).status == "awaiting_resubmission"
    world.act(update_draft, "handler", case_id=case_id, changes={"facts": "补充查明：货值金额六万元。"})
    world.act(resubmit_case, "handler", case_id=case_id, attest=True)
    assert world.case(case_id).status == "in_review"
    _case, review = world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    assert review.round == 2
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    case = world.case(case_id)
    assert case.status == "decided"
    with world.uow() as session:
        current = session.get(DraftVersion, case.current_draft_id)
        assert current is not None and current.version == 2
        assert "六万元" in json.loads(current.content)["facts"]
    decision = decision_of(world, case_id)
    assert decision is not None and decision.draft_sha256 == current.sha256 == review.draft_sha256


def test_reject_then_abandon_closes_without_decision(world: World) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("reject", PROBLEM))
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
    world.act(abandon_case, "handler", case_id=case_id, reason="接受审核意见，不予处罚。")
    assert world.case(case_id).status == "closed"
    assert decision_of(world, case_id) is None


@pytest.mark.parametrize("outcome", ["uphold_review", "reconsider", "terminate"])
def test_dispute_goes_to_coordination(world: World, outcome: str) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM, "disputed"))
    assert world.case(case_id).status == "in_coordination"
    world.act(coordinate, "head2", case_id=case_id, data={"outcome": outcome, "reasoning": "经协调，意见如下。"})
    status = world.case(case_id).status
    if outcome == "terminate":
        assert status == "closed"
        return
    if outcome == "reconsider":
        assert status == "in_review"
        _case, review = world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
        assert review.round == 2
    else:
        assert status == "awaiting_reply"  # one more dispute would need a collective discussion (test_process_paths)
        world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
        world.act(resubmit_case, "handler", case_id=case_id, attest=True)
        world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    # coordination never clears a case by itself: the approving review does
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    assert world.case(case_id).status == "decided"


def test_incomplete_materials_are_supplemented(world: World) -> None:
    case_id = world.submitted()
    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"])
    world.declare(case_id, "reviewer")
    with pytest.raises(Invalid):
        world.act(record_intake, "reviewer", case_id=case_id, complete=False, missing=[])
    world.act(record_intake, "reviewer", case_id=case_id, complete=False, missing=["听证告知书送达回证"])
    assert world.case(case_id).status == "awaiting_materials"
    world.act(supplement_materials, "handler", case_id=case_id, note="已补充送达回证")
    assert world.case(case_id).status == "in_review"
    world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    assert world.case(case_id).status == "awaiting_approval"


def test_head_returns_case_to_handler(world: World) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    with pytest.raises(Invalid):
        world.act(approve_decision, "head", case_id=case_id, data={"approve": False, "comment": ""})
    world.act(approve_decision, "head", case_id=case_id, data={"approve": False, "comment": "罚款数额请重新斟酌"})
    assert world.case(case_id).status == "draft"
    world.act(update_draft, "handler", case_id=case_id, changes={"proposed_decision": {"fine_amount": "450000.00"}})
    world.act(submit_case, "handler", case_id=case_id, attest=True)
    assert world.case(case_id).status == "in_review"  # a changed draft is reviewed again
    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"])
    world.declare(case_id, "reviewer")
    world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    assert world.case(case_id).status == "decided"


def test_missing_materials_block_submission(world: World) -> None:
    draft = dict(minor_draft(), materials=[])
    case_id = world.new_case(draft)
    with pytest.raises(Invalid) as refused:
        world.act(submit_case, "handler", case_id=case_id, attest=True)
    assert refused.value.details["missing"] == ["investigation_report", "evidence", "decision_draft"]
    assert world.case(case_id).status == "draft"
