"""The opinion page: 暂存 kept on the server and restored, 其余各项无问题 without JS, the draft beside the points."""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import select

from review_service.cases.models import Case
from review_service.review.models import OpinionDraft
from review_service.review.points import TEN_POINTS
from review_service.web.review.opinion_fill import STANDARD_WORDING
from tests.web.forms import opinion_form

CN_MINUTE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}")


def _version(world: Any, case_id: int) -> str:
    return str(world.case(case_id).version)


def _typed(world: Any, case_id: int, action: str) -> dict[str, str]:
    return {"action": action, "expected_version": _version(world, case_id),
            "points-facts_clear-finding": "problem",
            "points-facts_clear-opinion": "违法所得的计算依据不足，需补充进货单据。",
            "points-facts_clear-citations": "《中华人民共和国行政处罚法》第四十条",
            "points-subject_legality-opinion": "主体为本局，已核对执法证件。",
            "summary": "写到一半"}


def _textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, name
    return html.unescape(found.group(1)).strip()


def _drafts(world: Any, case_id: int) -> list[OpinionDraft]:
    with world.uow() as session:
        return list(session.scalars(select(OpinionDraft).where(OpinionDraft.case_id == case_id)))


def test_the_page_shows_the_draft_and_materials_beside_the_points(as_user: Any, web_world: Any) -> None:
    case_id = web_world.in_review()
    page = as_user("reviewer").text(f"/cases/{case_id}/review")
    assert "送审草稿（第 1 版）" in page and "违法事实" in page and "询问笔录" in page  # the world's material
    assert "暂存" in page and "其余各项无问题" in page and 'src="/assets/opinion.js"' in page
    with web_world.uow() as session:
        sha = session.get(Case, case_id).current_draft.sha256
    assert sha[:16] not in page  # no hash in the visible page


def test_save_without_script_redirects_to_the_restored_form(as_user: Any, web_world: Any) -> None:
    case_id = web_world.in_review()
    reviewer = as_user("reviewer")
    version = _version(web_world, case_id)
    response = reviewer.post(f"/cases/{case_id}/review", _typed(web_world, case_id, "save"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{case_id}/review")
    assert _version(web_world, case_id) == version  # a 暂存 does not move the case
    page = html.unescape(reviewer.text(f"/cases/{case_id}/review"))
    assert "已恢复您于" in page and CN_MINUTE.search(page)
    assert "违法所得的计算依据不足，需补充进货单据。" in page and "写到一半" in page
    assert re.search(r'value="problem"[^>]*checked|checked[^>]*value="problem"', page)
    assert len(_drafts(web_world, case_id)) == 1


def test_save_by_script_answers_json_in_chinese(as_user: Any, web_world: Any) -> None:
    case_id = web_world.in_review()
    response = as_user("reviewer").post(f"/cases/{case_id}/review", _typed(web_world, case_id, "save"),
                                        headers={"X-Requested-With": "fetch"})
    assert response.status_code == 200
    body = response.get_json()
    assert CN_MINUTE.fullmatch(body["saved_at"]) and body["message"].startswith("审核意见已暂存")
    refused = as_user("reviewer2").post(f"/cases/{case_id}/review", _typed(web_world, case_id, "save"),
                                        headers={"X-Requested-With": "fetch"})
    assert refused.status_code == 403 and refused.get_json()["code"] == "forbidden"
    assert "其他审核人员" in refused.get_json()["message"]


def test_fill_rest_without_script_fills_only_untouched_points(as_user: Any, web_world: Any) -> None:
    case_id = web_world.in_review()
    response = as_user("reviewer").post(f"/cases/{case_id}/review", _typed(web_world, case_id, "fill"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for key in TEN_POINTS:
        if key not in ("facts_clear", "subject_legality"):  # touched points keep what was typed
            assert _textarea(page, f"points-{key}-opinion") == STANDARD_WORDING[key]
    assert _textarea(page, "points-subject_legality-opinion") == "主体为本局，已核对执法证件。"
    assert _textarea(page, "points-facts_clear-opinion") == "违法所得的计算依据不足，需补充进货单据。"
    assert web_world.case(case_id).status == "in_review" and web_world.case(case_id).round == 0  # nothing submitted


def test_submitting_removes_the_saved_draft(as_user: Any, web_world: Any) -> None:
    case_id = web_world.in_review()
    reviewer = as_user("reviewer")
    reviewer.post(f"/cases/{case_id}/review", _typed(web_world, case_id, "save"))
    assert len(_drafts(web_world, case_id)) == 1
    response = reviewer.post(f"/cases/{case_id}/review",
                             opinion_form(expected_version=_version(web_world, case_id)))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert _drafts(web_world, case_id) == []


def test_a_failed_submission_keeps_the_draft_and_what_was_typed(as_user: Any, web_world: Any) -> None:
    case_id = web_world.in_review()
    reviewer = as_user("reviewer")
    reviewer.post(f"/cases/{case_id}/review", _typed(web_world, case_id, "save"))
    response = reviewer.post(f"/cases/{case_id}/review", _typed(web_world, case_id, "submit"))
    assert response.status_code == 422
    assert "违法所得的计算依据不足" in html.unescape(response.get_data(as_text=True))
    assert len(_drafts(web_world, case_id)) == 1


def test_keepalive_touches_the_session(as_user: Any, web_world: Any) -> None:
    response = as_user("reviewer").post("/session/keepalive", {})
    assert response.status_code == 200 and response.get_json() == {"idle_seconds": 1800}
    assert "Set-Cookie" in response.headers  # the idle time starts again
