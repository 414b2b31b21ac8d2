"""Indicator (132) with known answers over decided cases driven through the real operations, and its drill-down.

The benchmark is ``tests.fixtures.discretion.SMALL`` (产品质量法第四十九条: 从轻 1–1.6 倍, 从重 2.4–3 倍 of 货值金额;
特种设备安全法第八十三条: 一般 1–10 万元). Decided in March 2026: 产品质量 从重 (货值 200,000: range 480,000–600,000)
fines 480,000 / 500,000 / 600,000 / 700,000 (one above); 产品质量 从轻 (货值 100,000: 100,000–160,000) fines 100,000 /
160,000; and three that cannot be checked: level "酌情", a basis no entry has, 从重 without 货值 in the facts.
Decided in April: 特种设备 一般 fines 50,000 and 5,000 (one below). Known answer: 6 of 8 checked fines within, 75.0 %.
"""

from __future__ import annotations

import copy
from typing import Any

from review_service.decisions.operations import approve_decision
from review_service.review.operations import submit_opinion
from tests.fixtures.discretion import load
from tests.fixtures.indicators import DRAFT, beijing, by_id, report, reviewed_case
from tests.fixtures.world import World, opinion

PRODUCT = ["《中华人民共和国产品质量法》第十三条第二款、第四十九条"]
EQUIPMENT = ["《中华人民共和国特种设备安全法》第三十三条、第八十三条第一项"]


def _draft(fine: str, level: str, basis: list[str] = PRODUCT, facts: str = "") -> dict[str, Any]:
    draft = copy.deepcopy(DRAFT)
    draft["proposed_decision"]["fine_amount"] = fine
    draft["discretion"]["level"] = level
    draft["legal_basis"] = basis
    draft["facts"] = facts
    draft["flags"]["public_interest"] = True  # major under the catalog whatever the fine: reviewed, then decided
    return draft


def _decide(world: World, draft: dict[str, Any]) -> int:
    case_id = reviewed_case(world, draft=draft)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    return case_id


def test_132_known_answers_and_drill_down(world: World) -> None:
    load(world)
    heavy_facts, light_facts = "当事人销售不合格电热水壶，货值金额200000元。", "货值金额共计人民币10万元。"
    with beijing("2026-03-10 10:00"):
        heavy = [_decide(world, _draft(fine, "较重", facts=heavy_facts))
                 for fine in ("480000.00", "500000.00", "600000.00", "700000.00")]
        light = [_decide(world, _draft(fine, "从轻处罚", facts=light_facts)) for fine in ("100000.00", "160000.00")]
        unknown = _decide(world, _draft("300000.00", "酌情", facts=heavy_facts))
        no_entry = _decide(world, _draft("300000.00", "从轻", basis=["《中华人民共和国行政处罚法》第二十八条"]))
        no_basis = _decide(world, _draft("300000.00", "从重"))
    with beijing("2026-04-10 10:00"):
        equipment = [_decide(world, _draft(fine, "一般", basis=EQUIPMENT)) for fine in ("50000.00", "5000.00")]
    entry = by_id(report(world, "2026-03-01", "2026-04-30"))["132"]
    assert (entry["value"], entry["numerator"], entry["denominator"], entry["met"]) == (75.0, 6, 8, False)
    assert entry["unit"] == "%" and "变异系数" in entry["method"]
    assert [(p["month"], p["value"], p["numerator"], p["denominator"]) for p in entry["trend"]] == [
        ("2026-03", 83.3, 5, 6), ("2026-04", 50.0, 1, 2)]
    evidence = entry["evidence"]
    assert sorted(evidence["case_ids"]) == sorted([*heavy, *light, *equipment])
    assert sorted(evidence["failing"]["case_ids"]) == sorted([heavy[3], equipment[1]])
    assert evidence["unplaced"] == {"basis_missing": {"count": 1, "case_ids": [no_basis]},
                                    "level_unknown": {"count": 1, "case_ids": [unknown]},
                                    "no_entry": {"count": 1, "case_ids": [no_entry]}}
    groups = {(g["violation"], g["level"]): g for g in evidence["groups"]}
    assert set(groups) == {("product-substandard", "heavier"), ("product-substandard", "lighter"),
                           ("special-equipment-unregistered", "general")}
    spread = {k: groups[("product-substandard", "heavier")][k] for k in (
        "count", "median", "q1", "q3", "iqr", "min", "max", "cv", "outside", "outside_share", "level_label")}
    assert spread == {"count": 4, "median": "550000.00", "q1": "495000.00", "q3": "625000.00", "iqr": "130000.00",
                      "min": "480000.00", "max": "700000.00", "cv": 0.154, "outside": 1, "outside_share": 25.0,
                      "level_label": "从重处罚"}
    assert groups[("product-substandard", "heavier")]["case_ids"] == heavy  # the drill-down to the group's cases
    assert groups[("product-substandard", "heavier")]["outside_case_ids"] == [heavy[3]]
    lighter = groups[("product-substandard", "lighter")]
    assert (lighter["median"], lighter["iqr"], lighter["cv"], lighter["outside"]) == ("130000.00", "30000.00", 0.231, 0)
    general = groups[("special-equipment-unregistered", "general")]
    assert (general["count"], general["outside_share"], general["outside_case_ids"]) == (2, 50.0, [equipment[1]])


def test_132_has_no_figure_without_checkable_fines(world: World) -> None:
    with beijing("2026-03-10 10:00"):
        case_id = _decide(world, _draft("480000.00", "较重", facts="货值金额200000元"))  # no benchmark loaded
    entry = by_id(report(world, "2026-03-01", "2026-03-31"))["132"]
    assert (entry["value"], entry["met"], entry["denominator"]) == (None, None, 0)
    assert entry["evidence"]["unplaced"] == {"no_benchmark": {"count": 1, "case_ids": [case_id]}}
