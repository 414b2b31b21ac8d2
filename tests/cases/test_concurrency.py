"""Invariant 7: two people completing the same task at once — one wins, the other gets a conflict."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from review_service.audit.models import AuditEvent
from review_service.core.errors import Conflict
from review_service.review.models import Review
from review_service.review.operations import submit_opinion
from tests.fixtures.world import World, opinion


@pytest.mark.parametrize("attempt_number", range(3))
def test_two_threads_submitting_the_same_opinion(world: World, attempt_number: int) -> None:
    case_id = world.in_review()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(conclusion: str) -> None:
        barrier.wait()
        try:
            world.act(submit_opinion, "reviewer", case_id=case_id,
                      data=opinion(conclusion, () if conclusion == "approve" else ("facts_clear",)))
            result = "won"
        except Conflict:
            result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(c,)) for c in ("approve", "amend")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["conflict", "won"]
    with world.uow() as session:
        assert session.scalar(select(func.count()).select_from(Review).where(Review.case_id == case_id)) == 1
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.case_id == case_id, AuditEvent.action == "opinion_submitted")) == 1


def test_stale_expected_version_conflicts_and_changes_nothing(world: World) -> None:
    case_id = world.in_review()
    stale = world.case(case_id).version - 1
    try:
        world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"), expected_version=stale)
    except Conflict as conflict:
        assert conflict.details["expected_version"] == stale
        assert conflict.details["actual_version"] == stale + 1
    else:  # pragma: no cover - the assertion below reports it
        raise AssertionError("a stale version was accepted")
    assert world.case(case_id).status == "in_review"
