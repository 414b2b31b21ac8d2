"""The five levels of a 裁量基准 and how a draft's free-text ``discretion.level`` maps onto them.

Handlers write the level in many ways (从轻、从轻处罚、较轻、情节较轻 …). The table below is the whole mapping;
wording it does not know yields ``None`` — a "level unknown" finding for the reviewer, never an error, since
the draft is the handler's text. ``轻微`` is 不予处罚: 《行政处罚法》第三十三条 (违法行为轻微并及时改正 … 不予
行政处罚), not 从轻.
"""

from __future__ import annotations

import enum
import re


class Level(enum.StrEnum):
    """The five levels, in order from the mildest."""

    EXEMPT = "exempt"
    MITIGATED = "mitigated"
    LIGHTER = "lighter"
    GENERAL = "general"
    HEAVIER = "heavier"


LEVEL_LABELS: dict[Level, str] = {
    Level.EXEMPT: "不予处罚",
    Level.MITIGATED: "减轻处罚",
    Level.LIGHTER: "从轻处罚",
    Level.GENERAL: "一般处罚",
    Level.HEAVIER: "从重处罚",
}

#: Wording (normalized: no spaces or punctuation, 情节/处罚/裁量/行政 removed) → level.
_WORDS: dict[str, Level] = {
    **{word: Level.EXEMPT for word in ("不予", "不予处罚", "不罚", "免予", "免于", "免罚", "首违不罚", "轻微",
                                       "轻微不罚")},
    **{word: Level.MITIGATED for word in ("减轻", "减轻处罚", "从轻减轻")},
    **{word: Level.LIGHTER for word in ("从轻", "较轻", "轻", "从宽", "偏轻")},
    **{word: Level.GENERAL for word in ("一般", "中等", "适中", "普通", "正常", "基准")},
    **{word: Level.HEAVIER for word in ("从重", "较重", "重", "严重", "特别严重", "加重", "从严")},
    **{level.value: level for level in Level},
}
_NOISE = re.compile(r"[\s\u3000,，.。;；:：、()（）\[\]【】\"'“”‘’]|情节|处罚|裁量|行政|档次|档|级别|等级|的|予以|给予")


def normalize_level_text(text: str) -> str:
    """The wording with spaces, punctuation and filler words (情节、处罚、裁量 …) removed."""
    raw = (text or "").strip().lower()
    if raw in _WORDS:
        return raw
    return _NOISE.sub("", raw)


def map_level(text: str | None) -> Level | None:
    """The level a draft's free text names, or ``None`` when the wording is unknown or empty.

    Exact table look-up after normalization: ``不予处罚`` is kept whole (its 处罚 is not filler), so
    ``不予`` and ``不予处罚`` both map to 不予处罚, and ``从轻处罚``, ``情节较轻``, ``从轻情节`` to 从轻处罚.
    """
    raw = (text or "").strip()
    if not raw:
        return None
    for candidate in (raw.lower(), re.sub(r"\s+", "", raw), normalize_level_text(raw)):
        if candidate in _WORDS:
            return _WORDS[candidate]
    return None


def level_label(level: Level | str) -> str:
    return LEVEL_LABELS[Level(level)]
