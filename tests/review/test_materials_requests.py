"""审查中补充材料 (issue 19): the reviewer's request for materials during the review stops the review period.

Source: DESIGN.md §8 and 广东省重大行政执法决定法制审核办法 style (补充材料的时间不计入审核期限); dates on the 2026
official calendar (春节 02-15 … 02-23 off, 调休 Saturday 02-14 worked), as in tests/deadlines/test_clocks.py.
"""

from __future__ import annotations

import copy
from datetime import date

import pytest

from review_service.cases.operations import attach_material
from review_service.cases.suspension import resume_case, suspend_case
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.deadlines.materials_requests import answer_materials_request, case_requests, request_materials
from review_service.deadlines.plan import beijing_midnight
from review_service.review.operations import submit_opinion
from tests.fixtures.clock import Clock
from tests.fixtures.deadlines import actions_of, deadlines_of, next_due_of, notifications_of, pauses_of, run_tick
from tests.fixtures.world import MAJOR_DRAFT, World, opinion

FILED_JAN = {**copy.deepcopy(MAJOR_DRAFT), "filed_on": "2026-01-10"}
ASK = {"note": "请补充当事人近三个月的进货台账，以核实货值金额。", "kinds": ["evidence"]}


def _attach(world: World, case_id: int) -> None:
    world.act(attach_material, "handler", case_id=case_id, kind="evidence", title="进货台账", filename="t.txt",
              data=b"ledger", content_type="text/plain", blobs=world.blobs)


def _outcomes(world: World, case_id: int) -> list[str | None]:
    with world.uow() as session:
        return [r.outcome for r in case_requests(session, case_id)]


def test_the_period_stands_still_from_the_request_to_the_answer(world: World, clock: Clock) -> None:
    """The review period (due 02-24 from 02-10) stops on the request (02-12) and goes on after the answer
    (02-25): 02-13, 02-14 (调休), 02-24, 02-25 stood still → 4 working days, due 02-28 (the 调休 Saturday)."""
    clock.set("2026-02-10 10:00")
    case_id = world.in_review(FILED_JAN)
    [review] = deadlines_of(world.uow, case_id)
    assert review.due_on == date(2026, 2, 24)
    clock.set("2026-02-12 15:00")
    world.act(request_materials, "reviewer", case_id=case_id, data=ASK)
    [review] = deadlines_of(world.uow, case_id)
    assert review.paused_on == date(2026, 2, 12)
    assert next_due_of(world.uow, case_id) is None  # no reminder runs on a clock that stands still
    clock.set("2026-02-23 09:00")  # would be the day of the due-soon reminder without the pause
    run_tick(world.uow)
    assert notifications_of(world.uow, case_id) == []
    clock.set("2026-02-25 09:00")
    with pytest.raises(Invalid) as refused:  # neither a material nor a reason
        world.act(answer_materials_request, "handler", case_id=case_id, data={})
    assert "answer" in refused.value.fields
    _attach(world, case_id)  # allowed while the case waits on the review: the reviewer asked for it
    world.act(answer_materials_request, "handler", case_id=case_id, data={"answer": "已补充进货台账。"})
    assert pauses_of(world.uow, case_id) == [("review", "materials_requested", date(2026, 2, 12), date(2026, 2, 25), 4)]
    [review] = deadlines_of(world.uow, case_id)
    assert (review.due_on, review.paused_days, review.paused_on, review.state) == (date(2026, 2, 28), 4, None,
                                                                                   "open")
    assert next_due_of(world.uow, case_id) == beijing_midnight(date(2026, 2, 27))  # reminders run again, moved
    with world.uow() as session:
        [request] = case_requests(session, case_id)
        assert (request.outcome, request.answer, len(request.material_ids)) == ("answered", "已补充进货台账。", 1)
    assert {"review_materials_requested", "review_materials_answered"} <= set(actions_of(world.uow, case_id))


def test_who_may_ask_and_answer(world: World, clock: Clock) -> None:
    """Only the case's reviewer asks, one request at a time; only its handler answers; without a request the
    handler adds nothing while the case waits on the review."""
    clock.set("2026-03-02 10:00")
    case_id = world.in_review(FILED_JAN)
    with pytest.raises(Invalid):  # no request: what the reviewer reviews must not change under them
        _attach(world, case_id)
    with pytest.raises(Forbidden):
        world.act(request_materials, "handler", case_id=case_id, data=ASK)
    with pytest.raises(Conflict):
        world.act(answer_materials_request, "handler", case_id=case_id, data={"answer": "无"})
    with pytest.raises(Invalid):  # the note says what is needed
        world.act(request_materials, "reviewer", case_id=case_id, data={"note": ""})
    with pytest.raises(Invalid):
        world.act(request_materials, "reviewer", case_id=case_id, data={"note": "补充", "kinds": ["no_such_kind"]})
    world.act(request_materials, "reviewer", case_id=case_id, data=ASK)
    with pytest.raises(Conflict):
        world.act(request_materials, "reviewer", case_id=case_id, data=ASK)
    with pytest.raises(Forbidden):
        world.act(answer_materials_request, "reviewer", case_id=case_id, data={"answer": "无"})
    world.act(answer_materials_request, "handler", case_id=case_id, data={"answer": "当事人未建立进货台账，无法提供。"})
    assert _outcomes(world, case_id) == ["answered"]


def test_an_opinion_before_the_answer_ends_the_request(world: World, clock: Clock) -> None:
    """The reviewer may conclude without the materials: the request lapses that day, the period is counted
    again first (so the opinion is judged on the moved due day), then closed as met."""
    clock.set("2026-02-10 10:00")
    case_id = world.in_review(FILED_JAN)
    clock.set("2026-02-12 15:00")
    world.act(request_materials, "reviewer", case_id=case_id, data=ASK)
    clock.set("2026-02-26 10:00")  # after the unpaused due day (02-24), before the moved one
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("evidence_sufficient",)))
    assert _outcomes(world, case_id) == ["lapsed"]
    assert pauses_of(world.uow, case_id)[0][3] == date(2026, 2, 26)
    review = next(d for d in deadlines_of(world.uow, case_id) if d.kind == "review")
    assert (review.state, review.due_on) == ("met", date(2026, 3, 2))  # 5 stood still: 13, 14, 24, 25, 26
    assert "review_materials_lapsed" in actions_of(world.uow, case_id)


def test_a_suspension_during_the_request_keeps_the_timers_out(world: World, clock: Clock) -> None:
    """Two causes stopping one clock (补充材料, then 中止): resuming the case leaves the review standing still
    until the answer, and the overlap counts once."""
    clock.set("2026-02-10 10:00")
    case_id = world.in_review(FILED_JAN)
    world.act(request_materials, "reviewer", case_id=case_id, data=ASK)
    clock.set("2026-02-12 10:00")
    world.act(suspend_case, "head", case_id=case_id, data={"reason": "force_majeure"})
    clock.set("2026-02-13 10:00")
    world.act(resume_case, "head", case_id=case_id)
    [review] = deadlines_of(world.uow, case_id)
    assert review.paused_on == date(2026, 2, 10) and next_due_of(world.uow, case_id) is None
    clock.set("2026-02-24 10:00")
    world.act(answer_materials_request, "handler", case_id=case_id, data={"answer": "无法提供，已说明。"})
    [review] = deadlines_of(world.uow, case_id)
    # stood still 02-11, 02-12, 02-13, 02-14, 02-24 → 5; 10 working days after 02-10 → 03-02
    assert (review.paused_days, review.due_on, review.paused_on) == (5, date(2026, 3, 2), None)
    assert next_due_of(world.uow, case_id) is not None
