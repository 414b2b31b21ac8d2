"""The range check with known answers: fixed amounts, multiples of 货值金额, brackets, inclusive bounds, findings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from review_service.discretion.check import Finding, check_draft, check_fine, find_entries
from tests.fixtures.discretion import agency_id, load
from tests.fixtures.world import World

ON = date(2026, 3, 1)

# (violation, level text, fine, 货值金额) → (finding, low, high)
# 产品质量法 49: 从轻 1–1.6 倍, 一般 1.6–2.4 倍, 从重 2.4–3 倍
KNOWN = [
    ("product-substandard", "从轻", "100000", "100000", Finding.WITHIN, "100000.00", "160000.00"),  # low bound in
    ("product-substandard", "从轻处罚", "160000", "100000", Finding.WITHIN, "100000.00", "160000.00"),  # high bound in
    ("product-substandard", "较轻", "99999.99", "100000", Finding.BELOW, "100000.00", "160000.00"),
    ("product-substandard", "较轻", "160000.01", "100000", Finding.ABOVE, "100000.00", "160000.00"),
    ("product-substandard", "较重", "500000", "200000", Finding.WITHIN, "480000.00", "600000.00"),
    ("product-substandard", "一般", "400000.02", "166666.67", Finding.ABOVE, "266666.67", "400000.01"),
    # 食品安全法 124: 货值不足一万元 fixed, 一万元以上 multiples; the bracket's bound belongs to the upper one
    ("food-expired", "从轻", "50000", "9999.99", Finding.WITHIN, "50000.00", "65000.00"),
    ("food-expired", "从轻", "65000.01", "9999.99", Finding.ABOVE, "50000.00", "65000.00"),
    ("food-expired", "从轻", "100000", "10000", Finding.WITHIN, "100000.00", "130000.00"),
    ("food-expired", "一般", "129999.99", "10000", Finding.BELOW, "130000.00", "170000.00"),
    # 特种设备安全法 83: 一般 1–10 万元; 不予处罚 sets no fine
    ("special-equipment-unregistered", "一般", "10000", None, Finding.WITHIN, "10000.00", "100000.00"),
    ("special-equipment-unregistered", "一般处罚", "100000.00", None, Finding.WITHIN, "10000.00", "100000.00"),
    ("special-equipment-unregistered", "一般", "9999", None, Finding.BELOW, "10000.00", "100000.00"),
    ("special-equipment-unregistered", "不予处罚", "0", None, Finding.WITHIN, "0.00", "0.00"),
    ("special-equipment-unregistered", "不予处罚", None, None, Finding.WITHIN, "0.00", "0.00"),
    ("special-equipment-unregistered", "首违不罚", "500", None, Finding.ABOVE, "0.00", "0.00"),
]


@pytest.fixture
def agency(world: World) -> int:
    load(world)
    return agency_id(world)


@pytest.mark.parametrize("row", KNOWN, ids=lambda row: f"{row[0]}-{row[1]}-{row[2]}-{row[3]}")
def test_known_answers(world: World, agency: int, row: tuple) -> None:  # type: ignore[type-arg]
    violation, level, fine, basis, finding, low, high = row[:7]
    with world.uow() as session:
        result = check_fine(session, agency_id=agency, violation=violation, level=level, fine=fine,
                            basis_amount=basis, on=ON)
        assert result.finding == finding, result.message
        assert (f"{result.low:.2f}", f"{result.high:.2f}") == (low, high)
        data = result.to_dict()
        assert data["benchmark"]["title"] == "测试市场监管行政处罚裁量基准"
        assert data["benchmark"]["document_number"] == "测市监发〔2026〕1号"
        assert data["entry"]["violation"] == violation and data["point"] == "discretion_appropriate"


def test_multiple_of_the_basis_rounds_to_the_fen(world: World, agency: int) -> None:
    with world.uow() as session:
        result = check_fine(session, agency_id=agency, violation="product-substandard", level="一般",
                            fine="266666.67", basis_amount="166666.67", on=ON)
        # 1.6 × 166,666.67 = 266,666.672 → 266,666.67 (within, at the low bound); 2.4 × … = 400,000.008 → 400,000.01
        assert result.finding == Finding.WITHIN
        assert (result.low, result.high) == (Decimal("266666.67"), Decimal("400000.01"))
        assert "货值金额的1.6至2.4倍" in result.message and "测试市场监管行政处罚裁量基准" in result.message


@pytest.mark.parametrize(("violation", "level", "basis", "finding", "words"), [
    ("product-substandard", "从轻", None, Finding.BASIS_MISSING, "草稿未写明货值金额"),
    ("food-expired", "从轻", None, Finding.BASIS_MISSING, "草稿未写明货值金额"),
    ("product-substandard", "酌情", "1000", Finding.LEVEL_UNKNOWN, "裁量情节“酌情”不能对应"),
    ("product-substandard", "", "1000", Finding.LEVEL_UNKNOWN, "裁量情节（未填写）"),
    ("product-substandard", "减轻", "1000", Finding.LEVEL_NOT_SET, "未规定“减轻处罚”档次"),
    ("no-such-violation", "从轻", "1000", Finding.NO_ENTRY, "没有违法行为“no-such-violation”的条目"),
])
def test_findings_that_are_not_a_range(world: World, agency: int, violation: str, level: str, basis: str | None,
                                       finding: Finding, words: str) -> None:
    with world.uow() as session:
        result = check_fine(session, agency_id=agency, violation=violation, level=level, fine="1000",
                            basis_amount=basis, on=ON)
        assert result.finding == finding and words in result.message
        assert not result.outside


def test_no_benchmark_before_it_is_in_force(world: World, agency: int) -> None:
    with world.uow() as session:
        result = check_fine(session, agency_id=agency, violation="product-substandard", level="从轻", fine="1",
                            basis_amount="1", on=date(2025, 12, 31))
        assert result.finding == Finding.NO_BENCHMARK and "2025-12-31" in result.message


def test_the_entry_is_found_from_the_drafts_legal_basis(world: World, agency: int) -> None:
    with world.uow() as session:
        def keys(*basis: str) -> list[str]:
            return [e.violation_key for e in find_entries(session, agency_id=agency, legal_basis=basis, on=ON)]

        assert keys("《中华人民共和国产品质量法》第四十九条") == ["product-substandard"]
        assert keys("《产品质量法》第13条第二款、第49条") == ["product-substandard"]
        food = ("《中华人民共和国食品安全法》第三十四条第（十）项", "《食品安全法》第一百二十四条第一款第（五）项")
        assert keys(*food) == ["food-expired"]
        assert keys("《特种设备安全法》第八十三条") == ["special-equipment-unregistered"]
        assert keys("《中华人民共和国行政处罚法》第二十八条") == []
        result = check_draft(session, agency_id=agency, legal_basis=["《中华人民共和国产品质量法》第四十九条"],
                             level="较重", fine="500000.00", basis_amount="200000", on=ON)
        assert result.finding == Finding.WITHIN and result.entry is not None
        from_facts = check_draft(session, agency_id=agency, legal_basis=["《中华人民共和国产品质量法》第四十九条"],
                                 level="较重", fine="700000.00", facts="货值金额共计人民币20万元。", on=ON)
        assert from_facts.finding == Finding.ABOVE and from_facts.high == Decimal("600000.00")
        missing = check_draft(session, agency_id=agency, legal_basis=["《中华人民共和国行政处罚法》第二十八条"],
                              level="较重", fine="1", on=ON)
        assert missing.finding == Finding.NO_ENTRY


@pytest.mark.parametrize(("text", "what", "amount"), [
    ("当事人销售不合格电热水壶1200台，货值金额200000元。", "货值金额", "200000.00"),
    ("货值金额共计人民币2.5万元", "货值金额", "25000.00"),
    ("违法所得12,000.50元，货值金额3000元", "违法所得", "12000.50"),
    ("违法所得12,000.50元，货值金额3000元", "货值金额", "3000.00"),
    ("当事人销售过期食品。", "货值金额", None),
    ("销售不合格电热水壶共计1200台，货值金额六万元。", "货值金额", "60000.00"),
    ("违法所得一万二千五百元", "违法所得", "12500.00"),
    ("货值金额200000元", None, None),
])
def test_the_basis_amount_stated_in_the_facts(text: str, what: str | None, amount: str | None) -> None:
    from review_service.discretion.amounts import stated_amount

    found = stated_amount(text, what)
    assert (None if found is None else f"{found:.2f}") == amount
