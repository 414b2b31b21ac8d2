"""The draft's free-text ``discretion.level`` mapped to the five levels: the whole table, and unknown wording."""

from __future__ import annotations

import pytest

from review_service.discretion.levels import LEVEL_LABELS, Level, map_level

TABLE = [
    ("不予处罚", Level.EXEMPT), ("不予行政处罚", Level.EXEMPT), ("免予处罚", Level.EXEMPT), ("首违不罚", Level.EXEMPT),
    ("轻微", Level.EXEMPT), ("情节轻微", Level.EXEMPT),
    ("减轻", Level.MITIGATED), ("减轻处罚", Level.MITIGATED), ("减轻情节", Level.MITIGATED),
    ("从轻", Level.LIGHTER), ("从轻处罚", Level.LIGHTER), ("较轻", Level.LIGHTER), ("情节较轻", Level.LIGHTER),
    ("从轻情节", Level.LIGHTER), (" 从 轻 ", Level.LIGHTER), ("从轻（裁量）", Level.LIGHTER),
    ("一般", Level.GENERAL), ("一般处罚", Level.GENERAL), ("一般情节", Level.GENERAL), ("中等", Level.GENERAL),
    ("从重", Level.HEAVIER), ("从重处罚", Level.HEAVIER), ("较重", Level.HEAVIER), ("情节较重", Level.HEAVIER),
    ("情节严重", Level.HEAVIER), ("严重", Level.HEAVIER),
    ("exempt", Level.EXEMPT), ("mitigated", Level.MITIGATED), ("lighter", Level.LIGHTER),
    ("general", Level.GENERAL), ("HEAVIER", Level.HEAVIER),
]


@pytest.mark.parametrize(("text", "level"), TABLE, ids=[text for text, _ in TABLE])
def test_wording_maps_to_its_level(text: str, level: Level) -> None:
    assert map_level(text) == level


@pytest.mark.parametrize("text", ["", "   ", None, "按基准", "酌情", "第三档", "从轻或从重", "不予立案"])
def test_unknown_wording_is_none_not_an_error(text: str | None) -> None:
    assert map_level(text) is None


def test_every_level_has_its_legal_label() -> None:
    assert list(LEVEL_LABELS.values()) == ["不予处罚", "减轻处罚", "从轻处罚", "一般处罚", "从重处罚"]
    for level, label in LEVEL_LABELS.items():
        assert map_level(label) == level
