"""回避: the recusal declaration at assignment, reassignment after a decline, and who may not review or approve."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.audit.models import AuditEvent
from review_service.case_view.todo import open_tasks
from review_service.cases.operations import sign_off, submit_case
from review_service.cases.reassignment import reassign_case
from review_service.cases.storage import BlobStore
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.decisions.operations import approve_decision
from review_service.organization.operations import add_user
from review_service.review.models import RecusalDeclaration
from review_service.review.operations import assign_reviewer, reassign_reviewer, record_intake, submit_opinion
from review_service.review.recusal import declare_recusal
from review_service.runtime import connect_receivers
from tests.fixtures.world import AGENCY, PASSWORD, World, build_world, opinion

Uow = Callable[[], AbstractContextManager[Session]]


def _actions(world: World, case_id: int) -> list[str]:
    with world.uow() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id)
                                    .order_by(AuditEvent.seq)))


def test_the_reviewer_declares_no_conflict_before_intake(world: World) -> None:
    case_id = world.submitted()
    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"])
    with pytest.raises(Forbidden) as refused:
        world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    assert refused.value.rule == "recusal_declaration"
    with pytest.raises(Forbidden) as refused:
        world.declare(case_id, "reviewer2")  # not assigned: nothing to declare
    assert refused.value.rule == "assignee"
    world.declare(case_id, "reviewer")
    with pytest.raises(Conflict) as again:
        world.declare(case_id, "reviewer", "decline", "后来想起是当事人的亲属")
    assert again.value.details["rule"] == "already_declared"
    world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    assert "recusal_declared" in _actions(world, case_id)


def test_a_decline_returns_the_assignment_to_the_lead_who_reassigns(world: World) -> None:
    case_id = world.submitted()
    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"])
    with pytest.raises(Conflict):  # nothing to reassign while the reviewer has not declined
        world.act(reassign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer2"])
    with pytest.raises(Invalid) as invalid:
        world.declare(case_id, "reviewer", "decline")
    assert "reason" in invalid.value.fields
    world.declare(case_id, "reviewer", "decline", "本人与当事人法定代表人系近亲属。")
    case = world.case(case_id)
    assert case.reviewer_id is None and case.current_task == "intake"
    with pytest.raises(Forbidden) as refused:
        world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    assert refused.value.rule == "assignee"
    with world.uow() as session:
        assert [(t["kind"], t["case_id"]) for t in open_tasks(session, world.user(session, "lead"))] == [
            ("reassign", str(case_id))]
        assert open_tasks(session, world.user(session, "reviewer")) == []
    with pytest.raises(Forbidden) as refused:
        world.act(reassign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"])
    assert refused.value.rule == "recused"
    with pytest.raises(Forbidden) as refused:
        world.act(reassign_reviewer, "reviewer2", case_id=case_id, reviewer_id=world.ids["reviewer2"])
    assert refused.value.rule == "role"
    world.act(reassign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer2"])
    assert world.case(case_id).reviewer_id == world.ids["reviewer2"]
    with pytest.raises(Forbidden) as refused:  # the new reviewer declares too
        world.act(record_intake, "reviewer2", case_id=case_id, complete=True)
    assert refused.value.rule == "recusal_declaration"
    world.declare(case_id, "reviewer2")
    world.act(record_intake, "reviewer2", case_id=case_id, complete=True)
    world.act(submit_opinion, "reviewer2", case_id=case_id, data=opinion("approve"))
    actions = _actions(world, case_id)
    assert actions.count("recusal_declared") == 2 and "reviewer_reassigned" in actions
    with world.uow() as session:
        rows = session.scalars(select(RecusalDeclaration).where(RecusalDeclaration.case_id == case_id)
                               .order_by(RecusalDeclaration.id)).all()
        assert [(r.user_id, r.declaration) for r in rows] == [
            (world.ids["reviewer"], "decline"), (world.ids["reviewer2"], "no_conflict")]


def test_an_advisor_takes_part_only_after_declaring_no_conflict(world: World) -> None:
    case_id = world.submitted()
    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"],
              advisor_ids=[world.ids["advisor"]])
    world.declare(case_id, "reviewer")
    world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    assisted = dict(opinion("amend", ("facts_clear",)), advisor_ids=[world.ids["advisor"]])
    with pytest.raises(Invalid) as invalid:
        world.act(submit_opinion, "reviewer", case_id=case_id, data=assisted)
    assert "advisor_ids" in invalid.value.fields
    world.declare(case_id, "advisor")
    world.act(submit_opinion, "reviewer", case_id=case_id, data=assisted)
    assert world.case(case_id).status == "awaiting_reply"


def test_a_declining_advisor_keeps_the_assignment(world: World) -> None:
    case_id = world.submitted()
    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"],
              advisor_ids=[world.ids["advisor"]])
    world.declare(case_id, "advisor", "decline", "曾代理当事人的民事纠纷。")
    assert world.case(case_id).reviewer_id == world.ids["reviewer"]
    world.declare(case_id, "reviewer")
    world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    with pytest.raises(Invalid):
        world.act(submit_opinion, "reviewer", case_id=case_id,
                  data=dict(opinion("approve"), advisor_ids=[world.ids["advisor"]]))


@pytest.fixture
def signoff_world(uow: Uow, tmp_path: Path) -> World:
    """An agency that requires the unit head's sign-off, with unit heads who also hold other roles."""
    connect_receivers()
    world = build_world(uow, BlobStore(tmp_path), settings={"signoff_required": True})
    with uow() as session:
        for name, roles in (("uh_reviewer", ["unit_head", "reviewer"]), ("uh_head", ["unit_head", "head"])):
            user = add_user(session, actor=None, username=name, name=name, agency=AGENCY, roles=roles,
                            password=PASSWORD, qualification="legal_profession")
            world.ids[name] = user.id
    return world


