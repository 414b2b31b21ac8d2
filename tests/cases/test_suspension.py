"""中止 / 恢复: a suspended case refuses every other action, its deadlines stop and move back on resumption."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from review_service.audit.models import AuditEvent
from review_service.calendar.days import Calendar
from review_service.case_view.todo import open_tasks
from review_service.case_view.view import case_view
from review_service.cases.models import Case
from review_service.cases.operations import update_draft
from review_service.cases.suspension import resume_case, suspend_case
from review_service.cases.suspension_models import Suspension
from review_service.core.clock import as_utc
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.deadlines.operations import extend_review
from review_service.deadlines.plan import beijing_midnight
from review_service.review.operations import submit_opinion
from tests.fixtures.clock import Clock
from tests.fixtures.deadlines import deadlines_of, notifications_of, run_tick
from tests.fixtures.world import World, opinion


@pytest.fixture
def clock() -> Iterator[Clock]:
    pinned = Clock()
    yield pinned
    pinned.stop()


APPRAISAL = {"reason": "appraisal", "reason_text": "产品质量送检，等待检验报告。"}


def _events(world: World, case_id: int) -> list[tuple[str, dict[str, Any]]]:
    with world.uow() as session:
        return [(e.action, json.loads(e.payload) if isinstance(e.payload, str) else e.payload) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq))]


def _next_due(world: World, case_id: int):  # type: ignore[no-untyped-def]
    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        due = case.workflow_instance.next_due_at
        return None if due is None else as_utc(due)


def test_a_suspended_case_refuses_every_other_action_until_resumed(world: World) -> None:
    case_id = world.in_review()
    world.act(suspend_case, "head", case_id=case_id, data=APPRAISAL)
    refusals = [
        lambda: world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve")),
        lambda: world.act(extend_review, "lead", case_id=case_id, data={"days": 2, "reason": "案情复杂"}),
        lambda: world.act(update_draft, "handler", case_id=case_id, changes={"facts": "中止期间修改"}),
        lambda: world.act(suspend_case, "head", case_id=case_id, data=APPRAISAL),
    ]
    for attempt in refusals:
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.details["rule"] == "suspended" and "案件已中止" in refused.value.message
    assert world.case(case_id).status == "in_review" and world.case(case_id).suspended is True
    world.act(resume_case, "head", case_id=case_id, data={"note": "检验报告已出具"})
    with pytest.raises(Conflict) as refused:
        world.act(resume_case, "head", case_id=case_id)
    assert refused.value.details["rule"] == "not_suspended"
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    assert world.case(case_id).status == "awaiting_approval"
    actions = [action for action, _ in _events(world, case_id)]
    assert actions.count("case_suspended") == 1 and actions.count("case_resumed") == 1
    with world.uow() as session:
        [row] = session.scalars(select(Suspension).where(Suspension.case_id == case_id)).all()
        assert (row.reason, row.suspended_by, row.resumed_by) == ("appraisal", world.ids["head"], world.ids["head"])


def test_who_may_suspend_and_with_which_reason(world: World) -> None:
    case_id = world.in_review()
    for name in ("handler", "reviewer", "unit_head"):
        with pytest.raises(Forbidden) as refused:
            world.act(suspend_case, name, case_id=case_id, data=APPRAISAL)
        assert refused.value.rule == "role"
    with pytest.raises(Invalid) as invalid:
        world.act(suspend_case, "head", case_id=case_id, data={"reason": "other"})
    assert "reason_text" in invalid.value.fields
    with pytest.raises(Invalid) as invalid:
        world.act(suspend_case, "head", case_id=case_id, data={"reason": "bored"})
    assert "reason" in invalid.value.fields
    # the review lead may suspend while the case is with the review body, and resume it
    world.act(suspend_case, "lead", case_id=case_id, data={"reason": "awaiting_other_authority"})
    world.act(resume_case, "lead", case_id=case_id)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    with pytest.raises(Forbidden):  # at the head's approval the review lead no longer holds the case
        world.act(suspend_case, "lead", case_id=case_id, data=APPRAISAL)
    world.act(suspend_case, "head", case_id=case_id, data={"reason": "force_majeure"})


def test_suspension_is_shown_on_the_case_and_in_the_to_do_list(world: World) -> None:
    case_id = world.in_review()
    world.act(suspend_case, "head", case_id=case_id, data=APPRAISAL)
    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        view = case_view(session, case)
        tasks = open_tasks(session, world.user(session, "reviewer"))
    assert view["suspended"] is True and view["suspension"]["reason"] == "appraisal"
    assert view["suspension"]["reason_label"].startswith("鉴定") and view["suspension"]["by"]["name"] == "head"
    assert view["tasks"][0]["suspended"] is True and view["deadlines"][0]["paused"] is True
    assert [(t["case_id"], t["suspended"]) for t in tasks] == [(str(case_id), True)]


def test_deadlines_stop_while_suspended_and_move_back_by_the_working_days(world: World, clock: Clock) -> None:
    clock.set("2026-09-30 10:00")
    case_id = world.in_review()
    [review] = deadlines_of(world.uow, case_id)
    assert (review.due_on, review.remind_on) == (date(2026, 10, 13), date(2026, 10, 12))
    clock.set("2026-09-30 11:00")
    world.act(suspend_case, "head", case_id=case_id, data=APPRAISAL)
    assert _next_due(world, case_id) is None  # out of the tick's index
    for moment in ("2026-10-12 00:01", "2026-10-14 00:01", "2026-10-19 09:00"):
        clock.set(moment)
        assert run_tick(world.uow).reminders == []  # no reminder, no overdue mark for suspended time
    assert notifications_of(world.uow, case_id) == []
    with world.uow() as session:
        [task] = open_tasks(session, world.user(session, "reviewer"))
    assert task["overdue"] is False and task["due_date"] == "2026-10-13"

    clock.set("2026-10-20 10:00")
    world.act(resume_case, "head", case_id=case_id, data={"note": "检验报告已出具"})
    calendar = Calendar()
    spent = calendar.working_days_between(date(2026, 9, 30), date(2026, 10, 20))
    assert spent == 10  # 10-08, 10-09, 10-10 (调休), 10-12 … 10-16, 10-19, 10-20
    [review] = deadlines_of(world.uow, case_id)
    due = calendar.add_working_days(date(2026, 9, 30), 5 + spent).date
    assert (review.paused_days, review.paused_on, review.due_on, review.state) == (spent, None, due, "open")
    assert review.due_on == date(2026, 10, 27) and review.remind_on == date(2026, 10, 26)
    assert _next_due(world, case_id) == beijing_midnight(review.remind_on)  # the timers were moved too
    clock.set("2026-10-23 09:00")
    assert run_tick(world.uow).reminders == []
    clock.set("2026-10-26 00:01")
    assert len(run_tick(world.uow).reminders) == 1  # the reminder comes on the day pushed back, not before
    resumed = [payload for action, payload in _events(world, case_id) if action == "case_resumed"]
    assert resumed[0]["paused_working_days"] == spent
    assert resumed[0]["deadlines"][0]["after"]["due_on"] == "2026-10-27"


def test_an_overdue_deadline_stays_overdue_but_suspended_time_is_not_counted(world: World, clock: Clock) -> None:
    clock.set("2026-09-30 10:00")
    case_id = world.in_review()
    clock.set("2026-10-14 09:00")  # one day overdue already
    run_tick(world.uow)
    world.act(suspend_case, "head", case_id=case_id, data=APPRAISAL)
    with world.uow() as session:
        [task] = open_tasks(session, world.user(session, "reviewer"))
    assert task["overdue"] is True  # it was late before the suspension
    sent = len(notifications_of(world.uow, case_id))
    clock.set("2026-10-21 09:00")
    world.act(resume_case, "head", case_id=case_id)
    [review] = deadlines_of(world.uow, case_id)
    assert review.paused_days == Calendar().working_days_between(date(2026, 10, 14), date(2026, 10, 21)) == 5
    assert review.due_on == date(2026, 10, 20)  # still past: late by the working days not suspended
    run_tick(world.uow)
    assert len(notifications_of(world.uow, case_id)) == sent  # the timers that fired before stay fired


def test_a_decided_case_cannot_be_suspended(world: World) -> None:
    from review_service.decisions.operations import approve_decision

    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head2", case_id=case_id, data={"approve": True, "comment": "同意"})
    with pytest.raises(Conflict) as refused:
        world.act(suspend_case, "head", case_id=case_id, data=APPRAISAL)
    assert refused.value.details["rule"] == "ended"
