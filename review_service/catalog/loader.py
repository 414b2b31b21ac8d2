"""Validate a catalog file and report every fault as ``file:line: reason`` (in Chinese).

Steps, all of which run so that one pass reports all faults of a file:

1. safe YAML reading (:mod:`.yaml_source`): size cap, no aliases or anchors,
   no duplicate keys — a syntax fault, an alias or an oversized file stops here;
2. each rule's ``when`` is parsed into a condition tree (:mod:`.conditions`);
3. the file is validated against :class:`~.schema.CatalogSpec` (pydantic);
4. rule ids must be unique, and the rules must cover all five categories of
   indicator (92) (:func:`missing_categories`). A catalog missing a category is
   an **error**, for ``catalog check`` and ``catalog load`` alike: 118号 and
   indicator (92) require full coverage, so such a catalog is not loadable.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path as FsPath
from typing import Any

from pydantic import ValidationError

from review_service.catalog.conditions import ConditionParser, ErrorSink, show
from review_service.catalog.schema import CATEGORY_LABELS, AllOf, CatalogSpec, Category
from review_service.core.yaml_source import (
    MAX_BYTES,
    Document,
    FileUnreadable,
    Path,
    SourceRefused,
    YamlRefused,
    field_name,
    read_capped_text,
    read_document,
)


class CatalogError(SourceRefused):
    """A catalog was refused; ``errors`` lists every fault as ``file:line: reason``."""

    what = "目录清单"


def coverage(spec: CatalogSpec) -> dict[str, list[str]]:
    """The rule ids of each of the five categories (every category is a key, possibly empty)."""
    result: dict[str, list[str]] = {category.value: [] for category in Category}
    for rule in spec.rules:
        result[rule.category.value].append(rule.id)
    return result


def missing_categories(spec: CatalogSpec) -> list[str]:
    """The categories no rule covers, in the order of DESIGN.md §6 (empty when indicator 92 is met)."""
    return [category for category, rules in coverage(spec).items() if not rules]


def parse_catalog(text: str, filename: str, *, require_coverage: bool = True) -> CatalogSpec:
    """Validate ``text`` (the content of ``filename``) and return the catalog, or raise :class:`CatalogError`.

    ``require_coverage=False`` skips only the five-category check (used when re-reading a catalog
    that was already loaded).
    """
    spec, errors = _validate(text, filename, require_coverage=require_coverage)
    if errors or spec is None:
        raise CatalogError(errors)
    return spec


def check_text(text: str, filename: str) -> list[str]:
    """Every fault of a catalog's text as ``file:line: reason``; empty when it would load."""
    return _validate(text, filename, require_coverage=True)[1]


def read_text(path: FsPath) -> str:
    """Read a catalog file (capped at the size limit, UTF-8); raises :class:`CatalogError`."""
    try:
        return read_capped_text(path, MAX_BYTES, "目录清单")
    except FileUnreadable as fault:
        raise CatalogError([f"{path}:{fault.line}: {fault.reason}"]) from None


def check_file(path: FsPath | str) -> list[str]:
    """Every fault of one catalog file as ``file:line: reason``; empty when the file would load."""
    try:
        text = read_text(FsPath(path))
    except CatalogError as exc:
        return exc.errors
    return check_text(text, str(path))


def check_files(paths: Iterable[FsPath | str]) -> list[str]:
    """``catalog check FILE…``: the faults of all files, in order; empty when all would load."""
    errors: list[str] = []
    for path in paths:
        errors.extend(check_file(path))
    return errors


# -- validation ------------------------------------------------------------------------------


def _validate(text: str, filename: str, *, require_coverage: bool) -> tuple[CatalogSpec | None, list[str]]:
    try:
        doc = read_document(text)
    except YamlRefused as exc:
        return None, [f"{filename}:{exc.line}: {exc.reason}"]
    faults = list(doc.errors)

    def error(path: Path, reason: str) -> None:
        if not doc.reported(path):  # e.g. a refused tag is not also "not a text"
            faults.append((doc.line(path), reason))

    data = doc.data
    spec: CatalogSpec | None = None
    if not isinstance(data, dict):
        error((), "目录清单应为映射（id、version、title、effective_from、applies_to、rules）")
    else:
        prepared = _prepare(data, error)
        _check_rule_ids(data, doc, error)
        try:
            spec = CatalogSpec.model_validate(prepared)
        except ValidationError as exc:
            for item in exc.errors():
                loc = tuple(item["loc"])
                if _condition_loc(loc):
                    continue  # already reported precisely by the condition parser
                error(loc, _message(item))
        if require_coverage:
            _check_coverage(data, error)
    faults.sort(key=lambda fault: fault[0])
    messages = [f"{filename}:{line}: {reason}" for line, reason in faults]
    return (spec if not messages else None), messages


