"""Read law files (JSONL or YAML, one law per line or per YAML document) and report every fault as
``file:line: reason``, like the catalog loader; nothing is stored when a file has any fault.

The format is described in the README ("Law library"). A law is validated by :class:`LawSpec` (pydantic);
an article's number is given as an integer (58) or as written (第五十八条, 第二十一条之一).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path as FsPath
from typing import Any

import cn2an
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from review_service.core.yaml_source import (
    FileUnreadable,
    SourceRefused,
    YamlRefused,
    field_name,
    read_capped_text,
    read_document,
)
from review_service.laws.citations import law_key
from review_service.laws.models import LEVELS, LawStatus

MAX_FILE_BYTES = 64 * 1024 * 1024
_DIGITS = "[0-9零〇一二三四五六七八九十百千两]+"
_NUMBER = re.compile(rf"^第?\s*({_DIGITS})\s*条?(?:\s*之\s*({_DIGITS}))?$")
# How a source's status words map to the library's three (历史版本: a superseded text; 已被修改: amended since).
STATUS_WORDS = {"现行有效": LawStatus.IN_FORCE, "有效": LawStatus.IN_FORCE, "尚未生效": LawStatus.IN_FORCE,
                "已修改": LawStatus.AMENDED, "已被修改": LawStatus.AMENDED, "历史版本": LawStatus.AMENDED,
                "已废止": LawStatus.REPEALED, "失效": LawStatus.REPEALED, "已失效": LawStatus.REPEALED}


class LawFileError(SourceRefused):
    """A law file was refused; ``errors`` lists every fault as ``file:line: reason``."""

    what = "法律法规文件"


def article_number(value: int | str) -> tuple[int, int | None]:
    """``58`` / ``"第五十八条"`` / ``"第二十一条之一"`` → (number, suffix); ValueError when it is none."""
    if isinstance(value, int):
        if value < 1:
            raise ValueError("条号必须是正整数")
        return value, None
    match = _NUMBER.match(re.sub(r"\s+", "", str(value)))
    if match is None:
        raise ValueError(f"无法识别的条号“{value}”（应写作 58 或 第五十八条）")
    suffix = int(cn2an.cn2an(match.group(2), "smart")) if match.group(2) else None
    return int(cn2an.cn2an(match.group(1), "smart")), suffix


class ArticleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: int | str | None = None  # None: a text that is no numbered article (a preamble, a table)
    chapter: str = ""
    section: str = ""
    text: str = Field(min_length=1)

    @field_validator("number")
    @classmethod
    def _number(cls, value: int | str | None) -> int | str | None:
        if value is not None:
            article_number(value)
        return value


class LawSpec(BaseModel):
    """One version of a law as a file describes it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=300)
    short_names: list[str] = []
    level: str
    issuing_body: str = ""
    document_number: str = ""
    published: date | None = None
    effective: date | None = None
    version: date | None = None  # defaults to ``published``, else ``effective``
    status: str = "现行有效"
    repealed_on: date | None = None
    replaced_by: str = ""
    source: str = ""
    articles: list[ArticleSpec] = []

    @field_validator("level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value not in LEVELS:
            raise ValueError(f"效力层级“{value}”不在 {'、'.join(LEVELS)} 之内")
        return value

    @field_validator("status")
    @classmethod
    def _status(cls, value: str) -> str:
        if value not in STATUS_WORDS:
            raise ValueError(f"时效性“{value}”不可识别（可用：{'、'.join(STATUS_WORDS)}）")
        return value

    @model_validator(mode="after")
    def _dates(self) -> LawSpec:
        if self.version is None and self.published is None and self.effective is None:
            raise ValueError("须至少写明 published、effective 或 version 之一（区分同一法律的不同版本）")
        if self.effective and self.repealed_on and self.repealed_on < self.effective:
            raise ValueError("废止日期早于施行日期")
        return self

    @property
    def key(self) -> str:
        return law_key(self.name)

    @property
    def library_status(self) -> str:
        """The library's status for the source's word (历史版本 → 已修改)."""
        return STATUS_WORDS[self.status].value

    @property
    def version_on(self) -> date:
        version = self.version or self.published or self.effective
        assert version is not None  # _dates
        return version


def _validate(data: Any, line_of: Any, where: str) -> tuple[LawSpec | None, list[str]]:
    """A law from plain data; faults as ``where:line: field: reason`` (``line_of(loc)`` finds the line)."""
    try:
        return LawSpec.model_validate(data), []
    except ValidationError as exc:
        errors = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            errors.append(f"{where}:{line_of(loc)}: {field_name(loc, '法律')}: {_message(error)}")
        return None, errors


_SIMPLE = {"missing": "缺少必填项", "extra_forbidden": "未知的键", "string_type": "应为文本", "list_type": "应为列表",
           "model_type": "应为映射（键: 值）", "dict_type": "应为映射（键: 值）", "string_too_short": "过短或为空",
           "string_too_long": "过长", "int_type": "应为整数"}


def _message(error: Any) -> str:
    """A pydantic error in Chinese (the value's own reason for a ``ValueError`` of a validator)."""
    kind = str(error["type"])
    if kind == "value_error":
        return str((error.get("ctx") or {}).get("error", error["msg"]))
    if kind in _SIMPLE:
        return _SIMPLE[kind]
    if kind.startswith("date"):
        return f"应为日期（YYYY-MM-DD），而不是 {error.get('input')!r}"
    if kind.startswith("int") or kind.startswith("union"):
        return f"应为整数或“第N条”，而不是 {error.get('input')!r}"
    return f"无效：{error['msg']}"


def parse_jsonl(text: str, filename: str) -> list[LawSpec]:
    """The laws of a JSONL text (one JSON object a line; blank lines and ``#`` comments are skipped)."""
    laws: list[LawSpec] = []
    errors: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{filename}:{number}: JSON 格式错误（第 {exc.colno} 列）：{exc.msg}")
            continue
        spec, faults = _validate(data, lambda _loc, n=number: n, filename)
        errors.extend(faults)
        if spec is not None:
            laws.append(spec)
    return _finish(laws, errors, filename)


def parse_yaml(text: str, filename: str) -> list[LawSpec]:
    """The laws of a YAML text: one law per document (documents separated by ``---``)."""
    laws: list[LawSpec] = []
    errors: list[str] = []
    for offset, chunk in _documents(text):
        if not chunk.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in chunk.splitlines()):
            continue
        try:
            document = read_document(chunk)
        except YamlRefused as exc:
            errors.append(f"{filename}:{exc.line + offset}: {exc.reason}")
            continue
        errors.extend(f"{filename}:{line + offset}: {reason}" for line, reason in document.errors)
        spec, faults = _validate(document.data, lambda loc, d=document, o=offset: d.line(loc) + o, filename)
        errors.extend(faults)
        if spec is not None:
            laws.append(spec)
    return _finish(laws, errors, filename)


