"""Random sequences of actions by random users: no decision without clearance, the chain always verifies.

Also after every action: a case's round is its latest opinion's round (the next opinion counts on it).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from review_service.audit.verify import verify_chain
from review_service.cases.models import Case, Classification, DraftVersion
from review_service.cases.operations import attach_material, create_case, submit_case, update_draft
from review_service.coordination.operations import coordinate
from review_service.core.errors import ServiceError
from review_service.decisions.models import Decision
from review_service.decisions.operations import approve_decision
from review_service.replies.operations import abandon_case, reply_to_opinion, resubmit_case
from review_service.review.models import Review
from review_service.review.operations import assign_reviewer, record_intake, submit_opinion
from tests.fixtures.world import MAJOR_DRAFT, World, minor_draft, opinion, replies

USERS = ["handler", "handler2", "lead", "reviewer", "reviewer2", "rookie", "advisor", "head", "head2", "multi",
         "outsider"]
PROBLEM = ("facts_clear",)
ACTIONS = ["create_major", "create_minor", "attach", "submit", "edit", "assign", "intake_ok", "intake_missing",
           "approve_opinion", "amend_opinion", "reply_accept", "reply_dispute", "resubmit", "abandon",
           "uphold", "reconsider", "terminate", "decide", "return"]


def _call(world: World, action: str, user: str, case_id: int, reviewer: str) -> None:
    calls: dict[str, tuple[Any, dict[str, Any]]] = {
        "create_major": (create_case, {"data": MAJOR_DRAFT}),
        "create_minor": (create_case, {"data": minor_draft()}),
        "attach": (attach_material, {"case_id": case_id, "kind": "evidence", "title": "笔录", "filename": "x",
                                     "data": b"x", "content_type": None, "blobs": world.blobs}),
        "submit": (submit_case, {"case_id": case_id, "attest": True}),
        "edit": (update_draft, {"case_id": case_id, "changes": {"facts": f"补充事实 {user}"}}),
        "assign": (assign_reviewer, {"case_id": case_id, "reviewer_id": world.ids[reviewer]}),
        "intake_ok": (record_intake, {"case_id": case_id, "complete": True}),
        "intake_missing": (record_intake, {"case_id": case_id, "complete": False, "missing": ["送达回证"]}),
        "approve_opinion": (submit_opinion, {"case_id": case_id, "data": opinion("approve")}),
        "amend_opinion": (submit_opinion, {"case_id": case_id, "data": opinion("amend", PROBLEM)}),
        "reply_accept": (reply_to_opinion, {"case_id": case_id, "data": replies(PROBLEM)}),
        "reply_dispute": (reply_to_opinion, {"case_id": case_id, "data": replies(PROBLEM, "disputed")}),
        "resubmit": (resubmit_case, {"case_id": case_id, "attest": True}),
        "abandon": (abandon_case, {"case_id": case_id, "reason": "放弃"}),
        "uphold": (coordinate, {"case_id": case_id, "data": {"outcome": "uphold_review", "reasoning": "维持"}}),
        "reconsider": (coordinate, {"case_id": case_id, "data": {"outcome": "reconsider", "reasoning": "重审"}}),
        "terminate": (coordinate, {"case_id": case_id, "data": {"outcome": "terminate", "reasoning": "终止"}}),
        "decide": (approve_decision, {"case_id": case_id, "data": {"approve": True}}),
        "return": (approve_decision, {"case_id": case_id, "data": {"approve": False, "comment": "退回"}}),
    }
    fn, kwargs = calls[action]
    world.act(fn, user, **kwargs)


def assert_invariants(world: World) -> None:
    with world.uow() as session:
        for decision in session.scalars(select(Decision)):
            case = session.get(Case, decision.case_id)
            assert case is not None and case.status == "decided"
            assert decision.draft_version_id == case.current_draft_id
            draft = session.get(DraftVersion, decision.draft_version_id)
            assert draft is not None and draft.sha256 == decision.draft_sha256
            if decision.clearance == "review":
                latest = session.scalars(select(Review).where(Review.case_id == case.id)
                                         .order_by(Review.round.desc())).first()
                assert latest is not None and latest.id == decision.review_id
                assert latest.conclusion == "approve" and latest.draft_sha256 == draft.sha256
            else:
                classification = session.get(Classification, decision.classification_id)
                assert classification is not None and not classification.major
                assert classification.draft_version_id == draft.id
        for case in session.scalars(select(Case)):  # the next opinion's round is taken from case.round
            rounds = [review.round for review in session.scalars(select(Review).where(Review.case_id == case.id))]
            assert case.round == max(rounds, default=0)
        result = verify_chain(session)
        assert result.ok, result


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(USERS), st.integers(0, 3),
                                st.sampled_from(["reviewer", "reviewer2", "rookie", "multi"])),
                      min_size=5, max_size=40))
def test_random_actions_never_decide_uncleared(world: World, steps: list[tuple[str, str, int, str]]) -> None:
    case_ids: list[int] = []
    for action, user, pick, reviewer in steps:
        case_id = case_ids[pick % len(case_ids)] if case_ids else 0
        try:
            if action.startswith("create"):
                case_ids.append(int(_call_create(world, action, user)))
            elif case_ids:
                _call(world, action, user, case_id, reviewer)
        except ServiceError:
            pass  # refusals are expected; they must change nothing
        assert_invariants(world)


def _call_create(world: World, action: str, user: str) -> int:
    draft = MAJOR_DRAFT if action == "create_major" else minor_draft()
    return int(world.act(create_case, user, data=draft).id)
