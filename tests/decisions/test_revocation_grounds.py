"""Revocation with grounds and the day of receipt; the withdrawal clock from receipt; the withdrawal's public
explanation; the API's old revoke body unchanged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from review_service.accountability.models import Inquiry
from review_service.audit.models import AuditEvent
from review_service.core.errors import Invalid
from review_service.decisions.operations import approve_decision
from review_service.decisions.publicity import publish_decision, revoke_decision, withdraw_decision
from review_service.decisions.publicity_models import Revocation, Withdrawal
from review_service.review.operations import submit_opinion
from review_service.runtime import connect_receivers
from tests.fixtures.api import Api, error_code
from tests.fixtures.clock import Clock
from tests.fixtures.deadlines import deadlines_of
from tests.fixtures.world import World, opinion


@pytest.fixture
def clock() -> Iterator[Clock]:
    pinned = Clock()
    yield pinned
    pinned.stop()


def _published(world: World, clock: Clock) -> int:
    """Decided on Mon 2026-09-28 and published the next day."""
    clock.set("2026-09-28 10:00")
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    clock.set("2026-09-29 10:00")
    world.act(publish_decision, "handler", case_id=case_id,
              data={"url": "https://example.gov.cn/gk/9", "published_at": "2026-09-29T09:00:00+08:00"})
    return case_id


def _payload(world: World, case_id: int, action: str) -> dict[str, Any]:
    with world.uow() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.action == action)
                                .order_by(AuditEvent.seq.desc())).first()
        assert event is not None
        return dict(json.loads(event.payload))


@pytest.mark.parametrize(("received_on", "due_on"), [
    # received Fri 10-09: Sat 10-10 is a make-up working day (调休 for National Day), then Mon 10-12, Tue 10-13
    ("2026-10-09", date(2026, 10, 13)),
    # received on the decision's own day (Wed 9-30): 10-01…10-07 are the National Day holiday; 10-08, 10-09, 10-10
    ("2026-09-30", date(2026, 10, 10)),
    # no day of receipt (an old client): from the decision's date, as before
    (None, date(2026, 10, 10)),
])
def test_the_withdrawal_deadline_counts_from_receipt(world: World, clock: Clock, received_on: str | None,
                                                     due_on: date) -> None:
    """3 working days from the day the agency RECEIVES the revoking decision or judgment, not the day the other
    body decided: issue 19 (Clocks, "Withdrawal"), relying on 国办发〔2018〕118号 (公示制度: 撤销的信息应当及时
    撤下) and the 陕西 indicator (40)/(41) as the issue quotes them, and DESIGN.md §8 (3 working days, agency
    setting ``withdraw_working_days``; the start day not counted, 调休 Saturdays count, holidays do not, on the
    2026 State Council calendar: 国办发明电〔2025〕 National Day 10-01…10-07, make-up Saturday 10-10)."""
    case_id = _published(world, clock)
    clock.set("2026-10-09 15:00")
    data = {"reason": "revoked", "authority": "西安市中级人民法院", "date": "2026-09-30",
            "grounds": ["insufficient_evidence", "illegal_procedure"]}
    if received_on is not None:
        data["received_on"] = received_on
    world.act(revoke_decision, "head", case_id=case_id, data=data)
    withdraw = deadlines_of(world.uow, case_id)[-1]
    assert (withdraw.kind, withdraw.start_on, withdraw.due_on) == (
        "withdraw", date.fromisoformat(received_on or "2026-09-30"), due_on)
    payload = _payload(world, case_id, "decision_revoked")
    assert (payload["grounds"], payload["received_on"]) == (["insufficient_evidence", "illegal_procedure"],
                                                            received_on)
    with world.uow() as session:
        row = session.scalars(select(Revocation).where(Revocation.case_id == case_id)).one()
        inquiry = session.scalars(select(Inquiry).where(Inquiry.case_id == case_id)).one()
    assert row.grounds == inquiry.grounds == ["insufficient_evidence", "illegal_procedure"]


@pytest.mark.parametrize(("change", "field"), [
    ({"received_on": "2026-09-29"}, "received_on"),  # before the revoking decision
    ({"received_on": "2026-10-10"}, "received_on"),  # in the future
    ({"grounds": []}, "grounds"),
    ({"grounds": ["insufficient_evidence", "insufficient_evidence"]}, "grounds"),
    ({"grounds": ["unlawful"]}, "grounds"),
    ({"reason": "annulled"}, "reason"),
])
def test_revocation_input_is_checked(world: World, clock: Clock, change: dict[str, Any], field: str) -> None:
    case_id = _published(world, clock)
    clock.set("2026-10-09 15:00")
    with pytest.raises(Invalid) as refused:
        world.act(revoke_decision, "head", case_id=case_id,
                  data={"reason": "revoked", "authority": "法院", "date": "2026-09-30", **change})
    assert any(key.split(".")[0] == field for key in refused.value.fields), refused.value.fields


@pytest.mark.parametrize(("reason", "label"), [("changed", "被变更"), ("confirmed_void", "被确认无效")])
def test_changed_and_confirmed_void_are_revocations_too(world: World, clock: Clock, reason: str, label: str) -> None:
    """行政复议法 (2023) art. 63 (变更) and art. 67 / 行政诉讼法 art. 75 (确认无效): each ends the published
    decision and opens an inquiry (issue 19: reasons gain 变更 and 确认无效)."""
    connect_receivers()
    case_id = _published(world, clock)
    clock.set("2026-10-09 15:00")
    world.act(revoke_decision, "handler", case_id=case_id,
              data={"reason": reason, "authority": "西安市人民政府", "date": "2026-10-09", "received_on": "2026-10-09",
                    "grounds": ["clearly_improper"]})
    assert _payload(world, case_id, "decision_revoked")["reason_label"] == label
    with world.uow() as session:
        inquiry = session.scalars(select(Inquiry).where(Inquiry.case_id == case_id)).one()
    assert (inquiry.reason, inquiry.grounds) == (reason, ["clearly_improper"])


def test_the_withdrawal_records_its_public_explanation(world: World, clock: Clock) -> None:
    """Issue 19: the withdrawal records its public explanation (公开说明理由); audited with it."""
    case_id = _published(world, clock)
    clock.set("2026-10-09 15:00")
    world.act(revoke_decision, "head", case_id=case_id,
              data={"reason": "revoked", "authority": "法院", "date": "2026-09-30", "received_on": "2026-10-09"})
    world.act(withdraw_decision, "handler", case_id=case_id,
              data={"withdrawn_at": "2026-10-09T14:00:00+08:00",
                    "explanation": "该决定已被西安市中级人民法院判决撤销，依法撤回公开信息。"})
    with world.uow() as session:
        row = session.scalars(select(Withdrawal).where(Withdrawal.case_id == case_id)).one()
    assert row.explanation.startswith("该决定已被西安市中级人民法院判决撤销")
    payload = _payload(world, case_id, "decision_withdrawn")
    assert payload["explanation"] == row.explanation and payload["deadline"]["late"] is False


def test_the_api_accepts_the_old_revoke_body_and_the_new_fields(api: Api, world: World, clock: Clock) -> None:
    """API.md: ``{"reason", "authority", "date"}`` stays valid; ``grounds``, ``received_on`` and the withdrawal's
    ``explanation`` are optional additions."""
    old, new = _published(world, clock), _published(world, clock)
    clock.set("2026-10-09 15:00")
    head = api.as_("head")
    answer = head.post(f"/cases/{old}/revoke", json={"reason": "revoked", "authority": "西安市人民政府（行政复议）",
                                                     "date": "2026-09-30"})
    assert answer.status_code == 200, answer.get_json()
    assert deadlines_of(world.uow, old)[-1].due_on == date(2026, 10, 10)
    bad = head.post(f"/cases/{new}/revoke", json={"reason": "changed", "authority": "x", "date": "2026-09-30",
                                                  "received_on": "2026-09-01", "grounds": ["wrong_law"]})
    assert (bad.status_code, error_code(bad)) == (422, "invalid")
    assert "received_on" in bad.get_json()["error"]["details"]["fields"]
    good = head.post(f"/cases/{new}/revoke", json={"reason": "changed", "authority": "x", "date": "2026-09-30",
                                                   "received_on": "2026-10-09", "grounds": ["wrong_law"]})
    assert good.status_code == 200, good.get_json()
    assert deadlines_of(world.uow, new)[-1].due_on == date(2026, 10, 13)
    handler = api.as_("handler")
    assert handler.post(f"/cases/{old}/withdraw", json={"withdrawn_at": "2026-10-09T10:00:00+08:00"}
                        ).status_code == 200
    withdrawn = handler.post(f"/cases/{new}/withdraw", json={"withdrawn_at": "2026-10-09T10:00:00+08:00",
                                                             "explanation": "决定已被变更，撤回原公开信息。"})
    assert withdrawn.status_code == 200, withdrawn.get_json()
    schema = api.get("/openapi.json").get_json()
    text = json.dumps(schema, ensure_ascii=False)
    assert "received_on" in text and "confirmed_void" in text and "explanation" in text
