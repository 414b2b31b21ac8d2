"""A request body read whole within its limit, and text the database cannot hold refused by name."""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from review_service.core.errors import Invalid


def read_body() -> bytes:
    """The request body, whole, within this request's limit (``api.body_limits``); 413 when over it.

    Werkzeug stops a body streamed without ``Content-Length`` at the limit and hands back what it read, as
    if that were all: a streamed body that fills the limit is refused instead of being read cut short.
    """
    raw = request.get_data(cache=True)
    limit = request.max_content_length
    if limit is not None and request.content_length is None and len(raw) >= limit:
        raise RequestEntityTooLarge()
    return raw


def _reject_bad_text(value: Any, path: str, fields: dict[str, str]) -> None:
    """NUL characters and lone surrogates cannot be stored: name them instead of failing later."""
    if isinstance(value, str):
        if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
            fields[path or "body"] = "包含不允许的字符"
    elif isinstance(value, dict):
        for key, item in value.items():
            _reject_bad_text(key, f"{path}.{key}".lstrip("."), fields)
            _reject_bad_text(item, f"{path}.{key}".lstrip("."), fields)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _reject_bad_text(item, f"{path}.{index}".lstrip("."), fields)


def check_text(value: Any) -> Any:
    """Refuse NUL and lone surrogates anywhere in ``value`` with ``invalid`` naming the fields."""
    fields: dict[str, str] = {}
    _reject_bad_text(value, "", fields)
    if fields:
        raise Invalid("提交的内容包含不允许的字符。", fields=fields)
    return value
