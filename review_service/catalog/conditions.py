"""Turn a rule's ``when`` (plain YAML data) into a condition tree, reporting every fault with its path.

Grammar (DESIGN.md §6)::

    condition := {field.path: value}                 equality
               | {field.path: {op: value, ...}}      op in eq ne gt gte lt lte in not_in
               | {all: [condition, ...]} | {any: [condition, ...]} | {not: condition}

A mapping with several entries means all of them (``{a: 1, b: 2}`` is ``all``).
Values are checked against the field's type in :data:`~review_service.catalog.fields.FIELDS`.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Callable
from typing import Any, Final, Literal

from review_service.catalog.fields import (
    ALLOWED_OPERATORS,
    FIELDS,
    OPERATORS,
    FieldSpec,
    FieldType,
    to_decimal,
)
from review_service.catalog.schema import AllOf, AnyOf, Compare, Condition, NotOf, Scalar
from review_service.core.yaml_source import Path

ErrorSink = Callable[[Path, str], None]

_TYPE_LABELS = {FieldType.BOOL: "布尔值", FieldType.DECIMAL: "金额", FieldType.ENUM: "枚举值"}


class _Bad(enum.Enum):
    """The mark of a value already reported as wrong (a typed sentinel)."""

    BAD = enum.auto()


_BAD: Final = _Bad.BAD


def show(value: Any) -> str:
    """A YAML value as a person would read it in an error message."""
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"“{value}”"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "映射"
    return str(value)


class ConditionParser:
    """Parses conditions; each fault is sent to ``error(path, reason)`` and parsing goes on."""

    def __init__(self, error: ErrorSink) -> None:
        self._error = error

    def parse(self, raw: Any, path: Path) -> Condition | None:
        """The condition tree of ``raw``, or ``None`` when it has any fault (all of them reported)."""
        if not isinstance(raw, dict) or not raw:
            self._error(path, f"条件应为非空的映射，例如 {{hearing_held: true}}，而不是{show(raw)}")
            return None
        parts: list[Condition] = []
        ok = True
        for key, value in raw.items():
            sub = (*path, key)
            node: Condition | None
            if key in ("all", "any"):
                node = self._parse_list(key, value, sub)
            elif key == "not":
                inner = self.parse(value, sub)
                node = NotOf(item=inner) if inner is not None else None
            else:
                node = self._parse_field(key, value, sub)
            if node is None:
                ok = False
            else:
                parts.append(node)
        if not ok:
            return None
        return parts[0] if len(parts) == 1 else AllOf(items=tuple(parts))

    def _parse_list(self, key: str, value: Any, path: Path) -> Condition | None:
        if not isinstance(value, list) or not value:
            self._error(path, f"“{key}” 后应为非空的条件列表")
            return None
        items = [self.parse(item, (*path, index)) for index, item in enumerate(value)]
        if any(item is None for item in items):
            return None
        conditions = tuple(item for item in items if item is not None)
        return AllOf(items=conditions) if key == "all" else AnyOf(items=conditions)

    def _parse_field(self, key: str, value: Any, path: Path) -> Condition | None:
        spec = FIELDS.get(key)
        if spec is None:
            close = difflib.get_close_matches(key, [*FIELDS, "all", "any", "not"], n=1)
            hint = f"，是否应为 “{close[0]}”？" if close else f"；可用字段：{'、'.join(FIELDS)}"
            self._error(path, f"未知的字段 “{key}”{hint}")
            return None
        if not isinstance(value, dict):
            checked = self._value(spec, value, path)
            return None if checked is _BAD else Compare(field=key, op="eq", value=checked)
        if not value:
            self._error(path, f"字段 “{key}” 的运算符映射不能为空，例如 {{gte: \"100000\"}}")
            return None
        parts: list[Condition] = []
        ok = True
        for op, operand in value.items():
            compare = self._parse_op(spec, op, operand, (*path, op))
            if compare is None:
                ok = False
            else:
                parts.append(compare)
        if not ok:
            return None
        return parts[0] if len(parts) == 1 else AllOf(items=tuple(parts))

    def _parse_op(self, spec: FieldSpec, op: str, operand: Any, path: Path) -> Compare | None:
        allowed = ALLOWED_OPERATORS[spec.type]
        if op not in OPERATORS:
            self._error(path, f"未知的运算符 “{op}”，可用：{'、'.join(OPERATORS)}")
            return None
        if op not in allowed:
            self._error(path, f"字段 “{spec.path}”（{_TYPE_LABELS[spec.type]}）不能使用运算符 “{op}”，"
                              f"可用：{'、'.join(allowed)}")
            return None
        if op in ("in", "not_in"):
            if not isinstance(operand, list) or not operand:
                self._error(path, f"运算符 “{op}” 后应为非空的值列表，而不是{show(operand)}")
                return None
            values = [self._value(spec, item, (*path, index)) for index, item in enumerate(operand)]
            if any(item is _BAD for item in values):
                return None
            return Compare(field=spec.path, op=op, value=tuple(values))  # type: ignore[arg-type]
        checked = self._value(spec, operand, path)
        return None if checked is _BAD else Compare(field=spec.path, op=op, value=checked)  # type: ignore[arg-type]

    def _value(self, spec: FieldSpec, value: Any, path: Path) -> Scalar | Literal[_Bad.BAD]:
        if spec.type is FieldType.BOOL:
            if isinstance(value, bool):
                return value
            self._error(path, f"字段 “{spec.path}” 是布尔值，应写 true 或 false，而不是{show(value)}")
            return _BAD
        if spec.type is FieldType.ENUM:
            if isinstance(value, str) and value in spec.choices:
                return value
            choices = "、".join(f"{code}（{label}）" for code, label in spec.choices.items())
            self._error(path, f"字段 “{spec.path}” 的值应为 {choices} 之一，而不是{show(value)}")
            return _BAD
        amount = to_decimal(value)
        if amount is None:
            self._error(path, f"字段 “{spec.path}” 是金额（元），应为数字，例如 \"100000\"，"
                              f"而不是{show(value)}")
            return _BAD
        if amount < 0:
            self._error(path, f"字段 “{spec.path}” 的金额不能为负数（{value}）")
            return _BAD
        return amount

