"""Required 送审材料 named before 报送: the checklist, several files in one upload (all or none), Chinese errors."""

from __future__ import annotations

import html
import io
import re
from typing import Any

from sqlalchemy import func, select

from review_service.cases.models import Material
from tests.fixtures.world import MAJOR_DRAFT
from tests.web.forms import DRAFT_FORM


def _new_case(handler: Any) -> int:
    response = handler.post("/cases/new", DRAFT_FORM)
    found = re.search(r"/cases/(\d+)/draft", response.headers["Location"])
    assert response.status_code == 302 and found
    return int(found.group(1))


def _version(world: Any, case_id: int) -> str:
    return str(world.case(case_id).version)


def _count(world: Any, case_id: int) -> int:
    with world.uow() as session:
        return int(session.scalar(select(func.count()).select_from(Material).where(Material.case_id == case_id)))


def _upload(handler: Any, world: Any, case_id: int, kind: str, files: list[tuple[bytes, str]], title: str = "") -> Any:
    return handler.post(f"/cases/{case_id}/materials",
                        {"kind": kind, "title": title, "expected_version": _version(world, case_id),
                         "file": [(io.BytesIO(data), name) for data, name in files]},
                        content_type="multipart/form-data")


def _checklist(page: str) -> list[str]:
    items = re.findall(r'<li class="(present|missing)">.*?<span class="what">(.*?)</span>', page, re.S)
    return [f"{state}:{label}" for state, label in items]


def test_the_draft_page_lists_what_is_required_and_what_is_missing(as_user: Any, web_world: Any) -> None:
    handler = as_user("handler")
    case_id = _new_case(handler)
    page = handler.text(f"/cases/{case_id}/draft")
    assert _checklist(page) == ["missing:案件调查终结报告", "missing:证据材料", "missing:拟作出的决定文书"]
    assert "尚缺 3 项必需材料：案件调查终结报告、证据材料、拟作出的决定文书" in page
    assert 'type="file"' in page and "multiple" in re.search(r'<input[^>]*type="file"[^>]*>', page).group(0)


def test_several_files_in_one_upload_become_several_materials(as_user: Any, web_world: Any) -> None:
    handler = as_user("handler")
    case_id = _new_case(handler)
    response = _upload(handler, web_world, case_id, "evidence",
                       [(b"first", "现场检查笔录.pdf"), (b"second", "询问笔录.pdf")])
    assert response.status_code == 302
    assert _count(web_world, case_id) == 2
    page = html.unescape(handler.text(f"/cases/{case_id}/draft"))
    assert "present:证据材料" in _checklist(page)
    assert "现场检查笔录、询问笔录" in page  # each file one material, named after its file
    _upload(handler, web_world, case_id, "decision_draft", [(b"draft", "决定书.docx")], title="行政处罚决定书（草稿）")
    assert "行政处罚决定书（草稿）" in handler.text(f"/cases/{case_id}/draft")


def test_one_bad_file_leaves_the_whole_upload_out(as_user: Any, web_world: Any) -> None:
    handler = as_user("handler")
    case_id = _new_case(handler)
    response = _upload(handler, web_world, case_id, "evidence", [(b"fine", "现场检查笔录.pdf"), (b"", "空白.pdf")])
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "“空白.pdf”：材料信息有误。本次选择的文件均未上传。" in page  # the summary names the file
    assert "“空白.pdf”文件为空" in page  # and so does the reason beside the file field
    assert _count(web_world, case_id) == 0


def test_submit_names_the_missing_kinds_before_and_after_pressing(as_user: Any, web_world: Any) -> None:
    handler = as_user("handler")
    case_id = _new_case(handler)
    _upload(handler, web_world, case_id, "evidence", [(b"e", "证据.pdf")])
    page = html.unescape(handler.text(f"/cases/{case_id}/submit"))
    assert "尚缺 2 项必需材料：案件调查终结报告、拟作出的决定文书" in page
    refused = handler.post(f"/cases/{case_id}/submit",
                           {"attest": "y", "expected_version": _version(web_world, case_id)})
    assert refused.status_code == 422
    text = html.unescape(refused.get_data(as_text=True))
    assert "缺少案件调查终结报告、拟作出的决定文书" in text
    assert "materials" not in re.sub(r"<[^>]+>", "", text)  # no field name in the visible text


def test_the_api_keeps_its_error_code_and_field_names(web_world: Any) -> None:
    from review_service.cases.operations import submit_case
    from review_service.core.errors import Invalid

    draft = {key: value for key, value in MAJOR_DRAFT.items() if key != "materials"}  # nothing listed either
    case_id = web_world.new_case(draft)
    try:
        web_world.act(submit_case, "handler", case_id=case_id, attest=True)
    except Invalid as error:
        body = error.to_dict()
    else:
        raise AssertionError("a case without its materials was submitted")
    assert body["code"] == "invalid" and set(body["details"]["fields"]) == {"materials"}
    assert body["details"]["missing"] == ["investigation_report", "evidence", "decision_draft"]
    assert body["details"]["fields"]["materials"] == "缺少案件调查终结报告、证据材料、拟作出的决定文书"
