"""撤回送审, 终止, 移送司法机关 and the final uphold, through the service operations and the real BPMN file."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from review_service.audit.models import AuditEvent
from review_service.cases.operations import submit_case
from review_service.coordination.operations import coordinate
from review_service.core.clock import beijing_today
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.deadlines.models import Deadline
from review_service.decisions.models import Decision
from review_service.documents.models import Document
from review_service.paths.models import TerminationDecision, TerminationRequest, Transfer, Withdrawal
from review_service.paths.operations import (
    decide_termination,
    decline_transfer,
    request_termination,
    transfer_case,
    withdraw_submission,
)
from review_service.replies.operations import reply_to_opinion, resubmit_case
from review_service.review.operations import assign_reviewer, record_intake, submit_opinion
from review_service.workflow.models import WorkflowInstance
from tests.fixtures.world import World, opinion, replies

PROBLEM = ("evidence_sufficient",)
TRANSFER = {"receiving_organ": "西安市公安局经济犯罪侦查支队", "reason": "销售金额五万元以上，涉嫌生产、销售伪劣产品罪",
            "file_number": "西市监移〔2026〕1号"}


def actions_of(world: World, case_id: int) -> list[str]:
    with world.uow() as session:
        return [a for a in session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id)
                                           .order_by(AuditEvent.seq)) if a not in ("deadlines_updated",)]


def rows(world: World, model: type, case_id: int) -> list:
    with world.uow() as session:
        return list(session.scalars(select(model).where(model.case_id == case_id).order_by(model.id)))


def documents(world: World, case_id: int) -> list[str]:
    return [d.kind for d in rows(world, Document, case_id)]


def end_event(world: World, case_id: int) -> str | None:
    from review_service.cases.flow import registry

    with world.uow() as session:
        instance = session.get(WorkflowInstance, world.case(case_id).workflow_instance_id)
        assert instance is not None
        return registry(session).restore(instance.definition_sha256, instance.state, instance.generation).end_event


# -- 撤回送审 ----------------------------------------------------------------------------------------------

def test_the_handler_withdraws_a_submission_under_review_and_submits_again(world: World) -> None:
    case_id = world.in_review()
    with world.uow() as session:
        assert [d.state for d in session.scalars(select(Deadline).where(Deadline.case_id == case_id))] == ["open"]
    with pytest.raises(Invalid):
        world.act(withdraw_submission, "handler", case_id=case_id, data={"reason": " "})
    with pytest.raises(Forbidden):
        world.act(withdraw_submission, "reviewer", case_id=case_id, data={"reason": "不是承办人员"})
    world.act(withdraw_submission, "handler", case_id=case_id, data={"reason": "发现证据遗漏，补充后重新报送"})
    case = world.case(case_id)
    assert (case.status, case.current_task, case.round) == ("draft", "draft", 0)
    [withdrawal] = rows(world, Withdrawal, case_id)
    assert (withdrawal.round, withdrawal.at_task, withdrawal.reason) == (1, "review", "发现证据遗漏，补充后重新报送")
    with world.uow() as session:  # the review deadline and its timers are gone with the task
        assert [d.state for d in session.scalars(select(Deadline).where(Deadline.case_id == case_id))] == [
            "cancelled"]
        assert session.get(WorkflowInstance, case.workflow_instance_id).next_due_at is None
    assert actions_of(world, case_id)[-1] == "submission_withdrawn"
    # the round starts over: submitted, assigned, reviewed as round 1
    world.act(submit_case, "handler", case_id=case_id, attest=True)
    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"])
    world.declare(case_id, "reviewer")
    world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    _case, review = world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    assert review.round == 1 and world.case(case_id).status == "awaiting_approval"
    # after the opinion there is nothing to withdraw
    with pytest.raises(Conflict):
        world.act(withdraw_submission, "handler", case_id=case_id, data={"reason": "太迟了"})


def test_a_submission_waiting_for_assignment_can_be_withdrawn(world: World) -> None:
    case_id = world.submitted()
    assert world.case(case_id).current_task == "assign"
    world.act(withdraw_submission, "handler", case_id=case_id, data={"reason": "当事人提出新的证据"})
    assert world.case(case_id).current_task == "draft"
    assert rows(world, Withdrawal, case_id)[0].at_task == "assign"
    with pytest.raises(Conflict):  # a draft has no submission to withdraw
        world.act(withdraw_submission, "handler", case_id=case_id, data={"reason": "再次撤回"})


# -- 终止 ------------------------------------------------------------------------------------------------

def test_termination_requested_by_the_handler_and_approved_by_the_head(world: World) -> None:
    case_id = world.new_case()
    with pytest.raises(Invalid):
        world.act(request_termination, "handler", case_id=case_id, data={"reason_code": "bored", "reason": "x"})
    world.act(request_termination, "handler", case_id=case_id,
              data={"reason_code": "legal_person_terminated", "reason": "当事人已注销，无权利义务承受人。"})
    assert (world.case(case_id).current_task, world.case(case_id).status) == ("terminate", "awaiting_approval")
    with pytest.raises(Invalid):  # a refusal needs its reason
        world.act(decide_termination, "head", case_id=case_id, data={"approve": False})
    world.act(decide_termination, "head", case_id=case_id, data={"approve": False, "comment": "请补充注销证明"})
    assert world.case(case_id).current_task == "draft"
    world.act(request_termination, "handler", case_id=case_id,
              data={"reason_code": "legal_person_terminated", "reason": "已补充市场主体注销证明。"})
    world.act(decide_termination, "head", case_id=case_id, data={"approve": True, "comment": "同意终止"})
    case = world.case(case_id)
    assert (case.status, case.current_task) == ("closed", None)
    assert end_event(world, case_id) == "terminated"
    assert [d.approved for d in rows(world, TerminationDecision, case_id)] == [False, True]
    assert len(rows(world, TerminationRequest, case_id)) == 2
    assert documents(world, case_id) == ["termination"]
    assert actions_of(world, case_id)[-5:] == ["termination_requested", "termination_refused", "termination_requested",
                                               "case_terminated", "document_issued"]
    assert rows(world, Decision, case_id) == []


def test_termination_after_an_opinion(world: World) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
    assert world.case(case_id).current_task == "resubmit"
    world.act(request_termination, "handler", case_id=case_id,
              data={"reason_code": "facts_not_established", "reason": "补充调查后违法事实不成立。"})
    world.act(decide_termination, "head", case_id=case_id, data={"approve": True})
    assert world.case(case_id).status == "closed" and end_event(world, case_id) == "terminated"
    assert documents(world, case_id) == ["opinion", "reply", "termination"]


def test_a_head_who_handled_the_case_cannot_approve_its_termination(world: World) -> None:
    case_id = world.new_case(handler="multi")  # multi holds the handler, reviewer and head roles
    world.act(request_termination, "multi", case_id=case_id,
              data={"reason_code": "party_died_no_heir", "reason": "当事人死亡，无继承人。"})
    with pytest.raises(Forbidden):
        world.act(decide_termination, "multi", case_id=case_id, data={"approve": True})
    with pytest.raises(Forbidden):  # nor can someone without the head role
        world.act(decide_termination, "handler", case_id=case_id, data={"approve": True})
    assert world.case(case_id).current_task == "terminate"


# -- 移送司法机关 -------------------------------------------------------------------------------------------

def test_the_review_finds_a_suspected_crime_and_the_head_transfers_the_case(world: World) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("criminal_transfer",)))
    case = world.case(case_id)
    assert (case.current_task, case.status) == ("transfer", "awaiting_approval")
    with pytest.raises(Invalid):  # not in the future
        world.act(transfer_case, "head", case_id=case_id, data={**TRANSFER, "transferred_on": "2999-01-01"})
    world.act(transfer_case, "head", case_id=case_id,
              data={**TRANSFER, "transferred_on": beijing_today().isoformat()})
    case = world.case(case_id)
    assert (case.status, case.current_task) == ("transferred", None)
    assert end_event(world, case_id) == "transferred"
    [transfer] = rows(world, Transfer, case_id)
    assert (transfer.source, transfer.transferred, transfer.receiving_organ) == (
        "review", True, "西安市公安局经济犯罪侦查支队")
    assert documents(world, case_id) == ["opinion", "transfer"]
    assert actions_of(world, case_id)[-2:] == ["case_transferred", "document_issued"]
    assert rows(world, Decision, case_id) == []


def test_the_head_declines_the_transfer_and_the_case_goes_on_to_the_reply(world: World) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("criminal_transfer",)))
    world.act(decline_transfer, "head", case_id=case_id, data={"reason": "涉案金额未达立案追诉标准"})
    assert world.case(case_id).current_task == "reply"
    assert [t.transferred for t in rows(world, Transfer, case_id)] == [False]
    assert "transfer_declined" in actions_of(world, case_id)


def test_the_head_transfers_at_approval(world: World) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    assert world.case(case_id).current_task == "approve"
    with pytest.raises(Forbidden):
        world.act(transfer_case, "handler", case_id=case_id,
                  data={**TRANSFER, "transferred_on": beijing_today().isoformat()})
    world.act(transfer_case, "head", case_id=case_id, data={**TRANSFER, "transferred_on": beijing_today().isoformat()})
    assert world.case(case_id).status == "transferred" and end_event(world, case_id) == "transferred"
    assert rows(world, Transfer, case_id)[0].source == "head"
    assert rows(world, Decision, case_id) == []


def test_no_transfer_where_the_process_does_not_wait_for_it(world: World) -> None:
    case_id = world.in_review()
    with pytest.raises(Conflict):
        world.act(transfer_case, "head", case_id=case_id,
                  data={**TRANSFER, "transferred_on": beijing_today().isoformat()})


# -- after "uphold" ------------------------------------------------------------------------------------------

def _discussion(world: World) -> dict:
    heads = [world.ids["head"], world.ids["head2"], world.ids["multi"]]
    return {"date": beijing_today().isoformat(), "participants": heads, "chair": world.ids["head2"],
            "views": {str(uid): "维持审核意见。" for uid in heads},
            "conclusion": "维持法制审核意见，承办机构按意见修改。",
            "minutes": "经集体讨论，一致同意维持审核意见。"}


def test_after_an_uphold_the_unit_may_ask_once_for_collective_discussion(world: World) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM, "disputed"))
    world.act(coordinate, "head2", case_id=case_id, data={"outcome": "uphold_review", "reasoning": "维持。"})
    assert world.case(case_id).current_task == "reply"
    # the unit disputes once more: the head must now hold a collective discussion
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM, "disputed"))
    assert world.case(case_id).current_task == "coordinate"
    with pytest.raises(Invalid) as refused:
        world.act(coordinate, "head2", case_id=case_id, data={"outcome": "uphold_review", "reasoning": "维持。"})
    assert "collective_discussion" in refused.value.details["fields"]
    world.act(coordinate, "head2", case_id=case_id,
              data={"outcome": "uphold_review", "reasoning": "集体讨论后维持。",
                    "collective_discussion": _discussion(world)})
    # a second uphold is final: the reply after it cannot dispute
    with pytest.raises(Invalid) as final:
        world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM, "disputed"))
    assert "最终决定" in final.value.details["fields"]["responses"]
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
    world.act(resubmit_case, "handler", case_id=case_id, attest=True)
    assert world.case(case_id).current_task == "review"
