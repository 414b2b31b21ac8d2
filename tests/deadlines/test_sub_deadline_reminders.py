"""分配 / 受理审查 past their day inside the review period are reminded by ``tick`` (issue 19), once per due day.

Source: issue 19 (assignment and intake are timed, default 1 working day each, and count inside the review
period); dates on the 2026 official calendar (春节 02-15 … 02-23 off, 调休 Saturday 02-14 worked).
"""

from __future__ import annotations

import copy

from review_service.review.operations import assign_reviewer, record_intake
from tests.fixtures.clock import Clock
from tests.fixtures.deadlines import notifications_of, run_tick
from tests.fixtures.world import MAJOR_DRAFT, World

FILED_JAN = {**copy.deepcopy(MAJOR_DRAFT), "filed_on": "2026-01-10"}


def test_assignment_then_intake_left_undone_remind_the_lead_then_the_reviewer(world: World, clock: Clock) -> None:
    clock.set("2026-02-12 10:00")  # received Thursday: 分配 due Friday 02-13
    case_id = world.submitted(FILED_JAN)
    clock.set("2026-02-13 23:00")
    run_tick(world.uow)
    assert notifications_of(world.uow, case_id) == []  # due today: not late yet
    clock.set("2026-02-14 00:05")
    first = run_tick(world.uow)
    assert notifications_of(world.uow, case_id) == [("overdue", world.ids["lead"])]
    assert [(r["kind"], r["due_on"]) for r in first.reminders] == [("assign", "2026-02-13")]
    run_tick(world.uow)  # once per due day, whichever tick gets there
    assert len(notifications_of(world.uow, case_id)) == 1
    clock.set("2026-02-14 09:00")  # the 调休 Saturday: assigned; 受理审查 due the next working day, 02-24
    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"])
    world.declare(case_id, "reviewer")
    clock.set("2026-02-24 12:00")
    run_tick(world.uow)
    assert len(notifications_of(world.uow, case_id)) == 1
    clock.set("2026-02-25 00:05")
    run_tick(world.uow)
    assert sorted(notifications_of(world.uow, case_id)[1:]) == sorted(
        [("overdue", world.ids["reviewer"]), ("overdue", world.ids["lead"])])
    world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    clock.set("2026-02-26 00:05")
    run_tick(world.uow)
    # the intake is done: no more 受理审查 reminders (the review period's own due-soon reminder is its business)
    assert [n for n in notifications_of(world.uow, case_id) if n[0] == "overdue"] == notifications_of(
        world.uow, case_id)[:3]
    assert len([n for n in notifications_of(world.uow, case_id) if n[0] == "overdue"]) == 3
