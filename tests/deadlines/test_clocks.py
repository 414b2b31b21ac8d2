"""The clocks as the law counts them (issue 19), on the 2026 official calendar (国办发明电〔2025〕7号, as the
``chinesecalendar`` package carries it): 春节 2026-02-15 … 02-23 off, 调休 Saturdays 02-14 and 02-28 worked.

Each test names its source. Dates: a deadline of n working days ends on the n-th working day after its start
day (行政处罚法 art. 85, DESIGN.md §8); the art. 60 limit counts calendar days.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from review_service.audit.models import AuditEvent
from review_service.cases.operations import supplement_materials
from review_service.cases.suspension import resume_case, suspend_case
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.deadlines.decision_limit import compute, decision_limit_of
from review_service.deadlines.limit_operations import extend_decision_limit, record_excluded_period
from review_service.deadlines.models import ClockPause
from review_service.deadlines.operations import decide_review_extension, extend_review, request_review_extension
from review_service.deadlines.publicity_exemption import warning_only
from review_service.deadlines.review_period import sub_deadline
from review_service.decisions.operations import approve_decision
from review_service.organization.models import Agency
from review_service.organization.settings import AgencySettings
from review_service.review.operations import assign_reviewer, record_intake
from tests.fixtures.clock import Clock
from tests.fixtures.deadlines import deadlines_of
from tests.fixtures.world import MAJOR_DRAFT, World

FILED_JAN = {**copy.deepcopy(MAJOR_DRAFT), "filed_on": "2026-01-10"}


def _settings(world: World, **values: Any) -> None:
    with world.uow() as session:
        agency = session.get(Agency, world.user(session, "handler").agency_id)
        assert agency is not None
        agency.settings = {**(agency.settings or {}), **values}


def _actions(world: World, case_id: int) -> list[str]:
    with world.uow() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id)
                                    .order_by(AuditEvent.seq)))


def _pauses(world: World, case_id: int) -> list[tuple[str, str, date, date | None, int | None]]:
    with world.uow() as session:
        return [(p.clock, p.cause, p.started_on, p.ended_on, p.days) for p in session.scalars(
            select(ClockPause).where(ClockPause.case_id == case_id).order_by(ClockPause.id))]


def _limit(world: World, case_id: int, today: date) -> date:
    with world.uow() as session:
        from review_service.cases.models import Case

        case = session.get(Case, case_id)
        limit = decision_limit_of(session, case, today)
        assert limit is not None
        return limit.limit_on


def _assign(world: World, case_id: int) -> None:
    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"])
    world.declare(case_id, "reviewer")


# --- the review period --------------------------------------------------------------------------------------------


def test_the_review_period_starts_on_receipt_not_on_intake(world: World, clock: Clock) -> None:
    """广东省重大行政执法决定法制审核办法 style 自收到送审材料之日起 5 个工作日 (DESIGN.md §8; issue 19):
    counted from the submission's arrival, across 春节 2026 and the 调休 Saturday 02-14, not from the intake."""
    clock.set("2026-02-12 10:00")  # Thursday: the review body receives the materials
    case_id = world.submitted(FILED_JAN)
    [review] = deadlines_of(world.uow, case_id)
    assert (review.kind, review.start_on, review.due_on, review.task_id) == ("review", date(2026, 2, 12),
                                                                             date(2026, 2, 26), None)
    clock.set("2026-02-13 09:00")
    _assign(world, case_id)
    clock.set("2026-02-24 09:00")  # the first working day after the holiday
    world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    [review] = deadlines_of(world.uow, case_id)
    # 02-13, 02-14 (调休), 02-24, 02-25, 02-26 — from the intake it would have been 03-02
    assert (review.start_on, review.due_on, review.state) == (date(2026, 2, 12), date(2026, 2, 26), "open")
    assert review.task_id == world.case(case_id).current_task_id and review.owner_id == world.ids["reviewer"]


@pytest.mark.parametrize(("kind", "assigned", "due"), [
    ("assign", None, date(2026, 2, 13)),  # 1 working day after receipt (02-12)
    ("intake", date(2026, 2, 13), date(2026, 2, 14)),  # 1 working day after assignment: the 调休 Saturday
    ("intake", date(2026, 2, 14), date(2026, 2, 24)),  # assigned on the Saturday: after the Spring Festival
])
def test_assignment_and_intake_are_timed_inside_the_period(world: World, kind: str, assigned: date | None,
                                                           due: date) -> None:
    """Issue 19: 分配 and 受理审查 are sub-deadlines of the review period (default 1 working day each, settings
    ``assignment_working_days`` / ``intake_working_days``), never past the period's own due day."""
    from review_service.calendar.days import Calendar
    from review_service.deadlines.models import Deadline

    review = Deadline(kind="review", start_on=date(2026, 2, 12), working_days=5, paused_days=0,
                      due_on=date(2026, 2, 26), provisional=False)
    rules = AgencySettings()
    sub = sub_deadline(kind, review, assigned, Calendar(), rules)
    assert sub is not None and sub.due_on == due
    late = sub_deadline("intake", review, date(2026, 2, 26), Calendar(), rules)
    assert late is not None and late.due_on == date(2026, 2, 26)  # capped at the period's due day


