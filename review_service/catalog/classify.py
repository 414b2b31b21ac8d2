"""Classify a draft against a catalog: every matching rule, each with a reason in Chinese.

Evaluation walks the condition tree as data (no ``eval``). Draft values are
normalized by :func:`~review_service.catalog.fields.draft_values`: missing bools
are false, a missing or malformed amount or enum value is *absent* and only
satisfies ``ne`` / ``not_in``. Classification never raises on a malformed draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from review_service.catalog.fields import FIELDS, FieldType, draft_values
from review_service.catalog.schema import AllOf, AnyOf, CatalogSpec, Compare, Condition, NotOf, Scalar

Values = dict[str, bool | Decimal | str | None]

_SYMBOLS = {"eq": "=", "ne": "≠", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤"}
_NEGATED = {"eq": "ne", "ne": "eq", "gt": "lte", "gte": "lt", "lt": "gte", "lte": "gt"}


@dataclass(frozen=True)
class MatchedRule:
    """One rule that matched, and why (``reason`` names the draft's actual values)."""

    rule_id: str
    category: str
    description: str
    legal_basis: str
    reason: str


@dataclass(frozen=True)
class ClassificationResult:
    """``major`` is true when at least one rule matched; ``matched`` lists them in catalog order."""

    major: bool
    matched: list[MatchedRule] = field(default_factory=list)


def classify(spec: CatalogSpec, draft: Any) -> ClassificationResult:
    """Evaluate every rule of ``spec`` on ``draft`` (a dict shaped like the API body)."""
    values = draft_values(draft)
    matched = [
        MatchedRule(
            rule_id=rule.id,
            category=rule.category.value,
            description=rule.description,
            legal_basis=rule.legal_basis,
            reason="；".join(_unique(explain(rule.when, values, True))),
        )
        for rule in spec.rules
        if evaluate(rule.when, values)
    ]
    return ClassificationResult(major=bool(matched), matched=matched)


def evaluate(condition: Condition, values: Values) -> bool:
    """Whether ``condition`` holds for the normalized draft ``values``."""
    if isinstance(condition, Compare):
        return _compare(condition, values.get(condition.field))
    if isinstance(condition, AllOf):
        return all(evaluate(item, values) for item in condition.items)
    if isinstance(condition, AnyOf):
        return any(evaluate(item, values) for item in condition.items)
    assert isinstance(condition, NotOf)
    return not evaluate(condition.item, values)


def _compare(compare: Compare, actual: bool | Decimal | str | None) -> bool:
    op, expected = compare.op, compare.value
    if op in ("in", "not_in"):
        assert isinstance(expected, tuple)
        found = actual is not None and any(_equal(actual, item) for item in expected)
        return found if op == "in" else not found
    if op in ("eq", "ne"):
        equal = actual is not None and _equal(actual, expected)  # type: ignore[arg-type]
        return equal if op == "eq" else not equal
    if not isinstance(actual, Decimal) or not isinstance(expected, Decimal):
        return False
    if op == "gt":
        return actual > expected
    if op == "gte":
        return actual >= expected
    if op == "lt":
        return actual < expected
    return actual <= expected


def _equal(actual: bool | Decimal | str, expected: Scalar) -> bool:
    # bool is an int subclass: never let True equal Decimal(1) or the reverse.
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    return type(actual) is type(expected) and actual == expected


def explain(condition: Condition, values: Values, outcome: bool) -> list[str]:
    """Phrases (with the actual values) explaining why ``condition`` evaluated to ``outcome``."""
    if isinstance(condition, Compare):
        return [_describe(condition, values.get(condition.field), outcome)]
    if isinstance(condition, NotOf):
        return explain(condition.item, values, not outcome)
    items = condition.items
    # all→True and any→False need every part; all→False and any→True only the parts that decided it.
    every = isinstance(condition, AllOf) == outcome
    phrases: list[str] = []
    for item in items:
        if every or evaluate(item, values) == outcome:
            phrases.extend(explain(item, values, outcome))
    return phrases


def _describe(compare: Compare, actual: bool | Decimal | str | None, outcome: bool) -> str:
    spec = FIELDS[compare.field]
    if spec.type is FieldType.BOOL:
        return spec.true_text if actual is True else spec.false_text
    if spec.type is FieldType.ENUM:
        if actual is None:
            return spec.absent_text
        return f"{spec.label}为{spec.choices.get(str(actual), str(actual))}"
    if not isinstance(actual, Decimal):
        return spec.absent_text
    shown = f"{spec.label} {_money(actual)} 元"
    if compare.op in ("in", "not_in"):
        assert isinstance(compare.value, tuple)
        listed = "、".join(_plain(item) for item in compare.value)
        inside = _compare(Compare(field=compare.field, op="in", value=compare.value), actual)
        return f"{shown}{'属于' if inside else '不属于'} {listed} 元"
    op = compare.op if outcome else _NEGATED[compare.op]
    assert isinstance(compare.value, Decimal)
    return f"{shown} {_SYMBOLS[op]} {_plain(compare.value)} 元"


def _money(value: Decimal) -> str:
    """An amount of the draft with two decimals (``500000.00``)."""
    try:
        return f"{value.quantize(Decimal('0.01')):f}"
    except ArithmeticError:  # too many digits to quantize: show it in exponent form
        return str(value)


def _plain(value: Scalar) -> str:
    """A threshold as the catalog wrote it (``100000``), never in exponent form."""
    return f"{value:f}" if isinstance(value, Decimal) else str(value)


def _unique(phrases: list[str]) -> list[str]:
    return list(dict.fromkeys(phrases))
