"""Routing data: the only values a process step may carry (codes and flags, never prose).

Every value given to the engine (a task's completion, a signal's payload, a rescheduled timer)
passes :func:`validate_routing_data` first: a plain JSON-able scalar under a plain key, so the
stored state can neither smuggle an object to the library's deserializer nor grow with prose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from review_service.workflow.errors import WorkflowDataError

DATA_KEY = re.compile(r"^[a-z_][a-z0-9_]{0,63}$")
#: ``typename`` makes the library's deserializer treat the dict as an object to rebuild;
#: ``data_objects`` is where it keeps BPMN data objects in workflow data.
RESERVED_KEYS = frozenset({"typename", "data_objects"})
#: Routing values are codes and flags; prose belongs in our tables.
MAX_STRING_LENGTH = 200



def _allowed_key(key: object) -> bool:
    return isinstance(key, str) and bool(DATA_KEY.match(key)) and not key.startswith("__") and key not in RESERVED_KEYS


def validate_routing_data(data: Mapping[str, Any] | None) -> dict[str, str | int | bool | None]:
    """Return a plain copy of ``data`` if it holds routing values only; else raise WorkflowDataError.

    Keys match ``^[a-z_][a-z0-9_]*$`` (not dunder, not ``typename``); values are ``str``,
    ``bool``, ``int`` or ``None``. Enum members of those types are stored as plain values.
    (``date`` and ``Decimal`` do not serialize; dicts and lists are not routing values.)
    """
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise WorkflowDataError(f"任务数据必须是字典, 而不是 {type(data).__name__}")
    clean: dict[str, str | int | bool | None] = {}
    for key, value in data.items():
        if not _allowed_key(key):
            raise WorkflowDataError(f"任务数据的键 {key!r} 不允许 (须匹配 ^[a-z_][a-z0-9_]*$, 且不是保留字)")
        if value is None or isinstance(value, bool):
            clean[key] = value
        elif isinstance(value, int):
            clean[key] = int(value)
        elif isinstance(value, str):
            if len(value) > MAX_STRING_LENGTH:
                raise WorkflowDataError(f"任务数据 {key} 的值过长 (路由值最多 {MAX_STRING_LENGTH} 个字符)")
            clean[key] = str.__str__(value)  # a plain str, also for StrEnum members
        else:
            raise WorkflowDataError(
                f"任务数据 {key} 的值类型 {type(value).__name__} 不允许 (只允许字符串、整数、布尔值或 None)"
            )
    return clean