def _prepare(data: dict[str, Any], error: ErrorSink) -> dict[str, Any]:
    """A copy of ``data`` whose rules carry parsed condition trees instead of raw ``when`` data."""
    prepared = dict(data)
    rules = data.get("rules")
    if not isinstance(rules, list):
        return prepared
    parser = ConditionParser(error)
    new_rules: list[Any] = []
    for index, rule in enumerate(rules):
        if isinstance(rule, dict) and "when" in rule:
            condition = parser.parse(rule["when"], ("rules", index, "when"))
            rule = {**rule, "when": condition if condition is not None else AllOf(items=())}
        new_rules.append(rule)
    prepared["rules"] = new_rules
    return prepared


def _condition_loc(loc: tuple[Any, ...]) -> bool:
    return len(loc) > 3 and loc[0] == "rules" and loc[2] == "when"


def _check_rule_ids(data: dict[str, Any], doc: Document, error: ErrorSink) -> None:
    rules = data.get("rules")
    if not isinstance(rules, list):
        return
    seen: dict[str, int] = {}
    for index, rule in enumerate(rules):
        rule_id = rule.get("id") if isinstance(rule, dict) else None
        if not isinstance(rule_id, str):
            continue
        path: Path = ("rules", index, "id")
        if rule_id in seen:
            error(path, f"规则编号 “{rule_id}” 重复（首次出现在第 {seen[rule_id]} 行）")
        else:
            seen[rule_id] = doc.line(path)


def _check_coverage(data: dict[str, Any], error: ErrorSink) -> None:
    rules = data.get("rules")
    if not isinstance(rules, list):
        return
    present = {rule.get("category") for rule in rules if isinstance(rule, dict)}
    if not present <= set(CATEGORY_LABELS):
        return  # a misspelt category is reported where it is; "missing" would only repeat it
    missing = [category.value for category in Category if category.value not in present]
    if missing:
        names = "、".join(f"{code}（{CATEGORY_LABELS[code]}）" for code in missing)
        error(("rules",), f"目录清单未覆盖指标（92）要求的审核类别：{names}")


def _message(item: Any) -> str:
    """A pydantic error in Chinese."""
    loc = tuple(item["loc"])
    name = field_name(loc, "目录清单")
    kind = item["type"]
    ctx = item.get("ctx") or {}
    if kind == "missing":
        return f"缺少必填项 “{name}”"
    if kind == "extra_forbidden":
        return f"未知的键 “{name}”"
    if kind == "enum" and loc and loc[-1] == "category":
        choices = "、".join(f"{code}（{label}）" for code, label in CATEGORY_LABELS.items())
        return f"未知的审核类别{show(item.get('input'))}，应为 {choices} 之一"
    if kind == "value_error":
        return str(ctx.get("error", item["msg"]))
    simple = {
        "string_type": "应为文本",
        "int_type": "应为整数",
        "int_parsing": "应为整数",
        "int_from_float": "应为整数",
        "string_too_short": "不能为空",
        "too_short": "不能为空",
        "tuple_type": "应为列表",
        "list_type": "应为列表",
        "model_type": "应为映射（键: 值）",
        "dict_type": "应为映射（键: 值）",
        "model_attributes_type": "应为映射（键: 值）",
        "string_pattern_mismatch": "只能由字母、数字、“-”“_”“.”组成，并以字母或数字开头",
    }
    if kind in simple:
        return f"“{name}” {simple[kind]}，而不是{show(item.get('input'))}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"“{name}” 应为日期（YYYY-MM-DD），而不是{show(_plain(item.get('input')))}"
    if kind == "greater_than_equal":
        return f"“{name}” 应不小于 {ctx.get('ge')}，而不是{show(item.get('input'))}"
    if kind == "string_too_long":
        return f"“{name}” 过长（最多 {ctx.get('max_length')} 个字符）"
    return f"“{name}” 无效：{item['msg']}"


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value
