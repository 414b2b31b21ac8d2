"""Read a 裁量基准 file (YAML or JSONL) and report every fault as ``file:line: reason`` (in Chinese).

As the catalog loader does: safe YAML reading (:mod:`review_service.core.yaml_source`: size cap, no aliases, no
duplicate keys, the line of every key), then the pydantic models of :mod:`.schema`, then the checks across
entries (violation keys unique). All faults of a file are reported in one pass; nothing is written when any.

JSONL (``.jsonl``): the first line is the header (``id``, ``title`` … without ``entries``), each further
non-blank line one entry; a fault is reported at the line of its entry.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path as FsPath
from typing import Any

from pydantic import ValidationError

from review_service.core.yaml_source import (
    Document,
    FileUnreadable,
    Path,
    SourceRefused,
    YamlRefused,
    field_name,
    read_capped_text,
    read_document,
)
from review_service.discretion.schema import BY_LABEL, BenchmarkSpec

MAX_BYTES = 2 * 1024 * 1024  # a province's whole benchmark runs to hundreds of entries
ErrorSink = Callable[[Path, str], None]


class BenchmarkError(SourceRefused):
    """A benchmark file was refused; ``errors`` lists every fault as ``file:line: reason``."""

    what = "裁量基准"


def read_text(path: FsPath) -> str:
    """A benchmark file's text (UTF-8, capped); raises :class:`BenchmarkError`."""
    try:
        return read_capped_text(path, MAX_BYTES, "裁量基准文件")
    except FileUnreadable as fault:
        raise BenchmarkError([f"{path}:{fault.line}: {fault.reason}"]) from None


def parse_benchmark(text: str, filename: str) -> BenchmarkSpec:
    """Validate ``text`` (the content of ``filename``; ``.jsonl`` is read as JSONL) or raise :class:`BenchmarkError`."""
    spec, errors = validate(text, filename)
    if errors or spec is None:
        raise BenchmarkError(errors)
    return spec


def check_file(path: FsPath | str) -> list[str]:
    """Every fault of one file as ``file:line: reason``; empty when it would load."""
    try:
        text = read_text(FsPath(path))
    except BenchmarkError as exc:
        return exc.errors
    return validate(text, str(path))[1]


def validate(text: str, filename: str) -> tuple[BenchmarkSpec | None, list[str]]:
    try:
        doc = _read_jsonl(text) if filename.endswith(".jsonl") else _read_yaml(text)
    except YamlRefused as exc:
        return None, [f"{filename}:{exc.line}: {exc.reason}"]
    faults = list(doc.errors)

    def error(path: Path, reason: str) -> None:
        if not doc.reported(path):
            faults.append((doc.line(path), reason))

    spec: BenchmarkSpec | None = None
    if not isinstance(doc.data, dict):
        error((), "裁量基准应为映射（id、title、document_number、issuer、effective_from、entries）")
    else:
        _check_keys(doc, error)
        try:
            spec = BenchmarkSpec.model_validate(doc.data)
        except ValidationError as exc:
            for item in exc.errors():
                loc = _as_written(doc.data, tuple(item["loc"]))
                error(loc, _message({**item, "loc": loc}))
    faults.sort(key=lambda fault: fault[0])
    messages = [f"{filename}:{line}: {reason}" for line, reason in faults]
    return (spec if not messages else None), messages


def entry_lines(text: str, filename: str) -> list[int]:
    """The line where each entry starts (to keep beside the stored entry); the file is known to be valid."""
    doc = _read_jsonl(text) if filename.endswith(".jsonl") else _read_yaml(text)
    return [doc.line(("entries", index)) for index in range(len(doc.data["entries"]))]


def _read_yaml(text: str) -> Document:
    return read_document(text)


