"""One major case through its whole lifecycle, every step through the pages' forms."""

from __future__ import annotations

import io
import re
from typing import Any

from review_service.cases.models import Case
from tests.web.forms import DRAFT_FORM, opinion_form


def _version(world: Any, case_id: int) -> str:
    return str(world.case(case_id).version)


def _new_case(handler: Any) -> int:
    response = handler.post("/cases/new", DRAFT_FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    found = re.search(r"/cases/(\d+)/draft", response.headers["Location"])
    assert found
    return int(found.group(1))


def _upload(handler: Any, world: Any, case_id: int, kind: str, title: str) -> Any:
    return handler.post(f"/cases/{case_id}/materials",
                        {"kind": kind, "title": title, "file": (io.BytesIO(f"{title}内容".encode()), f"{kind}.pdf"),
                         "expected_version": _version(world, case_id)},
                        content_type="multipart/form-data")


def test_major_case_through_the_forms(as_user: Any, web_world: Any) -> None:
    world = web_world
    handler, lead, reviewer, head = (as_user(name) for name in ("handler", "lead", "reviewer", "head"))

    case_id = _new_case(handler)
    draft_page = handler.text(f"/cases/{case_id}/draft")
    assert "送审材料" in draft_page and "重大执法决定" in draft_page
    refused = handler.post(f"/cases/{case_id}/submit", {"attest": "y", "expected_version": _version(world, case_id)})
    assert refused.status_code == 422 and "送审材料不齐全" in refused.get_data(as_text=True)
    for kind, title in (("investigation_report", "调查终结报告"), ("evidence", "证据材料"),
                        ("decision_draft", "决定书草稿")):
        assert _upload(handler, world, case_id, kind, title).status_code == 302
    assert handler.post(f"/cases/{case_id}/submit", {"attest": "y", "expected_version": _version(world, case_id)}
                        ).status_code == 302
    assert world.case(case_id).status == "in_review"

    assert f"/cases/{case_id}/review/assign" in lead.text("/todo")
    assign_page = lead.text(f"/cases/{case_id}/review/assign")
    assert "reviewer" in assign_page
    response = lead.post(f"/cases/{case_id}/review/assign",
                         {"reviewer_id": str(world.ids["reviewer"]), "advisor_ids": [str(world.ids["advisor"])],
                          "expected_version": _version(world, case_id)})
    assert response.status_code == 302, response.get_data(as_text=True)

    assert f"/cases/{case_id}/review/intake" in reviewer.text("/todo")
    assert "作出回避声明" in reviewer.text(f"/cases/{case_id}/review/intake")  # 回避: declared first
    assert reviewer.post(f"/cases/{case_id}/review/recusal", {"declaration": "no_conflict",
                                                               "expected_version": _version(world, case_id)}
                         ).status_code == 302
    assert reviewer.post(f"/cases/{case_id}/review/intake",
                         {"complete": "yes", "expected_version": _version(world, case_id)}).status_code == 302

    # 检查 first: advice is shown, nothing submitted; then 提交
    vague = opinion_form("amend", ("evidence_sufficient",), **{"points-facts_clear-opinion": "基本清楚",
                                                               "expected_version": _version(world, case_id),
                                                               "action": "check"})
    checked = reviewer.post(f"/cases/{case_id}/review", vague)
    assert checked.status_code == 200
    assert "套话" in checked.get_data(as_text=True) and world.case(case_id).round == 0
    vague["action"] = "submit"
    assert reviewer.post(f"/cases/{case_id}/review", vague).status_code == 302
    assert world.case(case_id).status == "awaiting_reply"

    reply = {"responses-evidence_sufficient-action": "accepted",
             "responses-evidence_sufficient-explanation": "已补充进货单据并核实货值金额。",
             "expected_version": _version(world, case_id)}
    assert "证据是否合法充分" in handler.text(f"/cases/{case_id}/reply")
    assert handler.post(f"/cases/{case_id}/reply", reply).status_code == 302
    edited = dict(DRAFT_FORM, facts="当事人销售不合格电热水壶1200台，货值金额经核实为36万元。",
                  expected_version=_version(world, case_id))
    assert handler.post(f"/cases/{case_id}/draft", edited).status_code == 302
    assert handler.post(f"/cases/{case_id}/submit", {"attest": "y", "expected_version": _version(world, case_id)}
                        ).status_code == 302

    approve = opinion_form("approve", expected_version=_version(world, case_id))
    assert reviewer.post(f"/cases/{case_id}/review", approve).status_code == 302
    assert f"/cases/{case_id}/approve" in head.text("/todo")
    response = head.post(f"/cases/{case_id}/approve", {"approve": "yes", "comment": "同意。",
                                                        "expected_version": _version(world, case_id)})
    assert response.status_code == 302, response.get_data(as_text=True)
    with world.uow() as session:
        assert session.get(Case, case_id).status == "decided"

    page = head.text(f"/cases/{case_id}")
    for text in ("已作出决定", "第 1 轮审核意见", "第 2 轮审核意见", "第 1 轮书面回复", "审计时间线", "作出决定",
                 "决定文号", "证据材料"):
        assert text in page, text
    diff = head.text(f"/cases/{case_id}?a=1&b=2")
    assert "<ins>" in diff and "36万元" in diff


def test_material_download_is_an_attachment_with_its_hash(as_user: Any, web_world: Any) -> None:
    case_id = web_world.new_case()
    assert _upload(as_user("handler"), web_world, case_id, "evidence", "询问笔录").status_code == 302
    page = as_user("reviewer").text(f"/cases/{case_id}")
    link = re.search(rf'href="(/cases/{case_id}/materials/\d+)"', page)
    assert link
    response = as_user("reviewer").get(link.group(1))
    assert response.status_code == 200 and response.data == "询问笔录内容".encode()
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert as_user("outsider").get(link.group(1)).status_code == 404
