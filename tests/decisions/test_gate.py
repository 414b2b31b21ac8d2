"""Invariant 1: no decision without clearance, in the operation and in the database schema."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError

from review_service.cases.classification import latest_classification
from review_service.cases.models import Case
from review_service.cases.operations import submit_case, update_draft
from review_service.decisions.models import Approval, Decision
from review_service.decisions.operations import approve_decision
from review_service.review.models import Review
from review_service.review.operations import submit_opinion
from tests.fixtures.world import World, opinion

REFUSED = (IntegrityError, DBAPIError)


def _insert_decision(world: World, case_id: int, **clearance: object) -> None:
    """What a buggy or malicious caller would do: write the decision row straight through the ORM."""
    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.current_draft is not None
        approval = Approval(case_id=case_id, head_id=world.ids["head"], approved=True,
                            draft_sha256=case.current_draft.sha256)
        session.add(approval)
        session.flush()
        values = {"draft_version_id": case.current_draft.id, "draft_sha256": case.current_draft.sha256}
        values.update(clearance)  # type: ignore[arg-type]
        session.add(Decision(case_id=case_id, number="forged", decided_by=world.ids["head"],
                             approval_id=approval.id, **values))
        session.flush()


def _latest_review(world: World, case_id: int) -> Review:
    with world.uow() as session:
        return session.scalars(select(Review).where(Review.case_id == case_id).order_by(Review.round.desc())).first()


def test_database_refuses_decision_on_amend_review(world: World) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("facts_clear",)))
    review = _latest_review(world, case_id)
    for forged in ("amend", "approve"):  # the true conclusion, then a lie about it
        with pytest.raises(REFUSED):
            _insert_decision(world, case_id, clearance="review", review_id=review.id, review_conclusion=forged)


def test_database_refuses_decision_without_any_review(world: World) -> None:
    case_id = world.in_review()
    with pytest.raises(REFUSED):
        _insert_decision(world, case_id, clearance="review", review_id=None, review_conclusion=None)
    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        classification = latest_classification(session, case)
        assert classification is not None and classification.major
        classification_id = classification.id
    with pytest.raises(REFUSED):  # pretending the major case was not major
        _insert_decision(world, case_id, clearance="not_major", classification_id=classification_id,
                         classification_major=False)


def test_edit_after_approval_voids_clearance(world: World) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    approving = _latest_review(world, case_id)
    world.act(approve_decision, "head", case_id=case_id, data={"approve": False, "comment": "请核实金额"})
    world.act(update_draft, "handler", case_id=case_id, changes={"proposed_decision": {"fine_amount": "600000.00"}})
    # the approving review names the old draft: neither the new draft nor the old one can be decided
    with pytest.raises(REFUSED):
        _insert_decision(world, case_id, clearance="review", review_id=approving.id, review_conclusion="approve")
    with world.uow() as session, pytest.raises(REFUSED):
        case = session.get(Case, case_id)
        assert case is not None
        session.add(Decision(case_id=case_id, number="forged", decided_by=world.ids["head"], approval_id=1,
                             draft_version_id=approving.draft_version_id, draft_sha256=approving.draft_sha256,
                             clearance="review", review_id=approving.id, review_conclusion="approve"))
        session.flush()
    world.act(submit_case, "handler", case_id=case_id, attest=True)
    assert world.case(case_id).status == "in_review"


def test_database_accepts_the_cleared_decision(world: World) -> None:
    """The control: the same insert succeeds for a cleared case, so the refusals above mean something."""
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    review = _latest_review(world, case_id)
    _insert_decision(world, case_id, clearance="review", review_id=review.id, review_conclusion="approve")
    with world.uow() as session:
        assert session.scalars(select(Decision).where(Decision.case_id == case_id)).one().number == "forged"


def test_decision_rows_cannot_be_deleted_or_edited(world: World) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    with pytest.raises(REFUSED), world.uow() as session:
        decision = session.scalars(select(Decision).where(Decision.case_id == case_id)).one()
        session.delete(decision)
        session.flush()
    with pytest.raises(REFUSED), world.uow() as session:
        review = session.scalars(select(Review).where(Review.case_id == case_id)).one()
        review.conclusion = "reject"
        session.flush()
