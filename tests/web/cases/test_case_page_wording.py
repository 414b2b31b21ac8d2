"""Issue 17 point 6 without a browser: the case page and the accountability page name fields, people, times and
actions in Chinese, with hashes only inside the folded 校验信息 (the browser walk of every page is
``tests/browser/test_browser_language.py``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from review_service.cases.operations import update_draft
from review_service.core.actions import Action
from review_service.web.filters import ACTION_LABELS, in_words
from review_service.web.reads import field_label
from tests.fixtures.documents import full_lifecycle

CHECKSUM = re.compile(r'<details class="checksum">.*?</details>', re.S)


@pytest.fixture
def instance_path(tmp_path: Path) -> Path:
    path = tmp_path / "instance"
    path.mkdir(exist_ok=True)
    return path


def _visible(html: str) -> str:
    """The page's text outside the 校验信息 blocks (tags and scripts dropped)."""
    html = CHECKSUM.sub(" ", html)
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_every_audited_action_has_a_chinese_name() -> None:
    assert [a.value for a in Action if a not in ACTION_LABELS] == []


def test_draft_fields_and_domain_texts_read_in_chinese() -> None:
    assert field_label("discretion.benchmark") == "裁量基准"
    assert field_label("proposed_decision.fine_amount") == "罚款金额（元）"
    assert field_label("flags.public_interest") == "涉及重大公共利益"
    assert field_label("flags.someday_added") == "标注（其他内容）"
    assert str(in_words("审计日志含 case_created、decision_made 事件")) == "审计日志含 创建案件、作出决定 事件"
    assert "<code data-ascii-ok>review-service indicators figure set x_y …</code>" in str(
        in_words("尚未人工录入（review-service indicators figure set x_y …）"))


def test_the_case_page_shows_names_chinese_times_and_folds_its_hashes(as_user: Any, web_world: Any) -> None:
    draft_id = web_world.new_case()
    web_world.act(update_draft, "handler", case_id=draft_id,
                  changes={"discretion": {"benchmark": "陕西省市场监管行政处罚裁量基准（2026年修订）"}})
    diff = _visible(as_user("handler").text(f"/cases/{draft_id}"))
    diff = diff[diff.index("版本比较"):]
    assert "裁量基准" in diff and "discretion" not in diff  # the diff names the field in Chinese
    case_id = full_lifecycle(web_world)
    html = as_user("reviewer").text(f"/cases/{case_id}")
    shown = _visible(html)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", shown), re.findall(r"\b[a-z]+_[a-z_]+\b", shown)
    assert not re.search(r"#\d+|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\b[0-9a-f]{16,}\b", shown)
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", shown)  # the timeline's times
    timeline = shown[shown.index("审计时间线"):]
    assert "报送法制审核" in timeline and "（承办人员）" in timeline  # (people by name: the browser walk)
    assert re.search(r"第 \d+ 条：[0-9a-f]{64}", "".join(CHECKSUM.findall(html)))  # the chain's hashes, folded


def test_the_accountability_chain_reads_in_chinese(as_user: Any, web_world: Any) -> None:
    case_id = full_lifecycle(web_world)
    shown = _visible(as_user("head").text(f"/cases/{case_id}/accountability"))
    assert "所见草稿" in shown and "第 1 版" in shown
    assert not re.search(r"\b[a-z]+_[a-z_]+\b|\d{4}-\d{2}-\d{2}|\b[0-9a-f]{12,}\b", shown), shown[-2000:]
