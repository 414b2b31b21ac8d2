"""API shapes of the indicator report (``GET /api/v1/indicators``; API.md)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from review_service.core.dates import BoundedDate
from review_service.core.input import Id


class IndicatorQuery(BaseModel):
    """Query parameters: ``agency`` (id; default the caller's), ``from`` and ``to`` (Beijing dates, inclusive)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    agency: Id | None = None
    from_: BoundedDate = Field(alias="from")
    to: BoundedDate


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class NamedRef(_Out):
    id: str
    name: str


class IndicatorOut(_Out):
    id: str
    text: str
    value: Any = None
    target: dict[str, Any]
    met: bool | None = None
    basis: str
    evidence: dict[str, Any]
    trend: list[dict[str, Any]]


class IndicatorReportOut(_Out):
    period: dict[str, str]
    agency: NamedRef
    agencies: list[NamedRef]
    indicators: list[IndicatorOut]
    statistics: dict[str, Any]
