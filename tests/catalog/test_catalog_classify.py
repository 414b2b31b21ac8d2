"""Classifying drafts against the shipped catalogs and small hand-written ones (no database)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from review_service.catalog.classify import classify
from review_service.catalog.fields import FIELDS, FieldType, draft_values
from review_service.catalog.loader import check_file, coverage, missing_categories, parse_catalog
from review_service.catalog.schema import CatalogSpec
from tests.fixtures.catalogs import ECOLOGY, MARKET

PENALTY: dict[str, Any] = {
    "title": "某公司销售不合格产品案",
    "decision_type": "administrative_penalty",
    "counterparty": {"kind": "organization", "name": "某某商贸有限公司"},
    "proposed_decision": {"summary": "罚款", "fine_amount": "500000.00", "confiscation_amount": "12000.00",
                          "license_revocation": False, "suspension_of_business": False},
    "hearing_held": False,
    "flags": {"public_interest": False, "social_impact": False, "multiple_legal_relations": False},
}


def draft(kind: str | None = "organization", fine: Any = None, **changes: Any) -> dict[str, Any]:
    """A penalty draft with the given party kind and fine; ``changes`` set top-level or dotted keys."""
    result = copy.deepcopy(PENALTY)
    if kind is None:
        del result["counterparty"]["kind"]
    else:
        result["counterparty"]["kind"] = kind
    result["proposed_decision"]["fine_amount"] = fine
    result["proposed_decision"]["confiscation_amount"] = None
    for key, value in changes.items():
        *parents, last = key.split("__")
        target = result
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return result


def ids(spec: CatalogSpec, data: Any) -> list[str]:
    return [rule.rule_id for rule in classify(spec, data).matched]


# -- the shipped catalogs ------------------------------------------------------------------------


@pytest.mark.parametrize("path", [MARKET, ECOLOGY], ids=lambda p: p.name)
def test_shipped_catalogs_check_clean_and_cover_all_five_categories(path: Any) -> None:
    assert check_file(path) == []
    spec = parse_catalog(path.read_text("utf-8"), path.name)
    assert missing_categories(spec) == []
    five = {"public_interest", "social_impact", "major_rights", "after_hearing", "complex"}
    assert set(coverage(spec)) == five
    assert all(coverage(spec).values())
    # ecology version 2 (issue 19): the individual threshold fixed, re-cited on the 生态环境法典 (from 2026-08-15)
    expected = {MARKET.name: (1, "2026-01-01"), ECOLOGY.name: (2, "2026-08-15")}[path.name]
    assert (spec.version, str(spec.effective_from)) == expected
    assert all(rule.legal_basis for rule in spec.rules)


def test_shipped_catalogs_apply_to_their_systems(market: CatalogSpec, ecology: CatalogSpec) -> None:
    assert market.applies(agency_name="西安市市场监督管理局", system="市场监管")
    assert not market.applies(agency_name="西安市市场监督管理局", system="生态环境")
    assert ecology.applies(agency_name="任意", system="生态环境")


@pytest.mark.parametrize(
    ("kind", "fine", "expected"),
    [
        ("organization", "99999.99", []),
        ("organization", "100000", ["large-fine-organization"]),
        ("organization", "100000.00", ["large-fine-organization"]),
        ("organization", 100000, ["large-fine-organization"]),
        ("organization", "10000", []),
        ("individual", "9999.99", []),
        ("individual", "10000.00", ["large-fine-individual"]),
        ("individual", "100000", ["large-fine-individual"]),
        (None, "9999.99", []),
        (None, "10000", ["large-fine-party-unknown"]),
        ("unknown-kind", "10000", ["large-fine-party-unknown"]),
    ],
)
def test_market_fine_thresholds_at_the_boundary(market: CatalogSpec, kind: str | None, fine: Any,
                                                expected: list[str]) -> None:
    assert ids(market, draft(kind, fine)) == expected
    assert classify(market, draft(kind, fine)).major is bool(expected)


@pytest.mark.parametrize(
    ("kind", "fine", "expected"),
    [
        ("organization", "199999.99", []),
        ("organization", "200000", ["large-fine-organization"]),
        ("individual", "4999.99", []),
        ("individual", "5000", ["large-fine-individual"]),
        ("individual", "49999.99", ["large-fine-individual"]),  # escaped review under version 1 (issue 19)
        (None, "4999.99", []),
        (None, "5000", ["large-fine-party-unknown"]),
    ],
)
def test_ecology_fine_thresholds_at_the_boundary(ecology: CatalogSpec, kind: str | None, fine: str,
                                                 expected: list[str]) -> None:
    assert ids(ecology, draft(kind, fine)) == expected


def test_fine_rules_apply_to_penalties_only(market: CatalogSpec) -> None:
    assert ids(market, draft("organization", "900000", decision_type="administrative_license")) == []
    assert ids(market, draft("organization", "900000", decision_type=None)) == []


def test_absent_or_malformed_amounts_never_match(market: CatalogSpec) -> None:
    assert ids(market, draft("individual", None)) == []
    assert ids(market, draft(None, None)) == []
    for bad in ("", "abc", "NaN", "Infinity", True, [], {"x": 1}):
        assert ids(market, draft("individual", bad)) == [], bad
    without = draft("organization", None)
    del without["proposed_decision"]["fine_amount"]
    assert ids(market, without) == []


def test_empty_and_non_mapping_drafts_are_not_major(market: CatalogSpec) -> None:
    for data in ({}, None, [], "draft", 42, {"proposed_decision": "x", "flags": [1], "counterparty": 3}):
        result = classify(market, data)
        assert result.major is False and result.matched == []


def test_confiscation_uses_the_party_threshold_and_not_equal(market: CatalogSpec) -> None:
    def confiscate(kind: str | None, amount: str) -> list[str]:
        return ids(market, draft(kind, None, proposed_decision__confiscation_amount=amount))

    assert confiscate("individual", "9999.99") == []
    assert confiscate("individual", "10000") == ["large-confiscation"]
    assert confiscate(None, "10000") == ["large-confiscation"]  # ne organization: the stricter threshold
    assert confiscate("organization", "99999") == []
    assert confiscate("organization", "100000") == ["large-confiscation"]


def test_ecology_seizure_uses_in_on_decision_type(ecology: CatalogSpec) -> None:
    coercion = {"decision_type": "administrative_coercion", "counterparty": {"kind": "organization"}}
    assert ids(ecology, coercion) == ["seizure-of-facilities"]
    assert ids(ecology, {**coercion, "counterparty": {"kind": "individual"}}) == []
    assert ids(ecology, {**coercion, "decision_type": "administrative_inspection"}) == []


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"proposed_decision__license_revocation": True}, "license-revocation"),
        ({"proposed_decision__suspension_of_business": True}, "suspension-or-closure"),
        ({"proposed_decision__closure": True}, "suspension-or-closure"),
        ({"hearing_held": True}, "after-hearing"),
        ({"flags__public_interest": True}, "public-interest"),
        ({"flags__social_impact": True}, "social-impact"),
        ({"flags__complex": True}, "complex-case"),
        ({"flags__multiple_legal_relations": True}, "complex-case"),
        ({"flags__serious_violation": True}, "serious-violation"),
    ],
)
def test_each_flag_makes_a_market_case_major(market: CatalogSpec, change: dict[str, Any], rule: str) -> None:
    assert ids(market, draft("individual", "100", **change)) == [rule]


def test_bool_fields_count_only_json_true(market: CatalogSpec) -> None:
    for value in ("true", 1, "是", None, [True]):
        assert ids(market, draft("individual", "100", hearing_held=value)) == [], value


def test_serious_violation_needs_a_penalty(market: CatalogSpec) -> None:
    assert ids(market, draft("individual", None, decision_type="other", flags__serious_violation=True)) == []


def test_every_matched_rule_is_returned_with_its_reason(market: CatalogSpec) -> None:
    data = draft("organization", "500000.00", hearing_held=True, flags__complex=True,
                 proposed_decision__confiscation_amount="120000")
    result = classify(market, data)
    assert result.major
    assert [m.rule_id for m in result.matched] == [
        "large-fine-organization", "large-confiscation", "after-hearing", "complex-case"]
    first = result.matched[0]
    assert first.category == "major_rights"
    assert first.description == "对法人或者其他组织处以十万元以上罚款"
    assert "第五十八条" in first.legal_basis and "；" in first.legal_basis  # a list joined
    assert first.reason == "决定类型为行政处罚；当事人为法人或其他组织；拟罚款金额 500000.00 元 ≥ 100000 元"
    assert result.matched[1].reason == "当事人为法人或其他组织；拟没收金额 120000.00 元 ≥ 100000 元"
    assert result.matched[2].reason == "已经过听证程序"
    assert result.matched[3].reason == "承办机构标注案件情况疑难复杂"


def test_reason_explains_not_and_absent_values(market: CatalogSpec) -> None:
    (match,) = classify(market, draft(None, "10000")).matched
    assert match.reason == "决定类型为行政处罚；未填写当事人类型；拟罚款金额 10000.00 元 ≥ 10000 元"


# -- operators on a small catalog ----------------------------------------------------------------

OPS = """\
id: ops
version: 1
title: 运算符测试
effective_from: 2026-01-01
applies_to: {agencies: [测试局]}
rules:
  - {id: r-in, category: public_interest, description: in,
     when: {decision_type: {in: [administrative_license, administrative_levy]}}}
  - {id: r-not-in, category: social_impact, description: not_in,
     when: {decision_type: {not_in: [administrative_penalty, other]}}}
  - {id: r-range, category: major_rights, description: range,
     when: {proposed_decision.fine_amount: {gt: "100", lte: "200"}}}
  - {id: r-lt, category: major_rights, description: lt, when: {proposed_decision.fine_amount: {lt: 5}}}
  - {id: r-not, category: after_hearing, description: not,
     when: {not: {any: [{hearing_held: true}, {counterparty.kind: individual}]}}}
  - {id: r-ne, category: complex, description: ne, when: {proposed_decision.confiscation_amount: {ne: "0"}}}
  - {id: r-eq-false, category: complex, description: eq false, when: {flags.complex: false}}