@pytest.mark.parametrize(("restarts", "start", "due"), [
    (True, date(2026, 2, 25), date(2026, 3, 3)),  # 收到完整材料之日起: 02-26, 02-27, 02-28 (调休), 03-02, 03-03
    (False, date(2026, 2, 12), date(2026, 3, 2)),  # paused 3 working days (02-14, 02-24, 02-25): 5 + 3 from 02-12
])
def test_a_supplement_completing_the_materials(world: World, clock: Clock, restarts: bool, start: date,
                                               due: date) -> None:
    """Issue 19: an intake finding the materials incomplete stops the period until the supplement arrives
    (补充材料时间不计入审核期限); by default the period counts anew from the supplement (收到完整材料之日),
    or goes on by the paused working days (``review_restarts_on_supplement``: false)."""
    _settings(world, review_restarts_on_supplement=restarts)
    clock.set("2026-02-12 10:00")
    case_id = world.submitted(FILED_JAN)
    _assign(world, case_id)
    clock.set("2026-02-13 10:00")
    world.act(record_intake, "reviewer", case_id=case_id, complete=False, missing=["现场检查笔录"])
    [review] = deadlines_of(world.uow, case_id)
    assert review.paused_on == date(2026, 2, 13) and review.state == "open"
    clock.set("2026-02-25 10:00")
    world.act(supplement_materials, "handler", case_id=case_id, note="已补充")
    assert _pauses(world, case_id) == [("review", "materials_requested", date(2026, 2, 13), date(2026, 2, 25), 3)]
    clock.set("2026-02-26 10:00")
    world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    [review] = deadlines_of(world.uow, case_id)
    assert (review.start_on, review.due_on, review.paused_on) == (start, due, None)
    assert {"deadline_paused", "deadline_resumed"} <= set(_actions(world, case_id))


# --- the extension ------------------------------------------------------------------------------------------------


def test_extension_requested_refused_requested_again_approved_only_once(world: World, clock: Clock) -> None:
    """DESIGN.md §8 (Guangdong: +3 working days once); issue 19: a reason code and the approval of the role the
    agency configures (default the head in charge, 分管负责人); the requester never approves."""
    clock.set("2026-02-10 10:00")  # Tuesday: due 02-24 (02-11, 02-12, 02-13, 02-14 调休, 02-24)
    case_id = world.in_review(FILED_JAN)
    with pytest.raises(Invalid):
        world.act(request_review_extension, "reviewer", case_id=case_id, data={"days": 2, "reason_code": "bored"})
    world.act(request_review_extension, "reviewer", case_id=case_id,
              data={"days": 3, "reason_code": "expert_opinion", "reason": "需请质检机构论证"})
    with pytest.raises(Conflict):  # one pending request at a time
        world.act(extend_review, "lead", case_id=case_id, data={"days": 1, "reason_code": "complex"})
    with pytest.raises(Forbidden):
        world.act(decide_review_extension, "reviewer", case_id=case_id, data={"approve": True})
    world.act(decide_review_extension, "head", case_id=case_id, data={"approve": False, "comment": "理由不足"})
    [review] = deadlines_of(world.uow, case_id)
    assert (review.due_on, review.extension_days) == (date(2026, 2, 24), 0)
    world.act(extend_review, "lead", case_id=case_id, data={"days": 3, "reason_code": "complex"})
    world.act(decide_review_extension, "head2", case_id=case_id, data={"approve": True})
    [review] = deadlines_of(world.uow, case_id)
    assert (review.due_on, review.extension_days, review.extension_reason) == (date(2026, 2, 27), 3, "案情复杂")
    with pytest.raises(Conflict):
        world.act(request_review_extension, "reviewer", case_id=case_id, data={"days": 1, "reason_code": "complex"})
    actions = _actions(world, case_id)
    assert actions.count("review_extension_requested") == 2 and "review_extension_refused" in actions


