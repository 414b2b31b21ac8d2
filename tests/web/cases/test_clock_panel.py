"""The case page's clocks (issue 19): the art. 60 limit at every step (deadlines panel and step bar), the
sub-deadlines of assignment and intake, the dated pauses, the excluded periods, and the publicity exemption."""

from __future__ import annotations

import copy
from typing import Any

import time_machine

from review_service.cases.operations import submit_case
from review_service.cases.suspension import resume_case, suspend_case
from review_service.core.clock import BEIJING
from review_service.deadlines.limit_operations import record_excluded_period
from review_service.decisions.operations import approve_decision
from review_service.review.operations import assign_reviewer, record_intake, submit_opinion
from tests.fixtures.world import MAJOR_DRAFT, opinion

FILED = {**copy.deepcopy(MAJOR_DRAFT), "filed_on": "2026-01-10"}


def _at(text: str) -> Any:
    from datetime import datetime

    return time_machine.travel(datetime.fromisoformat(text).replace(tzinfo=BEIJING), tick=False)


def test_art_60_is_flagged_at_every_step(as_user: Any, web_world: Any) -> None:
    """行政处罚法 第六十条 (九十日, calendar days): shown from the draft to the decision, not only on the review."""
    world = web_world
    with _at("2026-02-10 10:00"):  # limit 2026-04-10: 59 days left
        case_id = world.new_case(FILED)
        page = as_user("handler").text(f"/cases/{case_id}")
        assert "第六十条" in page and "剩余 59 日" in page and "2026年4月10日" in page
        world.act(submit_case, "handler", case_id=case_id, attest=True)
        page = as_user("lead").text(f"/cases/{case_id}")
        assert "办案期限（《行政处罚法》第六十条）" in page and "剩余 59 日" in page
        assert "分配审核人员" in page and "计入法制审核期限" in page  # the sub-deadline of the review period
        world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"])
        world.declare(case_id, "reviewer")
        assert "受理审查" in as_user("reviewer").text(f"/cases/{case_id}")
        world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    with _at("2026-04-12 10:00"):
        page = as_user("reviewer").text(f"/cases/{case_id}")
        assert "已超期 2 日" in page


def test_pauses_and_excluded_periods_are_listed_with_dates(as_user: Any, web_world: Any) -> None:
    """Issue 19 / 市场监督管理行政处罚程序规定 art. 64: each pause and resume, each excluded period, dated."""
    world = web_world
    with _at("2026-02-10 10:00"):
        case_id = world.in_review(FILED)
    with _at("2026-02-12 15:00"):
        world.act(suspend_case, "head", case_id=case_id, data={"reason": "appraisal", "reason_text": "产品送检"})
        page = as_user("reviewer").text(f"/cases/{case_id}")
        assert "暂停计算" in page and "案件中止" in page and "暂停中" in page
    with _at("2026-02-25 09:00"):
        world.act(resume_case, "head", case_id=case_id, data={"note": "检验报告已出具"})
        world.act(record_excluded_period, "handler", case_id=case_id,
                  data={"kind": "service", "start_on": "2026-02-02", "end_on": "2026-02-04", "note": "公告送达"})
        page = as_user("reviewer").text(f"/cases/{case_id}")
    assert "2026年2月25日 恢复计算，期限顺延 4 个工作日" in page
    assert "期限顺延 13 日（第六十条办案期限）" in page
    assert "送达：2026年2月2日 至 2026年2月4日（3 日）" in page
    assert "不计入期间 16 日" in page  # 13 suspended + 3 excluded


def test_a_warning_only_decision_shows_no_publication_needed(as_user: Any, web_world: Any) -> None:
    """行政处罚法 art. 48; 总局令 45 号: 公开：依规定无需公开（仅警告）."""
    world = web_world
    draft = {**copy.deepcopy(FILED), "counterparty": {"kind": "individual", "name": "李某"},
             "proposed_decision": {"summary": "警告", "warning": True}}
    with _at("2026-03-02 10:00"):
        case_id = world.submitted(draft)
        world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
        page = as_user("handler").text(f"/cases/{case_id}")
    assert "公开：依规定无需公开（仅警告）" in page
    assert "警告" in page


def test_the_todo_api_rows_carry_the_art_60_limit(api: Any, world: Any) -> None:
    """待办 rows flag art. 60 too (issue 19), beside the review's own due date."""
    with _at("2026-02-10 10:00"):
        case_id = world.in_review(FILED)
        [task] = api.as_("reviewer").get("/tasks").get_json()
        assert task["case_id"] == str(case_id) and task["decision_limit"]["due_date"] == "2026-04-10"
        assert task["decision_limit"]["days_left"] == 59
        world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("facts_clear",)))
        [task] = api.as_("handler").get("/tasks").get_json()
        assert task["kind"] == "reply" and task["decision_limit"]["days_left"] == 59
        clocks = api.as_("handler").get(f"/cases/{case_id}/clocks").get_json()
        assert clocks["decision_limit"]["due_date"] == "2026-04-10" and clocks["pauses"] == []
