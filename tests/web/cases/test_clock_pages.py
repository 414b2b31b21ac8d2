"""The pages that move the clocks (issue 19): the head approves the review extension the lead asked for; the head
records the art. 60 extensions; the handler records a period the limit does not count. Each is offered on the
case page's 办理期限 panel only to whom it is open.

Sources: 行政处罚法 第六十条 (九十日; 延长 with approval); 市场监督管理行政处罚程序规定 第六十四条 (听证、公告、
鉴定 … 不计入); issue 19 (the review extension needs the approval of the role the agency configures, default the
head in charge)."""

from __future__ import annotations

import copy
from typing import Any

from review_service.deadlines.clock_queries import clocks_view
from tests.fixtures.world import MAJOR_DRAFT

FILED = {**copy.deepcopy(MAJOR_DRAFT), "filed_on": "2026-11-02"}


def _clocks(world: Any, case_id: int) -> dict[str, Any]:
    from review_service.cases.models import Case

    with world.uow() as session:
        return clocks_view(session, session.get(Case, case_id))


def test_the_head_approves_the_extension_the_lead_asked_for(as_user: Any, web_world: Any) -> None:
    case_id = web_world.in_review(FILED)
    lead, head = as_user("lead"), as_user("head")
    form = lead.text(f"/cases/{case_id}/review/extend")
    assert "延长事由" in form and "案情复杂" in form
    asked = lead.post(f"/cases/{case_id}/review/extend", {"days": "2", "reason_code": "complex", "reason": ""},
                      follow_redirects=True)
    assert asked.status_code == 200 and "经批准后生效" in asked.get_data(as_text=True)
    assert f"/cases/{case_id}/review/extension-decision" not in lead.text(f"/cases/{case_id}")  # not to the asker
    page = head.text(f"/cases/{case_id}")
    assert f'href="/cases/{case_id}/review/extension-decision"' in page and "延长审核期限申请待审批" in page
    decision = head.text(f"/cases/{case_id}/review/extension-decision")
    assert "申请延长审核期限 2 个工作日" in decision and "案情复杂" in decision
    done = head.post(f"/cases/{case_id}/review/extension-decision", {"approve": "yes", "comment": ""},
                     follow_redirects=True)
    assert "已同意延长审核期限。" in done.get_data(as_text=True)
    [request] = _clocks(web_world, case_id)["review_extension_requests"]
    assert request["approved"] is True and request["reason_code"] == "complex"
    assert f"/cases/{case_id}/review/extension-decision" not in head.text(f"/cases/{case_id}")  # nothing pending


def test_the_head_records_the_art_60_extensions_the_second_with_its_approving_organ(
        as_user: Any, web_world: Any) -> None:
    case_id = web_world.new_case(FILED)
    head = as_user("head")
    assert f'href="/cases/{case_id}/decision-limit/extend"' in head.text(f"/cases/{case_id}")
    assert f"/cases/{case_id}/decision-limit/extend" not in as_user("handler").text(f"/cases/{case_id}")
    first = head.post(f"/cases/{case_id}/decision-limit/extend", {"reason": "案情复杂，需补充调查。"},
                      follow_redirects=True)
    assert "已登记延长办案期限。" in first.get_data(as_text=True)
    second_form = head.text(f"/cases/{case_id}/decision-limit/extend")
    assert "本次为第 2 次延长" in second_form
    missing = head.post(f"/cases/{case_id}/decision-limit/extend", {"reason": "仍需鉴定。"})
    shown = missing.get_data(as_text=True)
    assert missing.status_code == 422 and "请填写上一级行政机关的批准文号" in shown and "仍需鉴定。" in shown
    head.post(f"/cases/{case_id}/decision-limit/extend", {"reason": "仍需鉴定。", "approver": "陕西省市场监督管理局",
                                                          "approval_document": "陕市监函〔2026〕8号"})
    extensions = _clocks(web_world, case_id)["limit_extensions"]
    assert [(e["seq"], e["days"], e["approval_document"]) for e in extensions] == [
        (1, 30, None), (2, 30, "陕市监函〔2026〕8号")]
    page = head.text(f"/cases/{case_id}")
    assert "第 2 次延长 30 日" in page and f"/cases/{case_id}/decision-limit/extend" not in page  # both used


