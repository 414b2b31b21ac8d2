"""The rule-by-rule diff and the widening prover: what cannot be proven to widen counts as narrowing."""

from __future__ import annotations

from typing import Any

import pytest

from review_service.catalog.conditions import ConditionParser
from review_service.catalog.diff import implies, render, rule_diff, widens
from review_service.catalog.schema import CatalogSpec, Condition


def cond(raw: dict[str, Any]) -> Condition:
    faults: list[Any] = []
    parsed = ConditionParser(lambda path, reason: faults.append((path, reason))).parse(raw, ())
    assert parsed is not None, faults
    return parsed


FINE = "proposed_decision.fine_amount"


@pytest.mark.parametrize(("old", "new", "proven"), [
    ({FINE: {"gte": "100000"}}, {FINE: {"gte": "50000"}}, True),
    ({FINE: {"gte": "100000"}}, {FINE: {"gte": "100000"}}, True),
    ({FINE: {"gte": "100000"}}, {FINE: {"gt": "100000"}}, False),
    ({FINE: {"gt": "100000"}}, {FINE: {"gte": "100000"}}, True),
    ({FINE: {"gte": "100000"}}, {FINE: {"gte": "100001"}}, False),
    ({FINE: {"lte": "10"}}, {FINE: {"lt": "11"}}, True),
    ({"counterparty.kind": "organization"}, {"counterparty.kind": {"in": ["organization", "individual"]}}, True),
    ({"counterparty.kind": {"in": ["organization", "individual"]}}, {"counterparty.kind": "organization"}, False),
    ({"counterparty.kind": {"ne": "organization"}}, {"counterparty.kind": {"not_in": ["organization"]}}, True),
    ({"counterparty.kind": {"not_in": ["organization", "individual"]}}, {"counterparty.kind": {"ne": "individual"}},
     True),
    ({"all": [{"hearing_held": True}, {FINE: {"gte": "1"}}]}, {"hearing_held": True}, True),
    ({"hearing_held": True}, {"all": [{"hearing_held": True}, {FINE: {"gte": "1"}}]}, False),
    ({"hearing_held": True}, {"any": [{"hearing_held": True}, {FINE: {"gte": "1"}}]}, True),
    ({"any": [{"hearing_held": True}, {FINE: {"gte": "1"}}]}, {"hearing_held": True}, False),
    ({"not": {FINE: {"gte": "10"}}}, {"not": {FINE: {"gte": "5"}}}, False),
    ({"not": {FINE: {"gte": "5"}}}, {"not": {FINE: {"gte": "10"}}}, True),
    ({"hearing_held": True}, {"flags.public_interest": True}, False),
])
def test_implies_is_sound_and_proves_the_plain_widenings(old: dict[str, Any], new: dict[str, Any],
                                                           proven: bool) -> None:
    assert implies(cond(old), cond(new)) is proven


def test_diff_and_widens(market: CatalogSpec) -> None:
    rules = list(market.rules)
    reworded = rules[0].model_copy(update={"description": "改写的描述"})
    new = market.model_copy(update={"rules": (reworded, *rules[2:])})
    diff = rule_diff(market, new)
    assert diff["removed"] == [rules[1].id] and diff["added"] == []
    assert diff["changed"] == [{"rule_id": rules[0].id, "fields": ["description"],
                                "description": {"before": rules[0].description, "after": "改写的描述"}}]
    assert not widens(market, new)  # a rule removed narrows; a description changes nothing
    assert widens(new, market)  # adding it back widens
    assert widens(market, market)
    assert rule_diff(None, market)["added"] == [rule.id for rule in rules]


def test_render_reads_as_text() -> None:
    text = render(cond({"all": [{"counterparty.kind": "organization"}, {FINE: {"gte": "100000"}}]}))
    assert "≥ 100000" in text and " 且 " in text
