"""The gate on the pages: a once-major case's lowered draft, the downgrade asked and confirmed, split flags."""

from __future__ import annotations

import copy
from typing import Any

from review_service.cases.operations import update_draft
from review_service.decisions.operations import approve_decision
from review_service.review.operations import submit_opinion
from tests.fixtures.world import MAJOR_DRAFT, opinion


def _returned_and_lowered(world: Any) -> int:
    draft = copy.deepcopy(MAJOR_DRAFT)
    draft["proposed_decision"]["fine_amount"] = "120000.00"
    case_id = world.in_review(draft)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": False, "comment": "请重新考虑罚款数额"})
    world.act(update_draft, "handler", case_id=case_id, changes={"proposed_decision": {"fine_amount": "99999.00"}})
    return int(case_id)


def test_the_downgrade_is_asked_and_confirmed_through_the_pages(web_world: Any, as_user: Any) -> None:
    case_id = _returned_and_lowered(web_world)
    handler, lead = as_user("handler"), as_user("lead")
    page = handler.text(f"/cases/{case_id}")
    assert "本案曾按重大执法决定报送法制审核" in page and "申请确认降级" in page
    assert "重大执法决定（曾按重大报送）" in page  # the header does not call it 非重大 while it is under the gate
    refused = handler.post(f"/cases/{case_id}/downgrade", {"reasons": ""})
    assert refused.status_code == 422 and "必填" in refused.get_data(as_text=True)
    done = handler.post(f"/cases/{case_id}/downgrade", {"reasons": "罚款已降至十万元以下"})
    assert done.status_code == 302
    assert any(t["kind"] == "downgrade" for t in _tasks(web_world, "lead"))
    form = lead.text(f"/cases/{case_id}/downgrade/decide")
    assert "罚款已降至十万元以下" in form
    confirmed = lead.post(f"/cases/{case_id}/downgrade/decide", {"confirm": "yes", "reasons": "经核属实，同意降级"})
    assert confirmed.status_code == 302
    page = lead.text(f"/cases/{case_id}")
    assert "已经法制审核机构负责人确认降级" in page and "经核属实，同意降级" in page
    assert "重大执法决定（曾按重大报送）" not in page
    assert handler.get(f"/cases/{case_id}/downgrade/decide").status_code == 403  # the handler cannot confirm


def _tasks(world: Any, name: str) -> list[dict[str, Any]]:
    from review_service.case_view.todo import open_tasks

    with world.uow() as session:
        return open_tasks(session, world.user(session, name))
