"""Errors as a person wants them: input kept with reasons next to the fields, conflicts, CSRF, escaping, 404."""

from __future__ import annotations

import html
import re
from typing import Any

from review_service.cases.operations import create_case
from review_service.review.operations import submit_opinion
from tests.fixtures.world import MAJOR_DRAFT, opinion
from tests.web.forms import DRAFT_FORM, opinion_form


def test_failing_opinion_keeps_what_was_typed(as_user: Any, web_world: Any) -> None:
    case_id = web_world.in_review()
    reviewer = as_user("reviewer")
    data = opinion_form("amend", ("evidence_sufficient",), expected_version=str(web_world.case(case_id).version))
    data["points-evidence_sufficient-citations"] = ""  # a problem without the provision relied on
    data["points-facts_clear-opinion"] = ""
    data["summary"] = "审核结论：补充证据后重新报送。"
    response = reviewer.post(f"/cases/{case_id}/review", data)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "存在问题的要点须列明依据的法律条款" in page and "请写明审核意见" in page
    assert 'id="points-evidence_sufficient-citations-err"' in page or "points-evidence_sufficient-citations" in page
    assert "补充调取进货单据和销售台账，核实货值金额" in page  # the typed remedy is still there
    assert "审核结论：补充证据后重新报送。" in page
    summary = page.split('role="alert"')[1].split("</div>")[0]
    shown = re.sub(r"<[^>]+>", "", summary)
    assert "证据是否合法充分 · 依据的法律条款" in shown and "points-" not in shown  # labels, not field names
    # each item leads to its field, also in the nested groups of the ten points
    assert '<a href="#points-evidence_sufficient-citations">证据是否合法充分 · 依据的法律条款' in summary
    assert 'id="points-evidence_sufficient-citations"' in page
    assert web_world.case(case_id).round == 0


def test_failing_draft_keeps_input_and_names_the_field(as_user: Any) -> None:
    handler = as_user("handler")
    response = handler.post("/cases/new", dict(DRAFT_FORM, **{"proposed_decision-fine_amount": "五十万"}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "应为金额（元）" in page and 'value="五十万"' in page and "某商贸公司销售不合格产品案" in page


def test_conflict_shows_the_fresh_state(as_user: Any, web_world: Any) -> None:
    case_id = web_world.in_review()
    reviewer = as_user("reviewer")
    stale = str(web_world.case(case_id).version)
    web_world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))  # acted first elsewhere
    response = reviewer.post(f"/cases/{case_id}/review", opinion_form("approve", expected_version=stale))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "操作未生效" in page and "已被他人办理" in page
    assert "待负责人审批" in page and "第 1 轮审核意见" in page  # the case as it stands now


def test_second_submission_of_the_same_task_is_a_conflict(as_user: Any, web_world: Any) -> None:
    case_id = web_world.in_review()
    first, second = as_user("reviewer"), as_user("reviewer")
    version = str(web_world.case(case_id).version)
    assert first.post(f"/cases/{case_id}/review", opinion_form("approve", expected_version=version)
                      ).status_code == 302
    response = second.post(f"/cases/{case_id}/review", opinion_form("approve", expected_version=version))
    assert response.status_code == 409
    assert web_world.case(case_id).round == 1


def test_post_without_csrf_token_is_refused(as_user: Any, web_world: Any) -> None:
    case_id = web_world.in_review()
    reviewer = as_user("reviewer")
    response = reviewer.post(f"/cases/{case_id}/review", opinion_form("approve"), csrf=False)
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    forged = reviewer.post(f"/cases/{case_id}/review", opinion_form("approve", csrf_token="forged"), csrf=False)
    assert forged.status_code == 400
    assert web_world.case(case_id).round == 0


def test_script_in_a_title_is_shown_as_text(as_user: Any, web_world: Any) -> None:
    title = '<script>alert("x")</script>罚款案'
    case_id = web_world.new_case(dict(MAJOR_DRAFT, title=title))
    handler = as_user("handler")
    for path in (f"/cases/{case_id}", "/cases", "/todo", f"/cases/{case_id}/draft"):
        page = handler.text(path)
        assert "<script>" not in page, path
        assert "&lt;script&gt;" in page, path


def test_a_case_of_another_agency_is_not_found(as_user: Any, web_world: Any) -> None:
    outsider_case = web_world.act(create_case, "outsider", data=dict(MAJOR_DRAFT)).id
    handler = as_user("handler")
    response = handler.get(f"/cases/{outsider_case}")
    assert response.status_code == 404 and "不存在" in response.get_data(as_text=True)
    assert handler.get("/cases/999999").status_code == 404
    assert "<h1>页面不存在</h1>" in handler.get("/no-such-page").get_data(as_text=True)


def test_wrong_role_gets_the_403_page_in_the_layout(as_user: Any, web_world: Any) -> None:
    case_id = web_world.in_review()
    response = as_user("handler").get(f"/cases/{case_id}/review")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "无权访问" in page and "退出" in page  # in the layout, with the nav


def test_unexpected_error_is_a_500_page(app: Any, as_user: Any, monkeypatch: Any) -> None:
    from review_service.web.cases import views

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "open_tasks", broken)
    response = as_user("handler").get("/todo")
    assert response.status_code == 500
    assert "服务器内部错误" in response.get_data(as_text=True) and "boom" not in response.get_data(as_text=True)


def test_api_errors_keep_their_envelope(app: Any) -> None:
    response = app.test_client().get("/api/v1/no-such")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert app.test_client().post("/api/v1/cases", json={}).status_code == 401  # no CSRF needed for the API


def test_oversized_upload_says_so_on_the_form(as_user: Any, web_world: Any) -> None:
    import io

    case_id = web_world.new_case()
    response = as_user("handler").post(f"/cases/{case_id}/materials",
                                       {"kind": "evidence", "title": "录像", "file": (io.BytesIO(b"x" * 100_000),
                                                                                     "big.mp4")},
                                       content_type="multipart/form-data")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "文件超过大小上限" in page and 'value="录像"' in page


def test_a_task_assigned_to_someone_else_is_not_offered(as_user: Any, web_world: Any) -> None:
    case_id = web_world.in_review()  # assigned to "reviewer"
    page = as_user("reviewer2").text(f"/cases/{case_id}/review")
    assert "此任务由reviewer办理" in page and "提交审核意见" not in page
    assert "提交审核意见" in as_user("reviewer").text(f"/cases/{case_id}/review")
