"""The index of decided cases follows the real operations; a rebuild writes exactly the same rows."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from review_service.assist.index import rebuild
from review_service.assist.models import SimilarCase
from review_service.assist.queries import similar_cases
from review_service.cases.operations import update_draft
from review_service.core.clock import beijing_today
from review_service.decisions.operations import approve_decision
from review_service.decisions.publicity import revoke_decision
from review_service.organization.queries import user_by_id
from review_service.replies.operations import reply_to_opinion, resubmit_case
from review_service.review.operations import submit_opinion
from review_service.runtime import Runtime
from tests.fixtures.world import MAJOR_DRAFT, minor_draft, opinion, replies

PROBLEM = ("evidence_sufficient", "discretion_appropriate")
COLUMNS = ("case_id", "agency_id", "decision_id", "number", "case_number", "title", "decision_type", "level",
           "fine", "outcome", "legal_basis", "basis_keys", "problems", "tokens")


def decided_minor(world: Any, **changes: Any) -> int:
    """A case the catalog finds not major, decided without review."""
    case_id = world.submitted({**minor_draft(), **changes})
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    return case_id


def decided_after_amendment(world: Any) -> int:
    """Reviewed (amend on two points), replied, resubmitted, approved, decided."""
    case_id = world.in_review(copy.deepcopy(MAJOR_DRAFT))
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
    world.act(update_draft, "handler", case_id=case_id,
              changes={"facts": "当事人销售不合格电热水壶1200台，货值金额36万元。"})
    world.act(resubmit_case, "handler", case_id=case_id, attest=True)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True, "comment": "同意"})
    return case_id


def rows(world: Any) -> list[tuple[Any, ...]]:
    with world.uow() as session:
        found = session.scalars(select(SimilarCase).order_by(SimilarCase.case_id)).all()
        return [tuple(getattr(row, name) for name in COLUMNS) for row in found]


def test_a_decision_made_through_the_operations_is_indexed_and_found(world: Any) -> None:
    case_id = decided_after_amendment(world)
    with world.uow() as session:
        row = session.scalars(select(SimilarCase).where(SimilarCase.case_id == case_id)).one()
        assert row.problems == list(PROBLEM)
        assert row.basis_keys == ["中华人民共和国产品质量法|49"] or row.basis_keys[0].endswith("|49")
        assert "电热水壶" in row.tokens.split()
        hits = similar_cases(session, actor=world.user(session, "reviewer"), draft=MAJOR_DRAFT, case_id=None)
        assert [hit.case_id for hit in hits] == [case_id]
        hit = hits[0]
        assert [p["label"] for p in hit.problems] == ["证据是否合法充分", "裁量基准运用是否适当"]
        assert hit.shared_basis and "同一违法行为" in hit.reasons[0]
        assert str(hit.fine) == "500000.00" and hit.discretion_level == "较重"
        # never the case itself
        assert similar_cases(session, actor=world.user(session, "reviewer"), draft=MAJOR_DRAFT, case_id=case_id) == []


def test_rebuild_writes_what_the_decisions_wrote(world: Any) -> None:
    decided_after_amendment(world)
    decided_minor(world, facts="当事人销售过期食品。", title="李某销售过期食品案")
    incremental = rows(world)
    assert len(incremental) == 2
    with world.uow() as session:
        assert rebuild(session) == 2
    assert rows(world) == incremental


def test_another_workers_decision_and_revocation_reach_this_workers_index(world: Any, runtime: Any,
                                                                          tmp_path: Any) -> None:
    """Two runtimes on one database stand for two server processes: each keeps its own in-memory index."""
    first = decided_minor(world, title="李某销售不合格电热水壶案")
    other = Runtime.on_engine(runtime.engine, tmp_path / "other-worker", sign_checkpoints=False)

    def seen() -> list[int]:
        with other.reading() as session:
            actor = user_by_id(session, world.ids["reviewer"])
            return [hit.case_id for hit in similar_cases(session, actor=actor, draft=MAJOR_DRAFT, limit=10)]

    assert seen() == [first]
    second = decided_minor(world, title="王某销售不合格电热水壶案")  # decided by the first "worker"
    assert sorted(seen()) == sorted([first, second])
    world.act(revoke_decision, "head", case_id=first,
              data={"reason": "revoked", "authority": "法院", "date": beijing_today().isoformat()})
    assert seen() == [second]
    with world.uow() as session:  # this runtime's index, loaded before the revocation, follows too
        hits = similar_cases(session, actor=world.user(session, "reviewer"), draft=MAJOR_DRAFT)
        assert [hit.case_id for hit in hits] == [second]
