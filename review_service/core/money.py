"""Amounts of money as legal documents write them: 人民币叁拾伍万元整（¥350,000.00）.

The capital-figure words (大写) come from ``cn2an`` (its ``rmb`` mode: 壹拾元整, 壹仟零壹拾元整, 伍角);
the figures in brackets repeat the amount with thousands separators and two decimals, so a reader
checks one against the other as on a bank slip.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import cn2an

_CENT = Decimal("0.01")


def amount_of(value: object) -> Decimal | None:
    """``value`` (a draft's ``"350000.00"``, a number) as a non-negative amount in yuan, None when absent or not one."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value)).quantize(_CENT)
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def rmb_words(value: object) -> str:
    """``人民币叁拾伍万元整（¥350,000.00）``; ``""`` when ``value`` is no amount. Zero reads 人民币零元整."""
    amount = amount_of(value)
    if amount is None:
        return ""
    words = "零元整" if amount == 0 else cn2an.an2cn(f"{amount:f}", "rmb")
    return f"人民币{words}（¥{amount:,.2f}）"
