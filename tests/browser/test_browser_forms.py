"""Forms that go wrong as a person would want: a failing opinion keeps its input; a late second submit is a conflict."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from review_service.review.points import TEN_POINTS
from tests.browser.pages import fill_opinion, notice, open_task, submit
from tests.browser.seed import IN_REVIEW
from tests.fixtures.live_server import LiveServer

pytestmark = pytest.mark.browser

SUMMARY = "货值金额的认定依据不足，请补充证据后重新报送。"


def test_a_failing_opinion_form_keeps_what_was_typed(user_page: Callable[[str], Any], screenshots: Path) -> None:
    page = user_page("chen.jing")
    open_task(page, IN_REVIEW["opinion_form"], "法制审核")
    keys = list(TEN_POINTS)
    missing = keys[-1]  # criminal_transfer: chosen, but no opinion written
    fill_opinion(page, dict.fromkeys(keys, "ok"), conclusion="amend", summary=SUMMARY)
    page.locator(f"[name='points-{missing}-opinion']").fill("")
    # one problem without its legal provisions or remedy, one complete problem
    evidence_opinion = "货值金额仅有当事人陈述，缺少书证印证。"
    page.locator("input[name='points-evidence_sufficient-finding'][value='problem']").check()
    page.locator("[name='points-evidence_sufficient-opinion']").fill(evidence_opinion)
    fill_opinion(page, {"facts_clear": "problem"}, conclusion=None)

    response = submit(page, "提交审核意见")
    assert response.status == 422
    assert "审核意见不完整" in notice(page)
    # the reasons stand next to the fields they are about …
    problem = " ".join(page.locator("#point-evidence_sufficient .fielderr").all_inner_texts())
    assert "法律条款" in problem and "修改要求" in problem
    assert "审核意见" in " ".join(page.locator(f"#point-{missing} .fielderr").all_inner_texts())
    assert page.locator("#point-facts_clear .fielderr").count() == 0
    # … and everything typed is still there
    assert page.locator("[name='points-evidence_sufficient-opinion']").input_value() == evidence_opinion
    assert page.locator("input[name='points-evidence_sufficient-finding'][value='problem']").is_checked()
    remedy = page.locator("[name='points-facts_clear-remedy']").input_value()
    assert remedy == "补充调取进货单据和销售台账，核实货值金额"
    assert page.locator(f"[name='points-{keys[0]}-opinion']").input_value().startswith("经审查")
    assert page.locator("input[name='conclusion'][value='amend']").is_checked()
    assert page.locator("[name='summary']").input_value() == SUMMARY
    page.screenshot(path=str(screenshots / "opinion-form-errors.png"), full_page=True)
    assert "法制审核中" in page.inner_text(".casehead")  # nothing changed

    # completing only what was missing is enough
    page.locator("[name='points-evidence_sufficient-citations']").fill("《中华人民共和国行政处罚法》第四十条")
    page.locator("[name='points-evidence_sufficient-remedy']").fill("补充调取进货单据，核实货值金额")
    page.locator(f"[name='points-{missing}-opinion']").fill("经审查，不涉嫌犯罪，无须移送司法机关。")
    submit(page, "提交审核意见")
    assert "审核意见已提交" in notice(page)
    assert "待书面回复" in page.inner_text(".casehead")


def test_the_second_of_two_submits_of_the_same_task_sees_a_conflict(user_page: Callable[[str], Any],
                                                                     live_server: LiveServer) -> None:
    case_id = live_server.cases["conflict"]
    # the assigned reviewer's task open in two browsers (two sessions), both forms filled in
    first, second = user_page("chen.jing"), user_page("chen.jing")
    for page, conclusion in ((first, "approve"), (second, "amend")):
        page.goto(f"/cases/{case_id}/review")
        findings = dict.fromkeys(TEN_POINTS, "ok")
        if conclusion == "amend":
            findings["discretion_appropriate"] = "problem"
        fill_opinion(page, findings, conclusion=conclusion, summary=f"{conclusion} 的审核意见")

    submit(first, "提交审核意见")
    assert "审核意见已提交" in notice(first)

    response = submit(second, "提交审核意见")
    assert response.status == 409
    conflict = second.locator(".notice.conflict")
    assert conflict.count() == 1
    assert "操作未生效" in conflict.inner_text()
    # the fresh state: the first opinion (approve) stands, the second was not written
    assert "待负责人审批" in second.inner_text(".casehead")
    rounds = second.inner_text("#rounds")
    assert rounds.count("第 1 轮审核意见") == 1
    assert "approve 的审核意见" in rounds and "amend 的审核意见" not in rounds
