"""One major case through its whole lifecycle, by four people in four browsers, through the pages only.

Each finds the task in their 待办 and completes it through its form: the handler drafts,
uploads the materials and submits; the review lead assigns a reviewer; the reviewer takes the
case in and writes the ten-point opinion; the head approves. Screenshots of the to-do list,
the opinion form and the case page (with the process diagram) are saved for the reviewer of
the change (``test-artifacts/screenshots/``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from review_service.cases.flow import TASK_LABELS
from review_service.review.points import TEN_POINTS
from tests.browser.pages import fill_opinion, notice, open_task, submit

pytestmark = pytest.mark.browser

TITLE = "浏览器测试：某电器公司销售不合格电热水壶案"
MATERIALS = [("investigation_report", "案件调查终结报告", "report.txt"),
             ("evidence", "抽样检验报告、询问笔录", "evidence.txt"),
             ("decision_draft", "行政处罚决定书（草稿）", "decision.txt")]


def _watch_csp(page: Any, violations: list[str]) -> Any:
    """Collect the browser's Content-Security-Policy complaints (an inline script or style would cause one)."""
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    return page


def _create_draft(page: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name="新建案件").click()
    values = {
        "title": TITLE, "case_number": "西市监处〔2026〕808号", "filed_on": "2026-09-01",
        "counterparty-name": "西安某某电器有限公司", "counterparty-id_number": "91610100MA6XXXXXX8",
        "facts": "经查，当事人于2026年6月至8月期间销售经检验不合格的电热水壶共计1200台，货值金额六万元。",
        "proposed_decision-summary": "罚款人民币伍拾万元，没收违法所得",
        "proposed_decision-fine_amount": "500000.00", "proposed_decision-confiscation_amount": "12000.00",
        "legal_basis": "《中华人民共和国产品质量法》第四十九条",
        "discretion-benchmark": "陕西省市场监督管理行政处罚裁量权基准", "discretion-level": "较重",
    }
    page.locator("select[name=decision_type]").select_option("administrative_penalty")
    page.locator("select[name='counterparty-kind']").select_option("organization")
    for name, value in values.items():
        page.locator(f"[name='{name}']").fill(value)
    submit(page, "创建草稿")
    assert "案件草稿已创建" in notice(page)
    upload = page.locator("form[action$='/materials']")
    for kind, title, filename in MATERIALS:
        upload.locator("select[name=kind]").select_option(kind)
        upload.locator("[name=title]").fill(title)
        upload.locator("input[name=file]").set_input_files(
            {"name": filename, "mimeType": "text/plain", "buffer": f"{title}（{TITLE}）".encode()})
        submit(page, upload.get_by_role("button", name="上传"))
        assert "材料已上传" in notice(page), page.inner_text("main")[:500]


def test_a_major_case_through_its_whole_lifecycle(user_page: Callable[[str], Any], screenshots: Path) -> None:
    violations: list[str] = []

    # 承办人员: draft, materials, then the draft task from the to-do list: submit with the attestation
    handler = _watch_csp(user_page("zhang.wei"), violations)
    _create_draft(handler)
    open_task(handler, TITLE, "起草并报送")
    handler.locator("input[name=attest]").check()
    submit(handler, "报送")
    assert "/cases/" in handler.url
    assert "法制审核中" in handler.inner_text(".casehead")
    assert "重大执法决定" in handler.inner_text(".casehead")

    # 法制审核机构负责人: assign a qualified reviewer
    lead = _watch_csp(user_page("zhao.min"), violations)
    open_task(lead, TITLE, "分配审核人员")
    reviewer_id = lead.locator("select[name=reviewer_id] option", has_text="陈静").get_attribute("value")
    lead.locator("select[name=reviewer_id]").select_option(reviewer_id)
    submit(lead, "分配")
    assert "已分配审核人员" in notice(lead)

    # 法制审核人员: intake, then the ten-point opinion
    reviewer = _watch_csp(user_page("chen.jing"), violations)
    reviewer.goto("/todo")
    reviewer.screenshot(path=str(screenshots / "todo.png"), full_page=True)
    open_task(reviewer, TITLE, "受理审查")
    with reviewer.expect_navigation():  # 回避: no conflict of interest stated before intake
        reviewer.get_by_role("link", name="作出回避声明").click()
    reviewer.locator("input[name=declaration][value=no_conflict]").check()
    submit(reviewer, "提交回避声明")
    assert "回避声明已记录" in notice(reviewer)
    open_task(reviewer, TITLE, "受理审查")
    reviewer.locator("input[name=complete][value=yes]").check()
    submit(reviewer, "提交受理审查结果")
    open_task(reviewer, TITLE, "法制审核")
    fill_opinion(reviewer, dict.fromkeys(TEN_POINTS, "ok"), conclusion="approve",
                 summary="经审查，本案事实清楚、证据确凿、适用法律正确、程序合法、裁量适当，同意作出该决定。")
    submit(reviewer, "检查意见质量")  # the quality advice, shown before submitting; nothing is submitted yet
    assert reviewer.locator("[name='summary']").input_value().startswith("经审查")
    reviewer.screenshot(path=str(screenshots / "opinion-form.png"), full_page=True)
    submit(reviewer, "提交审核意见")
    reviewer.screenshot(path=str(screenshots / "case-awaiting-approval.png"), full_page=True)
    assert "审核意见已提交" in notice(reviewer)
    assert "待负责人审批" in reviewer.inner_text(".casehead")
    current = reviewer.locator(".diagram svg g[data-state=current]")
    assert current.get_attribute("data-element-id") == "approve"

    # 行政执法机关负责人: approve
    head = _watch_csp(user_page("zhou.jun"), violations)
    open_task(head, TITLE, "负责人审批")
    head.locator("input[name=approve][value=yes]").check()
    head.locator("[name=comment]").fill("同意审核意见，依法作出决定。")
    submit(head, "提交审批意见")
    head.screenshot(path=str(screenshots / "case.png"), full_page=True)
    assert "已作出决定" in head.inner_text(".casehead")
    diagram = head.locator(".diagram svg")
    done = {g.get_attribute("data-element-id") for g in diagram.locator("g[data-state=completed]").all()}
    assert {"draft", "assign", "intake", "review", "approve"} <= done
    # the process has ended at 作出决定 (a publicity task may follow, but it is not a step of the diagram)
    current = diagram.locator("g[data-state=current]")
    assert [g.get_attribute("data-element-id") for g in current.all()] == ["decided"]

    # no step of the review process is left in anyone's to-do list (publicity tasks may follow the decision)
    for page in (handler, lead, reviewer, head):
        page.goto("/todo")
        rows = page.locator("table.todo tbody tr").filter(has_text=TITLE).all()
        assert not [row for row in rows if row.locator("td").first.inner_text().strip() in TASK_LABELS.values()]
    assert violations == []
