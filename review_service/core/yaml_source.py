"""Read untrusted YAML safely into plain data, remembering the line of every key and item.

Only the node tree is composed (``yaml.SafeLoader``); scalars are built here
from the standard tags alone. Aliases and anchors are refused (no "billion
laughs", no shared structure), as are duplicate keys, unknown tags, non-scalar
keys, oversized input and absurd nesting. Faults carry 1-based line numbers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent

from review_service.core.errors import Invalid

MAX_BYTES = 256 * 1024
MAX_DEPTH = 40

Path = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}


class YamlRefused(Exception):
    """A fault that stops reading the file at once (syntax, alias, size …)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass
class Document:
    """Plain data of a YAML document, the line of each path, and the faults found while reading it."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    errors: list[tuple[int, str]] = field(default_factory=list)
    faulted: set[Path] = field(default_factory=set)  # paths already reported (no second error there)

    def fault(self, path: Path, line: int, reason: str) -> None:
        self.errors.append((line, reason))
        self.faulted.add(path)

    def reported(self, path: Path) -> bool:
        """Whether a fault was already reported at ``path`` or one of its ancestors."""
        return any(path[:size] in self.faulted for size in range(len(path) + 1))

    def line(self, path: Path) -> int:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses aliases and anchors instead of sharing nodes."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        # types-PyYAML leaves Parser.peek_event unannotated
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise YamlRefused(event.start_mark.line + 1, f"不允许使用 YAML 别名（*{event.anchor}）")
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if getattr(event, "anchor", None) is not None:
            raise YamlRefused(event.start_mark.line + 1, f"不允许使用 YAML 锚点（&{event.anchor}）")
        return super().compose_node(parent, index)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def compose(text: str) -> yaml.Node | None:
    """The node tree of ``text``; raises :class:`YamlRefused` for anything unsafe or malformed."""
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise YamlRefused(1, f"文件过大（{size} 字节），目录清单不得超过 {MAX_BYTES} 字节")
    loader: _NoAliasLoader | None = None
    try:
        loader = _NoAliasLoader(text)
        return loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise YamlRefused(line, f"文件含有不允许的控制字符（#x{exc.character:04x}）") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "无法解析"
        raise YamlRefused(line, f"YAML 格式错误：{problem}") from None
    except yaml.YAMLError as exc:
        raise YamlRefused(1, f"YAML 格式错误：{exc}") from None
    except RecursionError:
        raise YamlRefused(1, "YAML 嵌套层次过深") from None
    finally:
        if loader is not None:
            loader.dispose()


def read_document(text: str) -> Document:
    """Compose ``text`` and build plain data with a line map; non-fatal faults go to ``errors``."""
    node = compose(text)
    if node is None:
        raise YamlRefused(1, "文件为空")
    document = Document(data=None, lines={(): _line(node)})
    document.data = _build(node, (), document, 0)
    return document


def _build(node: yaml.Node, path: Path, doc: Document, depth: int) -> Any:
    if depth > MAX_DEPTH:
        doc.fault(path, _line(node), f"嵌套层次过深（超过 {MAX_DEPTH} 层）")
        return None
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, path, doc)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != f"{_TAG}seq":
            doc.fault(path, _line(node), f"不支持的 YAML 标签 {node.tag}")
            return None
        items = []
        for index, item in enumerate(node.value):
            doc.lines[(*path, index)] = _line(item)
            items.append(_build(item, (*path, index), doc, depth + 1))
        return items
    assert isinstance(node, yaml.MappingNode)
    if node.tag != f"{_TAG}map":
        doc.fault(path, _line(node), f"不支持的 YAML 标签 {node.tag}")
        return None
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            doc.fault(path, _line(key_node), "键必须是简单文本，不能是列表或映射")
            continue
        key = key_node.value
        if key in result:
            first = doc.lines[(*path, key)]
            doc.fault((*path, key), _line(key_node), f"键 “{key}” 重复（首次出现在第 {first} 行）")
            continue
        doc.lines[(*path, key)] = _line(key_node)
        result[key] = _build(value_node, (*path, key), doc, depth + 1)
    return result


def _scalar(node: yaml.ScalarNode, path: Path, doc: Document) -> Any:
    """A scalar of a standard tag as Python data; floats become exact decimals."""
    if node.tag not in _SCALAR_TAGS:
        doc.fault(path, _line(node), f"不支持的 YAML 标签 {node.tag}")
        return None
    if node.tag == f"{_TAG}float":
        # Keep the digits as written: amounts are decimals, never binary floats.
        try:
            value = Decimal(node.value.replace("_", ""))
        except (InvalidOperation, ValueError):
            value = None
        if value is not None and value.is_finite():
            return value
    try:
        return SafeConstructor().construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, OverflowError):
        # e.g. 2026-13-01 looks like a timestamp but is no date: keep the text, the schema says why.
        return node.value


class SourceRefused(Invalid):
    """A source file (catalog, law file, benchmark, calendar year) was refused; ``errors`` lists every fault as
    ``file:line: reason``. A subclass names what was refused (``what``): nothing of it is written."""

    what = "文件"

    def __init__(self, errors: list[str]) -> None:
        first = errors[0] if errors else ""
        super().__init__(f"{self.what}校验未通过（{len(errors)} 处错误）：{first}", errors=list(errors))
        self.errors = list(errors)


class FileUnreadable(Exception):
    """A hand-written file that cannot be read as text: ``line`` and ``reason`` (Chinese) say why."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def read_capped_text(path: str | os.PathLike[str], max_bytes: int, what: str) -> str:
    """Read a UTF-8 file of at most ``max_bytes`` (``what`` names the kind of file in the message)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise FileUnreadable(1, f"无法读取文件（{exc.strerror or exc}）") from None
    if len(data) > max_bytes:
        raise FileUnreadable(1, f"文件过大，{what}不得超过 {max_bytes} 字节")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileUnreadable(data[: exc.start].count(b"\n") + 1, "文件不是 UTF-8 编码") from None


def field_name(loc: tuple[Any, ...], whole: str) -> str:
    """A pydantic error location as a person reads it in a hand-written file: ``rules[2].when``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or whole