def test_an_agency_may_let_its_review_lead_extend_at_once(world: World, clock: Clock) -> None:
    """Places differ (辽宁 7 + 3 by the review body itself): ``review_extension_approver_role`` = review_lead."""
    _settings(world, review_extension_approver_role="review_lead")
    clock.set("2026-02-10 10:00")
    case_id = world.in_review(FILED_JAN)
    world.act(extend_review, "lead", case_id=case_id, data={"days": 2, "reason_code": "further_investigation"})
    [review] = deadlines_of(world.uow, case_id)
    assert (review.due_on, review.extended_by) == (date(2026, 2, 26), world.ids["lead"])


# --- art. 60 ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("extensions", "excluded", "paused", "limit"), [
    ((), (), (), date(2026, 4, 10)),  # 九十日 from 2026-01-10, calendar days: the holiday changes nothing
    ((30,), (), (), date(2026, 5, 10)),
    ((30, 30), (), (), date(2026, 6, 9)),
    # 听证 02-01…02-03 and 送达 02-02…02-05 overlap: 5 days, each once
    ((30, 30), ((date(2026, 2, 1), date(2026, 2, 3)), (date(2026, 2, 2), date(2026, 2, 5))), (), date(2026, 6, 14)),
    # and a 中止 from 03-01 to 03-04 (the day it stopped not counted): 3 more
    ((30, 30), ((date(2026, 2, 1), date(2026, 2, 5)),), ((date(2026, 3, 1), date(2026, 3, 4)),), date(2026, 6, 17)),
])
def test_art_60_counts_calendar_days_with_extensions_and_excluded_periods(
        extensions: tuple[int, ...], excluded: tuple[tuple[date, date], ...],
        paused: tuple[tuple[date, date], ...], limit: date) -> None:
    """行政处罚法 第六十条 (九十日 from 立案; art. 85 makes only 二、三、五、七日 working days);
    市场监督管理行政处罚程序规定 art. 64: extensions of 30 days, and 中止、听证、公告、检测、检验、鉴定 … 不计入."""
    result = compute(date(2026, 1, 10), 90, extensions, excluded, paused, date(2026, 3, 10))
    assert result.limit_on == limit


def test_art_60_extensions_need_the_approvals_the_law_names(world: World, clock: Clock) -> None:
    """行政处罚法 第六十条 / 市场监督管理行政处罚程序规定 art. 64: the first extension on the agency head's approval
    (经本机关负责人批准), the second on the 上一级行政机关's (its name and 批准文号 recorded); no third."""
    clock.set("2026-02-10 10:00")
    case_id = world.in_review(FILED_JAN)
    assert _limit(world, case_id, date(2026, 2, 10)) == date(2026, 4, 10)
    with pytest.raises(Forbidden):
        world.act(extend_decision_limit, "handler", case_id=case_id, data={"reason": "案情复杂"})
    world.act(extend_decision_limit, "head", case_id=case_id, data={"reason": "案情复杂"})
    with pytest.raises(Invalid) as missing:
        world.act(extend_decision_limit, "head", case_id=case_id, data={"reason": "仍需鉴定"})
    assert set(missing.value.details["fields"]) == {"approver", "approval_document"}
    with pytest.raises(Invalid):
        world.act(extend_decision_limit, "head", case_id=case_id,
                  data={"reason": "仍需鉴定", "days": 31, "approver": "陕西省市场监督管理局",
                        "approval_document": "陕市监函〔2026〕8号"})
    world.act(extend_decision_limit, "head", case_id=case_id,
              data={"reason": "仍需鉴定", "approver": "陕西省市场监督管理局",
                    "approval_document": "陕市监函〔2026〕8号"})
    with pytest.raises(Conflict):
        world.act(extend_decision_limit, "head", case_id=case_id, data={"reason": "再延"})
    world.act(record_excluded_period, "handler", case_id=case_id,
              data={"kind": "hearing", "start_on": "2026-02-02", "end_on": "2026-02-04", "note": "听证会"})
    with pytest.raises(Invalid):
        world.act(record_excluded_period, "handler", case_id=case_id,
                  data={"kind": "other", "start_on": "2026-02-05", "end_on": "2026-02-06"})
    assert _limit(world, case_id, date(2026, 2, 10)) == date(2026, 6, 12)  # 04-10 + 60 + 3
    [review] = deadlines_of(world.uow, case_id)
    assert review.limit_on == date(2026, 6, 12) and review.beyond_limit is False


# --- 中止 --------------------------------------------------------------------------------------------------------


