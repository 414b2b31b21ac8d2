"""The case page of issue 17: documents with session download and print, the step bar, the deadlines panel,
what happened after the decision, and only the actions the state allows."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from review_service.core.clock import beijing_today, utcnow
from review_service.decisions.publicity import publish_decision, revoke_decision, withdraw_decision
from tests.fixtures.documents import full_lifecycle
from tests.fixtures.world import MAJOR_DRAFT


@pytest.fixture
def instance_path(tmp_path: Path) -> Path:
    """Documents go to the instance folder the page app serves them from (as ``tests/documents`` does)."""
    path = tmp_path / "instance"
    path.mkdir(exist_ok=True)
    return path


def _decided(world: Any) -> int:
    return full_lifecycle(world)


def test_documents_are_listed_downloaded_and_printed_with_the_page_session(as_user: Any, web_world: Any) -> None:
    case_id = _decided(web_world)
    handler = as_user("handler")
    page = handler.text(f"/cases/{case_id}")
    section = page[page.index('id="documents"'):]
    assert "法制审核意见书" in section and "书面回复" in section and "审批记录" in section
    assert "第 1 轮" in section and "出具时间：" in section
    links = re.findall(rf'href="(/cases/{case_id}/documents/(\d+))"', section)
    assert links, section[:800]
    download = handler.get(links[0][0])
    assert download.status_code == 200, download.get_data(as_text=True)[-1500:]
    assert download.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.get_data()[:2] == b"PK"
    printed = handler.text(f"{links[0][0]}/print")
    assert "法制审核意见书" in printed and "打印" in printed and 'data-print' in printed
    assert re.search(r"<p class=\"pre[^\"]*\">[^<]{4,}", printed), "the document's text is on the print page"


def test_documents_are_scoped_like_the_api(as_user: Any, web_world: Any) -> None:
    case_id = _decided(web_world)
    own = as_user("handler").text(f"/cases/{case_id}")
    document_id = re.search(rf"/cases/{case_id}/documents/(\d+)", own).group(1)  # type: ignore[union-attr]
    outsider = as_user("outsider")
    assert outsider.get(f"/cases/{case_id}/documents/{document_id}").status_code == 404
    assert outsider.get(f"/cases/{case_id}/documents/{document_id}/print").status_code == 404
    other_case = web_world.in_review()
    assert as_user("handler").get(f"/cases/{other_case}/documents/{document_id}").status_code == 404
    anonymous = as_user("handler")
    anonymous.post("/logout", {})
    assert anonymous.get(f"/cases/{case_id}/documents/{document_id}").status_code in (302, 401)


def test_the_step_bar_and_the_full_diagram(as_user: Any, web_world: Any) -> None:
    case_id = web_world.in_review()
    page = as_user("reviewer").text(f"/cases/{case_id}")
    steps = re.findall(r'<li class="step (\w+)"[^>]*><span class="step-name">(\S+?)</span>', page)
    assert steps == [("done", "送审"), ("done", "受理"), ("current", "审核"), ("todo", "回复"), ("todo", "审批"),
                     ("todo", "公开")]
    assert "等待reviewer完成“法制审核”" in page
    assert "查看完整流程图" in page and 'class="diagram diagram-scroll"' in page


def test_the_deadlines_panel_and_the_task_s_remaining_days(as_user: Any, web_world: Any) -> None:
    case_id = web_world.in_review()
    page = as_user("reviewer").text(f"/cases/{case_id}")
    panel = page[page.index('id="deadlines"'):]
    panel = panel[:panel.index("</section>")]
    assert "法制审核（第 1 轮）" in panel or "法制审核" in panel
    assert re.search(r"期限：\d{4}年\d{1,2}月\d{1,2}日", panel)
    assert re.search(r"剩余 \d+ 个工作日|今日到期", panel)
    head = page[page.index('class="panel casehead"'):page.index('class="panel stepbar"')]
    assert re.search(r'badge glance (on_track|due_soon)">(剩余 \d+ 个工作日|今日到期)', head)


def test_publication_revocation_and_withdrawal_are_shown_and_revocation_offered_once(
        as_user: Any, web_world: Any) -> None:
    world = web_world
    world.in_review()  # a second case in the list, never marked
    case_id = _decided(world)
    head = as_user("head")
    before = head.text(f"/cases/{case_id}")
    assert "登记撤销、确认违法或责令重作" in before and "尚未登记公开情况" in before
    world.act(publish_decision, "handler", case_id=case_id,
              data={"url": "https://scjg.example.gov.cn/xzcf/1", "published_at": utcnow().isoformat()})
    published = head.text(f"/cases/{case_id}")
    assert "https://scjg.example.gov.cn/xzcf/1" in published and re.search(r"已于 \d{4}年\d+月\d+日 \d\d:\d\d 公开",
                                                                          published)
    world.act(revoke_decision, "head", case_id=case_id,
              data={"reason": "revoked", "authority": "某市人民政府（行政复议决定）",
                    "date": beijing_today().isoformat()})
    revoked = head.text(f"/cases/{case_id}")
    assert '<span class="badge revoked"' in revoked
    assert "决定被撤销：某市人民政府（行政复议决定）" in revoked and "待撤回" in revoked
    assert "登记撤销、确认违法或责令重作" not in revoked
    assert "登记撤销、确认违法或责令重作" not in as_user("handler").text(f"/cases/{case_id}")
    again = head.get(f"/cases/{case_id}/revoke")  # not offered, and not reachable by its address either
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/cases/{case_id}")
    assert "不能重复登记" in head.text(f"/cases/{case_id}")
    listed = head.text("/cases")
    row = next(r for r in listed.split("<tr") if f'href="/cases/{case_id}"' in r)
    assert '<span class="badge revoked"' in row and "已撤销" in row
    other = next(r for r in listed.split("<tr") if re.search(r'href="/cases/\d+"', r)
                 and f'href="/cases/{case_id}"' not in r)
    assert "已撤销" not in other
    world.act(withdraw_decision, "handler", case_id=case_id, data={"withdrawn_at": utcnow().isoformat()})
    withdrawn = head.text(f"/cases/{case_id}")
    assert re.search(r"已于 \d{4}年\d+月\d+日 \d\d:\d\d 撤回", withdrawn)
    assert "登记撤销、确认违法或责令重作" not in withdrawn


def test_a_possible_split_is_named_by_its_case_number(as_user: Any, web_world: Any) -> None:
    """The gate panel names the other half of a split matter by its 案号 (point 6: no raw ids on a page)."""
    def half(fine: str, number: str, **changes: Any) -> dict[str, Any]:
        draft = copy.deepcopy(MAJOR_DRAFT)
        draft["proposed_decision"]["fine_amount"] = fine
        draft["proposed_decision"]["confiscation_amount"] = None
        draft.update(case_number=number, **changes)
        return draft

    first = web_world.submitted(half("60000.00", "西市监处〔2026〕801号"))
    second = web_world.submitted(half("59000.00", "西市监处〔2026〕802号", facts="当事人销售不合格电热水壶1200台。 "))
    page = as_user("lead").get(f"/cases/{second}").get_data(as_text=True)
    assert f'<a href="/cases/{first}">西市监处〔2026〕801号</a>' in page
    assert not re.search(r"案件 \d+", page)


def test_the_verification_address_on_a_document_leads_to_what_was_issued_on_its_draft(
        as_user: Any, web_world: Any) -> None:
    """Issue 18: the 核验 line names the draft's SHA-256 and an address; there a reader in scope finds the case and
    every document issued on it (文号, kind, file SHA-256 folded); outside the scope nothing is named."""
    from review_service.documents.verification import VERIFY_PATH
    from review_service.review.models import Review

    case_id = _decided(web_world)
    with web_world.uow() as session:
        draft_sha256 = session.scalars(select(Review.draft_sha256).where(Review.case_id == case_id)
                                       .order_by(Review.id.desc())).first()
    auditor_page = as_user("handler").text(f"{VERIFY_PATH}{draft_sha256}")
    assert f'href="/cases/{case_id}"' in auditor_page and "法制审核意见书" in auditor_page
    assert "审批记录" in auditor_page and 'class="checksum"' in auditor_page
    outsider = as_user("outsider").text(f"{VERIFY_PATH}{draft_sha256}")
    assert f'/cases/{case_id}"' not in outsider and "没有找到依据该草稿出具的文书" in outsider
    assert as_user("handler").get(f"{VERIFY_PATH}not-a-hash").status_code == 404
    assert as_user("handler").get(f"{VERIFY_PATH}{'0' * 64}").status_code == 200


def test_the_handler_drafts_the_penalty_decision_from_the_case_page(as_user: Any, web_world: Any) -> None:
    """Issue 18 (indicator 131): the documents section offers the 代拟稿 to the handler of a penalty case; with the
    box ticked it is also attached as the decision_draft material; others are not offered it."""
    case_id = web_world.new_case()
    handler = as_user("handler")
    page = handler.text(f"/cases/{case_id}")
    assert f'href="/cases/{case_id}/penalty-decision"' in page
    assert f'/cases/{case_id}/penalty-decision"' not in as_user("head").text(f"/cases/{case_id}")
    form = handler.text(f"/cases/{case_id}/penalty-decision")
    assert "生成代拟稿" in form and "附入送审材料" in form
    done = handler.post(f"/cases/{case_id}/penalty-decision", {"attach": "y"}, follow_redirects=True)
    shown = done.get_data(as_text=True)
    assert done.status_code == 200 and "已生成行政处罚决定书（代拟稿），并已附入送审材料。" in shown
    section = shown[shown.index('id="documents"'):]
    assert "行政处罚决定书（代拟稿）" in section
    assert "行政处罚决定书（代拟稿）" in shown[:shown.index('id="documents"')]  # listed among the materials too
    assert as_user("reviewer").get(f"/cases/{case_id}/penalty-decision").status_code == 403
