"""The draft fields a catalog condition may test, with their types (DESIGN.md §6, API.md).

A draft is a dict shaped like the body of ``POST /api/v1/cases``; a field is
named by its dotted path (``proposed_decision.fine_amount``). The cases module
reuses :data:`FIELDS` to know which draft fields the catalog reads.

What an absent field means (a draft may leave any of these out):

- a **bool** field that is missing, ``null`` or anything but JSON ``true`` is
  *false* (“未标注” / “否”);
- an **amount** that is missing, ``null`` or not a finite number is *absent*:
  it is not 0, it never satisfies ``eq gt gte lt lte in``, and it always
  satisfies ``ne`` and ``not_in`` (so ``not {eq: x}`` and ``{ne: x}`` agree);
  an explicit ``"0"`` is the amount 0;
- an **enum** field that is missing or not a string is absent, with the same
  rule as amounts.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any


class FieldType(enum.StrEnum):
    BOOL = "bool"
    DECIMAL = "decimal"
    ENUM = "enum"


OPERATORS: tuple[str, ...] = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in")

ALLOWED_OPERATORS: dict[FieldType, tuple[str, ...]] = {
    FieldType.BOOL: ("eq", "ne"),
    FieldType.ENUM: ("eq", "ne", "in", "not_in"),
    FieldType.DECIMAL: OPERATORS,
}


@dataclass(frozen=True)
class FieldSpec:
    """One draft field: its path, type and the Chinese words used to explain a match."""

    path: str
    type: FieldType
    label: str
    choices: Mapping[str, str] = field(default_factory=dict)  # enum value -> Chinese label
    true_text: str = ""  # bool: how a true value reads in a reason
    false_text: str = ""  # bool: how a false value reads in a reason
    absent: str = ""  # how a missing enum or amount reads in a reason (default: 未填写 + label)

    @property
    def absent_text(self) -> str:
        return self.absent or f"未填写{self.label}"


DECISION_TYPE_LABELS: dict[str, str] = {
    "administrative_penalty": "行政处罚",
    "administrative_license": "行政许可",
    "administrative_coercion": "行政强制",
    "administrative_levy": "行政征收",
    "administrative_inspection": "行政检查",
    "other": "其他",
}

COUNTERPARTY_KIND_LABELS: dict[str, str] = {
    "individual": "自然人",
    "organization": "法人或其他组织",
}


def _bool(path: str, label: str, true_text: str, false_text: str) -> FieldSpec:
    return FieldSpec(path, FieldType.BOOL, label, true_text=true_text, false_text=false_text)


_FIELD_LIST: tuple[FieldSpec, ...] = (
    FieldSpec("decision_type", FieldType.ENUM, "决定类型", DECISION_TYPE_LABELS),
    FieldSpec("counterparty.kind", FieldType.ENUM, "当事人", COUNTERPARTY_KIND_LABELS,
              absent="未填写当事人类型"),
    FieldSpec("proposed_decision.fine_amount", FieldType.DECIMAL, "拟罚款金额"),
    FieldSpec("proposed_decision.confiscation_amount", FieldType.DECIMAL, "拟没收金额"),
    _bool("proposed_decision.license_revocation", "吊销许可证件", "拟吊销许可证件", "不吊销许可证件"),
    _bool("proposed_decision.suspension_of_business", "责令停产停业", "拟责令停产停业", "不责令停产停业"),
    _bool("proposed_decision.closure", "责令关闭", "拟责令关闭", "不责令关闭"),
    _bool("hearing_held", "听证", "已经过听证程序", "未经过听证程序"),
    _bool("flags.public_interest", "涉及重大公共利益",
          "承办机构标注涉及重大公共利益", "未标注涉及重大公共利益"),
    _bool("flags.social_impact", "可能造成重大社会影响或引发社会风险",
          "承办机构标注可能造成重大社会影响或引发社会风险", "未标注可能造成重大社会影响或引发社会风险"),
    _bool("flags.multiple_legal_relations", "涉及多个法律关系",
          "承办机构标注涉及多个法律关系", "未标注涉及多个法律关系"),
    _bool("flags.complex", "案件情况疑难复杂", "承办机构标注案件情况疑难复杂", "未标注案件情况疑难复杂"),
    _bool("flags.serious_violation", "重大违法行为",
          "承办机构标注属于重大违法行为（行政处罚法第五十七条）", "未标注属于重大违法行为"),
)

FIELDS: dict[str, FieldSpec] = {spec.path: spec for spec in _FIELD_LIST}
"""Every field path a catalog condition may use, in a stable order."""


def raw_value(draft: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of ``draft``, or ``None`` when any step is missing or not a mapping."""
    current: Any = draft
    for part in path.split("."):
        if not isinstance(current, Mapping):
            return None
        current = current.get(part)
    return current


def to_decimal(value: Any) -> Decimal | None:
    """A finite :class:`Decimal` from a draft value (string, int, float, Decimal), else ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except (InvalidOperation, ValueError):
            return None
    else:
        return None
    return result if result.is_finite() else None


def field_value(draft: Mapping[str, Any], spec: FieldSpec) -> bool | Decimal | str | None:
    """The normalized value of one field (see the module docstring for absent values)."""
    value = raw_value(draft, spec.path)
    if spec.type is FieldType.BOOL:
        return value is True
    if spec.type is FieldType.DECIMAL:
        return to_decimal(value)
    return value if isinstance(value, str) else None


def draft_values(draft: Any) -> dict[str, bool | Decimal | str | None]:
    """Every registered field of ``draft`` normalized; a non-mapping draft reads as all absent."""
    source: Mapping[str, Any] = draft if isinstance(draft, Mapping) else {}
    return {path: field_value(source, spec) for path, spec in FIELDS.items()}
