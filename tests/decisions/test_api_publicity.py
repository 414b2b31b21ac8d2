"""The deadline and publicity endpoints: tasks with due dates, extend, publish, revoke, withdraw, overdue."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from review_service.core.clock import BEIJING
from review_service.decisions.operations import approve_decision
from review_service.review.operations import submit_opinion
from tests.fixtures.api import Api, error_code
from tests.fixtures.world import opinion


def _at(text: str) -> Any:
    from datetime import datetime

    return time_machine.travel(datetime.fromisoformat(text).replace(tzinfo=BEIJING), tick=False)


@pytest.fixture
def decided_case(world: Any) -> Iterator[str]:
    with _at("2026-11-02 10:00"):
        case_id = world.in_review()
        world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
        world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    yield str(case_id)


def test_tasks_show_due_dates_and_extend(api: Api, world: Any) -> None:
    reviewer, lead = api.as_("reviewer"), api.as_("lead")
    with _at("2026-09-30 10:00"):
        case_id = str(world.in_review())
        [task] = reviewer.get("/tasks").get_json()
        assert (task["kind"], task["due_date"], task["overdue"], task["provisional"]) == (
            "review", "2026-10-13", False, False)
        case = reviewer.get(f"/cases/{case_id}").get_json()
        assert case["tasks"][0]["due_date"] == "2026-10-13"
        [deadline] = case["deadlines"]
        assert deadline["kind"] == "review" and deadline["beyond_decision_limit"] is True
        refused = reviewer.post(f"/cases/{case_id}/review/extend", json={"days": 2, "reason": "复杂"})
        assert refused.status_code == 403 and error_code(refused) == "forbidden"
        stale = lead.post(f"/cases/{case_id}/review/extend", json={"days": 2, "reason": "复杂"},
                          if_match=case["version"] - 1)
        assert stale.status_code == 409
        too_long = lead.post(f"/cases/{case_id}/review/extend", json={"days": 9, "reason": "复杂"})
        assert too_long.status_code == 422 and "days" in too_long.get_json()["error"]["details"]["fields"]
        requested = lead.post(f"/cases/{case_id}/review/extend", json={"days": 2, "reason": "案情复杂"},
                              if_match=case["version"])
        assert requested.status_code == 200, requested.get_json()
        assert requested.get_json()["deadlines"][0]["extended"] is False  # issue 19: the head approves it
        extended = api.as_("head").post(f"/cases/{case_id}/review/extension-decision", json={"approve": True})
        assert extended.status_code == 200, extended.get_json()
        body = extended.get_json()
        assert body["version"] == case["version"] + 2
        assert body["deadlines"][0]["due_date"] == "2026-10-15" and body["deadlines"][0]["extended"] is True
        again = lead.post(f"/cases/{case_id}/review/extend", json={"days": 1, "reason": "再延"})
        assert again.status_code == 409 and error_code(again) == "conflict"
    api.tokens.clear()  # tokens last 12 hours
    with _at("2026-10-16 09:00"):
        [task] = reviewer.get("/tasks").get_json()
        assert task["overdue"] is True


def test_publish_revoke_withdraw(api: Api, world: Any, decided_case: str) -> None:
    handler, head, reviewer = api.as_("handler"), api.as_("head"), api.as_("reviewer")
    case_id = decided_case
    with _at("2026-11-03 10:00"):
        tasks = handler.get("/tasks").get_json()
        assert [(t["kind"], t["case_id"], t["due_date"]) for t in tasks] == [("publish", case_id, "2026-11-11")]
        case = handler.get(f"/cases/{case_id}").get_json()
        assert [t["kind"] for t in case["tasks"]] == ["publish"]
        assert reviewer.post(f"/cases/{case_id}/publish", json={"url": "https://x.gov.cn/1",
                                                                 "published_at": "2026-11-03T09:00:00+08:00"}
                             ).status_code == 403
        bad = handler.post(f"/cases/{case_id}/publish", json={"url": "ftp://x", "published_at": "2026-11-03"})
        assert bad.status_code == 422
        assert set(bad.get_json()["error"]["details"]["fields"]) >= {"url"}
        stale = handler.post(f"/cases/{case_id}/publish", if_match=case["version"] - 1,
                             json={"url": "https://x.gov.cn/1", "published_at": "2026-11-03T09:00:00+08:00"})
        assert stale.status_code == 409
        published = handler.post(f"/cases/{case_id}/publish", if_match=case["version"],
                                 json={"url": "https://x.gov.cn/1", "published_at": "2026-11-03T09:00:00+08:00"})
        assert published.status_code == 200, published.get_json()
        assert handler.get("/tasks").get_json() == []
        assert published.get_json()["deadlines"][-1]["met_at"] == "2026-11-03T09:00:00+08:00"
    api.tokens.clear()
    with _at("2026-12-01 10:00"):
        revoked = head.post(f"/cases/{case_id}/revoke",
                            json={"reason": "revoked", "authority": "西安市人民政府（行政复议）", "date": "2026-11-30"})
        assert revoked.status_code == 200, revoked.get_json()
        tasks = handler.get("/tasks").get_json()
        assert [(t["kind"], t["due_date"]) for t in tasks] == [("withdraw", "2026-12-03")]
        assert head.post(f"/cases/{case_id}/revoke", json={"reason": "revoked", "authority": "x",
                                                            "date": "2026-11-30"}).status_code == 409
        withdrawn = handler.post(f"/cases/{case_id}/withdraw", json={"withdrawn_at": "2026-12-01T09:30:00+08:00"})
        assert withdrawn.status_code == 200, withdrawn.get_json()
        assert handler.get("/tasks").get_json() == []
        assert handler.post(f"/cases/{case_id}/withdraw",
                            json={"withdrawn_at": "2026-12-01T09:30:00+08:00"}).status_code == 409
        actions = [e["action"] for e in api.as_("head").get(f"/cases/{case_id}/audit").get_json()]
        assert {"decision_published", "decision_revoked", "decision_withdrawn"} <= set(actions)


def test_overdue_publications_and_notifications(api: Api, world: Any, decided_case: str) -> None:
    from review_service.jobs.tick import tick

    handler = api.as_("handler")
    with _at("2026-11-12 09:00"):
        tick(world.uow)
        listed = handler.get("/publications/overdue").get_json()
        assert [(item["case_id"], item["due_date"], item["published"]) for item in listed] == [
            (decided_case, "2026-11-11", False)]
        notes = handler.get("/notifications").get_json()
        assert [n["kind"] for n in notes] == ["overdue"] and notes[0]["case_id"] == decided_case
    assert api.as_("outsider").get("/publications/overdue").get_json() == []
    assert api.get("/publications/overdue").status_code == 401


def test_publicity_on_an_undecided_case_is_a_conflict(api: Api, world: Any) -> None:
    case_id = world.submitted()
    answer = api.as_("handler").post(f"/cases/{case_id}/publish",
                                      json={"url": "https://x.gov.cn/1", "published_at": "2026-01-03T09:00:00+08:00"})
    assert answer.status_code == 409
    assert api.as_("outsider").post(f"/cases/{case_id}/revoke", json={"reason": "revoked", "authority": "x",
                                                                       "date": "2026-01-01"}).status_code == 404