def test_suspension_pauses_every_clock_across_the_spring_festival(world: World, clock: Clock) -> None:
    """行政处罚法 art. 60 and 市场监督管理行政处罚程序规定 art. 47/64 (中止 not counted); issue 19: every running clock
    stops, each pause is dated, and resuming moves each by its own days — working days for the review period,
    calendar days for art. 60."""
    clock.set("2026-02-10 10:00")  # review due 02-24; art. 60 limit 04-10
    case_id = world.in_review(FILED_JAN)
    clock.set("2026-02-12 15:00")
    world.act(suspend_case, "head", case_id=case_id, data={"reason": "appraisal", "reason_text": "产品送检"})
    clock.set("2026-02-25 09:00")
    world.act(resume_case, "head", case_id=case_id, data={"note": "检验报告已出具"})
    # working days after 02-12 up to 02-25: 02-13, 02-14 (调休), 02-24, 02-25 → 4; 13 calendar days
    assert _pauses(world, case_id) == [("review", "suspended", date(2026, 2, 12), date(2026, 2, 25), 4),
                                       ("decision_limit", "suspended", date(2026, 2, 12), date(2026, 2, 25), 13)]
    [review] = deadlines_of(world.uow, case_id)
    # 9 working days after 02-10: 11, 12, 13, 14, 24, 25, 26, 27, 28 — the 调休 Saturday
    assert (review.due_on, review.paused_days, review.paused_on) == (date(2026, 2, 28), 4, None)
    assert _limit(world, case_id, date(2026, 2, 25)) == date(2026, 4, 23)
    assert review.limit_on == date(2026, 4, 23)


def test_suspension_while_materials_are_awaited_counts_the_overlap_once(world: World, clock: Clock) -> None:
    """Issue 19: two causes stopping one clock (补充材料, then 中止): the period stands still until both ended."""
    _settings(world, review_restarts_on_supplement=False)
    clock.set("2026-02-10 10:00")
    case_id = world.submitted(FILED_JAN)
    _assign(world, case_id)
    world.act(record_intake, "reviewer", case_id=case_id, complete=False, missing=["送达回证"])
    clock.set("2026-02-12 10:00")
    world.act(suspend_case, "head", case_id=case_id, data={"reason": "force_majeure"})
    clock.set("2026-02-13 10:00")
    world.act(resume_case, "head", case_id=case_id)
    [review] = deadlines_of(world.uow, case_id)
    assert review.paused_on == date(2026, 2, 10)  # still waiting for the materials
    clock.set("2026-02-24 10:00")
    world.act(supplement_materials, "handler", case_id=case_id)
    [review] = deadlines_of(world.uow, case_id)
    # stood still from 02-10 to 02-24: 02-11, 02-12, 02-13, 02-14, 02-24 → 5 working days, counted once;
    # 5 + 5 after 02-10: … 02-27, 02-28 (调休), 03-02
    assert (review.paused_days, review.due_on) == (5, date(2026, 3, 2))


# --- publicity ----------------------------------------------------------------------------------------------------


WARNING_ONLY = {**copy.deepcopy(FILED_JAN), "counterparty": {"kind": "individual", "name": "李某"},
                "proposed_decision": {"summary": "警告", "warning": True}}


@pytest.mark.parametrize(("proposed", "exempt"), [
    ({"summary": "警告", "warning": True}, True),
    ({"summary": "警告，罚款", "warning": True, "fine_amount": "2000.00"}, False),
    ({"summary": "警告，没收", "warning": True, "confiscation_amount": "0.00"}, True),
    ({"summary": "罚款", "fine_amount": "2000.00"}, False),
])
def test_warning_only_is_recognised(proposed: dict[str, Any], exempt: bool) -> None:
    """行政处罚法 art. 48 (具有一定社会影响的行政处罚决定应当依法公开); 总局令 45 号 art. 2 style: 警告 alone
    is exempt."""
    assert warning_only({"decision_type": "administrative_penalty", "proposed_decision": proposed}) is exempt


def test_a_warning_only_decision_plans_no_publication(world: World, clock: Clock) -> None:
    """行政处罚法 art. 48; 总局令 45 号: a decision of 警告 alone needs no publication — no publish deadline, the
    exemption audited (publication_exempted) with its reason."""
    clock.set("2026-03-02 10:00")
    case_id = world.submitted(WARNING_ONLY)
    assert world.case(case_id).current_task == "approve"  # not major: straight to the head
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    assert [d.kind for d in deadlines_of(world.uow, case_id)] == []
    assert "publication_exempted" in _actions(world, case_id)


def test_a_decision_type_the_agency_lists_plans_no_publication(world: World, clock: Clock) -> None:
    """Places differ: ``publicity_exempt_decision_types`` lists the kinds the agency's own rules exempt."""
    _settings(world, publicity_exempt_decision_types=["administrative_penalty"])
    clock.set("2026-03-02 10:00")
    case_id = world.in_review(FILED_JAN)
    from review_service.review.operations import submit_opinion
    from tests.fixtures.world import opinion

    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    assert [d.kind for d in deadlines_of(world.uow, case_id)] == ["review"]
    assert "publication_exempted" in _actions(world, case_id)
