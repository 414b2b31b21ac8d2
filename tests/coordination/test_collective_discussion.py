"""Issue 14, hole 4: the collective discussion of 行政处罚法 art. 57 is a real record of the draft being decided.

The two attacks come first: on the old code a discussion held at coordination, in an earlier
round, satisfied art. 57 for the final decision, and so did one dated 2030-01-01 with two
free-text names and minutes "同意。".
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from review_service.accountability.queries import responsibility_chain
from review_service.audit.queries import case_events
from review_service.cases.operations import submit_case, update_draft
from review_service.coordination.discussion import discussion_requirement
from review_service.coordination.discussion_records import flag_complex, record_collective_discussion
from review_service.coordination.models import CollectiveDiscussion
from review_service.coordination.operations import coordinate
from review_service.core.clock import beijing_today
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.decisions.operations import approve_decision
from review_service.documents.models import Document
from review_service.organization.models import Agency
from review_service.replies.operations import reply_to_opinion
from review_service.review.operations import submit_opinion
from tests.fixtures.world import AGENCY, MAJOR_DRAFT, World, minor_draft, opinion, replies

PROBLEM = ("law_application",)


def serious() -> dict[str, Any]:
    draft = copy.deepcopy(MAJOR_DRAFT)
    draft["flags"]["serious_violation"] = True
    return draft


def heads(world: World) -> list[int]:
    return [world.ids["head"], world.ids["head2"], world.ids["multi"]]


def record(world: World, people: list[int] | None = None, **changes: Any) -> dict[str, Any]:
    people = people if people is not None else heads(world)
    data = {"date": beijing_today().isoformat(), "participants": people, "chair": people[0] if people else None,
            "views": {str(p): f"{p}号负责人：同意依法从重处罚。" for p in people},
            "conclusion": "经集体讨论，同意作出拟定的处罚决定。"}
    data.update(changes)
    return data


def approved(world: World, draft: dict[str, Any] | None = None) -> int:
    case_id = world.in_review(draft or serious())
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    return case_id


def refused_fields(world: World, case_id: int, data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(Invalid) as refused:
        world.act(approve_decision, "head", case_id=case_id, data=data)
    return refused.value.fields


# ── the attacks ─────────────────────────────────────────────────────────────────────────────────


def test_attack_a_discussion_at_coordination_in_an_earlier_round_does_not_satisfy_approval(world: World) -> None:
    case_id = world.in_review(serious())
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM, "disputed"))
    world.act(coordinate, "head2", case_id=case_id, data={
        "outcome": "reconsider", "reasoning": "请就法律适用一点重新审核。",
        "collective_discussion": {"date": beijing_today().isoformat(), "participants": ["周军", "吴刚"],
                                  "minutes": "就法律适用问题讨论。"}})
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    fields = refused_fields(world, case_id, {"approve": True, "comment": "同意"})
    assert "collective_discussion" in fields and "重大违法" in fields["collective_discussion"]
    assert world.case(case_id).status == "awaiting_approval"


def test_attack_even_a_full_record_at_coordination_does_not_satisfy_the_later_approval(world: World) -> None:
    case_id = world.in_review(serious())
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM, "disputed"))
    world.act(coordinate, "head2", case_id=case_id, data={
        "outcome": "reconsider", "reasoning": "请重新审核。", "collective_discussion": record(world)})
    with world.uow() as session:  # recorded, about the same draft, the same day: but before the approving review
        assert [row.source for row in session.scalars(select(CollectiveDiscussion))] == ["coordination"]
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    assert "collective_discussion" in refused_fields(world, case_id, {"approve": True})
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True, "collective_discussion": record(world)})
    assert world.case(case_id).status == "decided"


def test_attack_a_future_dated_free_text_discussion_is_refused(world: World) -> None:
    case_id = approved(world)
    fields = refused_fields(world, case_id, {"approve": True, "collective_discussion": {
        "date": "2030-01-01", "participants": ["周军", "吴刚"], "minutes": "同意。"}})
    assert list(fields) == ["collective_discussion.date"]  # refused by the schema's date range (core.dates)
    assert fields["collective_discussion.date"].startswith("不能晚于今天")
    fields = refused_fields(world, case_id, {"approve": True, "collective_discussion": {
        "date": beijing_today().isoformat(), "participants": ["周军", "吴刚"], "minutes": "同意。"}})
    assert "collective_discussion" in fields  # names and minutes are a note, not an art. 57 record
    assert world.case(case_id).status == "awaiting_approval"


# ── a valid discussion, and what makes one invalid ───────────────────────────────────────────────


def test_a_valid_discussion_at_approval_decides_issues_its_record_and_enters_the_chain(world: World) -> None:
    case_id = approved(world)
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True, "collective_discussion": record(world)})
    assert world.case(case_id).status == "decided"
    with world.uow() as session:
        kinds = list(session.scalars(select(Document.kind).where(Document.case_id == case_id).order_by(Document.id)))
        assert "collective_discussion" in kinds and kinds.index("collective_discussion") < kinds.index("approval")
        events = [e for e in case_events(session, case_id) if e.action == "collective_discussion_recorded"]
        assert len(events) == 1 and json.loads(events[0].payload)["source"] == "approval"
        chain = responsibility_chain(session, case_id)
    entries = [e for e in chain if e.stage == "collective_discussion" and e.action != "collective_discussion_recorded"]
    assert sorted(int(e.user["id"]) for e in entries) == sorted(heads(world))
    assert all("本人意见" in e.statement and "同意依法从重处罚" in e.statement for e in entries)
    assert [e.action for e in entries].count("collective_discussion_chaired") == 1


def test_the_standalone_record_then_approval(world: World) -> None:
    case_id = approved(world)
    with pytest.raises(Forbidden):
        world.act(record_collective_discussion, "handler", case_id=case_id, data=record(world))
    _case, row = world.act(record_collective_discussion, "head2", case_id=case_id, data=record(world))
    assert row.source == "recorded"
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    assert world.case(case_id).status == "decided"
    with pytest.raises(Conflict):  # only while the case awaits approval
        world.act(record_collective_discussion, "head2", case_id=case_id, data=record(world))


@pytest.mark.parametrize(("changes", "field"), [
    ({"participants": "two"}, "participants"),
    ({"chair": "outsider"}, "chair"),
    ({"participants": "reviewer"}, "participants"),
    ({"participants": "outsider"}, "participants"),
    ({"participants": "names"}, "participants"),
    ({"views": "one missing"}, "views"),
    ({"conclusion": ""}, "conclusion"),
    ({"date": "yesterday"}, "date"),
    ({"date": "tomorrow"}, "date"),
    ({"draft_sha256": "0" * 64}, "draft_sha256"),
])
def test_an_invalid_record_is_refused_with_its_field(world: World, changes: dict[str, Any], field: str) -> None:
    case_id = approved(world)
    people = heads(world)
    data = record(world)
    value = next(iter(changes.values()))
    if value == "two":
        data = record(world, people[:2])
    elif value == "outsider" and field == "chair":
        data["chair"] = world.ids["outsider"]
    elif value == "reviewer":
        data = record(world, [*people, world.ids["reviewer"]])
    elif value == "outsider":
        data = record(world, [*people, world.ids["outsider"]])
    elif value == "names":
        data = record(world, people)
        data["participants"] = [*people, "赵敏"]
    elif value == "one missing":
        data["views"] = {str(p): "同意" for p in people[:2]}
    elif value == "yesterday":
        data["date"] = (beijing_today() - timedelta(days=1)).isoformat()
    elif value == "tomorrow":
        data["date"] = (beijing_today() + timedelta(days=1)).isoformat()
    else:
        data.update(changes)
    fields = refused_fields(world, case_id, {"approve": True, "collective_discussion": data})
    assert f"collective_discussion.{field}" in fields, fields
    with pytest.raises(Invalid) as refused:  # the same rules for the record of its own
        world.act(record_collective_discussion, "head", case_id=case_id, data=data)
    assert field in refused.value.fields
    assert world.case(case_id).status == "awaiting_approval"


def test_the_reasons_of_the_refusals_name_the_people(world: World) -> None:
    case_id = approved(world)
    fields = refused_fields(world, case_id, {"approve": True, "collective_discussion": record(
        world, [*heads(world), world.ids["reviewer"], world.ids["outsider"]])})
    reason = fields["collective_discussion.participants"]
    assert "reviewer不是行政执法机关负责人" in reason and "outsider不是本机关的用户" in reason


def test_the_quorum_is_the_agencys_setting(world: World) -> None:
    with world.uow() as session:
        agency = session.scalars(select(Agency).where(Agency.name == AGENCY)).one()
        agency.settings = {**(agency.settings or {}), "collective_discussion_quorum": 2}
    case_id = approved(world)
    two = heads(world)[:2]
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True, "collective_discussion": record(
        world, two)})
    assert world.case(case_id).status == "decided"


def test_a_discussion_of_an_earlier_draft_does_not_satisfy(world: World) -> None:
    low_threshold(world)  # not major, yet art. 57 applies: no review in between, only the draft changes
    case_id = world.submitted(minor_draft())
    world.act(record_collective_discussion, "head2", case_id=case_id, data=record(world))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": False, "comment": "请补充裁量说明。"})
    world.act(update_draft, "handler", case_id=case_id, changes={"facts": "补充：当事人系再次违法。"})
    world.act(submit_case, "handler", case_id=case_id, attest=True)
    assert world.case(case_id).current_task == "approve"
    assert "collective_discussion" in refused_fields(world, case_id, {"approve": True})
    world.act(record_collective_discussion, "head2", case_id=case_id, data=record(world))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    assert world.case(case_id).status == "decided"


def low_threshold(world: World) -> None:
    with world.uow() as session:
        agency = session.scalars(select(Agency).where(Agency.name == AGENCY)).one()
        agency.settings = {**(agency.settings or {}), "collective_discussion_fine": "1000"}


# ── when it is required, and the 情节复杂 finding ───────────────────────────────────────────────────


def _requirement(world: World, case_id: int) -> list[str]:
    from review_service.cases.models import Case

    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return discussion_requirement(session, case).reasons


@pytest.mark.parametrize(("decision", "reason"), [
    ({"fine_amount": "1000000.00"}, "达到本机关集体讨论标准"),
    ({"license_revocation": True}, "拟吊销许可证件"),
    ({"suspension_of_business": True}, "拟责令停产停业"),
])
def test_what_requires_a_discussion(world: World, decision: dict[str, Any], reason: str) -> None:
    plain = world.new_case()
    assert _requirement(world, plain) == []  # ¥500,000, no flag: not required by default
    draft = copy.deepcopy(MAJOR_DRAFT)
    draft["proposed_decision"].update(decision)
    case_id = world.new_case(draft)
    assert any(reason in text for text in _requirement(world, case_id))


def test_the_review_body_or_the_head_finds_a_case_complex_audited(world: World) -> None:
    case_id = approved(world, copy.deepcopy(MAJOR_DRAFT))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": False, "comment": "请补充。"})
    other = approved(world, copy.deepcopy(MAJOR_DRAFT))
    with pytest.raises(Forbidden):
        world.act(flag_complex, "handler", case_id=other, data={"reason": "承办人员不能在此认定"})
    with pytest.raises(Forbidden):  # not this case's reviewer
        world.act(flag_complex, "reviewer2", case_id=other, data={"reason": "涉及多个违法行为"})
    with pytest.raises(Invalid):
        world.act(flag_complex, "lead", case_id=other, data={"reason": ""})
    world.act(flag_complex, "lead", case_id=other, data={"reason": "涉及多个违法行为，事实认定复杂。"})
    with pytest.raises(Conflict):
        world.act(flag_complex, "head", case_id=other, data={"reason": "再次认定"})
    assert any("法制审核机构负责人lead认定情节复杂" in r for r in _requirement(world, other))
    assert "collective_discussion" in refused_fields(world, other, {"approve": True})
    with world.uow() as session:
        flagged = [e for e in case_events(session, other) if e.action == "case_flagged_complex"]
        assert len(flagged) == 1 and flagged[0].role == "review_lead"
        assert json.loads(flagged[0].payload)["reason"] == "涉及多个违法行为，事实认定复杂。"
    world.act(approve_decision, "head", case_id=other, data={"approve": True, "collective_discussion": record(world)})
    assert world.case(other).status == "decided"


def test_the_assigned_reviewer_and_the_head_may_find_it_too(world: World) -> None:
    first = world.in_review()
    world.act(flag_complex, "reviewer", case_id=first, data={"reason": "案情复杂"})
    second = world.in_review()
    world.act(flag_complex, "head", case_id=second, data={"reason": "社会影响大，案情复杂"})
    assert _requirement(world, first) and _requirement(world, second)


def test_a_case_that_is_not_major_but_requires_it_is_discussed_after_submission(world: World) -> None:
    low_threshold(world)
    case_id = world.submitted(minor_draft())
    assert world.case(case_id).current_task == "approve"
    assert "collective_discussion" in refused_fields(world, case_id, {"approve": True})
    world.act(record_collective_discussion, "head2", case_id=case_id, data=record(world))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    assert world.case(case_id).status == "decided"


# ── the API ───────────────────────────────────────────────────────────────────────────────────────


def test_the_api_records_a_discussion_and_refuses_an_approval_without_one(world: World, api: Any) -> None:
    case_id = approved(world)
    head = api.as_("head")
    refused = head.post(f"/cases/{case_id}/approve", json={"approve": True})
    assert refused.status_code == 422 and "第五十七条" in refused.get_json()["error"]["message"]
    bad = api.as_("head2").post(f"/cases/{case_id}/collective-discussion",
                                json={**record(world), "participants": ["周军", "吴刚", "赵敏"]})
    assert bad.status_code == 422 and "participants" in bad.get_json()["error"]["details"]["fields"]
    usernames = {**record(world), "participants": ["head", "head2", "multi"], "chair": "head2",
                 "views": {"head": "同意", "head2": "同意", "multi": "同意，建议从轻"}}
    ok = api.as_("head2").post(f"/cases/{case_id}/collective-discussion", json=usernames)
    assert ok.status_code == 200, ok.get_json()
    assert head.post(f"/cases/{case_id}/approve", json={"approve": True}).status_code == 200
    flagged = api.as_("lead").post(f"/cases/{approved(world, copy.deepcopy(MAJOR_DRAFT))}/complexity",
                                   json={"reason": "案情复杂"})
    assert flagged.status_code == 200
    paths = api.get("/openapi.json").get_json()["paths"]
    assert any(path.endswith("/collective-discussion") for path in paths)
    assert any(path.endswith("/complexity") for path in paths)
