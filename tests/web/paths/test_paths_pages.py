"""The other paths through the forms: dispute and coordination, return by the head, incomplete materials, sign-off."""

from __future__ import annotations

import copy
from typing import Any

from review_service.cases.operations import create_case
from review_service.review.operations import submit_opinion
from tests.fixtures.world import MAJOR_DRAFT, opinion, replies


def _v(world: Any, case_id: int) -> str:
    return str(world.case(case_id).version)


def test_dispute_goes_to_coordination_with_a_collective_discussion(as_user: Any, web_world: Any) -> None:
    world = web_world
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("law_application",)))
    handler, head = as_user("handler"), as_user("head")
    missing = handler.post(f"/cases/{case_id}/reply", {"expected_version": _v(world, case_id)})
    assert missing.status_code == 422 and "请选择采纳或有异议" in missing.get_data(as_text=True)
    response = handler.post(f"/cases/{case_id}/reply", {
        "responses-law_application-action": "disputed",
        "responses-law_application-explanation": "适用《产品质量法》第四十九条并无不当，理由如下。",
        "expected_version": _v(world, case_id)})
    assert response.status_code == 302
    assert world.case(case_id).status == "in_coordination"

    form = {"outcome": "reconsider", "reasoning": "经协调，请法制审核机构结合承办机构意见重新审核。",
            "discussion_held": "y", "collective_discussion-date": "2026-06-20",
            "collective_discussion-participants": "head", "collective_discussion-minutes": "讨论记录",
            "expected_version": _v(world, case_id)}
    refused = head.post(f"/cases/{case_id}/coordinate", form)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "讨论记录" in page and "2026-06-20" in page  # kept as typed
    form["collective_discussion-participants"] = "head\nhead2"
    assert head.post(f"/cases/{case_id}/coordinate", form).status_code == 302
    assert world.case(case_id).status == "in_review"
    case_page = head.text(f"/cases/{case_id}")
    assert "重新审核" in case_page and "集体讨论" in case_page


def test_head_returns_a_case_and_must_say_why(as_user: Any, web_world: Any) -> None:
    world = web_world
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    head = as_user("head")
    refused = head.post(f"/cases/{case_id}/approve", {"approve": "no", "expected_version": _v(world, case_id)})
    assert refused.status_code == 422 and "退回时请写明理由" in refused.get_data(as_text=True)
    assert head.post(f"/cases/{case_id}/approve", {"approve": "no", "comment": "请补充听证告知书。",
                                                   "expected_version": _v(world, case_id)}).status_code == 302
    assert world.case(case_id).status == "draft"


def test_reviewer_of_the_case_cannot_approve_it(as_user: Any, web_world: Any) -> None:
    world = web_world
    case_id = world.in_review(reviewer="multi")
    world.act(submit_opinion, "multi", case_id=case_id, data=opinion("approve"))
    response = as_user("multi").post(f"/cases/{case_id}/approve", {"approve": "yes",
                                                                     "expected_version": _v(world, case_id)})
    assert response.status_code == 403 and "不能审批本案" in response.get_data(as_text=True)
    assert world.case(case_id).status == "awaiting_approval"


def test_incomplete_materials_then_supplement(as_user: Any, web_world: Any) -> None:
    world = web_world
    case_id = world.submitted()
    from review_service.review.operations import assign_reviewer

    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"])
    world.declare(case_id, "reviewer")
    reviewer, handler = as_user("reviewer"), as_user("handler")
    refused = reviewer.post(f"/cases/{case_id}/review/intake",
                            {"complete": "no", "expected_version": _v(world, case_id)})
    assert refused.status_code == 422 and "请列明缺少的材料" in refused.get_data(as_text=True)
    assert reviewer.post(f"/cases/{case_id}/review/intake", {"complete": "no", "missing": "听证告知书送达回证",
                                                              "expected_version": _v(world, case_id)}
                         ).status_code == 302
    assert "补充材料" in handler.text("/todo")
    assert handler.post(f"/cases/{case_id}/supplement", {"note": "已补充送达回证。",
                                                         "expected_version": _v(world, case_id)}).status_code == 302
    assert world.case(case_id).current_task == "intake"


def test_todo_filters_by_kind_and_marks_overdue(as_user: Any, web_world: Any, monkeypatch: Any) -> None:
    world = web_world
    first = world.new_case()
    second = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=second, data=opinion("amend", ("facts_clear",)))
    handler = as_user("handler")
    page = handler.text("/todo")
    assert page.index(f"/cases/{second}/reply") < page.index(f"/cases/{first}/submit")  # newest first
    only_replies = handler.text("/todo?kind=reply")
    assert f"/cases/{second}/reply" in only_replies and f"/cases/{first}/submit" not in only_replies

    from review_service.web.cases import views

    real = views.open_tasks

    def with_deadlines(session: Any, actor: Any) -> list[dict[str, Any]]:
        return [dict(task, due_date="2026-01-05", overdue=True) for task in real(session, actor)]

    monkeypatch.setattr(views, "open_tasks", with_deadlines)
    marked = handler.text("/todo")
    assert 'class="overdue"' in marked and "已逾期" in marked and "2026-01-05" in marked


