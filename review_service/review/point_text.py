"""The text rule of a point's written opinion, shared by the quality advice (``review.quality``, at
submission) and the indicator report (``indicators.point_substance``, (95)–(104)): normalization, the stock
phrases, and what is left that is specific to the case once the point's own question is taken out.

An opinion that leaves fewer than :data:`MIN_SPECIFIC_CHARS` specific characters only restates the question
("主体合法。", "经审查，执法主体适格，符合规定。"): it says nothing about this case.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from review_service.review.points import TEN_POINTS

MIN_SPECIFIC_CHARS = 6  # characters left once the label and the stock phrases are taken out

#: Phrases that say nothing about a case, longest first (taken out before counting what is specific).
STOCK_PHRASES: tuple[str, ...] = tuple(sorted((
    "经审查", "经审核", "经核查", "审查", "审核", "认为", "本案", "该案", "案件", "符合法律规定", "符合相关规定",
    "符合规定", "符合要求", "符合", "规定", "无问题", "没有问题", "不存在问题", "存在问题", "未发现问题", "未发现",
    "无异议", "同意", "基本", "方面", "问题", "相关", "情况", "正确", "准确", "适当", "清楚", "充分", "完备",
    "规范", "合法", "是", "否", "的", "已", "均", "经", "予以", "确认", "不适用", "适用", "无", "有", "不",
), key=len, reverse=True))

_NOT_WORD = re.compile(r"[\W_]+")


def normalize(text: str | None) -> str:
    """NFKC, case-folded, only letters and digits kept (see the module docstring)."""
    if not text:
        return ""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def point_text(point: Any) -> str:
    """The text a point's written opinion is judged on: its opinion, and its reason when not applicable."""
    if not isinstance(point, Mapping):
        return ""
    parts = [str(point.get("opinion") or "")]
    if point.get("finding") == "not_applicable":
        parts.append(str(point.get("reason") or ""))
    return " ".join(part for part in parts if part)


def specific_chars(point_key: str, normalized: str) -> str:
    """What is left of a normalized text once the stock phrases and the label's characters are taken out."""
    rest = normalized
    for phrase in STOCK_PHRASES:
        rest = rest.replace(phrase, "")
    label = set(normalize(TEN_POINTS.get(point_key, "")))
    return "".join(char for char in rest if char not in label)


def restates_the_question(point_key: str, text: str | None) -> bool:
    """True when ``text`` has words but none specific to the case (see the module docstring)."""
    normalized = normalize(text)
    return bool(normalized) and len(specific_chars(point_key, normalized)) < MIN_SPECIFIC_CHARS
