"""Publicity timing (36)/(37)/(41)/(118) and accountability (112) from the other domains' records."""

from __future__ import annotations

from review_service.decisions.operations import approve_decision
from review_service.decisions.publicity import publish_decision, revoke_decision, withdraw_decision
from review_service.review.operations import submit_opinion
from tests.fixtures.indicators import beijing, by_id, report, reviewed_case
from tests.fixtures.world import World, opinion


def test_publication_within_working_days_withdrawal_and_accountability(world: World) -> None:
    decided = []
    with beijing("2026-03-10 10:00"):  # a Tuesday
        for _ in range(3):
            case_id = reviewed_case(world)
            world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
            world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
            decided.append(case_id)
    on_time, late, never = decided
    with beijing("2026-04-02 10:00"):
        world.act(publish_decision, "handler", case_id=on_time,
                  data={"url": "https://example.gov.cn/a", "published_at": "2026-03-12T10:00:00+08:00"})
        world.act(publish_decision, "handler", case_id=late,  # 11 working days after
                  data={"url": "https://example.gov.cn/b", "published_at": "2026-03-25T10:00:00+08:00"})
        world.act(revoke_decision, "head", case_id=on_time,
                  data={"reason": "revoked", "authority": "西安市中级人民法院", "date": "2026-03-20"})
        world.act(withdraw_decision, "handler", case_id=on_time,  # Fri 20 → Mon 30 March: 6 working days
                  data={"withdrawn_at": "2026-03-30T09:00:00+08:00"})
    entries = by_id(report(world, "2026-03-01", "2026-03-31"))
    timely = entries["36"]
    assert (timely["numerator"], timely["denominator"], timely["value"], timely["met"]) == (1, 3, 33.3, False)
    assert set(timely["evidence"]["failing"]["case_ids"]) == {late, never}
    assert entries["37"]["denominator"] == 0 and entries["37"]["met"] is None  # no other decision types
    assert (entries["118"]["numerator"], entries["118"]["denominator"]) == (2, 3)
    withdrawn = entries["41"]
    assert (withdrawn["numerator"], withdrawn["denominator"], withdrawn["met"]) == (0, 1, False)
    assert withdrawn["evidence"]["case_ids"] == [on_time]
    content = entries["38"]  # the two published decisions name agency, party, type and conclusion on record
    assert (content["basis"], content["numerator"], content["denominator"], content["met"]) == ("record", 2, 2, True)
    accountability = by_id(report(world, "2026-04-01", "2026-04-30"))["112"]  # the inquiry opened on 2 April
    assert accountability["basis"] == "record"
    assert (accountability["numerator"], accountability["denominator"], accountability["met"]) == (0, 1, False)


def test_withdrawal_counts_from_the_day_the_revocation_was_received(world: World) -> None:
    """Issue 19 (41): the 3 working days run from the agency's receipt of the revocation or judgment
    (``received_on``), not from the day the other body decided: decided Fri 03-20, received Wed 03-25,
    withdrawn Mon 03-30 — 03-26, 03-27, 03-30 → within 3 working days (from the decision it would be 6)."""
    with beijing("2026-03-10 10:00"):
        case_id = reviewed_case(world)
        world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
        world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    with beijing("2026-04-02 10:00"):
        world.act(publish_decision, "handler", case_id=case_id,
                  data={"url": "https://example.gov.cn/c", "published_at": "2026-03-12T10:00:00+08:00"})
        world.act(revoke_decision, "head", case_id=case_id,
                  data={"reason": "revoked", "authority": "西安市中级人民法院", "date": "2026-03-20",
                        "received_on": "2026-03-25"})
        world.act(withdraw_decision, "handler", case_id=case_id, data={"withdrawn_at": "2026-03-30T09:00:00+08:00"})
    withdrawn = by_id(report(world, "2026-03-01", "2026-03-31"))["41"]
    assert (withdrawn["numerator"], withdrawn["denominator"], withdrawn["met"]) == (1, 1, True)
    assert "收到撤销决定或判决之日起" in str(withdrawn)  # the formula says where the count starts
