"""Amounts in the Chinese legal form and the 成文日期 in Chinese numerals (issue 18: documents an office signs)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from review_service.core.dates import chinese_numeral_date
from review_service.core.money import amount_of, rmb_words


@pytest.mark.parametrize(("value", "words"), [
    ("350000.00", "人民币叁拾伍万元整（¥350,000.00）"),
    ("12000.00", "人民币壹万贰仟元整（¥12,000.00）"),
    ("1010", "人民币壹仟零壹拾元整（¥1,010.00）"),
    ("1234567.89", "人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分（¥1,234,567.89）"),
    (Decimal("0.50"), "人民币伍角（¥0.50）"),
    ("0", "人民币零元整（¥0.00）"),
])
def test_amounts_read_as_on_a_legal_document(value: object, words: str) -> None:
    assert rmb_words(value) == words


@pytest.mark.parametrize("value", [None, "", "很多", "-5", True, "NaN", "Infinity"])
def test_what_is_no_amount_gives_no_words(value: object) -> None:
    assert rmb_words(value) == "" and amount_of(value) is None


@pytest.mark.parametrize(("day", "text"), [
    (date(2026, 12, 7), "二〇二六年十二月七日"),
    (date(2026, 1, 10), "二〇二六年一月十日"),
    (date(2026, 11, 20), "二〇二六年十一月二十日"),
    (date(2030, 10, 31), "二〇三〇年十月三十一日"),
    (date(2026, 2, 19), "二〇二六年二月十九日"),
])
def test_the_date_under_the_seal_is_in_chinese_numerals(day: date, text: str) -> None:
    assert chinese_numeral_date(day) == text