"""


@pytest.fixture(scope="module")
def ops() -> CatalogSpec:
    return parse_catalog(OPS, "ops.yaml")


def test_in_and_not_in(ops: CatalogSpec) -> None:
    assert "r-in" in ids(ops, {"decision_type": "administrative_levy"})
    assert "r-in" not in ids(ops, {"decision_type": "administrative_penalty"})
    assert "r-in" not in ids(ops, {})
    assert "r-not-in" in ids(ops, {"decision_type": "administrative_license"})
    assert "r-not-in" in ids(ops, {})  # absent is not in any list
    assert "r-not-in" not in ids(ops, {"decision_type": "other"})


def test_ranges_and_lt_never_match_an_absent_amount(ops: CatalogSpec) -> None:
    def fine(value: Any) -> list[str]:
        return ids(ops, {"decision_type": "other", "proposed_decision": {"fine_amount": value},
                         "hearing_held": True, "flags": {"complex": True}})

    assert fine("100") == ["r-ne"]
    assert fine("100.01") == ["r-range", "r-ne"]
    assert fine("200") == ["r-range", "r-ne"]
    assert fine("200.01") == ["r-ne"]
    assert fine("4.99") == ["r-lt", "r-ne"]
    assert fine("5") == ["r-ne"]
    assert fine(None) == ["r-ne"]
    assert "r-ne" not in ids(ops, {"proposed_decision": {"confiscation_amount": "0.00"}})


def test_not_of_any(ops: CatalogSpec) -> None:
    result = classify(ops, {"counterparty": {"kind": "organization"}, "flags": {"complex": True}})
    (match,) = [m for m in result.matched if m.rule_id == "r-not"]
    assert match.reason == "未经过听证程序；当事人为法人或其他组织"
    assert "r-not" not in ids(ops, {"hearing_held": True})
    assert "r-not" not in ids(ops, {"counterparty": {"kind": "individual"}})


def test_eq_false_matches_a_missing_flag(ops: CatalogSpec) -> None:
    assert "r-eq-false" in ids(ops, {})
    assert "r-eq-false" not in ids(ops, {"flags": {"complex": True}})


def test_draft_values_normalizes_every_registered_field() -> None:
    values = draft_values({"proposed_decision": {"fine_amount": " 12.5 "}, "flags": {"complex": True}})
    assert set(values) == set(FIELDS)
    assert values["proposed_decision.fine_amount"] == Decimal("12.5")
    assert values["flags.complex"] is True and values["hearing_held"] is False
    assert values["decision_type"] is None
    kinds = {spec.type for spec in FIELDS.values()}
    assert kinds == {FieldType.BOOL, FieldType.DECIMAL, FieldType.ENUM}
