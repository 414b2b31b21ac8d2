"""撤回送审, 终止 and 移送 through the JSON API, and their place in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from review_service.core.clock import beijing_today
from tests.fixtures.api import Api
from tests.fixtures.world import opinion

PATHS = {"/cases/{case_id}/submission/withdraw", "/cases/{case_id}/termination",
         "/cases/{case_id}/termination/decision", "/cases/{case_id}/transfer", "/cases/{case_id}/transfer/decline"}


def test_the_new_endpoints_are_in_the_openapi_document(api: Api) -> None:
    document = api.get("/openapi.json").get_json()
    found = {path.removeprefix("/api/v1") for path in document["paths"]}
    assert found >= PATHS, sorted(found)


def test_withdraw_then_terminate_through_the_api(api: Api, world: Any) -> None:
    handler, head = api.as_("handler"), api.as_("head")
    case_id = world.in_review()
    refused = handler.post(f"/cases/{case_id}/submission/withdraw", json={})
    assert refused.status_code == 422 and "reason" in refused.get_json()["error"]["details"]["fields"]
    withdrawn = handler.post(f"/cases/{case_id}/submission/withdraw", json={"reason": "补充证据后重新报送"})
    assert withdrawn.status_code == 200, withdrawn.get_json()
    assert withdrawn.get_json()["status"] == "draft"
    again = handler.post(f"/cases/{case_id}/submission/withdraw", json={"reason": "再次撤回"})
    assert again.status_code == 409
    requested = handler.post(f"/cases/{case_id}/termination",
                             json={"reason_code": "time_barred", "reason": "违法行为已超过两年未被发现。"})
    assert requested.status_code == 200, requested.get_json()
    assert requested.get_json()["tasks"][0]["kind"] == "terminate"
    assert handler.post(f"/cases/{case_id}/termination/decision", json={"approve": True}).status_code == 403
    decided = head.post(f"/cases/{case_id}/termination/decision", json={"approve": True, "comment": "同意"})
    assert decided.status_code == 200, decided.get_json()
    assert decided.get_json()["status"] == "closed"
    kinds = [d["kind"] for d in head.get(f"/cases/{case_id}/documents").get_json()]
    assert kinds == ["termination"]


def test_transfer_through_the_api(api: Api, world: Any) -> None:
    reviewer, head = api.as_("reviewer"), api.as_("head")
    case_id = world.in_review()
    assert reviewer.post(f"/cases/{case_id}/review", json=opinion("amend", ("criminal_transfer",))).status_code == 200
    body = {"receiving_organ": "西安市公安局", "transferred_on": beijing_today().isoformat(),
            "reason": "涉嫌销售伪劣产品罪", "file_number": "西市监移〔2026〕2号"}
    assert head.post(f"/cases/{case_id}/transfer", json={**body, "file_number": ""}).status_code == 422
    transferred = head.post(f"/cases/{case_id}/transfer", json=body)
    assert transferred.status_code == 200, transferred.get_json()
    assert transferred.get_json()["status"] == "transferred"
    kinds = [d["kind"] for d in head.get(f"/cases/{case_id}/documents").get_json()]
    assert kinds == ["opinion", "transfer"]
