"""The pages of 中止/恢复 and 回避: the forms, the banner, the to-do list, the refusals."""

from __future__ import annotations

from typing import Any

from tests.fixtures.world import opinion


def _version(world: Any, case_id: int) -> str:
    return str(world.case(case_id).version)


def test_suspend_and_resume_pages(as_user: Any, web_world: Any) -> None:
    world = web_world
    case_id = world.in_review()
    head, reviewer = as_user("head"), as_user("reviewer")
    assert "中止案件" in head.text(f"/cases/{case_id}")
    form = head.text(f"/cases/{case_id}/suspend")
    assert "中止事由" in form and "鉴定、检测、检验" in form
    missing = head.post(f"/cases/{case_id}/suspend", {"reason": "other", "expected_version": _version(world, case_id)})
    assert missing.status_code == 422 and "写明中止事由" in missing.get_data(as_text=True)
    done = head.post(f"/cases/{case_id}/suspend", {"reason": "appraisal", "reason_text": "送检中",
                                                   "expected_version": _version(world, case_id)})
    assert done.status_code == 302
    page = reviewer.text(f"/cases/{case_id}")
    assert "案件已中止" in page and "鉴定、检测、检验" in page
    assert "已中止" in reviewer.text("/todo")
    from tests.web.forms import opinion_form

    blocked = reviewer.post(f"/cases/{case_id}/review", opinion_form("approve", (), expected_version=_version(
        world, case_id)))
    assert blocked.status_code == 409 and "案件已中止" in blocked.get_data(as_text=True)
    assert "恢复办理" in head.text(f"/cases/{case_id}")
    resumed = head.post(f"/cases/{case_id}/resume",
                        {"note": "检验报告已出具", "expected_version": _version(world, case_id)})
    assert resumed.status_code == 302 and world.case(case_id).suspended is False
    assert reviewer.post(f"/cases/{case_id}/review", opinion_form("approve", (), expected_version=_version(
        world, case_id))).status_code == 302


def test_recusal_and_reassign_pages(as_user: Any, web_world: Any) -> None:
    from review_service.review.operations import assign_reviewer, submit_opinion

    world = web_world
    case_id = world.submitted()
    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"])
    reviewer, lead = as_user("reviewer"), as_user("lead")
    assert "回避声明" in reviewer.text(f"/cases/{case_id}")
    assert "无利害关系" in reviewer.text(f"/cases/{case_id}/review/recusal")
    unreasoned = reviewer.post(f"/cases/{case_id}/review/recusal",
                               {"declaration": "decline", "expected_version": _version(world, case_id)})
    assert unreasoned.status_code == 422 and "理由" in unreasoned.get_data(as_text=True)
    assert reviewer.post(f"/cases/{case_id}/review/recusal",
                         {"declaration": "decline", "reason": "与当事人有亲属关系",
                          "expected_version": _version(world, case_id)}).status_code == 302
    todo = lead.text("/todo")
    assert "重新分配审核人员" in todo and f"/cases/{case_id}/review/reassign" in todo
    assert lead.post(f"/cases/{case_id}/review/reassign", {"reviewer_id": str(world.ids["reviewer2"]),
                                                           "expected_version": _version(world, case_id)}
                     ).status_code == 302
    assert world.case(case_id).reviewer_id == world.ids["reviewer2"]
    world.declare(case_id, "reviewer2")
    from review_service.review.operations import record_intake

    world.act(record_intake, "reviewer2", case_id=case_id, complete=True)
    world.act(submit_opinion, "reviewer2", case_id=case_id, data=opinion("approve"))
