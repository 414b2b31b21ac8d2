"""Art. 57 through the pages: the reasons shown, the discussion recorded on its own page or with the approval."""

from __future__ import annotations

import copy
from typing import Any

from review_service.core.clock import beijing_today
from review_service.review.operations import submit_opinion
from tests.fixtures.world import MAJOR_DRAFT, opinion


def _v(world: Any, case_id: int) -> str:
    return str(world.case(case_id).version)


def _serious(world: Any) -> int:
    draft = copy.deepcopy(MAJOR_DRAFT)
    draft["proposed_decision"]["suspension_of_business"] = True
    case_id = world.in_review(draft)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    return case_id


def _fields(prefix: str = "") -> dict[str, str]:
    return {f"{prefix}date": beijing_today().isoformat(), f"{prefix}chair": "head2",
            f"{prefix}participants": "head：同意\nhead2：同意，责令停产停业有据\nmulti：同意",
            f"{prefix}conclusion": "一致同意作出处罚决定。"}


def test_the_reasons_show_and_a_discussion_is_recorded_on_its_own_page(as_user: Any, web_world: Any) -> None:
    world = web_world
    case_id = _serious(world)
    head = as_user("head")
    case_page = head.text(f"/cases/{case_id}")
    assert "须经行政机关负责人集体讨论决定" in case_page and "拟责令停产停业" in case_page
    approve_page = head.text(f"/cases/{case_id}/approve")
    assert "拟责令停产停业" in approve_page and "head2" in approve_page  # the reasons and the heads' accounts
    refused = head.post(f"/cases/{case_id}/approve", {"approve": "yes", "expected_version": _v(world, case_id)})
    assert refused.status_code == 422 and "第五十七条" in refused.get_data(as_text=True)
    page = head.text(f"/cases/{case_id}/collective-discussion")
    assert "记录集体讨论" in page
    names_only = {**_fields(), "participants": "周军\n吴刚\n赵敏", "expected_version": _v(world, case_id)}
    bad = head.post(f"/cases/{case_id}/collective-discussion", names_only)
    assert bad.status_code == 422 and "不能只填姓名" in bad.get_data(as_text=True)
    done = head.post(f"/cases/{case_id}/collective-discussion", {**_fields(), "expected_version": _v(world, case_id)})
    assert done.status_code == 302
    assert "适用于本次决定" in head.text(f"/cases/{case_id}")
    assert head.post(f"/cases/{case_id}/approve", {"approve": "yes", "expected_version": _v(world, case_id)}
                     ).status_code == 302
    assert world.case(case_id).status == "decided"


def test_the_discussion_can_come_with_the_approval_form(as_user: Any, web_world: Any) -> None:
    world = web_world
    case_id = _serious(world)
    form = {"approve": "yes", "discussion_held": "y", **_fields("collective_discussion-"),
            "expected_version": _v(world, case_id)}
    assert as_user("head").post(f"/cases/{case_id}/approve", form).status_code == 302
    assert world.case(case_id).status == "decided"


def test_the_review_lead_finds_a_case_complex_on_its_page(as_user: Any, web_world: Any) -> None:
    world = web_world
    case_id = world.in_review()
    lead = as_user("lead")
    assert "认定情节复杂" in lead.text(f"/cases/{case_id}")
    response = lead.post(f"/cases/{case_id}/complexity", {"reason": "涉及多个违法行为。",
                                                           "expected_version": _v(world, case_id)})
    assert response.status_code == 302
    page = lead.text(f"/cases/{case_id}")
    assert "法制审核机构负责人lead认定情节复杂：涉及多个违法行为。" in page and "认定情节复杂（" not in page