def test_reply_all_accepted_then_resubmit(as_user: Any, web_world: Any) -> None:
    world = web_world
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("facts_clear",)))
    handler = as_user("handler")
    data = {f"responses-{k}-{f}": v for k, r in replies(("facts_clear",))["responses"].items()
            for f, v in (("action", r["action"]), ("explanation", r["explanation"]))}
    assert handler.post(f"/cases/{case_id}/reply", dict(data, expected_version=_v(world, case_id))
                        ).status_code == 302
    assert "修改后重新报送" in handler.text(f"/cases/{case_id}/submit")
    assert handler.post(f"/cases/{case_id}/submit", {"attest": "y", "expected_version": _v(world, case_id)}
                        ).status_code == 302
    assert world.case(case_id).status == "in_review"


def test_case_list_filters(as_user: Any, web_world: Any) -> None:
    world = web_world
    world.new_case()
    from tests.fixtures.world import minor_draft

    minor = world.act(create_case, "handler", data=dict(minor_draft(), title="李某无照经营案")).id
    handler = as_user("handler")
    assert "李某无照经营案" in handler.text("/cases?major=no")
    assert "李某无照经营案" not in handler.text("/cases?major=yes")
    assert "李某无照经营案" in handler.text("/cases?q=无照")
    assert "某商贸公司" not in handler.text("/cases?q=无照")
    assert "李某无照经营案" not in handler.text("/cases?status=in_review")
    assert "李某无照经营案" in handler.text("/cases?date_from=2020-01-01&decision_type=administrative_penalty")
    assert "李某无照经营案" not in handler.text("/cases?date_to=2020-01-01")
    bad = handler.text("/cases?date_from=not-a-date&page=abc")
    assert "应为日期" in bad
    assert minor


def test_publish_revoke_and_withdraw(as_user: Any, web_world: Any) -> None:
    from review_service.decisions.operations import approve_decision

    world = web_world
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    handler = as_user("handler")
    assert f"/cases/{case_id}/publish" in handler.text("/todo")
    bad = handler.post(f"/cases/{case_id}/publish", {"url": "ftp://x", "published_at": "",
                                                     "expected_version": _v(world, case_id)})
    assert bad.status_code == 422 and 'value="ftp://x"' in bad.get_data(as_text=True)
    from review_service.core.clock import BEIJING, utcnow

    now = utcnow().astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M")
    assert handler.post(f"/cases/{case_id}/publish", {"url": "https://gs.example.gov.cn/1", "published_at": now,
                                                      "expected_version": _v(world, case_id)}).status_code == 302
    assert "登记撤销" in handler.text(f"/cases/{case_id}")
    today = now[:10]
    assert handler.post(f"/cases/{case_id}/revoke", {"reason": "revoked", "authority": "西安市人民政府",
                                                     "date": today, "expected_version": _v(world, case_id)}
                        ).status_code == 422  # the page asks for the grounds and the day of receipt
    assert handler.post(f"/cases/{case_id}/revoke", {"reason": "revoked", "authority": "西安市人民政府",
                                                     "grounds": ["insufficient_evidence", "wrong_law"],
                                                     "date": today, "received_on": today,
                                                     "expected_version": _v(world, case_id)}).status_code == 302
    assert handler.post(f"/cases/{case_id}/withdraw", {"withdrawn_at": now, "note": "已撤下",
                                                       "expected_version": _v(world, case_id)}).status_code == 422
    assert handler.post(f"/cases/{case_id}/withdraw", {"withdrawn_at": now, "note": "已撤下",
                                                       "explanation": "该决定已被撤销，依法撤回公开信息。",
                                                       "expected_version": _v(world, case_id)}).status_code == 302
    timeline = handler.text(f"/cases/{case_id}")
    assert "公开决定" in timeline and "决定被撤销" in timeline and "撤回公开" in timeline
    assert "撤销理由" in timeline and "证据不足、适用法律错误" in timeline
    assert "公开说明理由：" in timeline and "该决定已被撤销，依法撤回公开信息。" in timeline


def test_case_list_pages(as_user: Any, web_world: Any) -> None:
    for number in range(21):
        web_world.new_case(dict(copy.deepcopy(MAJOR_DRAFT), title=f"分页测试案{number:02d}"))
    handler = as_user("handler")
    first = handler.text("/cases?q=分页测试")
    assert "共 21 件" in first and "第 1 / 2 页" in first and "分页测试案20" in first and "分页测试案00" not in first
    second = handler.text("/cases?q=分页测试&page=2")
    assert "分页测试案00" in second and "上一页" in second


def test_unit_head_signs_off_before_review(as_user: Any, web_world: Any) -> None:
    from review_service.organization.models import Agency
    from tests.fixtures.world import AGENCY

    world = web_world
    with world.uow() as session:
        agency = session.query(Agency).filter_by(name=AGENCY).one()
        agency.settings = {**(agency.settings or {}), "signoff_required": True}
    case_id = world.submitted()
    assert world.case(case_id).current_task == "signoff"
    unit_head = as_user("unit_head")
    assert f"/cases/{case_id}/signoff" in unit_head.text("/todo")
    assert unit_head.post(f"/cases/{case_id}/signoff", {"approve": "yes", "comment": "同意报送。",
                                                        "expected_version": _v(world, case_id)}).status_code == 302
    assert world.case(case_id).current_task == "assign"
