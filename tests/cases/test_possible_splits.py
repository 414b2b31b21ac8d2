"""Hole 1 of issue 14: one matter split into several cases to stay under a threshold is flagged to the review lead."""

from __future__ import annotations

import copy
from typing import Any

from review_service.cases.splits import same_counterparty, same_matter
from tests.fixtures.api import Api
from tests.fixtures.world import MAJOR_DRAFT, World, minor_draft


def _half(fine: str, **changes: Any) -> dict[str, Any]:
    draft = copy.deepcopy(MAJOR_DRAFT)
    draft["proposed_decision"]["fine_amount"] = fine
    draft["proposed_decision"]["confiscation_amount"] = None
    draft.update(changes)
    return draft


def test_the_second_half_of_a_split_matter_is_flagged(api: Api, world: World) -> None:
    first = world.submitted(_half("60000.00"))
    second = world.submitted(_half("59000.00", facts="当事人销售不合格电热水壶1200台。 "))
    body = api.as_("lead").get(f"/cases/{second}").get_json()
    assert [flag["case_id"] for flag in body["gate"]["possible_splits"]] == [str(first)]
    assert api.as_("lead").get(f"/cases/{first}").get_json()["gate"]["possible_splits"][0]["case_id"] == str(second)
    events = api.as_("lead").get(f"/cases/{second}/audit").get_json()
    flagged = [e for e in events if e["action"] == "possible_split_flagged"]
    assert flagged and flagged[0]["payload"]["related_case_ids"] == [first]


def test_other_matters_and_other_parties_are_not_flagged(api: Api, world: World) -> None:
    world.submitted(_half("60000.00"))
    other_party = _half("50000.00")
    other_party["counterparty"] = {"kind": "organization", "name": "另一家商贸有限公司", "id_number": "91610000YYYY"}
    other_matter = _half("50000.00", facts="当事人未按规定公示年度报告。",
                         legal_basis=["《企业信息公示暂行条例》第十七条"])
    for draft in (other_party, other_matter, minor_draft()):
        case_id = world.submitted(draft)
        assert api.as_("lead").get(f"/cases/{case_id}").get_json()["gate"]["possible_splits"] == []


def test_the_matching_rules() -> None:
    a = _half("1")
    b = _half("1", facts="当事人销售不合格电热水壶1100台。")  # nearly the same account
    assert same_counterparty(a, b) and same_matter(a, b)
    c = copy.deepcopy(a)
    c["counterparty"]["id_number"] = "91610000ZZZZ"  # the same name, another registered entity
    assert not same_counterparty(a, c)
    d = _half("1", legal_basis=["《中华人民共和国产品质量法》第五十条"])
    assert not same_matter(a, d)