def _documents(text: str) -> list[tuple[int, str]]:
    """Split a multi-document YAML text at ``---`` lines: (lines before the chunk, chunk)."""
    chunks: list[tuple[int, str]] = []
    start, lines = 0, text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.rstrip() == "---":
            chunks.append((start, "".join(lines[start:index])))
            start = index + 1
    chunks.append((start, "".join(lines[start:])))
    return chunks


def _finish(laws: list[LawSpec], errors: list[str], filename: str) -> list[LawSpec]:
    seen: dict[tuple[str, date], str] = {}
    for spec in laws:
        identity = (spec.key, spec.version_on)
        if identity in seen:
            errors.append(f"{filename}: {spec.name}（版本 {spec.version_on}）在文件中重复出现")
        seen[identity] = spec.name
    if not laws and not errors:
        errors.append(f"{filename}:1: 文件中没有法律法规")
    if errors:
        raise LawFileError(errors)
    return laws


def read_law_file(path: FsPath) -> tuple[str, list[LawSpec]]:
    """Read and validate a ``.jsonl`` / ``.json`` / ``.yaml`` / ``.yml`` file: (text, laws)."""
    try:
        text = read_capped_text(path, MAX_FILE_BYTES, "法律法规文件")
    except FileUnreadable as exc:
        raise LawFileError([f"{path.name}:{exc.line}: {exc.reason}"]) from None
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        return text, parse_jsonl(text, path.name)
    if path.suffix.lower() in (".yaml", ".yml"):
        return text, parse_yaml(text, path.name)
    raise LawFileError([f"{path.name}:1: 文件类型不可识别（应为 .jsonl 或 .yaml）"])
