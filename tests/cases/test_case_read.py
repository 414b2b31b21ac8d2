"""The case read in one statement (``case_view/read.py``): the same case as the plain reads, and no more statements.

Each case is read both ways after every step of its life; the two JSON documents must be the same
bytes. The statement counts are pinned with SQLAlchemy's ``before_cursor_execute`` event, so a read
that creeps back to a query per list fails here.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from review_service.case_view.read import plain_case, read_case
from review_service.case_view.view import case_view, render_case_view
from review_service.cases.downgrades import decide_downgrade, request_downgrade
from review_service.cases.models import Case
from review_service.cases.operations import sign_off, update_draft
from review_service.cases.suspension import resume_case, suspend_case
from review_service.coordination.operations import coordinate
from review_service.decisions.operations import approve_decision
from review_service.replies.operations import reply_to_opinion, resubmit_case
from review_service.review.operations import assign_reviewer, record_intake, submit_opinion
from tests.fixtures.world import MAJOR_DRAFT, World, opinion, replies

PROBLEM = ("evidence_sufficient",)


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent on ``engine`` (and the engines sharing its pool) inside the block."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def both_ways(world: World, case_id: int) -> dict[str, Any]:
    """The case read plainly and in one statement: the same JSON, byte for byte (that JSON returned)."""
    with world.uow() as session:
        row = session.get(Case, case_id)
        assert row is not None
        plain = json.dumps(render_case_view(plain_case(session, row)), ensure_ascii=False)
        data = read_case(session, case_id)
        assert data is not None
        one = json.dumps(render_case_view(data), ensure_ascii=False)
    assert one == plain
    return dict(json.loads(one))


def test_every_step_of_a_disputed_coordinated_case_reads_the_same(world: World) -> None:
    case_id = world.new_case()
    seen = [both_ways(world, case_id)]
    case_id = world.submitted()
    seen.append(both_ways(world, case_id))
    steps: list[tuple[Any, str, dict[str, Any]]] = [
        (sign_off, "unit_head", {"approve": True, "comment": "材料属实，同意报送"}),
        (assign_reviewer, "lead", {"reviewer_id": world.ids["reviewer"], "advisor_ids": [world.ids["advisor"]]}),
    ]
    for operation, user, kwargs in steps:
        if operation is sign_off and world.case(case_id).status != "awaiting_signoff":
            continue
        world.act(operation, user, case_id=case_id, **kwargs)
        seen.append(both_ways(world, case_id))
    world.declare(case_id, "reviewer")
    world.declare(case_id, "advisor")
    seen.append(both_ways(world, case_id))
    world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    seen.append(both_ways(world, case_id))
    world.act(submit_opinion, "reviewer", case_id=case_id,
              data=opinion("amend", PROBLEM) | {"advisor_ids": [world.ids["advisor"]]})
    seen.append(both_ways(world, case_id))
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM, "disputed"))
    seen.append(both_ways(world, case_id))
    discussion = {"date": "2026-07-01", "participants": [world.ids["head2"], world.ids["head"], "外聘专家王某"],
                  "minutes": "集体讨论认为审核意见成立。"}
    coordination = {"outcome": "uphold_review", "reasoning": "证据确有不足，请补充。",
                    "collective_discussion": discussion}
    world.act(coordinate, "head2", case_id=case_id, data=coordination)
    seen.append(both_ways(world, case_id))
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
    world.act(update_draft, "handler", case_id=case_id, changes={"facts": "补充查明：货值金额六万元。"})
    seen.append(both_ways(world, case_id))
    world.act(resubmit_case, "handler", case_id=case_id, attest=True)
    if world.case(case_id).status == "awaiting_signoff":
        world.act(sign_off, "unit_head", case_id=case_id, approve=True, comment="补充材料属实")
    seen.append(both_ways(world, case_id))
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    seen.append(both_ways(world, case_id))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True, "comment": "同意"})
    final = both_ways(world, case_id)
    # the lists the one statement reads were really there to compare
    assert final["status"] == "decided" and final["decision"] is not None
    assert len(final["reviews"]) == 2 and len(final["replies"]) == 2 and len(final["coordinations"]) == 1
    assert len(final["recusals"]) == 2 and final["materials"] and len(final["deadlines"]) > 2
    assert any(case["tasks"] and case["tasks"][0]["candidates"] for case in seen)
    assert final["gate"]["ever_major"] is True


def test_suspension_downgrades_and_possible_splits_read_the_same(world: World) -> None:
    case_id = world.in_review()
    world.act(suspend_case, "head", case_id=case_id,
              data={"reason": "party_died_awaiting_heir", "reason_text": "当事人死亡，等待继承人表明态度。"})
    assert both_ways(world, case_id)["suspension"]["by"]["name"] == "head"
    world.act(resume_case, "head", case_id=case_id)
    assert both_ways(world, case_id)["suspension"] is None

    lower = copy.deepcopy(MAJOR_DRAFT)
    lower["proposed_decision"]["fine_amount"] = "120000.00"
    case_id = world.in_review(lower)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": False, "comment": "请重新考虑罚款数额"})
    world.act(update_draft, "handler", case_id=case_id, changes={"proposed_decision": {"fine_amount": "99999.00"}})
    both_ways(world, case_id)
    world.act(request_downgrade, "handler", case_id=case_id, reasons="罚款已降低")
    assert both_ways(world, case_id)["gate"]["downgrades"][0]["decision"] is None
    world.act(decide_downgrade, "lead", case_id=case_id, confirm=True, reasons="同意降级")
    gate = both_ways(world, case_id)["gate"]
    assert gate["downgrades"][0]["decision"]["confirmed"] is True and gate["under_review_gate"] is False

    half = copy.deepcopy(MAJOR_DRAFT)
    half["proposed_decision"].update(fine_amount="60000.00", confiscation_amount=None)
    first = world.submitted(half)
    half["proposed_decision"]["fine_amount"] = "59000.00"
    second = world.submitted(half)
    assert both_ways(world, second)["gate"]["possible_splits"]
    assert both_ways(world, first)["gate"]["possible_splits"]


def test_a_case_read_is_the_token_and_one_statement(api: Any, world: World, app: Any) -> None:
    """``GET /api/v1/cases/{id}``: the caller's token, then the case with everything it shows."""
    engine = app.extensions["review_service"].read_session_factory.kw["bind"]  # PostgreSQL: the reading pool (core.db)
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM, "disputed"))
    handler = api.as_("handler")
    expected = handler.get(f"/cases/{case_id}")
    assert expected.status_code == 200
    with statements(engine) as seen:
        response = handler.get(f"/cases/{case_id}")
    assert response.status_code == 200 and response.data == expected.data
    assert len(seen) == 2, seen
    with statements(engine) as seen:  # out of scope: the same two, and the same answer as no case at all
        assert api.as_("outsider").get(f"/cases/{case_id}").status_code == 404
    assert len(seen) == 2, seen


def test_the_case_pages_view_is_one_statement(world: World, engine: Engine) -> None:
    """The pages read the ORM row (``visible_case``) and then the view: one statement more, whatever the state."""
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    with world.uow() as session:
        row = session.get(Case, case_id)
        assert row is not None
        with statements(engine) as seen:
            view = case_view(session, row)
    assert view["reviews"] and len(seen) == 1, seen
