"""Per-agency rules, stored as JSON on the agency and read through one validated model."""

from __future__ import annotations

import re
import string
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from review_service.core.canonical import canonical_json
from review_service.organization.models import Agency

# 送审材料: what every submission must carry, by decision type (118号 (十一)).
DEFAULT_REQUIRED_MATERIALS: dict[str, list[str]] = {
    "administrative_penalty": ["investigation_report", "evidence", "decision_draft"],
    "administrative_license": ["application", "review_report", "decision_draft"],
    "*": ["investigation_report", "decision_draft"],
}

MATERIAL_KIND_LABELS: dict[str, str] = {
    "investigation_report": "案件调查终结报告",
    "evidence": "证据材料",
    "decision_draft": "拟作出的决定文书",
    "application": "申请材料",
    "review_report": "审查报告",
    "hearing_record": "听证笔录/听证报告",
    "collective_discussion": "集体讨论记录",
    "other": "其他材料",
}


# Points 1–6 and 8 of the opinion (DESIGN.md §7): always applicable to an enforcement decision.
DEFAULT_SUBSTANTIVE_POINTS = ("subject_legality", "officer_qualification", "procedure_legality", "facts_clear",
                              "evidence_sufficient", "law_application", "within_authority")


# 文号 (review_service/documents/numbering.py): per series a pattern of {prefix} (机关代字), {year} and {n}.
# The keys are the document kinds that get a number of their own (not the 代拟稿 penalty_decision: its number is
# the decision's), "decision" for the decision's 文号 and "decision.<decision_type>" for a type's own series.
# Listed here, not imported: organization sits below documents (tests/documents/test_numbering.py checks them).
DEFAULT_NUMBER_PATTERNS: dict[str, str] = {
    "opinion": "{prefix}法审〔{year}〕{n}号",
    "reply": "{prefix}复〔{year}〕{n}号",
    "coordination": "{prefix}协〔{year}〕{n}号",
    "collective_discussion": "{prefix}讨〔{year}〕{n}号",
    "approval": "{prefix}批〔{year}〕{n}号",
    "termination": "{prefix}终〔{year}〕{n}号",
    "transfer": "{prefix}移〔{year}〕{n}号",
    "accountability": "{prefix}责〔{year}〕{n}号",
    "decision": "{prefix}决〔{year}〕{n}号",
    "decision.administrative_penalty": "{prefix}罚〔{year}〕{n}号",
}
_DECISION_SERIES = re.compile(r"decision\.[a-z_]{1,40}")
_PLACEHOLDERS = frozenset({"prefix", "year", "n"})


class DocumentNumbering(BaseModel):
    """The agency's 文号: ``prefix`` (机关代字, e.g. 西市监; none: the agency's full name, which is unique) and
    ``patterns`` laid over :data:`DEFAULT_NUMBER_PATTERNS`."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    prefix: str | None = Field(default=None, min_length=1, max_length=30)
    patterns: dict[str, str] = Field(default_factory=dict)

    @field_validator("prefix")
    @classmethod
    def _plain_prefix(cls, value: str | None) -> str | None:
        if value is not None and ("{" in value or "}" in value):
            raise ValueError("机关代字不能含有花括号")
        return value

    @field_validator("patterns")
    @classmethod
    def _known_patterns(cls, value: dict[str, str]) -> dict[str, str]:
        for key, pattern in value.items():
            if key not in DEFAULT_NUMBER_PATTERNS and not _DECISION_SERIES.fullmatch(key):
                raise ValueError(f"未知的文号种类“{key}”，可选：{'、'.join(DEFAULT_NUMBER_PATTERNS)}")
            problem = _pattern_problem(pattern)
            if problem:
                raise ValueError(f"“{key}”的文号格式“{pattern}”不正确：{problem}")
        return value

    @model_validator(mode="after")
    def _distinct(self) -> DocumentNumbering:
        # two series with one pattern would print the same 文号 twice
        seen: dict[str, str] = {}
        for key, pattern in {**DEFAULT_NUMBER_PATTERNS, **self.patterns}.items():
            if pattern in seen:
                raise ValueError(f"“{key}”与“{seen[pattern]}”的文号格式相同：{pattern}")
            seen[pattern] = key
        return self

    def pattern_for(self, series: str) -> str | None:
        return self.patterns.get(series, DEFAULT_NUMBER_PATTERNS.get(series))


def _pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` is no 文号 pattern (Chinese, for the admin), or ``None``."""
    if not 1 <= len(pattern) <= 60:
        return "须为 1 至 60 个字"
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError:
        return "花括号不成对（字面花括号请写成 {{ 或 }}）"
    names = [(name, spec, conversion) for _text, name, spec, conversion in parts if name is not None]
    if any(name not in _PLACEHOLDERS or spec or conversion for name, spec, conversion in names):
        return "只能使用占位符 {prefix}（机关代字）、{year}（年份）和 {n}（序号）"
    used = {name for name, _spec, _conversion in names}
    if not {"year", "n"} <= used:
        return "必须含有 {year}（年份）和 {n}（序号）"
    return None


