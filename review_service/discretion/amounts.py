"""The basis amount a draft states in its facts (货值金额、违法所得、广告费用 …), for a range set as a multiple.

A draft has no field for it (its shape is API.md's), but the facts state it as officers write it:
``货值金额200000元``, ``货值金额共计人民币2.5万元``, ``违法所得12,000.50元``, ``货值金额六万元``. The first
amount after the words counts; none found is ``None`` (the check then says the basis is missing, never guesses).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import cn2an

_AMOUNT = r"(?:([0-9][0-9,]*(?:\.[0-9]+)?)\s*(万)?|([零〇一二两三四五六七八九十百千万亿点]+))\s*元"


def stated_amount(text: str, what: str | None) -> Decimal | None:
    """The amount ``text`` states for ``what`` (e.g. 货值金额), in yuan to the fen; ``None`` when not stated."""
    if not text or not what:
        return None
    match = re.search(re.escape(what) + r"[^，。；;,\d]{0,12}?" + _AMOUNT, text)
    if match is None:
        return None
    try:
        if match.group(3):  # 货值金额六万元: Chinese numerals
            amount = Decimal(str(cn2an.cn2an(match.group(3).replace("〇", "零").replace("两", "二"), "smart")))
        else:
            amount = Decimal(match.group(1).replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    if match.group(2):
        amount *= 10000
    return amount.quantize(Decimal("0.01"))
