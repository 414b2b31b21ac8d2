"""The file format of a 裁量基准 (YAML, or JSONL: a header line, then one entry per line), as pydantic models.

Amounts are yuan (exact decimals); a range is either fixed (``min`` / ``max``) or a multiple of the entry's
``amount_basis`` (``min_factor`` / ``max_factor``), optionally for a bracket of that amount (``basis_from``
inclusive, ``basis_below`` exclusive). Levels are named by their legal wording (不予处罚、减轻处罚、从轻处罚、
一般处罚、从重处罚) or their English key; README.md shows a full example.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from review_service.discretion.levels import LEVEL_LABELS, Level

_KEY = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
BY_LABEL = {label: level for level, label in LEVEL_LABELS.items()} | {level.value: level for level in Level}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class FineRange(_Strict):
    basis_from: Decimal | None = Field(default=None, ge=0)
    basis_below: Decimal | None = Field(default=None, gt=0)
    min: Decimal | None = Field(default=None, ge=0)
    max: Decimal | None = Field(default=None, ge=0)
    min_factor: Decimal | None = Field(default=None, ge=0)
    max_factor: Decimal | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_kind(self) -> FineRange:
        fixed = (self.min, self.max)
        factor = (self.min_factor, self.max_factor)
        if (None in fixed) != all(v is None for v in fixed) or (None in factor) != all(v is None for v in factor):
            raise ValueError("罚款幅度须同时写明下限和上限（min 与 max，或 min_factor 与 max_factor）")
        if self.min is not None and self.min_factor is not None:
            raise ValueError("罚款幅度只能是固定金额（min/max）或倍数（min_factor/max_factor）之一")
        if self.min is None and self.min_factor is None:
            raise ValueError("罚款幅度须写明 min/max（元）或 min_factor/max_factor（倍数）")
        low, high = (self.min, self.max) if self.min is not None else (self.min_factor, self.max_factor)
        assert low is not None and high is not None
        if low > high:
            raise ValueError(f"罚款幅度下限（{low}）大于上限（{high}）")
        if self.basis_from is not None and self.basis_below is not None and self.basis_from >= self.basis_below:
            raise ValueError("basis_from 须小于 basis_below")
        return self

    @property
    def is_factor(self) -> bool:
        return self.min_factor is not None


class LevelSpec(_Strict):
    circumstances: str = Field(default="", max_length=2000)  # 适用情形
    fine: list[FineRange] = Field(default_factory=list, max_length=10)
    measures: list[str] = Field(default_factory=list, max_length=20)  # 其他处理措施（责令改正、没收 …）

    @field_validator("fine", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _brackets(self) -> LevelSpec:
        if len(self.fine) > 1 and any(r.basis_from is None and r.basis_below is None for r in self.fine):
            raise ValueError("有多个罚款幅度时，每个都须写明适用的计罚基数区间（basis_from / basis_below）")
        return self


class Violation(_Strict):
    key: str = Field(min_length=1, max_length=100, pattern=_KEY)
    name: str = Field(min_length=1, max_length=300)


class EntrySpec(_Strict):
    violation: Violation
    violation_basis: str = Field(min_length=1, max_length=2000)
    penalty_basis: str = Field(min_length=1, max_length=2000)
    amount_basis: str | None = Field(default=None, max_length=40)  # 货值金额、违法所得、广告费用 …
    levels: dict[Level, LevelSpec]

    @field_validator("levels", mode="before")
    @classmethod
    def _level_names(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        result: dict[Any, Any] = {}
        for name, spec in value.items():
            level = BY_LABEL.get(str(name).strip())
            if level is None:
                raise ValueError(f"未知的裁量档次“{name}”，应为 {'、'.join(LEVEL_LABELS.values())} 之一")
            result[level] = spec
        return result

    @model_validator(mode="after")
    def _ranges_fit(self) -> EntrySpec:
        if not self.levels:
            raise ValueError("至少写明一个裁量档次")
        for level, spec in self.levels.items():
            label = LEVEL_LABELS[level]
            if any(r.is_factor for r in spec.fine) and not self.amount_basis:
                raise ValueError(f"{label}按倍数计罚，须写明 amount_basis（如 货值金额、违法所得）")
        return self


class BenchmarkSpec(_Strict):
    id: str = Field(min_length=1, max_length=100, pattern=_KEY)
    title: str = Field(min_length=1, max_length=300)
    document_number: str = Field(min_length=1, max_length=100)  # 文号
    issuer: str = Field(min_length=1, max_length=200)
    effective_from: date
    effective_to: date | None = None
    entries: list[EntrySpec] = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _dates(self) -> BenchmarkSpec:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to 不能早于 effective_from")
        return self