def _read_jsonl(text: str) -> Document:
    """JSONL as a :class:`Document`: the header's keys at line 1 (or its line), each entry at its own line."""
    rows: list[tuple[int, Any]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append((number, json.loads(line, parse_float=_decimal, parse_int=_decimal_int)))
        except json.JSONDecodeError as exc:
            raise YamlRefused(number, f"JSON 格式错误：{exc.msg}（第 {exc.colno} 列）") from None
    if not rows:
        raise YamlRefused(1, "文件为空")
    header_line, header = rows[0]
    if not isinstance(header, dict):
        raise YamlRefused(header_line, "第一行应为裁量基准的标题信息（JSON 对象）")
    if "entries" in header:
        raise YamlRefused(header_line, "JSONL 的第一行不含 entries：每个条目单独一行")
    doc = Document(data={**header, "entries": [row for _, row in rows[1:]]}, lines={(): header_line})
    for key in header:
        doc.lines[(key,)] = header_line
    doc.lines[("entries",)] = rows[1][0] if len(rows) > 1 else header_line
    for index, (number, row) in enumerate(rows[1:]):
        _mark(doc, ("entries", index), row, number)
    return doc


def _mark(doc: Document, path: Path, value: Any, line: int) -> None:
    doc.lines[path] = line
    if isinstance(value, dict):
        for key, item in value.items():
            _mark(doc, (*path, key), item, line)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _mark(doc, (*path, index), item, line)


def _decimal(text: str) -> Any:
    return Decimal(text)


def _decimal_int(text: str) -> int:
    return int(text)


def _as_written(data: dict[str, Any], loc: Path) -> Path:
    """``loc`` with a level named as the file names it (``从轻处罚``, not ``lighter``), for its line and message."""
    if len(loc) < 4 or loc[0] != "entries" or loc[2] != "levels" or not isinstance(loc[1], int):
        return loc
    try:
        written = data["entries"][loc[1]]["levels"]
    except (IndexError, KeyError, TypeError):
        return loc
    if not isinstance(written, dict):
        return loc
    for name in written:
        level = BY_LABEL.get(str(name).strip())
        if level is not None and level.value == loc[3]:
            return (*loc[:3], name, *loc[4:])
    return loc


def _check_keys(doc: Document, error: ErrorSink) -> None:
    entries = doc.data.get("entries")
    if not isinstance(entries, list):
        return
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        violation = entry.get("violation") if isinstance(entry, dict) else None
        key = violation.get("key") if isinstance(violation, dict) else None
        if not isinstance(key, str):
            continue
        path: Path = ("entries", index, "violation", "key")
        if key in seen:
            error(path, f"违法行为编号 “{key}” 重复（首次出现在第 {seen[key]} 行）")
        else:
            seen[key] = doc.line(path)


_SIMPLE = {
    "string_type": "应为文本", "decimal_type": "应为金额或数字", "decimal_parsing": "应为金额或数字",
    "string_too_short": "不能为空", "too_short": "不能为空", "list_type": "应为列表", "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）", "model_attributes_type": "应为映射（键: 值）",
    "string_pattern_mismatch": "只能由字母、数字、“-”“_”“.”组成，并以字母或数字开头",
}


def _message(item: Any) -> str:
    """A pydantic error in Chinese, naming the field as the file writes it (``entries[2].levels``)."""
    loc = tuple(item["loc"])
    name = field_name(loc, "裁量基准")
    kind, ctx, given = item["type"], item.get("ctx") or {}, item.get("input")
    if kind == "missing":
        return f"缺少必填项 “{name}”"
    if kind == "extra_forbidden":
        return f"未知的键 “{name}”"
    if kind == "value_error":
        return str(ctx.get("error", item["msg"]))
    if kind in _SIMPLE:
        return f"“{name}” {_SIMPLE[kind]}，而不是 {given!r}"
    if kind.startswith("date"):
        return f"“{name}” 应为日期（YYYY-MM-DD），而不是 {given!s}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"“{name}” 应不小于 {ctx.get('ge', ctx.get('gt'))}，而不是 {given}"
    if kind in ("string_too_long", "too_long"):
        return f"“{name}” 过长（最多 {ctx.get('max_length')} 项或字符）"
    return f"“{name}” 无效：{item['msg']}"
