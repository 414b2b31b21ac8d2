"""Review and reply deadlines driven by the BPMN boundary timers, with a pinned clock."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from review_service.audit.models import AuditEvent
from review_service.cases.flow import CaseFlow
from review_service.cases.models import Case
from review_service.core.clock import as_utc
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.deadlines.operations import decide_review_extension, extend_review
from review_service.deadlines.plan import beijing_midnight
from review_service.replies.operations import reply_to_opinion
from review_service.review.operations import submit_opinion
from tests.fixtures.clock import Clock
from tests.fixtures.deadlines import deadlines_of, notifications_of, run_tick
from tests.fixtures.world import World, opinion, replies


def _next_due(world: World, case_id: int):  # type: ignore[no-untyped-def]
    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        due = case.workflow_instance.next_due_at
        return None if due is None else as_utc(due)


def _actions(world: World, case_id: int) -> list[str]:
    with world.uow() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id)
                                    .order_by(AuditEvent.seq)))


def test_review_deadline_across_national_day(world: World, clock: Clock) -> None:
    clock.set("2026-09-30 10:00")
    case_id = world.in_review()
    [review] = deadlines_of(world.uow, case_id)
    # 5 working days after 09-30: 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13
    assert (review.kind, review.start_on, review.due_on, review.remind_on) == (
        "review", date(2026, 9, 30), date(2026, 10, 13), date(2026, 10, 12))
    assert review.provisional is False and review.state == "open"
    assert review.owner_id == world.ids["reviewer"]
    # 行政处罚法 art. 60: filed 2026-06-10, the decision is due within 90 days (2026-09-08)
    assert (review.limit_on, review.beyond_limit) == (date(2026, 9, 8), True)
    assert _next_due(world, case_id) == beijing_midnight(date(2026, 10, 12))


def test_a_review_left_undone_reminds_once_on_the_right_working_day(world: World, clock: Clock) -> None:
    clock.set("2026-09-30 10:00")
    case_id = world.in_review()
    people = {world.ids["reviewer"], world.ids["lead"]}
    for moment in ("2026-10-08 09:00", "2026-10-10 12:00", "2026-10-11 23:59"):
        clock.set(moment)
        run_tick(world.uow)
        assert notifications_of(world.uow, case_id) == []
    clock.set("2026-10-12 00:01")  # the working day before the due day: "1 working day away"
    report = run_tick(world.uow)
    assert len(report.reminders) == 1
    assert sorted(notifications_of(world.uow, case_id)) == sorted(("due_soon", uid) for uid in people)
    for moment in ("2026-10-12 08:00", "2026-10-13 23:59"):
        clock.set(moment)
        assert run_tick(world.uow).reminders == []
    assert len(notifications_of(world.uow, case_id)) == 2
    clock.set("2026-10-14 00:01")  # the due day has ended
    run_tick(world.uow)
    run_tick(world.uow)
    overdue = [n for n in notifications_of(world.uow, case_id) if n[0] == "overdue"]
    assert sorted(overdue) == sorted(("overdue", uid) for uid in people)
    assert _next_due(world, case_id) is None
    assert _actions(world, case_id).count("deadline_timers_fired") == 2
    # the review is still waiting (non-interrupting timers); doing it late closes the deadline as met
    assert world.case(case_id).current_task == "review"
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("facts_clear",)))
    review, reply = deadlines_of(world.uow, case_id)
    assert (review.state, reply.kind, reply.state) == ("met", "reply", "open")
    assert reply.start_on == date(2026, 10, 14) and reply.owner_id == world.ids["handler"]


def test_reply_timer_and_round_trip(world: World, clock: Clock) -> None:
    clock.set("2026-11-02 10:00")  # a Monday
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("facts_clear",)))
    reply = deadlines_of(world.uow, case_id)[-1]
    assert (reply.kind, reply.due_on) == ("reply", date(2026, 11, 9))
    clock.set("2026-11-10 08:00")
    run_tick(world.uow)
    kinds = {kind for kind, _uid in notifications_of(world.uow, case_id)}
    assert kinds == {"overdue"}  # a late tick sends the overdue notice only
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(("facts_clear",)))
    assert [d.state for d in deadlines_of(world.uow, case_id)] == ["met", "met"]


def test_a_timer_already_due_fires_inside_the_action(world: World, clock: Clock) -> None:
    """A 1-working-day reply deadline is "1 working day away" at once: reminded in the same transaction."""
    from review_service.organization.models import Agency

    with world.uow() as session:
        agency = session.scalars(select(Agency).where(Agency.id == world.case(world.new_case()).agency_id)).one()
        agency.settings = {**(agency.settings or {}), "reply_working_days": 1}
    clock.set("2026-11-02 10:00")
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("facts_clear",)))
    assert {kind for kind, _ in notifications_of(world.uow, case_id)} == {"due_soon"}


def test_extension_once_requested_by_the_review_body_and_approved_by_the_head(world: World, clock: Clock) -> None:
    """Guangdong's rule (5 + 3 once, DESIGN.md §8); issue 19: asked for with a reason, approved by the head."""
    clock.set("2026-11-02 10:00")
    case_id = world.in_review()
    with pytest.raises(Forbidden):
        world.act(extend_review, "reviewer2", case_id=case_id, data={"days": 2, "reason": "案情复杂"})
    with pytest.raises(Invalid):
        world.act(extend_review, "lead", case_id=case_id, data={"days": 4, "reason": "案情复杂"})
    with pytest.raises(Invalid):
        world.act(extend_review, "lead", case_id=case_id, data={"days": 2, "reason": " "})
    version = world.case(case_id).version
    world.act(extend_review, "lead", case_id=case_id, data={"days": 3, "reason": "案情复杂，需补充查阅卷宗"})
    [review] = deadlines_of(world.uow, case_id)
    assert (review.due_on, review.extension_days) == (date(2026, 11, 9), 0)  # asked, not granted yet
    assert world.case(case_id).version == version + 1
    with pytest.raises(Forbidden):
        world.act(decide_review_extension, "lead", case_id=case_id, data={"approve": True})
    world.act(decide_review_extension, "head", case_id=case_id, data={"approve": True, "comment": "同意"})
    [review] = deadlines_of(world.uow, case_id)
    assert (review.due_on, review.extension_days, review.extension_reason) == (
        date(2026, 11, 12), 3, "案情复杂，需补充查阅卷宗")
    assert review.extended_by == world.ids["head"]
    assert world.case(case_id).version == version + 2
    assert _next_due(world, case_id) == beijing_midnight(date(2026, 11, 11))
    with pytest.raises(Conflict):
        world.act(extend_review, "lead", case_id=case_id, data={"days": 1, "reason": "再延"})
    assert {"review_extension_requested", "review_deadline_extended"} <= set(_actions(world, case_id))
    clock.set("2026-11-10 12:00")  # the old reminder day: nothing
    run_tick(world.uow)
    assert notifications_of(world.uow, case_id) == []
    clock.set("2026-11-11 00:01")
    run_tick(world.uow)
    assert {kind for kind, _ in notifications_of(world.uow, case_id)} == {"due_soon"}


def test_extension_needs_an_open_review(world: World, clock: Clock) -> None:
    clock.set("2026-11-02 10:00")
    case_id = world.submitted()
    with pytest.raises(Conflict):
        world.act(extend_review, "lead", case_id=case_id, data={"days": 1, "reason": "x"})


def test_engine_state_matches_the_deadline_row(world: World, clock: Clock) -> None:
    clock.set("2026-11-02 10:00")
    case_id = world.in_review()
    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        pending = CaseFlow(session, case).run.pending_timers()
    assert pending == {"review_due_soon": beijing_midnight(date(2026, 11, 6)),
                       "review_overdue": beijing_midnight(date(2026, 11, 10))}
