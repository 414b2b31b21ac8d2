"""Indicator (108) counts every case that was ever major: a downgraded decision is counted and not met."""

from __future__ import annotations

import copy

from review_service.cases.downgrades import decide_downgrade, request_downgrade
from review_service.cases.operations import submit_case, update_draft
from review_service.core.clock import beijing_today
from review_service.decisions.operations import approve_decision
from review_service.review.operations import submit_opinion
from tests.fixtures.indicators import by_id, report
from tests.fixtures.world import MAJOR_DRAFT, World, opinion


def test_a_decision_after_a_confirmed_downgrade_counts_against_108(world: World) -> None:
    reviewed = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=reviewed, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=reviewed, data={"approve": True})
    draft = copy.deepcopy(MAJOR_DRAFT)
    draft["proposed_decision"]["fine_amount"] = "120000.00"
    lowered = world.in_review(draft)
    world.act(submit_opinion, "reviewer", case_id=lowered, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=lowered, data={"approve": False, "comment": "请重新考虑"})
    world.act(update_draft, "handler", case_id=lowered, changes={"proposed_decision": {"fine_amount": "99999.00"}})
    world.act(request_downgrade, "handler", case_id=lowered, reasons="罚款已降低")
    world.act(decide_downgrade, "lead", case_id=lowered, confirm=True, reasons="同意降级")
    world.act(submit_case, "handler", case_id=lowered, attest=True)
    world.act(approve_decision, "head", case_id=lowered, data={"approve": True})
    today = beijing_today().isoformat()
    decided = by_id(report(world, today, today))["108"]
    assert (decided["numerator"], decided["denominator"], decided["met"]) == (1, 2, False)
    assert sorted(decided["evidence"]["case_ids"]) == sorted([reviewed, lowered])
