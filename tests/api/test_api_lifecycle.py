"""A whole major case through the API with the Flask test client, and the read endpoints."""

from __future__ import annotations

import copy
import io
from typing import Any

from tests.fixtures.api import Api
from tests.fixtures.world import MAJOR_DRAFT, minor_draft, opinion, replies

PROBLEMS = ("evidence_sufficient",)


def test_major_case_end_to_end(api: Api, world: Any) -> None:
    handler, lead, reviewer, head = (api.as_(n) for n in ("handler", "lead", "reviewer", "head"))
    created = handler.post("/cases", json=MAJOR_DRAFT)
    assert created.status_code == 201, created.get_json()
    case = created.get_json()
    case_id = case["id"]
    assert case["status"] == "draft" and case["classification"]["major"] is True
    assert case["draft"]["proposed_decision"]["fine_amount"] == "500000.00"
    assert case["tasks"][0]["kind"] == "draft"
    assert created.headers["ETag"] == f'"{case["version"]}"'

    upload = handler.post(f"/cases/{case_id}/materials", content_type="multipart/form-data",
                          data={"file": (io.BytesIO(b"%PDF evidence"), "evidence.pdf"), "kind": "evidence",
                                "title": "询问笔录"})
    assert upload.status_code == 201, upload.get_json()
    assert upload.get_json()["size"] == len(b"%PDF evidence")

    version = handler.get(f"/cases/{case_id}").get_json()["version"]
    submitted = handler.post(f"/cases/{case_id}/submit", json={}, if_match=version)
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["status"] == "in_review"

    assert [t["kind"] for t in lead.get("/tasks").get_json()] == ["assign"]
    assigned = lead.post(f"/cases/{case_id}/review/assign", json={"reviewer_id": str(world.ids["reviewer"])})
    assert assigned.status_code == 200, assigned.get_json()
    task = reviewer.get("/tasks").get_json()
    assert task[0]["case_id"] == case_id and task[0]["kind"] == "intake"
    # issue 19: 受理审查 is timed inside the review period (1 working day from the assignment)
    assert task[0]["due_date"] is not None and task[0]["provisional"] is False
    declared = reviewer.post(f"/cases/{case_id}/review/recusal", json={"declaration": "no_conflict"})
    assert declared.status_code == 200, declared.get_json()
    assert reviewer.post(f"/cases/{case_id}/review/intake", json={"complete": True}).status_code == 200

    amended = reviewer.post(f"/cases/{case_id}/review", json=opinion("amend", PROBLEMS))
    assert amended.status_code == 200, amended.get_json()
    body = amended.get_json()
    assert body["status"] == "awaiting_reply" and isinstance(body["quality"], list)
    assert body["reviews"][0]["conclusion"] == "amend"

    replied = handler.post(f"/cases/{case_id}/reply", json=replies(PROBLEMS))
    assert replied.status_code == 200, replied.get_json()
    assert replied.get_json()["status"] == "awaiting_resubmission"
    edited = handler.patch(f"/cases/{case_id}/draft", json={"facts": "补充：当事人进货单据已调取。"})
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["draft"]["version"] == 2
    resubmitted = handler.post(f"/cases/{case_id}/submit")
    assert resubmitted.status_code == 200, resubmitted.get_json()
    assert resubmitted.get_json()["status"] == "in_review"

    approved = reviewer.post(f"/cases/{case_id}/review", json=opinion("approve"))
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["status"] == "awaiting_approval"
    decided = head.post(f"/cases/{case_id}/approve", json={"approve": True, "comment": "同意"})
    assert decided.status_code == 200, decided.get_json()
    final = decided.get_json()
    assert final["status"] == "decided"
    assert final["decision"]["draft_sha256"] == final["draft"]["sha256"]
    assert final["decision"]["decided_at"].endswith("+08:00")

    events = handler.get(f"/cases/{case_id}/audit").get_json()
    steps = [e["action"] for e in events if e["action"] not in ("deadlines_updated", "document_issued")]
    assert steps[0] == "case_created" and steps[-1] == "decision_made"
    assert events[-1]["action"] == "document_issued" and events[-1]["payload"]["kind"] == "approval"
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)


