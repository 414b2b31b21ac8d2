"""审查中补充材料 through the API (issue 19), and the due day of 分配 / 受理审查 on ``GET /cases/{id}``'s task."""

from __future__ import annotations

import copy
import io
from typing import Any

from review_service.review.operations import assign_reviewer
from tests.fixtures.api import Api, error_code
from tests.fixtures.clock import Clock
from tests.fixtures.world import MAJOR_DRAFT

FILED_JAN = {**copy.deepcopy(MAJOR_DRAFT), "filed_on": "2026-01-10"}


def test_the_assign_and_intake_tasks_carry_their_due_day(api: Api, world: Any, clock: Clock) -> None:
    """Issue 19: 分配 is due 1 working day after receipt, 受理审查 1 after the assignment (agency settings
    ``assignment_working_days`` / ``intake_working_days``); 2026-02-13 → the 调休 Saturday 02-14."""
    clock.set("2026-02-12 10:00")
    case_id = world.submitted(FILED_JAN)
    task = api.as_("lead").get(f"/cases/{case_id}").get_json()["tasks"][0]
    assert (task["kind"], task["due_date"], task["overdue"]) == ("assign", "2026-02-13", False)
    clock.set("2026-02-13 10:00")
    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"])  # tokens last 12 h
    task = api.as_("reviewer").get(f"/cases/{case_id}").get_json()["tasks"][0]
    assert (task["kind"], task["due_date"]) == ("intake", "2026-02-14")
    clock.set("2026-02-24 10:00")
    api.tokens.clear()
    assert api.as_("reviewer").get(f"/cases/{case_id}").get_json()["tasks"][0]["overdue"] is True


def test_request_upload_and_answer(api: Api, world: Any, clock: Clock) -> None:
    clock.set("2026-03-02 10:00")
    case_id = world.in_review(FILED_JAN)
    reviewer, handler = api.as_("reviewer"), api.as_("handler")
    assert error_code(handler.post(f"/cases/{case_id}/review/materials-request", json={"note": "x"})) == "forbidden"
    asked = reviewer.post(f"/cases/{case_id}/review/materials-request",
                          json={"note": "请补充抽样检验报告。", "kinds": ["evidence"]})
    assert asked.status_code == 200, asked.get_json()
    again = reviewer.post(f"/cases/{case_id}/review/materials-request", json={"note": "再补充"})
    assert again.status_code == 409 and error_code(again) == "conflict"
    [request] = reviewer.get(f"/cases/{case_id}/clocks").get_json()["materials_requests"]
    assert (request["outcome"], request["kind_labels"]) == (None, ["证据材料"])
    assert "materials_request" in [t["kind"] for t in handler.get("/tasks").get_json()]
    clock.set("2026-03-02 11:00")
    hollow = handler.post(f"/cases/{case_id}/review/materials-request/answer", json={})
    assert hollow.status_code == 422 and "answer" in hollow.get_json()["error"]["details"]["fields"]
    upload = handler.post(f"/cases/{case_id}/materials", content_type="multipart/form-data",
                          data={"file": (io.BytesIO(b"%PDF report"), "report.pdf"), "kind": "evidence",
                                "title": "抽样检验报告"})
    assert upload.status_code == 201, upload.get_json()
    answered = handler.post(f"/cases/{case_id}/review/materials-request/answer", json={})
    assert answered.status_code == 200, answered.get_json()
    [request] = reviewer.get(f"/cases/{case_id}/clocks").get_json()["materials_requests"]
    assert request["outcome"] == "answered" and request["material_ids"] == [str(upload.get_json()["id"])]
    pauses = reviewer.get(f"/cases/{case_id}/clocks").get_json()["pauses"]
    assert [(p["cause"], p["ended_on"]) for p in pauses] == [("materials_requested", "2026-03-02")]
