"""Compare two catalogs rule by rule, and prove (conservatively) that a change only widens.

A change *widens* when every decision the old catalog made major the new one makes major too: every
old rule is still there (same id) and its old condition implies its new one. :func:`implies` is a
small sound prover over the condition trees: ``True`` means proven, ``False`` means "could not prove"
— and what cannot be proven to widen counts as narrowing (issue 14).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from review_service.catalog.classify import evaluate
from review_service.catalog.fields import FIELDS, FieldType
from review_service.catalog.schema import AllOf, AnyOf, CatalogSpec, Compare, Condition, NotOf, RuleSpec

_SYMBOLS = {"eq": "=", "ne": "≠", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "in": "∈", "not_in": "∉"}
_ATTRIBUTES = ("category", "description", "legal_basis", "when")


def rule_diff(old: CatalogSpec | None, new: CatalogSpec) -> dict[str, Any]:
    """Rules ``added`` / ``removed`` (ids) and ``changed`` (id, which attributes, the conditions before and
    after, and whether the new condition is proven at least as wide) from ``old`` to ``new``."""
    if old is None:
        return {"added": [rule.id for rule in new.rules], "removed": [], "changed": []}
    before = {rule.id: rule for rule in old.rules}
    after = {rule.id: rule for rule in new.rules}
    changed: list[dict[str, Any]] = []
    for rule in new.rules:
        previous = before.get(rule.id)
        if previous is None:
            continue
        attributes = [name for name in _ATTRIBUTES if getattr(previous, name) != getattr(rule, name)]
        if not attributes:
            continue
        entry: dict[str, Any] = {"rule_id": rule.id, "fields": attributes}
        for name in attributes:
            if name == "when":
                entry["when"] = {"before": render(previous.when), "after": render(rule.when),
                                 "widens": implies(previous.when, rule.when)}
            else:
                entry[name] = {"before": str(getattr(previous, name)), "after": str(getattr(rule, name))}
        changed.append(entry)
    return {"added": [rule.id for rule in new.rules if rule.id not in before],
            "removed": [rule.id for rule in old.rules if rule.id not in after], "changed": changed}


def widens(old: CatalogSpec, new: CatalogSpec) -> bool:
    """Whether ``new`` is proven to make major every decision ``old`` made major (rule by rule, by id)."""
    after = {rule.id: rule for rule in new.rules}
    return all(_kept(rule, after.get(rule.id)) for rule in old.rules)


def _kept(old: RuleSpec, new: RuleSpec | None) -> bool:
    return new is not None and implies(old.when, new.when)


def implies(old: Condition, new: Condition) -> bool:
    """``True`` only when every draft satisfying ``old`` satisfies ``new`` (sound, not complete)."""
    if old == new:
        return True
    # The invertible steps first: an ``all`` on the right and an ``any`` on the left split exactly.
    if isinstance(new, AllOf):
        return all(implies(old, item) for item in new.items)
    if isinstance(old, AnyOf):
        return all(implies(item, new) for item in old.items)
    if isinstance(new, AnyOf) and any(implies(old, item) for item in new.items):
        return True
    if isinstance(old, AllOf) and any(implies(item, new) for item in old.items):
        return True
    if isinstance(old, Compare) and isinstance(new, Compare):
        return _compare_implies(old, new)
    if isinstance(old, NotOf) and isinstance(new, NotOf):
        return implies(new.item, old.item)
    return False


def _compare_implies(old: Compare, new: Compare) -> bool:
    """``old`` ⇒ ``new`` for two comparisons of one field (an absent value satisfies only ``ne`` / ``not_in``)."""
    if old.field != new.field:
        return False
    if old.op in ("eq", "in") and new.op in ("eq", "in", "ne", "not_in", "gt", "gte", "lt", "lte"):
        values = old.value if isinstance(old.value, tuple) else (old.value,)
        return all(_holds(new, value) for value in values)  # an absent value satisfies neither eq nor in
    if old.op in ("ne", "not_in") and new.op in ("ne", "not_in"):
        excluded_old = set(_values(old))
        return set(_values(new)) <= excluded_old
    if old.op in ("gt", "gte") and new.op in ("gt", "gte"):
        a, b = _decimal(old.value), _decimal(new.value)
        if a is None or b is None:
            return False
        return b < a or (b == a and (new.op == "gte" or old.op == "gt"))
    if old.op in ("lt", "lte") and new.op in ("lt", "lte"):
        a, b = _decimal(old.value), _decimal(new.value)
        if a is None or b is None:
            return False
        return b > a or (b == a and (new.op == "lte" or old.op == "lt"))
    return False


def _holds(compare: Compare, value: Any) -> bool:
    """Whether a present ``value`` satisfies ``compare`` (mirrors :mod:`.classify`)."""
    return evaluate(compare, {compare.field: value})


def _values(compare: Compare) -> tuple[Any, ...]:
    return compare.value if isinstance(compare.value, tuple) else (compare.value,)


def _decimal(value: Any) -> Decimal | None:
    return value if isinstance(value, Decimal) and not isinstance(value, bool) else None


def render(condition: Condition) -> str:
    """A condition as one line people can read (``罚款金额 ≥ 100000 且 当事人类型 = 法人或者其他组织``)."""
    if isinstance(condition, Compare):
        spec = FIELDS.get(condition.field)
        label = spec.label if spec is not None else condition.field
        return f"{label} {_SYMBOLS[condition.op]} {_show(condition, spec)}"
    if isinstance(condition, NotOf):
        return f"非（{render(condition.item)}）"
    joiner = " 且 " if isinstance(condition, AllOf) else " 或 "
    return joiner.join(f"（{render(item)}）" if isinstance(item, AllOf | AnyOf) else render(item)
                       for item in condition.items)


def _show(compare: Compare, spec: Any) -> str:
    def one(value: Any) -> str:
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, Decimal):
            return f"{value:f}"
        if spec is not None and spec.type is FieldType.ENUM:
            return str(spec.choices.get(str(value), value))
        return str(value)

    if isinstance(compare.value, tuple):
        return "｛" + "、".join(one(value) for value in compare.value) + "｝"
    return one(compare.value)
