"""Every rule of every shipped catalog, as a table: its thresholds by party kind and amount field, its legal basis.

Each row is checked against the catalog as loaded (``parse_catalog``) and, for an amount, through the real
classifier one fen below and at the threshold ("以上" includes the amount itself: ``gte``). The comment on
each row names the article that sets the threshold or makes the decision major (issue 19).

Sources of the thresholds (较大数额 / 较大价值 of 《行政处罚法》第六十三条第一款第一项、第二项):

- ecology: 《生态环境行政处罚办法》（2023）第八十九条 — 公民 5,000 元以上，法人或者其他组织 200,000 元以上;
- market: 《市场监督管理行政处罚听证办法》第五条 — 自然人 10,000 元以上，法人或者其他组织 100,000 元以上.

A party whose kind is not given is held to the stricter individual threshold (从严认定) in both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from review_service.catalog.classify import classify
from review_service.catalog.loader import parse_catalog
from review_service.catalog.models import CatalogStatus
from review_service.catalog.operations import load_catalog
from review_service.catalog.queries import applicable_catalog
from review_service.catalog.schema import AllOf, AnyOf, CatalogSpec, Compare, Condition, NotOf
from review_service.organization.models import Agency
from tests.fixtures.catalogs import ECOLOGY, MARKET

SPECS: dict[str, CatalogSpec] = {path.stem: parse_catalog(path.read_text("utf-8"), path.name)
                                 for path in (ECOLOGY, MARKET)}
ECO, MKT = ECOLOGY.stem, MARKET.stem
FINE, CONFISCATION = "proposed_decision.fine_amount", "proposed_decision.confiscation_amount"
PENALTY = "《中华人民共和国行政处罚法》"
ECO_RULES = "《生态环境行政处罚办法》第四十六条、第八十九条"
MKT_RULES = "《市场监督管理行政处罚听证办法》第五条"
FINE_BASIS = f"{PENALTY}第五十八条第一款第二项、第六十三条第一款第一项"
# how a rule's condition restricts the party: the kind, "unknown" (neither kind given) or "non-organization"
# (an individual or an unknown party)
INDIVIDUAL, ORGANIZATION, UNKNOWN, NON_ORGANIZATION = "individual", "organization", "unknown", "non-organization"


@dataclass(frozen=True)
class Row:
    catalog: str
    rule_id: str
    legal_basis: str
    thresholds: dict[tuple[str, str], str] = field(default_factory=dict)  # (party, amount field) → yuan


ROWS = [
    # ── 生态环境 ──
    # 办法第八十九条：公民五千元以上为较大数额（第1版误作五万元）
    Row(ECO, "large-fine-individual", f"{FINE_BASIS}；{ECO_RULES}", {(INDIVIDUAL, FINE): "5000"}),
    # 办法第八十九条：法人或者其他组织二十万元以上；按日连续处罚累计数额（生态环境法典第一千零六十条）一并计算
    Row(ECO, "large-fine-organization", f"{FINE_BASIS}；《中华人民共和国生态环境法典》第一千零六十条；{ECO_RULES}",
        {(ORGANIZATION, FINE): "200000"}),
    # 当事人类型未明确的，按办法第八十九条对公民的五千元从严认定
    Row(ECO, "large-fine-party-unknown", f"{FINE_BASIS}；{ECO_RULES}", {(UNKNOWN, FINE): "5000"}),
    # 行政处罚法第六十三条第一款第二项；办法第八十九条：公民（及类型未明确的当事人）五千元、组织二十万元
    Row(ECO, "large-confiscation", f"{PENALTY}第六十三条第一款第二项；{ECO_RULES}",
        {(NON_ORGANIZATION, CONFISCATION): "5000", (ORGANIZATION, CONFISCATION): "200000"}),
    # 行政处罚法第九条第三项、第六十三条第一款第三项：吊销许可证件（无金额）
    Row(ECO, "license-revocation",
        f"{PENALTY}第九条第三项、第六十三条第一款第三项；《生态环境行政处罚办法》第四十六条"),
    # 生态环境法典第一千一百零七条（原环境保护法第六十条）；行政处罚法第六十三条第一款第四项
    Row(ECO, "production-restriction-or-closure",
        f"《中华人民共和国生态环境法典》第一千一百零七条；{PENALTY}第九条第四项、第六十三条第一款第四项"),
    # 生态环境法典第五十二条（原环境保护法第二十五条）；行政强制法第九条第二项、第三项
    Row(ECO, "seizure-of-facilities",
        "《中华人民共和国生态环境法典》第五十二条；《中华人民共和国行政强制法》第九条、第二十二条"),
    # 行政处罚法第五十八条第一款第二项：经过听证程序的
    Row(ECO, "after-hearing",
        f"{PENALTY}第五十八条第一款第二项、第六十五条；《中华人民共和国行政许可法》第四十六条、第四十七条"),
    # 行政处罚法第五十八条第一款第一项：涉及重大公共利益的
    Row(ECO, "public-interest", f"{PENALTY}第五十八条第一款第一项；国办发〔2018〕118号（十三）"),
    # 118号（十三）：可能造成重大社会影响或引发社会风险的
    Row(ECO, "social-impact", "国办发〔2018〕118号（十三）；陕政办发〔2019〕13号"),
    # 行政处罚法第五十八条第一款第三项：案件情况疑难复杂、涉及多个法律关系的
    Row(ECO, "complex-case", f"{PENALTY}第五十八条第一款第三项"),
    # 行政处罚法第五十七条第二款：情节复杂或者重大违法行为，负责人集体讨论决定
    Row(ECO, "serious-violation", f"{PENALTY}第五十七条第二款"),
    # ── 市场监管 ──
    # 听证办法第五条：自然人一万元以上
    Row(MKT, "large-fine-individual", f"{FINE_BASIS}；{MKT_RULES}", {(INDIVIDUAL, FINE): "10000"}),
    # 听证办法第五条：法人或者其他组织十万元以上
    Row(MKT, "large-fine-organization", f"{FINE_BASIS}；{MKT_RULES}", {(ORGANIZATION, FINE): "100000"}),
    # 当事人类型未明确的，按听证办法第五条对自然人的一万元从严认定
    Row(MKT, "large-fine-party-unknown", FINE_BASIS, {(UNKNOWN, FINE): "10000"}),
    # 行政处罚法第六十三条第一款第二项；听证办法第五条：自然人（及类型未明确的当事人）一万元、组织十万元
    Row(MKT, "large-confiscation", f"{PENALTY}第九条第二项、第六十三条第一款第二项；{MKT_RULES}",
        {(NON_ORGANIZATION, CONFISCATION): "10000", (ORGANIZATION, CONFISCATION): "100000"}),
    # 行政处罚法第九条第三项、第六十三条第一款第三项
    Row(MKT, "license-revocation", f"{PENALTY}第九条第三项、第六十三条第一款第三项"),
    # 行政处罚法第九条第四项、第六十三条第一款第四项
    Row(MKT, "suspension-or-closure", f"{PENALTY}第九条第四项、第六十三条第一款第四项"),
    # 行政处罚法第五十八条第一款第二项；行政许可法第四十六条至第四十八条
    Row(MKT, "after-hearing",
        f"{PENALTY}第五十八条第一款第二项、第六十五条；《中华人民共和国行政许可法》第四十六条、第四十七条、第四十八条"),
    # 行政处罚法第五十八条第一款第一项
    Row(MKT, "public-interest", f"{PENALTY}第五十八条第一款第一项；国办发〔2018〕118号（十三）"),
    # 118号（十三）
    Row(MKT, "social-impact", "国办发〔2018〕118号（十三）；陕政办发〔2019〕13号"),
    # 行政处罚法第五十八条第一款第三项
    Row(MKT, "complex-case", f"{PENALTY}第五十八条第一款第三项"),
    # 行政处罚法第五十七条第二款
    Row(MKT, "serious-violation", f"{PENALTY}第五十七条第二款"),
]


def _party(items: tuple[Condition, ...]) -> str | None:
    """How the parts of an ``all`` restrict the party kind (None: they do not)."""
    for item in items:
        if isinstance(item, Compare) and item.field == "counterparty.kind":
            if item.op == "eq":
                return str(item.value)
            if item.op == "ne" and item.value == ORGANIZATION:
                return NON_ORGANIZATION
        if (isinstance(item, NotOf) and isinstance(item.item, Compare) and item.item.op == "in"
                and set(item.item.value) == {INDIVIDUAL, ORGANIZATION}):  # type: ignore[arg-type]
            return UNKNOWN
    return None


def thresholds(condition: Condition, party: str | None = None) -> dict[tuple[str, str], str]:
    """Every ``amount ≥ N`` of ``condition`` keyed by the party restriction it sits under."""
    if isinstance(condition, Compare):
        if condition.op == "gte" and isinstance(condition.value, Decimal):
            return {(party or "any", condition.field): f"{condition.value:f}"}
        assert condition.op not in ("gt", "lt", "lte") or condition.field == "counterparty.kind", condition
        return {}
    if isinstance(condition, NotOf):
        return {}
    found: dict[tuple[str, str], str] = {}
    inner = (_party(condition.items) or party) if isinstance(condition, AllOf) else party
    assert isinstance(condition, AllOf | AnyOf)
    for item in condition.items:
        found.update(thresholds(item, inner))
    return found


def test_the_table_has_every_shipped_rule() -> None:
    assert sorted((row.catalog, row.rule_id) for row in ROWS) == sorted(
        (name, rule.id) for name, spec in SPECS.items() for rule in spec.rules)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.catalog}:{row.rule_id}")
def test_rule_threshold_and_legal_basis(row: Row) -> None:
    rule = next(rule for rule in SPECS[row.catalog].rules if rule.id == row.rule_id)
    assert rule.legal_basis == row.legal_basis
    assert thresholds(rule.when) == row.thresholds


def _draft(party: str, amount_field: str, amount: str) -> dict[str, Any]:
    kind = {INDIVIDUAL: INDIVIDUAL, ORGANIZATION: ORGANIZATION, NON_ORGANIZATION: INDIVIDUAL}.get(party)
    return {"decision_type": "administrative_penalty", "counterparty": {"kind": kind} if kind else {},
            "proposed_decision": {amount_field.rsplit(".", 1)[1]: amount}}


@pytest.mark.parametrize("row", [row for row in ROWS if row.thresholds],
                         ids=lambda row: f"{row.catalog}:{row.rule_id}")
def test_each_threshold_classifies_at_the_boundary(row: Row) -> None:
    spec = SPECS[row.catalog]
    for (party, amount_field), yuan in row.thresholds.items():
        below = str(Decimal(yuan) - Decimal("0.01"))
        matched_below = [m.rule_id for m in classify(spec, _draft(party, amount_field, below)).matched]
        matched_at = [m.rule_id for m in classify(spec, _draft(party, amount_field, yuan)).matched]
        assert row.rule_id not in matched_below, (party, amount_field, below)
        assert row.rule_id in matched_at, (party, amount_field, yuan)


@pytest.mark.parametrize(
    ("kind", "fine", "major", "rule"),
    [
        # 《生态环境行政处罚办法》第八十九条：公民五千元以上
        ("individual", "4999", False, None),
        ("individual", "5000", True, "large-fine-individual"),
        ("individual", "49999", True, "large-fine-individual"),  # escaped review under version 1
        # 当事人类型未明确：从严按公民标准
        (None, "4999", False, None),
        (None, "5000", True, "large-fine-party-unknown"),
        # 办法第八十九条：法人或者其他组织二十万元以上
        ("organization", "5000", False, None),
        ("organization", "199999", False, None),
        ("organization", "200000", True, "large-fine-organization"),
    ],
)
def test_ecology_boundary_drafts_through_the_classifier(kind: str | None, fine: str, major: bool,
                                                         rule: str | None) -> None:
    draft = {"title": "某企业超标排放水污染物案", "decision_type": "administrative_penalty",
             "counterparty": {"kind": kind, "name": "某某"} if kind else {"name": "某某"},
             "proposed_decision": {"summary": "罚款", "fine_amount": fine}, "hearing_held": False,
             "flags": {"public_interest": False, "social_impact": False, "multiple_legal_relations": False}}
    result = classify(SPECS[ECO], draft)
    assert result.major is major
    assert [m.rule_id for m in result.matched] == ([rule] if rule else [])
    if rule:
        assert "生态环境行政处罚办法》第四十六条、第八十九条" in result.matched[0].legal_basis


def test_ecology_version_2_loads_over_version_1_as_a_widening(uow: Any, audited: list[dict[str, Any]]) -> None:
    """A deployment holding version 1 (50,000 yuan) takes version 2 at once: lowering a threshold only widens,
    so no review lead has to confirm it; version 1 still decides dates before the 法典 came into force."""
    v2 = ECOLOGY.read_text("utf-8")
    v1 = (v2.replace("version: 2\n", "version: 1\n").replace('{gte: "5000"}', '{gte: "50000"}')
          .replace("effective_from: 2026-08-15", "effective_from: 2026-01-01"))
    with uow() as session:
        session.add(Agency(name="陕西省生态环境厅", system="生态环境"))
    with uow() as session:
        load_catalog(session, actor=None, text=v1, filename="v1.yaml")
        row = load_catalog(session, actor=None, text=v2, filename=ECOLOGY.name)
        assert row.status == CatalogStatus.ACTIVE
        changed = {entry["rule_id"]: entry for entry in row.diff["changed"]}
        for rule_id in ("large-fine-individual", "large-fine-party-unknown", "large-confiscation"):
            assert changed[rule_id]["when"]["widens"] is True
        assert row.diff["added"] == [] and row.diff["removed"] == [] and set(changed) == {
            "large-fine-individual", "large-fine-party-unknown", "large-confiscation"}
        for on, version in ((date(2026, 8, 14), 1), (date(2026, 8, 15), 2)):
            found = applicable_catalog(session, agency_name="陕西省生态环境厅", on=on)
            assert found is not None and found[0].version == version