def test_the_handler_records_an_excluded_period(as_user: Any, web_world: Any) -> None:
    case_id = web_world.new_case(FILED)
    handler = as_user("handler")
    assert f'href="/cases/{case_id}/decision-limit/excluded-period"' in handler.text(f"/cases/{case_id}")
    wrong = handler.post(f"/cases/{case_id}/decision-limit/excluded-period",
                         {"kind": "hearing", "start_on": "2026-11-20", "end_on": "2026-11-10"})
    assert wrong.status_code == 422 and "结束日期不能早于开始日期" in wrong.get_data(as_text=True)
    done = handler.post(f"/cases/{case_id}/decision-limit/excluded-period",
                        {"kind": "hearing", "start_on": "2026-11-10", "end_on": "2026-11-12", "note": "举行听证"},
                        follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "已登记不计入办案期限的期间。" in page and "听证：2026年11月10日 至 2026年11月12日（3 日）" in page
    limit = _clocks(web_world, case_id)["decision_limit"]
    assert limit["excluded_days"] == 3 and limit["due_date"] == "2027-02-03"  # 2026-11-02 + 90 days + 3
    assert as_user("reviewer").get(f"/cases/{case_id}/decision-limit/excluded-period").status_code == 403


def test_the_reviewer_asks_for_materials_and_the_handler_uploads_and_answers(as_user: Any, web_world: Any) -> None:
    """审查中补充材料 (issue 19): offered to the case's reviewer during the review, then to the handler (case page
    and 待办) until answered; the upload and the answer are one step; the 办理期限 panel shows the pause."""
    import io

    case_id = web_world.in_review(FILED)
    reviewer, handler = as_user("reviewer"), as_user("handler")
    assert f'href="/cases/{case_id}/review/materials-request"' in reviewer.text(f"/cases/{case_id}")
    assert "/review/materials-request" not in handler.text(f"/cases/{case_id}")
    empty = reviewer.post(f"/cases/{case_id}/review/materials-request", {"note": ""})
    assert empty.status_code == 422 and "note" in empty.get_data(as_text=True)
    asked = reviewer.post(f"/cases/{case_id}/review/materials-request",
                          {"note": "请补充现场检查笔录原件。", "kinds": ["evidence"]}, follow_redirects=True)
    assert "审核期限暂停计算" in asked.get_data(as_text=True)
    assert "/review/materials-request" not in reviewer.text(f"/cases/{case_id}")  # one open request at a time
    page = handler.text(f"/cases/{case_id}")
    assert f'href="/cases/{case_id}/review/materials-answer"' in page and "请补充现场检查笔录原件。" in page
    assert "答复补充材料要求" in handler.text("/todo")
    form = handler.text(f"/cases/{case_id}/review/materials-answer")
    assert "请补充现场检查笔录原件。" in form and "证据材料" in form
    refused = handler.post(f"/cases/{case_id}/review/materials-answer", {"kind": "evidence", "answer": ""},
                           content_type="multipart/form-data")
    assert refused.status_code == 422 and "请写明无法提供的理由" in refused.get_data(as_text=True)
    done = handler.post(f"/cases/{case_id}/review/materials-answer",
                        {"kind": "evidence", "title": "现场检查笔录", "answer": "已上传原件扫描件。",
                         "file": [(io.BytesIO(b"record"), "record.pdf")]},
                        content_type="multipart/form-data", follow_redirects=True)
    assert "审核期限恢复计算" in done.get_data(as_text=True)
    [request] = _clocks(web_world, case_id)["materials_requests"]
    assert request["outcome"] == "answered" and len(request["material_ids"]) == 1
    assert "答复补充材料要求" not in handler.text("/todo")
    assert "已答复，补充材料 1 份" in handler.text(f"/cases/{case_id}")
