"""Every error code of API.md, each produced by a real request, and nothing changed by a refused one."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from review_service.cases import flow
from review_service.runtime import Runtime
from review_service.workflow import ProcessRegistry
from tests.fixtures.api import Api, error_code
from tests.fixtures.world import MAJOR_DRAFT, opinion


def _version(api: Api, case_id: int | str) -> int:
    return int(api.as_("handler").get(f"/cases/{case_id}").get_json()["version"])


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe{}", b"[1, 2]", b'"text"', b"", b'{"a": NaN}'])
def test_bad_request_for_unparseable_bodies(api: Api, body: bytes) -> None:
    response = api.as_("handler").post("/cases", data=body, content_type="application/json")
    assert response.status_code == 400 and error_code(response) == "bad_request"
    assert api.as_("handler").get("/cases").get_json()["total"] == 0


def test_bad_request_for_a_malformed_if_match(api: Api, world: Any) -> None:
    case_id = world.new_case()
    response = api.as_("handler").patch(f"/cases/{case_id}/draft", json={"facts": "x"}, if_match="v3")
    assert response.status_code == 400 and error_code(response) == "bad_request"


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic abc"])
def test_unauthenticated(api: Api, header: str | None) -> None:
    response = api.get("/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401 and error_code(response) == "unauthenticated"


def test_forbidden_role_and_separation_of_duties(api: Api, world: Any) -> None:
    refused = api.as_("reviewer").post("/cases", json=MAJOR_DRAFT)
    assert refused.status_code == 403 and error_code(refused) == "forbidden"
    assert refused.get_json()["error"]["details"]["rule"] == "role"

    case_id = world.submitted(handler="multi")
    sod = api.as_("lead").post(f"/cases/{case_id}/review/assign", json={"reviewer_id": world.ids["multi"]})
    assert sod.status_code == 403 and sod.get_json()["error"]["details"]["rule"] == "separation_of_duties"
    rookie = api.as_("lead").post(f"/cases/{case_id}/review/assign", json={"reviewer_id": world.ids["rookie"]})
    assert rookie.status_code == 403 and rookie.get_json()["error"]["details"]["rule"] == "qualification"
    assert api.as_("lead").get(f"/cases/{case_id}").get_json()["status"] == "in_review"
    assert api.as_("lead").get(f"/cases/{case_id}").get_json()["tasks"][0]["kind"] == "assign"


def test_not_found_also_outside_the_callers_scope(api: Api, world: Any) -> None:
    case_id = world.new_case()
    for path in (f"/cases/{case_id}", f"/cases/{case_id}/audit", "/cases/999999", "/cases/99999999999999"):
        response = api.as_("outsider").get(path)
        assert response.status_code == 404 and error_code(response) == "not_found", path
    write = api.as_("outsider").patch(f"/cases/{case_id}/draft", json={"facts": "x"})
    assert write.status_code == 404 and error_code(write) == "not_found"
    assert error_code(api.as_("handler").get("/no/such/path")) == "not_found"
    assert error_code(api.as_("handler").get("/cases/abc")) == "not_found"


def test_conflict_on_if_match_and_on_a_completed_task(api: Api, world: Any) -> None:
    case_id = world.new_case()
    version = _version(api, case_id)
    stale = api.as_("handler").patch(f"/cases/{case_id}/draft", json={"facts": "新事实"}, if_match=version + 1)
    assert stale.status_code == 409 and error_code(stale) == "conflict"
    assert stale.get_json()["error"]["details"] == {"expected_version": version + 1, "actual_version": version}
    assert _version(api, case_id) == version
    ok = api.as_("handler").patch(f"/cases/{case_id}/draft", json={"facts": "新事实"}, if_match=f'"{version}"')
    assert ok.status_code == 200

    in_review = world.in_review()
    again = api.as_("reviewer").post(f"/cases/{in_review}/review/intake", json={"complete": True})
    assert again.status_code == 409 and error_code(again) == "conflict"


@pytest.fixture
def process_skipping_review(tmp_path: Path, runtime: Runtime, app: Flask) -> Iterator[None]:
    """Both runtimes (the world's and the app's) run an edited process file that routes past review."""
    source = (flow.BPMN_DIR / "major_decision_review.bpmn").read_text("utf-8")
    condition = '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">major</bpmn:conditionExpression>'
    assert condition in source
    (tmp_path / "major_decision_review.bpmn").write_text(source.replace(condition, condition.replace(
        ">major<", ">False<")), "utf-8")
    edited = ProcessRegistry.load(tmp_path)
    for each in (runtime, app.extensions["review_service"]):
        each.use_registry(edited)
    yield


def test_not_cleared_when_the_process_skipped_review(api: Api, world: Any, process_skipping_review: None) -> None:
    case_id = world.submitted()
    response = api.as_("head").post(f"/cases/{case_id}/approve", json={"approve": True, "comment": "同意"})
    assert response.status_code == 409 and error_code(response) == "not_cleared"
    assert api.as_("head").get(f"/cases/{case_id}").get_json()["decision"] is None


def test_too_large_upload_and_body(api: Api, world: Any) -> None:
    case_id = world.new_case()
    big = api.as_("handler").post(f"/cases/{case_id}/materials", content_type="multipart/form-data",
                                  data={"file": (io.BytesIO(b"x" * (64 * 1024 + 1)), "big.pdf"), "kind": "evidence",
                                        "title": "大文件"})
    assert big.status_code == 413 and error_code(big) == "too_large"
    huge = api.as_("handler").post("/cases", data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                                   content_type="application/json")
    assert huge.status_code == 413 and error_code(huge) == "too_large"
    assert api.as_("handler").get(f"/cases/{case_id}").get_json()["materials"] == []


@pytest.mark.parametrize(("body", "field"), [
    ({k: v for k, v in MAJOR_DRAFT.items() if k != "title"}, "title"),
    ({**MAJOR_DRAFT, "decision_type": "parking_ticket"}, "decision_type"),
    ({**MAJOR_DRAFT, "hearing_held": "maybe"}, "hearing_held"),
    ({**MAJOR_DRAFT, "title": "bad\x00title"}, "title"),
    ({**MAJOR_DRAFT, "proposed_decision": {"summary": "罚款", "fine_amount": "-1"}}, "proposed_decision.fine_amount"),
])
def test_invalid_names_each_field(api: Api, body: dict[str, Any], field: str) -> None:
    response = api.as_("handler").post("/cases", json=body)
    assert response.status_code == 422 and error_code(response) == "invalid"
    assert field in response.get_json()["error"]["details"]["fields"]


def test_invalid_opinion_and_missing_materials(api: Api, world: Any) -> None:
    case_id = world.in_review()
    incomplete = opinion("approve")
    del incomplete["points"]["facts_clear"]
    response = api.as_("reviewer").post(f"/cases/{case_id}/review", json=incomplete)
    assert response.status_code == 422 and "points.facts_clear" in response.get_json()["error"]["details"]["fields"]
    contradictory = api.as_("reviewer").post(f"/cases/{case_id}/review",
                                             json=opinion("approve", ("facts_clear",)))
    assert contradictory.status_code == 422

    draft = {**MAJOR_DRAFT, "materials": []}
    bare = api.as_("handler").post("/cases", json=draft).get_json()["id"]
    missing = api.as_("handler").post(f"/cases/{bare}/submit")
    assert missing.status_code == 422 and missing.get_json()["error"]["details"]["missing"]
    refused = api.as_("handler").post(f"/cases/{bare}/submit", json={"attest": False})
    assert refused.status_code == 422 and "attest" in refused.get_json()["error"]["details"]["fields"]
    bad_id = api.as_("lead").post(f"/cases/{bare}/review/assign", json={"reviewer_id": "abc"})
    assert bad_id.status_code == 422 and "reviewer_id" in bad_id.get_json()["error"]["details"]["fields"]


def test_method_not_allowed_is_an_envelope(api: Api) -> None:
    response = api.as_("handler").request("DELETE", "/cases")
    assert response.status_code == 405 and error_code(response) == "method_not_allowed"
