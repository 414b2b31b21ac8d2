"""Invariants 2 and 3: separation of duties, scope, qualified reviewers, collective discussion."""

from __future__ import annotations

import copy

import pytest

from review_service.cases.operations import submit_case, update_draft
from review_service.core.clock import beijing_today
from review_service.core.errors import Forbidden, Invalid, NotFound
from review_service.decisions.operations import approve_decision
from review_service.review.operations import assign_reviewer, record_intake, submit_opinion
from tests.fixtures.world import MAJOR_DRAFT, World, opinion


def test_the_handler_cannot_review_the_case(world: World) -> None:
    case_id = world.submitted(handler="multi")
    with pytest.raises(Forbidden) as refused:
        world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["multi"])
    assert refused.value.rule == "separation_of_duties"


def test_the_reviewer_cannot_approve_or_edit(world: World) -> None:
    case_id = world.in_review(reviewer="multi")
    world.act(submit_opinion, "multi", case_id=case_id, data=opinion("approve"))
    with pytest.raises(Forbidden) as refused:
        world.act(approve_decision, "multi", case_id=case_id, data={"approve": True})
    assert refused.value.rule == "separation_of_duties"
    with pytest.raises(Forbidden):
        world.act(approve_decision, "handler", case_id=case_id, data={"approve": True})
    world.act(approve_decision, "head", case_id=case_id, data={"approve": False, "comment": "退回"})
    with pytest.raises(Forbidden) as refused:
        world.act(update_draft, "multi", case_id=case_id, changes={"facts": "reviewer edits"})
    assert refused.value.rule == "separation_of_duties"


def test_only_the_assigned_reviewer_concludes_and_never_an_advisor(world: World) -> None:
    case_id = world.submitted()
    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"],
              advisor_ids=[world.ids["advisor"]])
    world.declare(case_id, "reviewer")
    world.declare(case_id, "advisor")
    with pytest.raises(Forbidden) as refused:
        world.act(record_intake, "reviewer2", case_id=case_id, complete=True)
    assert refused.value.rule == "assignee"
    with pytest.raises(Forbidden) as refused:
        world.act(record_intake, "advisor", case_id=case_id, complete=True)
    assert refused.value.rule == "role"
    world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    world.act(submit_opinion, "reviewer", case_id=case_id,
              data=dict(opinion("approve"), advisor_ids=[world.ids["advisor"]]))


def test_an_advisor_with_reviewer_role_cannot_conclude(world: World) -> None:
    case_id = world.submitted()
    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"],
              advisor_ids=[world.ids["reviewer_advisor"]])
    world.declare(case_id, "reviewer")
    world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    with pytest.raises(Forbidden) as refused:
        world.act(submit_opinion, "reviewer_advisor", case_id=case_id, data=opinion("approve"))
    assert refused.value.rule == "advisor_cannot_conclude"


def test_users_outside_the_agency_do_not_see_the_case(world: World) -> None:
    case_id = world.submitted()
    with pytest.raises(NotFound):
        world.act(assign_reviewer, "outsider", case_id=case_id, reviewer_id=world.ids["reviewer"])


def test_roles_are_required(world: World) -> None:
    case_id = world.submitted()
    with pytest.raises(Forbidden) as refused:
        world.act(assign_reviewer, "reviewer", case_id=case_id, reviewer_id=world.ids["reviewer2"])
    assert refused.value.rule == "role"


def test_unqualified_first_time_reviewer_refused_for_penalty(world: World) -> None:
    case_id = world.submitted()
    with pytest.raises(Forbidden) as refused:
        world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["rookie"])
    assert refused.value.rule == "qualification"
    license_draft = copy.deepcopy(MAJOR_DRAFT)
    license_draft.update(decision_type="administrative_license", hearing_held=True)
    license_draft["materials"] = [{"kind": k, "title": k} for k in ("application", "review_report", "decision_draft",
                                                                     "hearing_record")]
    other = world.new_case(license_draft)
    world.act(submit_case, "handler", case_id=other, attest=True)
    world.act(assign_reviewer, "lead", case_id=other, reviewer_id=world.ids["rookie"])  # art. 58 is for penalties


def test_serious_violation_needs_collective_discussion(world: World) -> None:
    draft = copy.deepcopy(MAJOR_DRAFT)
    draft["flags"]["serious_violation"] = True
    case_id = world.in_review(draft)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    with pytest.raises(Invalid) as refused:
        world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    assert "collective_discussion" in refused.value.fields
    with pytest.raises(Invalid) as refused:  # free-text names are no art. 57 record (see tests/decisions)
        world.act(approve_decision, "head", case_id=case_id, data={
            "approve": True, "collective_discussion": {"date": "2026-10-10", "participants": ["周军", "吴刚", "赵敏"],
                                                       "minutes": "一致同意作出处罚决定。"}})
    heads = [world.ids["head"], world.ids["head2"], world.ids["multi"]]
    world.act(approve_decision, "head", case_id=case_id, data={
        "approve": True, "collective_discussion": {
            "date": beijing_today().isoformat(), "participants": heads, "chair": world.ids["head"],
            "views": {str(h): "同意作出处罚决定。" for h in heads}, "conclusion": "一致同意作出处罚决定。"}})
    assert world.case(case_id).status == "decided"
