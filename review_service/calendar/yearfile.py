"""Year files: the State Council's holiday schedule for one year, as the admin loads it (DESIGN.md §8).

Format (see ``calendars/README.md``)::

    year: 2027
    source: 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）
    holidays:
      - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
    workdays: [2027-02-06]        # 调休上班的周末

A file describes its whole year: a weekday is a working day unless a holiday
range covers it, a Saturday or Sunday is off unless listed in ``workdays``.
Dates lie in ``year``, or up to :data:`SPILL_DAYS` days into the neighbouring
year, because a notice sometimes arranges the turn of the year (the 2007
notice made 2006-12-30 and -31 working days).

Reading is safe: the shared reader of :mod:`review_service.catalog.yaml_source`
(no aliases or anchors, no duplicate keys, no unknown tags) after a size cap of
:data:`MAX_BYTES`. Every fault is reported as ``file:line: reason`` in Chinese.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path as FsPath
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from review_service.core.yaml_source import (
    FileUnreadable,
    Path,
    SourceRefused,
    YamlRefused,
    field_name,
    read_capped_text,
    read_document,
)

MAX_BYTES = 32 * 1024
MIN_YEAR, MAX_YEAR = 2000, 2100
SPILL_DAYS = 7
MAX_HOLIDAY_DAYS = 31
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class YearFileError(SourceRefused):
    """A year file was refused; ``errors`` lists every fault as ``file:line: reason``."""

    what = "节假日安排文件"


def _as_date(value: Any) -> date:
    """A plain date: a YAML date or an ISO ``YYYY-MM-DD`` text; never a time or a number."""
    if isinstance(value, datetime):
        raise ValueError("应为日期（YYYY-MM-DD），不能带时间")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"“{value}” 不是有效的日期") from None
    raise ValueError(f"应为日期（YYYY-MM-DD），而不是 {value!r}")


PlainDate = Annotated[date, BeforeValidator(_as_date)]


class HolidaySpec(BaseModel):
    """One holiday: ``name`` off from ``from`` to ``to``, both days included."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=50)
    start: PlainDate = Field(alias="from")
    end: PlainDate = Field(alias="to")

    def days(self) -> list[date]:
        """Every day of the holiday, in order."""
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


class YearSpec(BaseModel):
    """A validated year file; build it with :func:`parse_year` so the cross-field rules are checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR, strict=True)
    source: str = Field(min_length=1, max_length=300)
    holidays: tuple[HolidaySpec, ...]
    workdays: tuple[PlainDate, ...] = ()

    def days_off(self) -> set[date]:
        """Every day any holiday covers (weekends inside a holiday included)."""
        return {day for holiday in self.holidays for day in holiday.days()}

    def window(self) -> tuple[date, date]:
        """The first and last day this file may speak about."""
        return (date(self.year - 1, 12, 31) - timedelta(days=SPILL_DAYS - 1),
                date(self.year + 1, 1, 1) + timedelta(days=SPILL_DAYS - 1))


def parse_year(text: str, filename: str) -> YearSpec:
    """Validate the text of year file ``filename`` and return it, or raise :class:`YearFileError`."""
    spec, errors = _validate(text, filename)
    if errors or spec is None:
        raise YearFileError(errors)
    return spec


def check_year_text(text: str, filename: str) -> list[str]:
    """Every fault of a year file's text as ``file:line: reason``; empty when it would load."""
    return _validate(text, filename)[1]


def read_year_file(path: FsPath | str) -> str:
    """Read a year file (UTF-8, capped at :data:`MAX_BYTES`); raises :class:`YearFileError`."""
    try:
        return read_capped_text(path, MAX_BYTES, "节假日安排文件")
    except FileUnreadable as fault:
        raise YearFileError([f"{path}:{fault.line}: {fault.reason}"]) from None


# -- validation ------------------------------------------------------------------------------


