"""Once major, always under the gate, in a real browser: the lowered draft needs a confirmed downgrade."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.browser.pages import notice, submit
from tests.fixtures.live_server import LiveServer


def test_a_lowered_draft_is_decided_without_review_only_after_a_confirmed_downgrade(
        live_server: LiveServer, user_page: Callable[[str], Any], screenshots: Path) -> None:
    case_id = live_server.cases["lowered"]
    handler = user_page("zhang.wei")
    handler.goto(f"/cases/{case_id}")
    gate = handler.locator("#gate")
    assert "本案曾按重大执法决定报送法制审核" in gate.inner_text()
    assert "当前草稿仍须经法制审核同意" in gate.inner_text()
    with handler.expect_navigation():
        gate.get_by_role("link", name="申请确认降级").click()
    response = submit(handler, "提交降级申请")  # no reasons: refused, nothing written
    assert response.status == 422 and "必填" in notice(handler)
    handler.locator("[name='reasons']").fill("罚款已降至十万元以下，不属于目录清单所列情形")
    submit(handler, "提交降级申请")
    assert "降级申请已提交" in notice(handler)

    lead = user_page("zhao.min")
    lead.goto("/todo")
    assert lead.locator("table.todo tbody tr").filter(has_text="退回后降低罚款案").count() == 1
    lead.goto(f"/cases/{case_id}/downgrade/decide")
    assert "罚款已降至十万元以下" in lead.inner_text("main")
    lead.locator("input[name='confirm'][value='yes']").check()
    lead.locator("[name='reasons']").fill("经核，罚款数额已依裁量基准调整，同意降级")
    submit(lead, "提交确认意见")
    assert "已作出降级确认意见" in notice(lead)
    assert "已经法制审核机构负责人确认降级" in lead.locator("#gate").inner_text()
    lead.screenshot(path=str(screenshots / "gate-downgrade-confirmed.png"), full_page=True)
