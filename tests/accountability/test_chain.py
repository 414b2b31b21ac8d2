"""The responsibility chain of a revoked case, built from the record; the inquiry and its findings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from review_service.accountability import operations as ops
from review_service.accountability.models import Inquiry
from review_service.accountability.queries import (
    accountability_view,
    chain_people,
    closed_inquiries,
    opened_inquiries,
    responsibility_chain,
)
from review_service.audit.models import AuditEvent
from review_service.core.clock import beijing_today
from review_service.core.errors import Conflict, Forbidden, Invalid, NotFound
from tests.fixtures.accountability import RevokedCase, decider_for, send_revoked, two_rounds_and_coordination
from tests.fixtures.world import World


def _chain(world: World, case_id: int) -> list[dict]:  # type: ignore[type-arg]
    with world.uow() as session:
        return [entry.as_dict() for entry in responsibility_chain(session, case_id)]


def _acts(chain: list[dict], user_id: int) -> list[tuple[str, str, str | None]]:  # type: ignore[type-arg]
    return [(e["stage"], e["action"], e["draft_sha256"]) for e in chain
            if e["user"] and e["user"]["id"] == str(user_id)]


def test_chain_names_every_actor_with_the_draft_they_saw(world: World, revoked: RevokedCase) -> None:
    chain = _chain(world, revoked.case_id)
    first, second = revoked.drafts
    assert first != second
    ids = world.ids

    handler = _acts(chain, ids["handler"])
    assert ("drafting", "case_created", first) in handler
    assert ("submission", "case_submitted", first) in handler
    assert ("reply", "reply_submitted", first) in handler  # both replies of round 1 answer the first draft
    assert [a for a in handler if a[1] == "reply_submitted"] == [("reply", "reply_submitted", first)] * 2
    assert ("drafting", "draft_updated", second) in handler
    assert ("submission", "case_resubmitted", second) in handler

    assert ("attestation", "submission_signed_off", first) in _acts(chain, ids["unit_head"])
    assert _acts(chain, ids["lead"]) == [("assignment", "reviewer_assigned", first)]
    reviewer = _acts(chain, ids["reviewer"])
    assert reviewer == [("intake", "intake_recorded", first), ("review", "opinion_submitted", first),
                        ("review", "opinion_submitted", second)]
    assert _acts(chain, ids["advisor"]) == [("review", "opinion_assisted", first)]
    coordinator = _acts(chain, ids["head2"])
    assert ("coordination", "case_coordinated", first) in coordinator
    assert ("coordination", "collective_discussion_attended", first) in coordinator
    approver = _acts(chain, ids["head"])
    assert ("coordination", "collective_discussion_attended", first) in approver  # took part in the discussion
    assert ("approval", "decision_made", second) in approver
    outsider = [e for e in chain if e["user"] and e["user"]["id"] is None]
    assert [(e["user"]["name"], e["role"], e["draft_sha256"]) for e in outsider] == [("外聘专家王某", "participant",
                                                                                       first)]

    # what they said, from the records
    said = {e["action"]: e["statement"] for e in chain}
    assert "存在问题" in said["opinion_submitted"] or "同意" in said["opinion_submitted"]
    assert "证据确有不足" in said["case_coordinated"]
    assert "材料属实" in " ".join(e["statement"] for e in chain if e["action"] == "submission_signed_off")
    first_review = next(e for e in chain if e["action"] == "opinion_submitted")
    assert "证据是否合法充分" in first_review["statement"] and "补充调取进货单据" in first_review["statement"]
    assert any(d.get("title") == "询问笔录" for d in first_review["documents"])  # the material they had
    # the chain follows the audit trail
    seqs = [e["seq"] for e in chain]
    assert seqs == sorted(seqs)
    assert {e["at"][-6:] for e in chain} == {"+08:00"}


def test_revoke_opens_an_audited_inquiry_once(world: World, revoked: RevokedCase) -> None:
    send_revoked(world, revoked.case_id, "confirmed_illegal")  # a second notice while open: the same inquiry
    with world.uow() as session:
        inquiries = list(session.scalars(select(Inquiry).where(Inquiry.case_id == revoked.case_id)))
        opened = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "inquiry_opened")))
        view = accountability_view(session, revoked.case_id)
    assert [(i.status, i.reason) for i in inquiries] == [("open", "revoked")]
    assert len(opened) == 1 and opened[0].case_id == revoked.case_id and opened[0].role == "system"
    assert view["inquiry"]["status"] == "open" and view["inquiry"]["findings"] == []
    assert all(e["action"] != "inquiry_opened" for e in view["chain"])


def test_revoke_rolled_back_opens_nothing(world: World) -> None:
    from review_service.decisions.publicity import revoke_decision

    case = two_rounds_and_coordination(world)
    with pytest.raises(RuntimeError), world.uow() as session:
        revoke_decision(session, actor=world.user(session, "head"), case_id=case.case_id,
                        data={"reason": "revoked", "authority": "法院", "date": beijing_today().isoformat()})
        assert session.scalars(select(Inquiry)).first() is not None  # opened inside the revoke's transaction
        raise RuntimeError("the revoke failed later in its transaction")
    with world.uow() as session:
        assert session.scalars(select(Inquiry)).first() is None


def _find_everyone(world: World, case_id: int) -> dict[int, str]:
    with world.uow() as session:
        people = chain_people(responsibility_chain(session, case_id))
    codes = {}
    for user_id in people:
        fault = user_id == world.ids["reviewer"]
        data = ({"finding": "dereliction", "responsibility": "direct", "sanction": "written_self_criticism"}
                if fault else {"finding": "no_fault"})
        world.act(ops.record_finding, "auditor", case_id=case_id,
                  data={"user_id": user_id, "reasons": "经调查核实。", **data})
        codes[user_id] = data["finding"]
    return codes


def _decide_everyone(world: World, case_id: int) -> None:
    with world.uow() as session:
        people = chain_people(responsibility_chain(session, case_id))
    for user_id in people:
        world.act(ops.decide_finding, decider_for(world, user_id), case_id=case_id,
                  data={"user_id": user_id, "decision": "confirm"})


def test_findings_then_close_counts_for_indicator_112(world: World, revoked: RevokedCase) -> None:
    """118号 (十四): the auditor proposes, the agency head decides; only then does the inquiry close."""
    with pytest.raises(Invalid) as early:
        world.act(ops.close_inquiry, "auditor", case_id=revoked.case_id, data={"conclusion": "结论"})
    assert {p["id"] for p in early.value.details["missing"]} >= {str(world.ids["reviewer"]), str(world.ids["head"])}
    codes = _find_everyone(world, revoked.case_id)
    assert set(codes) >= {world.ids[n] for n in ("handler", "unit_head", "lead", "reviewer", "advisor", "head",
                                                  "head2")}
    # proposed is not decided: still no closing
    with pytest.raises(Invalid) as undecided:
        world.act(ops.close_inquiry, "auditor", case_id=revoked.case_id, data={"conclusion": "结论"})
    assert {p["status"] for p in undecided.value.details["missing"]} == {"proposed"}
    # a second proposal on the same person replaces the first; both are in the audit trail
    world.act(ops.record_finding, "auditor", case_id=revoked.case_id,
              data={"user_id": world.ids["reviewer"], "finding": "abuse_of_power", "reasons": "明知证据不足仍同意。",
                    "responsibility": "direct", "sanction": "circulated_criticism"})
    _decide_everyone(world, revoked.case_id)
    inquiry = world.act(ops.close_inquiry, "auditor", case_id=revoked.case_id,
                        data={"conclusion": "审核人员对证据审查失职。"})
    assert inquiry.status == "closed" and inquiry.closed_at is not None
    agency_id = world.case(revoked.case_id).agency_id
    with world.uow() as session:
        view = accountability_view(session, revoked.case_id)["inquiry"]
        recorded = list(session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == revoked.case_id)
                                        .order_by(AuditEvent.seq)))
        today = beijing_today()
        closed = closed_inquiries(session, [agency_id], (today, today))
        opened = opened_inquiries(session, [agency_id], (today, today))
        none_before = closed_inquiries(session, [agency_id],
                                       (today - timedelta(days=30), today - timedelta(days=1)))
        elsewhere = closed_inquiries(session, [999], (date(2000, 1, 1), today))
    reviewer_finding = next(f for f in view["findings"] if f["user"]["id"] == str(world.ids["reviewer"]))
    assert (reviewer_finding["finding"], reviewer_finding["finding_label"]) == ("abuse_of_power", "滥用职权")
    assert (reviewer_finding["status"], reviewer_finding["decided_by"]["id"]) == ("decided", str(world.ids["head"]))
    assert reviewer_finding["grounds"] == [{"ground": "insufficient_evidence", "label": "证据不足"}]
    assert view["conclusion"] == "审核人员对证据审查失职。"
    assert recorded.count("finding_recorded") == len(codes) + 1
    assert recorded.count("finding_decided") == len(codes)
    assert recorded[-1] == "inquiry_closed"
    assert [row.case_id for row in closed] == [revoked.case_id] == [row.case_id for row in opened]
    assert closed[0].concluded and closed[0].decided == closed[0].findings == len(codes)
    assert none_before == [] and elsewhere == []
    with pytest.raises(Conflict):
        world.act(ops.record_finding, "auditor", case_id=revoked.case_id,
                  data={"user_id": world.ids["handler"], "finding": "no_fault", "reasons": "晚了"})


def test_findings_are_checked(world: World, revoked: RevokedCase) -> None:
    good = {"user_id": world.ids["reviewer"], "finding": "no_fault", "reasons": "无过错。"}
    with pytest.raises(Invalid) as stranger:
        world.act(ops.record_finding, "auditor", case_id=revoked.case_id, data={**good, "user_id": world.ids["rookie"]})
    assert "user_id" in stranger.value.fields
    with pytest.raises(Invalid):
        world.act(ops.record_finding, "auditor", case_id=revoked.case_id, data={**good, "finding": "guilty"})
    with pytest.raises(Invalid):
        world.act(ops.record_finding, "auditor", case_id=revoked.case_id, data={**good, "reasons": " "})
    with pytest.raises(Forbidden):
        world.act(ops.record_finding, "head", case_id=revoked.case_id, data=good)
    with pytest.raises(NotFound):  # an auditor of another agency (not above this one) does not see the case
        world.act(ops.record_finding, "other_auditor", case_id=revoked.case_id, data=good)


def test_no_inquiry_without_revocation(world: World) -> None:
    case_id = world.submitted()
    with pytest.raises(NotFound):
        world.act(ops.record_finding, "auditor", case_id=case_id,
                  data={"user_id": world.ids["handler"], "finding": "no_fault", "reasons": "无"})
    with world.uow() as session:
        view = accountability_view(session, case_id)
    assert view["inquiry"] is None and view["chain"]