def _validate(text: str, filename: str) -> tuple[YearSpec | None, list[str]]:
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        return None, [f"{filename}:1: 文件过大（{size} 字节），节假日安排文件不得超过 {MAX_BYTES} 字节"]
    try:
        doc = read_document(text)
    except YamlRefused as exc:
        return None, [f"{filename}:{exc.line}: {exc.reason}"]
    faults = list(doc.errors)

    def error(path: Path, reason: str) -> None:
        if not doc.reported(path):
            faults.append((doc.line(path), reason))
            doc.faulted.add(path)

    spec: YearSpec | None = None
    if not isinstance(doc.data, dict):
        error((), "节假日安排文件应为映射（year、source、holidays、workdays）")
    else:
        try:
            spec = YearSpec.model_validate(doc.data)
        except ValidationError as exc:
            for item in exc.errors():
                error(tuple(item["loc"]), _message(item))  # pydantic reports aliases: the keys of the file
        if spec is not None:
            _check_rules(spec, filename, error)
    faults.sort(key=lambda fault: fault[0])
    messages = [f"{filename}:{line}: {reason}" for line, reason in faults]
    return (spec if not messages else None), messages


def _check_rules(spec: YearSpec, filename: str, error: Any) -> None:
    """The rules across fields: the year itself, date windows, ranges, overlaps, make-up days."""
    named = re.match(r"(\d{4})(?!\d)", FsPath(filename).name)
    if named and int(named.group(1)) != spec.year:
        error(("year",), f"文件名表明是 {named.group(1)} 年，但 year 为 {spec.year}")
    first, last = spec.window()
    inside = f"{spec.year} 年（或前后 {SPILL_DAYS} 天内的跨年安排）"
    seen: dict[date, str] = {}
    for index, holiday in enumerate(spec.holidays):
        for key, day in (("from", holiday.start), ("to", holiday.end)):
            if not first <= day <= last:
                error(("holidays", index, key), f"假日 “{holiday.name}” 的日期 {day} 不在 {inside}")
        if holiday.end < holiday.start:
            error(("holidays", index, "to"),
                  f"假日 “{holiday.name}” 的结束日期 {holiday.end} 早于开始日期 {holiday.start}")
            continue
        if len(holiday.days()) > MAX_HOLIDAY_DAYS:
            error(("holidays", index, "to"), f"假日 “{holiday.name}” 超过 {MAX_HOLIDAY_DAYS} 天，请检查日期")
            continue
        for day in holiday.days():
            if day in seen:
                error(("holidays", index), f"假日 “{holiday.name}” 与 “{seen[day]}” 重叠（{day}）")
                break
            seen[day] = holiday.name
    listed: set[date] = set()
    for index, day in enumerate(spec.workdays):
        path: Path = ("workdays", index)
        if not first <= day <= last:
            error(path, f"调休上班日 {day} 不在 {inside}")
        elif day in listed:
            error(path, f"调休上班日 {day} 重复")
        elif day in seen:
            error(path, f"调休上班日 {day} 同时在假日 “{seen[day]}” 之内")
        elif day.weekday() < 5:
            error(path, f"调休上班日 {day} 是工作日（星期{'一二三四五'[day.weekday()]}），只有周末才需要列出")
        listed.add(day)


def _message(item: Any) -> str:
    """A pydantic error in Chinese."""
    loc = tuple(item["loc"])
    name = field_name(loc, "文件")
    kind = item["type"]
    ctx = item.get("ctx") or {}
    given = item.get("input")
    if kind == "missing":
        return f"缺少必填项 “{name}”"
    if kind == "extra_forbidden":
        return f"未知的键 “{name}”"
    if kind == "value_error":
        return f"“{name}” {ctx.get('error', item['msg'])}"
    simple = {
        "string_type": "应为文本",
        "int_type": "应为整数",
        "string_too_short": "不能为空",
        "tuple_type": "应为列表",
        "model_type": "应为映射（键: 值）",
    }
    if kind in simple:
        return f"“{name}” {simple[kind]}，而不是 {given!r}"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"“{name}” 应在 {MIN_YEAR} 至 {MAX_YEAR} 之间，而不是 {given!r}"
    if kind == "string_too_long":
        return f"“{name}” 过长（最多 {ctx.get('max_length')} 个字符）"
    return f"“{name}” 无效：{item['msg']}"


__all__ = ["MAX_BYTES", "HolidaySpec", "YearFileError", "YearSpec", "check_year_text", "parse_year",
           "read_year_file"]
