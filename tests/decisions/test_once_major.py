"""Hole 1 of issue 14: a case once submitted as major stays under the gate, unless a downgrade is confirmed."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select

from review_service.audit.models import AuditEvent
from review_service.cases.downgrades import decide_downgrade, request_downgrade
from review_service.cases.models import Case, Submission
from review_service.cases.operations import submit_case, update_draft
from review_service.core.errors import Conflict, Forbidden, Invalid, NotCleared
from review_service.decisions.models import Decision
from review_service.decisions.operations import approve_decision
from review_service.review.operations import submit_opinion
from tests.fixtures.api import Api, error_code
from tests.fixtures.world import MAJOR_DRAFT, World, opinion

LOWER = {"proposed_decision": {"fine_amount": "99999.00"}}


def _draft(fine: str) -> dict[str, Any]:
    draft = copy.deepcopy(MAJOR_DRAFT)
    draft["proposed_decision"]["fine_amount"] = fine
    return draft


def _returned_after_approving_review(world: World) -> int:
    """¥120,000 to an organization: major, reviewed and approved, then returned by the head."""
    case_id = world.in_review(_draft("120000.00"))
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": False, "comment": "请重新考虑罚款数额"})
    assert world.case(case_id).status == "draft"
    return case_id


def _actions(world: World, case_id: int) -> list[str]:
    with world.uow() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id)
                                    .order_by(AuditEvent.seq)))


def test_a_lowered_draft_of_a_once_major_case_goes_to_review_not_to_the_head(world: World) -> None:
    case_id = _returned_after_approving_review(world)
    world.act(update_draft, "handler", case_id=case_id, changes=LOWER)
    case = world.case(case_id)
    assert case.major is True  # the catalog now says not major; the case is still under the gate
    world.act(submit_case, "handler", case_id=case_id, attest=True)
    case = world.case(case_id)
    assert case.status == "in_review" and case.current_task == "assign"
    with world.uow() as session:
        last = session.scalars(select(Submission).where(Submission.case_id == case_id)
                               .order_by(Submission.id.desc())).first()
        assert last is not None and last.major is True
    with pytest.raises(Conflict):  # the head has no approve task to take
        world.act(approve_decision, "head", case_id=case_id, data={"approve": True})


def test_the_attack_through_the_api_is_refused(api: Api, world: World) -> None:
    case_id = _returned_after_approving_review(world)
    handler = api.as_("handler")
    assert handler.patch(f"/cases/{case_id}/draft", json=LOWER).status_code == 200
    body = handler.post(f"/cases/{case_id}/submit", json={"attest": True}).get_json()
    assert body["status"] == "in_review"
    assert body["gate"]["ever_major"] is True and body["gate"]["under_review_gate"] is True
    response = api.as_("head").post(f"/cases/{case_id}/approve", json={"approve": True})
    assert response.status_code == 409 and error_code(response) == "conflict"


def test_a_confirmed_downgrade_lets_that_draft_be_decided_without_review(api: Api, world: World) -> None:
    case_id = _returned_after_approving_review(world)
    handler, lead = api.as_("handler"), api.as_("lead")
    handler.patch(f"/cases/{case_id}/draft", json=LOWER)
    response = lead.post(f"/cases/{case_id}/downgrade/decide", json={"confirm": True, "reasons": "x"})
    assert response.status_code == 409  # nothing asked yet
    asked = handler.post(f"/cases/{case_id}/downgrade", json={"reasons": "罚款降至十万元以下，不属目录清单所列情形"})
    assert asked.status_code == 200, asked.get_json()
    tasks = lead.get("/tasks").get_json()
    assert any(t["kind"] == "downgrade" and t["case_id"] == str(case_id) for t in tasks)
    decided = lead.post(f"/cases/{case_id}/downgrade/decide",
                        json={"confirm": True, "reasons": "经核，罚款数额已调整，不属于重大执法决定"})
    assert decided.status_code == 200, decided.get_json()
    body = decided.get_json()
    assert body["gate"]["downgrades"][0]["decision"]["confirmed"] is True
    assert body["gate"]["under_review_gate"] is False
    assert handler.post(f"/cases/{case_id}/submit", json={"attest": True}).get_json()["status"] == "awaiting_approval"
    approved = api.as_("head").post(f"/cases/{case_id}/approve", json={"approve": True})
    assert approved.status_code == 200, approved.get_json()
    with world.uow() as session:
        decision = session.scalars(select(Decision).where(Decision.case_id == case_id)).one()
        assert decision.clearance == "not_major"
    actions = _actions(world, case_id)
    assert actions.index("downgrade_requested") < actions.index("downgrade_confirmed") < actions.index("decision_made")


def test_a_draft_edited_after_the_downgrade_is_under_the_gate_again(world: World) -> None:
    case_id = _returned_after_approving_review(world)
    world.act(update_draft, "handler", case_id=case_id, changes=LOWER)
    world.act(request_downgrade, "handler", case_id=case_id, reasons="罚款已降低")
    world.act(decide_downgrade, "lead", case_id=case_id, confirm=True, reasons="同意降级")
    world.act(update_draft, "handler", case_id=case_id, changes={"proposed_decision": {"fine_amount": "99000.00"}})
    assert world.case(case_id).major is True
    world.act(submit_case, "handler", case_id=case_id, attest=True)
    assert world.case(case_id).status == "in_review"


def test_a_refused_downgrade_keeps_the_case_under_the_gate(world: World) -> None:
    case_id = _returned_after_approving_review(world)
    world.act(update_draft, "handler", case_id=case_id, changes=LOWER)
    world.act(request_downgrade, "handler", case_id=case_id, reasons="罚款已降低")
    world.act(decide_downgrade, "lead", case_id=case_id, confirm=False, reasons="同一违法行为，金额拆分降低，不同意")
    world.act(submit_case, "handler", case_id=case_id, attest=True)
    assert world.case(case_id).status == "in_review"
    assert "downgrade_refused" in _actions(world, case_id)


def test_who_may_ask_and_confirm(world: World) -> None:
    case_id = _returned_after_approving_review(world)
    with pytest.raises(Invalid):  # the catalog still finds the draft major: nothing to downgrade
        world.act(request_downgrade, "handler", case_id=case_id, reasons="理由")
    world.act(update_draft, "handler", case_id=case_id, changes=LOWER)
    with pytest.raises(Invalid):
        world.act(request_downgrade, "handler", case_id=case_id, reasons="  ")
    world.act(request_downgrade, "handler", case_id=case_id, reasons="罚款已降低")
    with pytest.raises(Conflict):  # one pending request at a time
        world.act(request_downgrade, "handler", case_id=case_id, reasons="再次申请")
    with pytest.raises(Forbidden):  # not the review lead
        world.act(decide_downgrade, "head", case_id=case_id, confirm=True, reasons="同意")


def test_a_never_major_case_needs_no_downgrade(world: World) -> None:
    case_id = world.new_case(_draft("50000.00"))
    with pytest.raises((Invalid, Conflict)):
        world.act(request_downgrade, "handler", case_id=case_id, reasons="理由")


def test_clearance_refuses_a_lowered_draft_even_at_the_approve_task(world: World) -> None:
    """Service-level gate: even if routing were wrong, ``clearance`` refuses the unreviewed lower draft."""
    from review_service.decisions.operations import clearance

    case_id = _returned_after_approving_review(world)
    world.act(update_draft, "handler", case_id=case_id, changes=LOWER)
    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        with pytest.raises(NotCleared):
            clearance(session, case)