def test_the_unit_head_who_signed_off_cannot_review_the_case(signoff_world: World) -> None:
    world = signoff_world
    case_id = world.submitted()
    world.act(sign_off, "uh_reviewer", case_id=case_id, approve=True, comment="同意报送")
    with pytest.raises(Forbidden) as refused:
        world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["uh_reviewer"])
    assert refused.value.rule == "separation_of_duties"


def test_the_unit_head_who_signed_off_cannot_approve_the_decision(signoff_world: World) -> None:
    world = signoff_world
    case_id = world.submitted()
    world.act(sign_off, "uh_head", case_id=case_id, approve=True, comment="同意报送")
    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"])
    world.declare(case_id, "reviewer")
    world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    with pytest.raises(Forbidden) as refused:
        world.act(approve_decision, "uh_head", case_id=case_id, data={"approve": True, "comment": "同意"})
    assert refused.value.rule == "separation_of_duties"
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True, "comment": "同意"})
    assert world.case(case_id).status == "decided"


def test_whoever_attested_a_submission_can_neither_review_nor_approve(world: World) -> None:
    """``multi`` (handler, reviewer, head) submits with the attestation a case another handler drafted.

    (The case is reassigned to ``multi`` first: only a case's assigned handler submits it, issue 15.)
    """
    case_id = world.new_case()
    world.act(reassign_case, "unit_head", case_id=case_id, data={"handler": "multi", "reason": "改由 multi 报送"})
    world.act(submit_case, "multi", case_id=case_id, attest=True)
    with pytest.raises(Forbidden) as refused:
        world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["multi"])
    assert refused.value.rule == "separation_of_duties"
    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"])
    world.declare(case_id, "reviewer")
    world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    with pytest.raises(Forbidden) as refused:
        world.act(approve_decision, "multi", case_id=case_id, data={"approve": True, "comment": "同意"})
    assert refused.value.rule == "separation_of_duties"
    with pytest.raises(Forbidden):  # nor state no conflict of interest as an advisor would
        world.act(declare_recusal, "handler", case_id=case_id, data={"declaration": "no_conflict"})