def test_minor_case_goes_to_approval(api: Api) -> None:
    handler = api.as_("handler")
    case_id = handler.post("/cases", json=minor_draft()).get_json()["id"]
    submitted = handler.post(f"/cases/{case_id}/submit", json={"attest": True})
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["status"] == "awaiting_approval"


def test_me_list_and_scope(api: Api, world: Any) -> None:
    me = api.as_("handler").get("/me").get_json()
    assert me["username"] == "handler" and me["roles"] == ["handler"] and me["id"] == str(world.ids["handler"])
    ids = [api.as_("handler").post("/cases", json=dict(copy.deepcopy(MAJOR_DRAFT), title=f"案件{i}")).get_json()["id"]
           for i in range(3)]
    listed = api.as_("head").get("/cases?q=案件1").get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == ids[1] and listed["page"] == 1
    assert api.as_("head").get("/cases?status=draft").get_json()["total"] == 3
    assert api.as_("outsider").get("/cases").get_json() == {"items": [], "total": 0, "page": 1}
    assert api.as_("outsider").get(f"/cases/{ids[0]}").status_code == 404


def test_openapi_document_is_valid_and_complete(api: Api) -> None:
    from openapi_spec_validator import validate

    from review_service.api.edge import ENDPOINTS

    document = api.get("/openapi.json").get_json()
    validate(document)
    for spec in ENDPOINTS:
        path = "/api/v1" + spec.rule.replace("<int:case_id>", "{case_id}").replace("<int:user_id>", "{user_id}") \
            .replace("<int:catalog_row_id>", "{catalog_row_id}")
        assert spec.method.lower() in document["paths"][path]
    review = document["paths"]["/api/v1/cases/{case_id}/review"]["post"]
    assert review["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/OpinionIn"}
    assert "DraftPatch" in document["components"]["schemas"]
    # a handed-over password not yet changed: 403 on every authenticated call but logging out
    assert "password_change_required" in document["paths"]["/api/v1/me"]["get"]["responses"]["403"]["description"]
    assert "403" not in document["paths"]["/api/v1/auth/token"]["delete"]["responses"]


def test_auditor_reads_the_agencies_below_and_nothing_else(api: Api, world: Any) -> None:
    from review_service.organization.operations import add_agency, add_user
    from tests.fixtures.world import AGENCY, OTHER_AGENCY, PASSWORD

    with world.uow() as session:
        add_agency(session, actor=None, name="西安市雁塔区市场监督管理局", parent=AGENCY, system="市场监管")
        for username, agency, roles in (("county.handler", "西安市雁塔区市场监督管理局", ["handler"]),
                                        ("auditor", AGENCY, ["auditor"]), ("far.auditor", OTHER_AGENCY, ["auditor"])):
            world.ids[username] = add_user(session, actor=None, username=username, name=username, agency=agency,
                                           roles=roles, password=PASSWORD).id
    county_case = world.new_case(handler="county.handler")
    own_case = world.new_case()
    auditor = api.as_("auditor")
    assert {item["id"] for item in auditor.get("/cases").get_json()["items"]} == {str(county_case), str(own_case)}
    assert auditor.get(f"/cases/{county_case}").status_code == 200
    assert auditor.get(f"/cases/{county_case}/audit").status_code == 200
    assert api.as_("head").get(f"/cases/{county_case}").status_code == 404  # a head sees their own agency only
    assert api.as_("far.auditor").get(f"/cases/{own_case}").status_code == 404
    assert auditor.patch(f"/cases/{county_case}/draft", json={"facts": "x"}).status_code == 404  # read-only