class AgencySettings(BaseModel):
    model_config = ConfigDict(frozen=True)  # shared from a cache

    signoff_required: bool = False  # 承办机构负责人签核 before review
    # A case's handler tasks belong to its assigned handler (the unit head may reassign it: cases/ownership.py);
    # true lets every handler of the agency act on its cases (a unit that works its cases as a pool).
    handlers_share_cases: bool = False
    round_cap: int = Field(default=5, ge=1, le=50)  # rounds before coordination is forced
    required_materials: dict[str, list[str]] = Field(default_factory=lambda: dict(DEFAULT_REQUIRED_MATERIALS))
    review_working_days: int = Field(default=5, ge=1, le=30)
    review_extension_days: int = Field(default=3, ge=0, le=30)
    reply_working_days: int = Field(default=5, ge=1, le=30)
    # Publicity (indicators 36, 37, 41; 行政处罚法 art. 48) and the art. 60 limit (DESIGN.md §8).
    publish_working_days: int = Field(default=7, ge=1, le=60)  # 行政许可 / 行政处罚 decisions
    publish_working_days_other: int = Field(default=20, ge=1, le=60)
    withdraw_working_days: int = Field(default=3, ge=1, le=30)
    # 即将到期 (the yellow mark on tasks, lists and the case page): from this many working days before a due day
    due_soon_working_days: int = Field(default=1, ge=0, le=30)
    penalty_decision_days: int = Field(default=90, ge=1, le=365)  # calendar days from case filing
    # Opinion points that can never be 不适用, by decision type ("*": any other type). A hollow
    # opinion (主体、程序、事实、证据、法律适用 all "not applicable") must not clear a case (DESIGN.md §7).
    substantive_points: dict[str, list[str]] = Field(default_factory=lambda: {"*": list(DEFAULT_SUBSTANTIVE_POINTS)})
    # 行政处罚法 art. 57 集体讨论 (review_service/coordination/discussion.py says when and why): for these
    # decision types, a fine at or above the amount (yuan; null: no amount rule), a licence revocation,
    # 责令停产停业 / 责令关闭, a 情节复杂 or 重大违法 flag, or a matched catalog rule of category "complex".
    # The default amount, ¥1,000,000, is this product's choice: the law names none; agencies set theirs.
    collective_discussion_types: list[str] = Field(default_factory=lambda: ["administrative_penalty"])
    collective_discussion_fine: Decimal | None = Field(default=Decimal("1000000"), ge=0)
    collective_discussion_quorum: int = Field(default=3, ge=2, le=50)  # heads taking part, the chair among them
    # 118号 (十四): who decides the findings of an accountability inquiry the auditor proposes (never the auditor)
    accountability_decider: Literal["head", "review_lead", "unit_head"] = "head"
    # Clocks (DESIGN.md §8, issue 19; deadlines/review_period.py, limit_operations.py, publicity_exemption.py).
    # 分配 and 受理审查 are timed inside the review period: working days from receipt / from assignment
    assignment_working_days: int = Field(default=1, ge=0, le=30)
    intake_working_days: int = Field(default=1, ge=0, le=30)
    # true: an intake that finds the materials incomplete makes the period start again on the supplement that
    # completes them (收到完整材料之日起); false: the period only pauses until they arrive
    review_restarts_on_supplement: bool = True
    # who approves the review period's one extension (default: the agency head in charge, 分管负责人)
    review_extension_approver_role: Literal["head", "review_lead"] = "head"
    # 行政处罚法 art. 60 extensions: calendar days of the first and the second
    penalty_extension_days: list[int] = Field(default_factory=lambda: [30, 30], max_length=2)
    # who approves the second: 上一级行政机关 (its name and 批准文号 recorded) or the heads' 集体讨论
    penalty_second_extension_approval: Literal["superior_authority", "collective_discussion"] = "superior_authority"
    # decisions that need no publication (总局令 45 号 style): 警告 only, and the agency's own list of types
    publicity_exempt_warning_only: bool = True
    publicity_exempt_decision_types: list[str] = Field(default_factory=list)
    document_numbers: DocumentNumbering = Field(default_factory=DocumentNumbering)  # 文号 (documents/numbering.py)
    # 办案规范 pushed to the officer on the draft and review pages (seed (127)): per decision type ("*": any),
    # the names of documents the agency loaded into the law library (`review-service law load`)
    case_guidance: dict[str, list[str]] = Field(default_factory=dict)

    # the agency's phrase library for the ten-point opinion: point key → wordings the reviewer may choose
    opinion_phrases: dict[str, list[str]] = Field(default_factory=dict)

    def guidance_for(self, decision_type: str) -> list[str]:
        return [*self.case_guidance.get("*", []), *self.case_guidance.get(decision_type, [])]

    def substantive_for(self, decision_type: str) -> list[str]:
        return self.substantive_points.get(decision_type, self.substantive_points.get("*", []))

    def required_for(self, decision_type: str) -> list[str]:
        return self.required_materials.get(decision_type, self.required_materials.get("*", []))


