"""中止/恢复, 回避 and the hearing record through the API, and in the OpenAPI document."""

from __future__ import annotations

import copy
from typing import Any

from tests.fixtures.api import Api, error_code
from tests.fixtures.world import MAJOR_DRAFT, opinion


def test_suspend_refuse_resume_through_the_api(api: Api, world: Any) -> None:
    case_id = world.in_review()
    head, reviewer = api.as_("head"), api.as_("reviewer")
    refused = api.as_("handler").post(f"/cases/{case_id}/suspend", json={"reason": "appraisal"})
    assert refused.status_code == 403 and error_code(refused) == "forbidden"
    bad = head.post(f"/cases/{case_id}/suspend", json={"reason": "other"})
    assert bad.status_code == 422 and "reason_text" in bad.get_json()["error"]["details"]["fields"]
    suspended = head.post(f"/cases/{case_id}/suspend", json={"reason": "party_died_awaiting_heir",
                                                              "reason_text": "当事人死亡，等待继承人表明态度。"})
    assert suspended.status_code == 200, suspended.get_json()
    body = suspended.get_json()
    assert body["suspended"] is True and body["suspension"]["reason"] == "party_died_awaiting_heir"
    assert body["tasks"][0]["suspended"] is True
    tasks = reviewer.get("/tasks").get_json()
    assert [(t["case_id"], t["suspended"]) for t in tasks] == [(str(case_id), True)]
    blocked = reviewer.post(f"/cases/{case_id}/review", json=opinion("approve"))
    assert blocked.status_code == 409 and error_code(blocked) == "conflict"
    error = blocked.get_json()["error"]
    assert error["details"]["rule"] == "suspended" and error["message"].startswith("案件已中止")
    resumed = head.post(f"/cases/{case_id}/resume")
    assert resumed.status_code == 200 and resumed.get_json()["suspended"] is False
    assert resumed.get_json()["suspension"] is None
    assert reviewer.post(f"/cases/{case_id}/review", json=opinion("approve")).status_code == 200
    actions = [e["action"] for e in head.get(f"/cases/{case_id}/audit").get_json()]
    assert "case_suspended" in actions and "case_resumed" in actions


def test_recusal_and_reassignment_through_the_api(api: Api, world: Any) -> None:
    case_id = world.submitted()
    lead, reviewer, reviewer2 = api.as_("lead"), api.as_("reviewer"), api.as_("reviewer2")
    assert lead.post(f"/cases/{case_id}/review/assign",
                     json={"reviewer_id": str(world.ids["reviewer"])}).status_code == 200
    early = reviewer.post(f"/cases/{case_id}/review/intake", json={"complete": True})
    assert early.status_code == 403 and early.get_json()["error"]["details"]["rule"] == "recusal_declaration"
    declined = reviewer.post(f"/cases/{case_id}/review/recusal",
                             json={"declaration": "decline", "reason": "本人系当事人股东的配偶。"})
    assert declined.status_code == 200, declined.get_json()
    assert declined.get_json()["recusals"][0]["declaration"] == "decline"
    assert [t["kind"] for t in lead.get("/tasks").get_json()] == ["reassign"]
    again = lead.post(f"/cases/{case_id}/review/reassign", json={"reviewer_id": str(world.ids["reviewer"])})
    assert again.status_code == 403 and again.get_json()["error"]["details"]["rule"] == "recused"
    assert lead.post(f"/cases/{case_id}/review/reassign",
                     json={"reviewer_id": str(world.ids["reviewer2"])}).status_code == 200
    assert reviewer2.post(f"/cases/{case_id}/review/recusal", json={"declaration": "no_conflict"}).status_code == 200
    taken = reviewer2.post(f"/cases/{case_id}/review/intake", json={"complete": True})
    assert taken.status_code == 200 and taken.get_json()["status"] == "in_review"


def test_the_hearing_record_is_required_through_the_api(api: Api, world: Any) -> None:
    handler = api.as_("handler")
    created = handler.post("/cases", json=copy.deepcopy(MAJOR_DRAFT) | {"hearing_held": True})
    case_id = created.get_json()["id"]
    refused = handler.post(f"/cases/{case_id}/submit", json={})
    assert refused.status_code == 422 and refused.get_json()["error"]["details"]["missing"] == ["hearing_record"]


def test_the_new_endpoints_are_documented(api: Api) -> None:
    paths = api.get("/openapi.json").get_json()["paths"]
    for path in ("/cases/{case_id}/suspend", "/cases/{case_id}/resume", "/cases/{case_id}/review/recusal",
                 "/cases/{case_id}/review/reassign"):
        assert "post" in paths[f"/api/v1{path}"], path
