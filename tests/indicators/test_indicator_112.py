"""Indicator (112) with a known answer: inquiries concluded with a decided finding on every person."""

from __future__ import annotations

from sqlalchemy import select

from review_service.accountability import operations as ops
from review_service.accountability.models import Inquiry
from review_service.decisions.operations import approve_decision
from review_service.decisions.publicity import revoke_decision
from review_service.organization.operations import add_user
from review_service.review.operations import submit_opinion
from review_service.runtime import connect_receivers
from tests.fixtures.accountability import decider_for, find_and_decide
from tests.fixtures.indicators import beijing, by_id, report, reviewed_case
from tests.fixtures.world import AGENCY, PASSWORD, World, opinion


def _revoked(world: World) -> int:
    case_id = reviewed_case(world)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    world.act(revoke_decision, "head", case_id=case_id,
              data={"reason": "confirmed_illegal", "authority": "西安市中级人民法院", "date": "2026-11-10",
                    "received_on": "2026-11-10", "grounds": ["insufficient_evidence"]})
    return case_id


def test_112_counts_inquiries_with_a_decided_finding_on_every_person(world: World) -> None:
    """国办发〔2018〕118号 (十四) and the 陕西 indicator (112) (对……各环节人员依纪依法追责), as issue 19 reads it:
    an inquiry counts when it is concluded with a finding per person — decided by the agency's decider, not
    merely proposed by the auditor, and not merely an inquiry marked closed.

    Four inquiries opened on 2026-11-10: (a) every person found on, decided, closed — counts; (b) every person
    proposed, none decided, still open; (c) nothing recorded; (d) closed with the record but its findings only
    proposed (as an inquiry closed before 0022 looks) — does not count. Known answer: 1 / 4 = 25.0 %.
    """
    connect_receivers()
    with world.uow() as session:
        world.ids["auditor"] = add_user(session, actor=None, username="auditor", name="审计", agency=AGENCY,
                                        roles=["auditor"], password=PASSWORD, qualification="none").id
    with beijing("2026-11-10 10:00"):
        concluded, proposed, untouched, legacy = (_revoked(world) for _ in range(4))
        find_and_decide(world, concluded)
        world.act(ops.close_inquiry, "auditor", case_id=concluded, data={"conclusion": "经调查，均无过错。"})
        for case_id in (proposed, legacy):
            with world.uow() as session:
                from review_service.accountability.queries import chain_people, responsibility_chain

                people = chain_people(responsibility_chain(session, case_id))
            for user_id in people:
                world.act(ops.record_finding, "auditor", case_id=case_id,
                          data={"user_id": user_id, "responsibility": "none", "reasons": "无过错。"})
        # one decided of several is still not "every person"
        first = next(iter(people))
        world.act(ops.decide_finding, decider_for(world, first), case_id=legacy,
                  data={"user_id": first, "decision": "confirm"})
        with world.uow() as session:  # closed without the decisions, as before 0022
            inquiry = session.scalars(select(Inquiry).where(Inquiry.case_id == legacy)).one()
            inquiry.status, inquiry.closed_at, inquiry.document_sha256 = "closed", inquiry.opened_at, "f" * 64
    entry = by_id(report(world, "2026-11-01", "2026-11-30"))["112"]
    assert (entry["numerator"], entry["denominator"], entry["value"], entry["met"]) == (1, 4, 25.0, False)
    evidence = entry["evidence"]
    assert set(evidence["failing"]["case_ids"]) == {proposed, untouched, legacy}
    assert len(evidence["failing"]["closed_undecided_ids"]) == 1
    assert evidence["persons"] == 3 * len(people) and evidence["persons_decided"] == len(people) + 1
    assert by_id(report(world, "2026-12-01", "2026-12-31"))["112"]["denominator"] == 0