def agency_settings(agency: Agency) -> AgencySettings:
    """The agency's validated settings (cached by content: several actions of a request read them)."""
    return _settings_from(canonical_json(agency.settings or {}))


@lru_cache(maxsize=256)
def _settings_from(text: str) -> AgencySettings:
    return AgencySettings.model_validate_json(text)


# --- changing them (organization.operations.change_agency_settings) -------------------------------------------------


def _said(error: Any) -> str:
    """One pydantic error in Chinese, for the operator at the terminal."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "value_error":  # our own validators already speak Chinese
        return str(ctx.get("error", error.get("msg", "")))
    bounds = {"greater_than_equal": "不能小于 {ge}", "greater_than": "应大于 {gt}", "less_than_equal": "不能大于 {le}",
              "less_than": "应小于 {lt}", "string_too_short": "至少 {min_length} 个字", "string_too_long":
              "不能超过 {max_length} 个字"}
    if kind in bounds:
        return bounds[kind].format(**ctx)
    plain = {"int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数", "bool_parsing":
             "应为 true 或 false", "bool_type": "应为 true 或 false", "decimal_parsing": "应为数字", "decimal_type":
             "应为数字", "string_type": "应为文字", "list_type": "应为列表（JSON 数组）", "dict_type":
             "应为对象（JSON 对象）", "extra_forbidden": "没有这个设置项", "missing": "必填"}
    return plain.get(kind, f"取值不正确（{error.get('msg', kind)}）")


def settings_problems(error: ValidationError) -> dict[str, str]:
    """A validation failure of :class:`AgencySettings`, by dotted field name, in Chinese."""
    return {".".join(str(part) for part in item["loc"]) or "settings": _said(item) for item in error.errors()}


def stored_settings(settings: AgencySettings) -> dict[str, Any]:
    """What the agency row keeps: JSON values, only where they differ from the defaults."""
    return settings.model_dump(mode="json", exclude_defaults=True)
