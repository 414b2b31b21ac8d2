"""Validating a request body against a pydantic model: a failure becomes our ``invalid`` error.

Shared by every domain's input shapes (``cases.schemas``, ``catalog.confirmation`` …): each field that
failed is named, with the reason in Chinese.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, Field, ValidationError, WithJsonSchema

from review_service.core.dates import RANGE_ERROR
from review_service.core.errors import Invalid

M = TypeVar("M", bound=BaseModel)

MAX_ID = 2**31 - 1  # the id columns are 32-bit integers on PostgreSQL

# An id in a request body: an integer, or a string of digits (pydantic's lax mode turns it into one).
Id = Annotated[
    int,
    Field(ge=1, le=MAX_ID),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_ID},
                              {"type": "string", "pattern": "^[0-9]{1,10}$"}],
                    "description": "an id: an integer or a string of digits"}),
]


def invalid_from(error: ValidationError) -> Invalid:
    """Turn pydantic's errors into our ``invalid`` error with a Chinese reason per field."""
    fields: dict[str, str] = {}
    for item in error.errors():
        path = ".".join(str(part) for part in item["loc"]) or "body"
        fields[path] = _reason_zh(item)
    return Invalid("提交的内容有误，请按提示修改。", fields=fields)


def _reason_zh(item: Any) -> str:
    kind = item.get("type", "")
    if kind == RANGE_ERROR:  # core.dates: the message is already the reason, in Chinese
        return str(item.get("msg", ""))
    reasons = {
        "missing": "必填",
        "extra_forbidden": "不认识的字段",
        "literal_error": "取值不在允许范围内",
        "string_too_short": "不能为空",
        "string_too_long": "内容过长",
        "bool_type": "应为是/否",
        "bool_parsing": "应为是/否",
        "decimal_parsing": "应为金额（元）",
        "decimal_type": "应为金额（元）",
        "decimal_max_places": "金额最多两位小数",
        "greater_than_equal": "不能为负数",
        "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
        "date_parsing": "应为日期（YYYY-MM-DD）",
        "date_type": "应为日期（YYYY-MM-DD）",
        "date_from_datetime_inexact": "应为日期（YYYY-MM-DD）",
        "datetime_parsing": "应为带时区的时间（如 2026-10-12T10:00:00+08:00）",
        "datetime_from_date_parsing": "应为带时区的时间（如 2026-10-12T10:00:00+08:00）",
        "datetime_type": "应为带时区的时间（如 2026-10-12T10:00:00+08:00）",
        "datetime_object_invalid": "应为带时区的时间（如 2026-10-12T10:00:00+08:00）",
        "timezone_aware": "时间须带时区（如 +08:00）",
        "list_type": "应为列表",
        "dict_type": "应为对象",
        "model_type": "应为对象",
        "string_type": "应为文字",
        "int_type": "应为整数",
        "int_parsing": "应为整数",
        "too_long": "条目过多",
    }
    return reasons.get(kind, f"格式不正确（{item.get('msg', kind)}）")


def parse_input(model: type[M], data: Any) -> M:
    """Validate ``data`` against ``model``; a failure becomes our ``invalid`` error naming each field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise invalid_from(error) from None
