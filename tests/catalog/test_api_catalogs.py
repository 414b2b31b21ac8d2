"""``/api/v1/catalogs``: versions with status and diff; a review lead confirms or refuses a narrowing version."""

from __future__ import annotations

from typing import Any

from review_service.catalog.operations import load_catalog
from tests.fixtures.api import Api, error_code
from tests.fixtures.world import AGENCY, CATALOGS

NARROWER = (CATALOGS / "shaanxi-market-regulation.yaml").read_text("utf-8").replace(
    "version: 1\n", "version: 2\n").replace('{gte: "100000"}', '{gte: "1000000"}')


def _load(world: Any, text: str) -> int:
    with world.uow() as session:
        return load_catalog(session, actor=None, text=text, filename="n.yaml", agencies=[AGENCY]).id


def test_list_confirm_and_refuse(api: Api, world: Any) -> None:
    row_id = _load(world, NARROWER)
    items = api.as_("lead").get("/catalogs").get_json()["items"]
    pending = next(item for item in items if item["row_id"] == row_id)
    assert pending["status"] == "pending" and pending["can_decide"] is True
    assert [agency["name"] for agency in pending["bound_agencies"]] == [AGENCY]
    assert pending["diff"]["changed"][0]["rule_id"] == "large-fine-organization"
    assert pending["diff"]["narrowed_agencies"] == [AGENCY]
    assert api.as_("handler").get("/catalogs").get_json()["items"][0]["can_decide"] is False
    refused = api.as_("reviewer").post(f"/catalogs/{row_id}/confirm", json={})
    assert refused.status_code == 403 and error_code(refused) == "forbidden"
    outsider = api.as_("outsider").post(f"/catalogs/{row_id}/confirm")
    assert outsider.status_code == 403 and outsider.get_json()["error"]["details"]["rule"] == "catalog_scope"
    no_reason = api.as_("lead").post(f"/catalogs/{row_id}/refuse", json={})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["error"]["details"]["fields"]
    done = api.as_("lead").post(f"/catalogs/{row_id}/confirm", json={"note": "同意"})
    assert done.status_code == 200 and done.get_json()["status"] == "active"
    assert api.as_("lead").post(f"/catalogs/{row_id}/refuse", json={"reason": "晚了"}).status_code == 409
    assert api.as_("lead").post("/catalogs/999999/confirm").status_code == 404


def test_refuse_keeps_the_old_version(api: Api, world: Any) -> None:
    row_id = _load(world, NARROWER)
    done = api.as_("lead").post(f"/catalogs/{row_id}/refuse", json={"reason": "收窄缺乏依据"})
    assert done.status_code == 200 and done.get_json()["status"] == "refused"
    assert done.get_json()["decision_note"] == "收窄缺乏依据"
    created = api.as_("handler").post("/cases", json=_draft(world))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["classification"]["major"] is True
    assert created.get_json()["classification"]["catalog"] == {"id": "shaanxi-market-regulation", "version": 1}


def _draft(world: Any) -> dict[str, Any]:
    from tests.fixtures.world import MAJOR_DRAFT

    return dict(MAJOR_DRAFT)
