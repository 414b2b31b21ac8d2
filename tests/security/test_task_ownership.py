"""Who may act on a task (issue 15, point 10): a case's handler tasks are its assignee's.

Another handler of the same agency replied to, resubmitted and published cases assigned to 张伟.
The rule now: only the case's assigned handler acts on its handler tasks (403 ``not_assignee``,
naming the assignee); the unit head (承办机构负责人) may reassign the case to another active
handler of the agency, with a reason, audited as ``case_reassigned``; an agency that works its
cases as a pool says so with the setting ``handlers_share_cases``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from review_service.audit.models import AuditEvent
from review_service.case_view.todo import open_tasks
from review_service.cases.downgrades import request_downgrade
from review_service.cases.operations import attach_material, submit_case, update_draft
from review_service.cases.reassignment import reassign_case
from review_service.core.clock import utcnow
from review_service.core.errors import Forbidden, Invalid, NotFound
from review_service.deadlines.models import Deadline
from review_service.decisions.operations import approve_decision
from review_service.decisions.publicity import publish_decision, revoke_decision
from review_service.organization.models import Agency
from review_service.paths.operations import request_termination, withdraw_submission
from review_service.replies.operations import abandon_case, reply_to_opinion, resubmit_case
from review_service.review.operations import submit_opinion
from tests.fixtures.world import AGENCY, World, opinion, replies

PROBLEM = ("facts_clear",)
REASON = "张伟调任执法支队，本案由其他承办人员接续办理。"


def _awaiting_reply(world: World) -> int:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    return case_id


def _awaiting_resubmission(world: World) -> int:
    case_id = _awaiting_reply(world)
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
    return case_id


def _decided(world: World) -> int:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    return case_id


def _publish_body() -> dict[str, str]:
    return {"url": "https://scjg.xa.gov.cn/xzcf/2026/123", "published_at": utcnow().isoformat()}


def _share_cases(world: World) -> None:
    with world.uow() as session:
        agency = session.scalars(select(Agency).where(Agency.name == AGENCY)).one()
        agency.settings = {**(agency.settings or {}), "handlers_share_cases": True}


def _refused(world: World, fn: Callable[..., Any], name: str, **kwargs: Any) -> Forbidden:
    with pytest.raises(Forbidden) as refused:
        world.act(fn, name, **kwargs)
    return refused.value


def _events(world: World, case_id: int, action: str) -> list[AuditEvent]:
    with world.uow() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id,
                                                             AuditEvent.action == action)))


def _task_cases(world: World, name: str) -> set[str]:
    with world.uow() as session:
        return {task["case_id"] for task in open_tasks(session, world.user(session, name))}


def test_another_handler_of_the_agency_cannot_act_on_a_case_assigned_to_someone_else(world: World) -> None:
    """Attack: a handler of the same agency (handler2) drafts, uploads, submits, replies, resubmits,
    abandons, withdraws, asks for termination or a downgrade, publishes or records the revocation of a
    case assigned to another handler, and so speaks for the assignee in the case's record.
    Rule: a case's handler tasks belong to its assigned handler; anyone else holding the handler
    role is refused with 403 ``not_assignee`` naming the assignee, and nothing changes.
    Source: OWASP ASVS 5.0 V8.2.2 (data-specific access: no IDOR/BOLA); GB/T 22239-2019 8.1.4.2
    (访问控制：授权主体配置访问控制策略); CWE-639 (authorization bypass through a user-controlled key).
    """
    drafting = world.new_case()
    reviewing = world.submitted()
    replying = _awaiting_reply(world)
    resubmitting = _awaiting_resubmission(world)
    decided = _decided(world)
    attempts: list[tuple[Callable[..., Any], dict[str, Any]]] = [
        (update_draft, {"case_id": drafting, "changes": {"facts": "他人改写的事实"}}),
        (attach_material, {"case_id": drafting, "kind": "evidence", "title": "笔录", "filename": "x.txt",
                           "data": b"x", "content_type": "text/plain", "blobs": world.blobs}),
        (submit_case, {"case_id": drafting, "attest": True}),
        (request_termination, {"case_id": drafting,
                               "data": {"reason_code": "facts_not_established", "reason": "事实不成立"}}),
        (request_downgrade, {"case_id": drafting, "reasons": "罚款已降低"}),
        (withdraw_submission, {"case_id": reviewing, "data": {"reason": "补充证据后再报"}}),
        (reply_to_opinion, {"case_id": replying, "data": replies(PROBLEM)}),
        (resubmit_case, {"case_id": resubmitting, "attest": True}),
        (abandon_case, {"case_id": resubmitting, "reason": "放弃"}),
        (publish_decision, {"case_id": decided, "data": _publish_body()}),
        (revoke_decision, {"case_id": decided, "data": {"reason": "revoked", "authority": "西安市人民政府",
                                                        "date": utcnow().date().isoformat()}}),
    ]
    versions = {case_id: world.case(case_id).version for case_id in (drafting, reviewing, replying, resubmitting,
                                                                       decided)}
    for fn, kwargs in attempts:
        refusal = _refused(world, fn, "handler2", **kwargs)
        assert refusal.rule == "not_assignee", (fn.__name__, refusal.details)
        assert refusal.details["assignee"] == {"id": str(world.ids["handler"]), "name": "handler"}
        assert "handler" in refusal.message and "承办" in refusal.message
    assert {case_id: world.case(case_id).version for case_id in versions} == versions
    # the head still records publication (a head's task, not only the handler's); the assignee still acts
    world.act(reply_to_opinion, "handler", case_id=replying, data=replies(PROBLEM))
    world.act(publish_decision, "head", case_id=decided, data=_publish_body())


def test_the_api_refuses_another_handler_with_not_assignee(world: World, api: Any) -> None:
    """Attack: the same, through ``/api/v1`` with handler2's own valid token: reply, resubmit, publish.
    Rule: the API answers 403 ``forbidden`` with ``details.rule == "not_assignee"`` and the assignee.
    Source: OWASP ASVS 5.0 V8.2.2, V8.3.1 (authorization enforced at the service layer, not the UI);
    OWASP API Security Top 10 2023 API1 (BOLA); CWE-639.
    """
    replying = _awaiting_reply(world)
    resubmitting = _awaiting_resubmission(world)
    decided = _decided(world)
    other = api.as_("handler2")
    for path, body in ((f"/cases/{replying}/reply", replies(PROBLEM)),
                       (f"/cases/{resubmitting}/submit", {"attest": True}),
                       (f"/cases/{decided}/publish", _publish_body())):
        response = other.post(path, json=body)
        assert response.status_code == 403, (path, response.get_json())
        error = response.get_json()["error"]
        assert error["code"] == "forbidden" and error["details"]["rule"] == "not_assignee", error
        assert error["details"]["assignee"]["id"] == str(world.ids["handler"])
    assert api.as_("handler").post(f"/cases/{replying}/reply", json=replies(PROBLEM)).status_code == 200


def test_the_to_do_list_shows_a_handler_task_to_its_assignee_only(world: World, api: Any) -> None:
    """Attack: a handler's 待办 lists every handler task of the agency, inviting them to act on others' cases.
    Rule: the to-do list (page and ``GET /tasks``) shows a case's handler tasks, publication included,
    to its assignee only (and to every handler when the agency shares cases); the head sees publication.
    Source: OWASP ASVS 5.0 V8.2.2; GB/T 22239-2019 8.1.4.2 (最小授权).
    """
    replying, decided = str(_awaiting_reply(world)), str(_decided(world))
    assert {replying, decided} <= _task_cases(world, "handler")
    assert not {replying, decided} & _task_cases(world, "handler2")
    assert decided in {t["case_id"] for t in api.as_("head").get("/tasks").get_json()}
    assert not {replying, decided} & {t["case_id"] for t in api.as_("handler2").get("/tasks").get_json()}
    _share_cases(world)
    assert {replying, decided} <= _task_cases(world, "handler2")


def test_an_agency_that_shares_cases_lets_its_handlers_act_on_each_others(world: World) -> None:
    """The deliberate alternative: with ``handlers_share_cases`` every handler of the agency acts on its cases
    (never another agency's handler, and never the case's reviewer: separation of duties still holds)."""
    replying = _awaiting_reply(world)
    decided = _decided(world)
    _share_cases(world)
    world.act(reply_to_opinion, "handler2", case_id=replying, data=replies(PROBLEM))
    world.act(publish_decision, "handler2", case_id=decided, data=_publish_body())
    [event] = _events(world, replying, "reply_submitted")
    assert event.actor_id == world.ids["handler2"]
    with pytest.raises(NotFound):
        world.act(resubmit_case, "outsider", case_id=replying, attest=True)


def test_the_unit_head_reassigns_a_case_and_only_the_new_handler_acts(world: World) -> None:
    """Attack (the legitimate path abused): a case changes hands without trace, or the old handler keeps acting.
    Rule: only the unit head of the agency reassigns a case, to an active handler of the agency, with a
    reason; it is audited (``case_reassigned``: from, to, reason); from then on the old handler is refused
    (``not_assignee``), the new one acts, and the to-do lists and the reply reminders follow.
    Source: OWASP ASVS 5.0 V8.2.2, V16.3.2 (log authorization changes); GB/T 22239-2019 8.1.4.3 (安全审计).
    """
    case_id = _awaiting_reply(world)
    before = world.case(case_id).version
    world.act(reassign_case, "unit_head", case_id=case_id, data={"handler": "handler2", "reason": REASON})
    case = world.case(case_id)
    assert case.handler_id == world.ids["handler2"] and case.version == before + 1
    [event] = _events(world, case_id, "case_reassigned")
    assert event.actor_id == world.ids["unit_head"] and event.role == "unit_head"
    payload = json.loads(event.payload)
    assert payload["from_handler_id"] == world.ids["handler"] and payload["to_handler_id"] == world.ids["handler2"]
    assert payload["reason"] == REASON
    with world.uow() as session:
        owners = set(session.scalars(select(Deadline.owner_id).where(Deadline.case_id == case_id,
                                                                      Deadline.kind == "reply")))
    assert owners == {world.ids["handler2"]}
    assert str(case_id) in _task_cases(world, "handler2") and str(case_id) not in _task_cases(world, "handler")
    refusal = _refused(world, reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
    assert refusal.rule == "not_assignee" and refusal.details["assignee"]["id"] == str(world.ids["handler2"])
    world.act(reply_to_opinion, "handler2", case_id=case_id, data=replies(PROBLEM))
    world.act(resubmit_case, "handler2", case_id=case_id, attest=True)
    assert world.case(case_id).current_task == "review"  # a new round with the same reviewer


def test_nobody_but_the_unit_head_reassigns_and_only_to_an_active_handler_of_the_agency(world: World) -> None:
    """Attack: the assignee hands the case on, another handler takes it, a head or review lead moves it, or
    the unit head moves it to a non-handler, to another agency's user, to the case's reviewer, or silently.
    Rule: ``unit_head`` only (403 ``role``); the target an active handler of the agency who neither reviews
    nor advises on the case (422 / 403 ``separation_of_duties``), not the current handler; a reason required.
    Source: OWASP ASVS 5.0 V8.2.1 (function-level access); GB/T 22239-2019 8.1.4.2; CWE-285.
    """
    case_id = world.in_review(reviewer="multi")  # multi: handler, reviewer and head
    body = {"handler": "handler2", "reason": REASON}
    for name in ("handler", "handler2", "head", "lead"):
        assert _refused(world, reassign_case, name, case_id=case_id, data=body).rule == "role"
    with pytest.raises(NotFound):
        world.act(reassign_case, "outsider", case_id=case_id, data=body)
    for target in ("reviewer", "outsider", "nobody", "handler", "", str(world.ids["unit_head"])):
        with pytest.raises(Invalid) as invalid:
            world.act(reassign_case, "unit_head", case_id=case_id, data={"handler": target, "reason": REASON})
        assert "handler" in invalid.value.fields, (target, invalid.value.fields)
    with pytest.raises(Invalid) as invalid:
        world.act(reassign_case, "unit_head", case_id=case_id, data={"handler": "handler2", "reason": "  "})
    assert "reason" in invalid.value.fields
    assert _refused(world, reassign_case, "unit_head", case_id=case_id,
                    data={"handler": "multi", "reason": REASON}).rule == "separation_of_duties"
    assert world.case(case_id).handler_id == world.ids["handler"]
    assert _events(world, case_id, "case_reassigned") == []


def test_reassignment_through_the_api_and_the_case_page(world: World, api: Any, as_user: Any, app: Flask) -> None:
    """The same rule at both edges: ``POST /api/v1/cases/{id}/reassign`` and the unit head's page action.
    Source: OWASP ASVS 5.0 V8.3.1 (the same authorization at every edge).
    """
    case_id = _awaiting_reply(world)
    body = {"handler": "handler2", "reason": REASON}
    refused = api.as_("handler2").post(f"/cases/{case_id}/reassign", json=body)
    assert refused.status_code == 403 and refused.get_json()["error"]["details"]["rule"] == "role"
    done = api.as_("unit_head").post(f"/cases/{case_id}/reassign", json=body)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["handler"]["id"] == str(world.ids["handler2"])
    assert "/api/v1/cases/{case_id}/reassign" in api.get("/openapi.json").get_json()["paths"]
    # the page: the unit head is offered the action; the old handler no longer the task
    head = as_user("unit_head")
    assert f"/cases/{case_id}/reassign" in head.text(f"/cases/{case_id}")
    old = as_user("handler")
    assert f"/cases/{case_id}/reply" not in old.text(f"/cases/{case_id}")
    assert "此任务由handler2办理" in old.text(f"/cases/{case_id}/reply")
    assert "本案由handler2承办" in old.text(f"/cases/{case_id}/draft")
    form = head.text(f"/cases/{case_id}/reassign")
    assert f'value="{world.ids["handler"]}"' in form  # back to the first handler
    moved = head.post(f"/cases/{case_id}/reassign", {"handler": str(world.ids["handler"]), "reason": "调回原承办人"})
    assert moved.status_code == 302, moved.get_data(as_text=True)
    assert world.case(case_id).handler_id == world.ids["handler"]
    assert len(_events(world, case_id, "case_reassigned")) == 2
