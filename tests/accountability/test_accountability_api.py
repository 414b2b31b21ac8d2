"""``/api/v1/cases/{id}/accountability``: read the chain, record findings, close the inquiry."""

from __future__ import annotations

from tests.fixtures.accountability import RevokedCase
from tests.fixtures.api import Api, error_code
from tests.fixtures.world import World


def test_chain_findings_and_close_over_the_api(api: Api, world: World, revoked: RevokedCase) -> None:
    path = f"/cases/{revoked.case_id}/accountability"
    auditor = api.as_("auditor")
    read = auditor.get(path)
    assert read.status_code == 200, read.get_json()
    body = read.get_json()
    assert body["inquiry"]["status"] == "open" and body["inquiry"]["reason"] == "revoked"
    entry = body["chain"][0]
    assert set(entry) >= {"stage", "user", "role", "action", "at", "draft_sha256", "statement"}
    assert {e["draft_sha256"] for e in body["chain"]} == set(revoked.drafts)
    people = {e["user"]["id"] for e in body["chain"] if e["user"] and e["user"]["id"]}

    early = auditor.post(f"{path}/close", json={"conclusion": "结论"})
    assert (early.status_code, error_code(early)) == (422, "invalid")
    assert early.get_json()["error"]["details"]["missing"]

    assert {p["user"]["name"] for p in body["people"] if p["grounds"]} >= {"外聘专家王某"}
    for user_id in sorted(people):
        finding = {"user_id": user_id, "finding": "no_fault", "reasons": "无过错。"}  # the old body still holds
        answer = auditor.post(f"{path}/findings", json=finding)
        assert answer.status_code == 200, answer.get_json()
    proposed = auditor.get(path).get_json()["inquiry"]["findings"]
    assert {(f["status"], f["responsibility"], f["sanction"]) for f in proposed} == {("proposed", "none", "none")}
    undecided = auditor.post(f"{path}/close", json={"conclusion": "结论"})
    assert (undecided.status_code, error_code(undecided)) == (422, "invalid")
    refused = auditor.post(f"{path}/decisions", json={"user_id": int(sorted(people)[0]), "decision": "confirm"})
    assert (refused.status_code, refused.get_json()["error"]["details"]["rule"]) == (403, "role")
    for user_id in sorted(people):
        decider = "head2" if user_id == str(world.ids["head"]) else "head"
        answer = api.as_(decider).post(f"{path}/decisions", json={"user_id": int(user_id), "decision": "confirm"})
        assert answer.status_code == 200, answer.get_json()
    bad = auditor.post(f"{path}/findings", json={"user_id": people.pop(), "finding": "guilty", "reasons": "x"})
    assert (bad.status_code, error_code(bad)) == (422, "invalid")
    closed = auditor.post(f"{path}/close", json={"conclusion": "经调查，相关人员均无过错。"})
    assert closed.status_code == 200, closed.get_json()
    inquiry = closed.get_json()["inquiry"]
    assert inquiry["status"] == "closed" and inquiry["closed_at"].endswith("+08:00")
    assert inquiry["document_sha256"] and len(inquiry["document_sha256"]) == 64
    again = auditor.post(f"{path}/close", json={"conclusion": "再次"})
    assert (again.status_code, error_code(again)) == (409, "conflict")


def test_who_may_read_and_write(api: Api, world: World, revoked: RevokedCase) -> None:
    path = f"/cases/{revoked.case_id}/accountability"
    assert api.as_("head").get(path).status_code == 200
    for name, status in (("handler", 403), ("reviewer", 403), ("other_auditor", 404)):
        answer = api.as_(name).get(path)
        assert answer.status_code == status, (name, answer.get_json())
    finding = {"user_id": world.ids["handler"], "finding": "no_fault", "reasons": "无过错。"}
    refused = api.as_("head").post(f"{path}/findings", json=finding)
    assert (refused.status_code, refused.get_json()["error"]["details"]["rule"]) == (403, "role")
    assert api.get(path).status_code == 401
    assert api.as_("auditor").get("/cases/999999/accountability").status_code == 404


def test_openapi_describes_accountability(api: Api) -> None:
    paths = api.get("/openapi.json").get_json()["paths"]
    assert {"/api/v1/cases/{case_id}/accountability", "/api/v1/cases/{case_id}/accountability/findings",
            "/api/v1/cases/{case_id}/accountability/decisions", "/api/v1/cases/{case_id}/accountability/grounds",
            "/api/v1/cases/{case_id}/accountability/close", "/api/v1/audit/checkpoints"} <= set(paths)


def test_revoke_over_the_api_opens_the_inquiry(api: Api, world: World) -> None:
    from review_service.core.clock import beijing_today
    from tests.fixtures.accountability import two_rounds_and_coordination

    case = two_rounds_and_coordination(world)
    path = f"/cases/{case.case_id}/accountability"
    assert api.as_("auditor").get(path).get_json()["inquiry"] is None
    revoked = api.as_("head").post(f"/cases/{case.case_id}/revoke", json={
        "reason": "ordered_remake", "authority": "陕西省市场监督管理局", "date": beijing_today().isoformat()})
    assert revoked.status_code in (200, 201), revoked.get_json()
    body = api.as_("auditor").get(path).get_json()
    assert (body["inquiry"]["status"], body["inquiry"]["reason"]) == ("open", "ordered_remake")
    revocation = [e for e in body["chain"] if e["stage"] == "revocation"]
    assert len(revocation) == 1 and revocation[0]["user"]["id"] == str(world.ids["head"])
    assert revocation[0]["draft_sha256"] == case.drafts[1]
