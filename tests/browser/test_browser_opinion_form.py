"""The opinion form in a real browser (issue 17 point 3): 暂存 on the server, the warning before the login
lapses, the draft and materials beside the points, fields that grow and appear when relevant, 其余各项无问题;
and the same form without JavaScript."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from review_service.web.review.opinion_fill import STANDARD_WORDING
from tests.browser.pages import log_in, notice, submit
from tests.browser.screens import DESKTOP, PHONE, open_context, shoot, sideways, wider_than_screen
from tests.fixtures.live_server import LiveServer

pytestmark = pytest.mark.browser

PROBLEM = "违法所得的计算仅有当事人陈述，缺少进货单据和销售台账印证。"
REMEDY = "补充调取进货单据和销售台账，重新核算违法所得"
CITATION = "《中华人民共和国行政处罚法》第四十条"
NOT_APPLICABLE = "本案拟作出的决定不涉及裁量基准所列情形。"


def _reviewer(browser: Any, live_server: LiveServer, viewport: dict[str, int]) -> Any:
    return open_context(browser, live_server, viewport).new_page()


def _signed_in(page: Any, case: str, live_server: LiveServer) -> str:
    page.goto("/login")
    log_in(page, "chen.jing")
    path = f"/cases/{live_server.cases[case]}/review"
    page.goto(path)
    return path


def _point(page: Any, key: str, name: str) -> Any:
    return page.locator(f"[name='points-{key}-{name}']")


def _finding(page: Any, key: str, value: str) -> Any:
    return page.locator(f"input[name='points-{key}-finding'][value='{value}']")


def test_the_opinion_form_on_a_wide_screen(browser: Any, live_server: LiveServer, screenshots: Path) -> None:
    page = _reviewer(browser, live_server, DESKTOP)
    page.clock.install()  # the idle timer runs on a clock this test moves
    path = _signed_in(page, "opinion_wide", live_server)

    # the draft and the materials beside the points
    aside, points = page.locator(".opinion-sources").bounding_box(), page.locator(".opinion-points").bounding_box()
    assert aside["x"] + aside["width"] <= points["x"] and aside["y"] < points["y"] + 50
    assert page.locator("details.source[open]").count() == 2
    expect(page.locator(".opinion-sources")).to_contain_text("违法事实")
    expect(page.locator(".opinion-sources")).to_contain_text("案件调查终结报告")

    # 依据/修改要求 only for 存在问题, 理由 only for 不适用
    assert not _point(page, "facts_clear", "citations").is_visible()
    assert not _point(page, "facts_clear", "reason").is_visible()
    _finding(page, "facts_clear", "problem").check()
    expect(_point(page, "facts_clear", "citations")).to_be_visible()
    expect(_point(page, "facts_clear", "remedy")).to_be_visible()
    assert not _point(page, "facts_clear", "reason").is_visible()
    _finding(page, "discretion_appropriate", "not_applicable").check()
    expect(_point(page, "discretion_appropriate", "reason")).to_be_visible()
    assert not _point(page, "discretion_appropriate", "citations").is_visible()

    # a textarea grows with its text
    opinion = _point(page, "facts_clear", "opinion")
    before = opinion.bounding_box()["height"]
    opinion.fill("\n".join([PROBLEM] * 6))
    assert opinion.bounding_box()["height"] > before + 40
    opinion.fill(PROBLEM)
    _point(page, "facts_clear", "citations").fill(CITATION)
    _point(page, "facts_clear", "remedy").fill(REMEDY)
    _point(page, "discretion_appropriate", "reason").fill(NOT_APPLICABLE)
    _point(page, "discretion_appropriate", "opinion").fill("经审查，本案不适用裁量基准。")

    # 其余各项无问题: the eight untouched points, at once, still editable
    page.get_by_role("button", name="其余各项无问题").click()
    expect(page.locator("#draft-status")).to_contain_text("已为 8 个未填写的要点")
    assert _finding(page, "subject_legality", "ok").is_checked()
    assert _point(page, "subject_legality", "opinion").input_value() == STANDARD_WORDING["subject_legality"]
    assert _point(page, "criminal_transfer", "opinion").input_value() == STANDARD_WORDING["criminal_transfer"]
    assert _finding(page, "facts_clear", "problem").is_checked() and opinion.input_value() == PROBLEM
    _point(page, "within_authority", "opinion").fill("经审查，处罚权限有《市场监督管理行政处罚程序规定》第十条为据。")
    page.locator("input[name='conclusion'][value='amend']").check()
    page.locator("[name='summary']").fill("违法所得的认定证据不足，请补充后重新报送。")

    # 暂存 keeps the page; a reload brings everything back from the server
    page.get_by_role("button", name="暂存", exact=True).click()
    expect(page.locator("#draft-status")).to_contain_text("审核意见已暂存")
    assert page.url.endswith(path)
    page.reload()
    expect(page.locator("#draft-status")).to_contain_text("已恢复您于")
    assert opinion.input_value() == PROBLEM and _point(page, "facts_clear", "remedy").input_value() == REMEDY
    assert _point(page, "discretion_appropriate", "reason").input_value() == NOT_APPLICABLE
    assert _finding(page, "subject_legality", "ok").is_checked()
    assert page.locator("#restore-offer").is_hidden()  # the tab's copy is the server's: nothing to offer
    page.evaluate("window.scrollTo(0, 0)")  # the sources stick beside the points: shot from the top
    shoot(page, screenshots, "opinion-form")

    # five minutes before the 30-minute idle timeout: a warning that lets the reviewer go on
    warning = page.locator("#session-warning")
    assert warning.is_hidden()
    page.clock.fast_forward("25:30")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("登录将于")
    shoot(page, screenshots, "opinion-session-warning")
    page.get_by_role("button", name="继续填写（延长登录）").click()
    expect(warning).to_be_hidden()
    expect(page.locator("#draft-status")).to_contain_text("登录已延长")
    # unattended with unsaved work a minute before the end: the work goes to the server by itself
    _point(page, "documents_complete", "opinion").fill("经审查，本案行政执法文书齐全，送达回证完整。")
    page.clock.fast_forward("29:10")
    expect(page.locator("#draft-status")).to_contain_text("已自动暂存")
    expect(warning).to_be_hidden()
    # nothing unsaved and nobody there: the page says the login has lapsed (and keeps a copy in the tab)
    page.clock.fast_forward("30:10")
    expect(page.locator("#session-expired")).to_be_visible()
    shoot(page, screenshots, "opinion-session-expired")

    response = submit(page, "提交审核意见")
    assert response.status == 200 and page.url.endswith(path.removesuffix("/review")), notice(page)
    page.context.close()


def test_the_opinion_form_on_a_phone(browser: Any, live_server: LiveServer, screenshots: Path) -> None:
    page = _reviewer(browser, live_server, PHONE)
    _signed_in(page, "opinion_narrow", live_server)
    assert sideways(page) == 0, wider_than_screen(page)
    # the draft and the materials fold above the points
    assert page.locator("details.source[open]").count() == 0
    sources, points = page.locator(".opinion-sources").bounding_box(), page.locator(".opinion-points").bounding_box()
    assert sources["y"] + sources["height"] <= points["y"] + 1
    page.locator("details.source summary").first.click()
    expect(page.locator(".opinion-sources")).to_contain_text("违法事实")
    page.locator("details.source summary").first.click()
    _finding(page, "evidence_sufficient", "problem").check()
    _point(page, "evidence_sufficient", "opinion").fill(PROBLEM)
    page.get_by_role("button", name="暂存", exact=True).click()
    expect(page.locator("#draft-status")).to_contain_text("审核意见已暂存")
    assert sideways(page) == 0, wider_than_screen(page)
    shoot(page, screenshots, "opinion-form")
    # typed after the 暂存, then the page is left (a lapsed login, a reload): the tab's copy is offered back
    _point(page, "facts_clear", "opinion").fill("尚未暂存的一段意见。")
    page.wait_for_timeout(800)  # the copy is written 0.6 s after the last keystroke
    page.reload()
    offer = page.locator("#restore-offer")
    expect(offer).to_be_visible()
    assert _point(page, "facts_clear", "opinion").input_value() != "尚未暂存的一段意见。"  # the server's 暂存
    assert sideways(page) == 0, wider_than_screen(page)
    shoot(page, screenshots, "opinion-restore-offer")
    offer.get_by_role("button", name="恢复这些内容").click()
    assert _point(page, "facts_clear", "opinion").input_value() == "尚未暂存的一段意见。"
    assert _point(page, "evidence_sufficient", "opinion").input_value() == PROBLEM
    expect(offer).to_be_hidden()
    page.context.close()


def test_without_javascript_the_form_still_works(browser: Any, live_server: LiveServer) -> None:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", java_script_enabled=False,
                                  viewport=DESKTOP)
    context.set_default_timeout(10_000)  # as the session's contexts (tests/browser/conftest.py)
    page = context.new_page()
    _signed_in(page, "opinion_narrow", live_server)
    # every field is shown, whatever the finding
    assert _point(page, "facts_clear", "citations").is_visible() and _point(page, "facts_clear", "reason").is_visible()
    _finding(page, "evidence_sufficient", "problem").check()
    _point(page, "evidence_sufficient", "opinion").fill(PROBLEM)
    _point(page, "facts_clear", "opinion").fill("")
    submit(page, "其余各项无问题")
    assert _point(page, "facts_clear", "opinion").input_value() == STANDARD_WORDING["facts_clear"]
    assert _point(page, "evidence_sufficient", "opinion").input_value() == PROBLEM  # touched: kept
    response = submit(page, page.get_by_role("button", name="暂存", exact=True))
    assert response.status == 200 and "审核意见已暂存" in notice(page)
    assert _point(page, "facts_clear", "opinion").input_value() == STANDARD_WORDING["facts_clear"]
    context.close()


def test_the_assistance_beside_the_points(browser: Any, live_server: LiveServer, screenshots: Path) -> None:
    """办案参考 (issue 20) in a real browser: the draft's legal basis unfolds to the article's text from the law
    library, and 选用 puts the agency's wording into the point's opinion (the reviewer chooses)."""
    page = _reviewer(browser, live_server, DESKTOP)
    _signed_in(page, "opinion_assist", live_server)
    panel = page.locator("section.assist")
    expect(panel.get_by_text("法律法规规定")).to_be_visible()
    citation = panel.locator("details.citation").first
    citation.locator("summary").click()
    expect(citation.locator(".article-text")).to_contain_text("生产、销售不符合保障人体健康")
    suggest = page.locator("#point-facts_clear details.suggest")
    suggest.locator("summary").click()
    suggest.get_by_role("button", name="选用").first.click()
    expect(_point(page, "facts_clear", "opinion")).to_have_value(
        "经查，当事人的违法事实有现场检查笔录、询问笔录和检验报告相互印证，事实清楚。")
    shoot(page, screenshots, "opinion-assist-wide")
