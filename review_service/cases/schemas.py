"""Input shapes of a draft (API.md ``POST /api/v1/cases``), validated with pydantic."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from review_service.core.dates import PastDate
from review_service.core.errors import Invalid
from review_service.core.input import parse_input as parse_input  # core: every domain's input shapes use it

DecisionType = Literal[
    "administrative_penalty",
    "administrative_license",
    "administrative_coercion",
    "administrative_levy",
    "administrative_inspection",
    "other",
]

_MONEY = Field(default=None, max_digits=14, decimal_places=2, ge=0)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


_OPTIONAL_PARTY_FIELDS = ("address", "legal_representative")


class Counterparty(_Strict):
    kind: Literal["individual", "organization"]
    name: str = Field(min_length=1, max_length=200)
    id_number: str | None = Field(default=None, max_length=50)
    address: str | None = Field(default=None, max_length=300)  # 住所 (the documents' party block)
    legal_representative: str | None = Field(default=None, max_length=100)  # 法定代表人（负责人）


class ProposedDecision(_Strict):
    summary: str = Field(min_length=1, max_length=2000)
    fine_amount: Decimal | None = _MONEY
    confiscation_amount: Decimal | None = _MONEY
    license_revocation: bool = False
    suspension_of_business: bool = False
    closure: bool = False
    # 警告 (行政处罚法 art. 9 (一)): alone, the decision needs no publication (deadlines.publicity_exemption)
    warning: bool | None = None


class Discretion(_Strict):
    benchmark: str = Field(default="", max_length=300)
    level: str = Field(default="", max_length=50)


class Flags(_Strict):
    public_interest: bool = False
    social_impact: bool = False
    multiple_legal_relations: bool = False
    complex: bool = False
    serious_violation: bool = False  # 行政处罚法第五十七条 情节复杂或者重大违法: needs 集体讨论


class MaterialRef(_Strict):
    kind: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=300)


class DraftIn(_Strict):
    """A complete draft as posted on create."""

    title: str = Field(min_length=1, max_length=300)
    case_number: str | None = Field(default=None, max_length=100)
    filed_on: PastDate | None = None  # 立案日期: a fact, not after today
    decision_type: DecisionType
    counterparty: Counterparty
    facts: str = Field(default="", max_length=50_000)
    proposed_decision: ProposedDecision
    legal_basis: list[str] = Field(default_factory=list, max_length=50)
    discretion: Discretion = Field(default_factory=Discretion)
    hearing_held: bool = False
    flags: Flags = Field(default_factory=Flags)
    materials: list[MaterialRef] = Field(default_factory=list, max_length=200)

    @field_validator("legal_basis")
    @classmethod
    def _no_blank_basis(cls, value: list[str]) -> list[str]:
        return [item.strip() for item in value if item.strip()]

    def content(self) -> dict[str, Any]:
        """The draft as JSON-able data: money as ``"500000.00"`` strings, dates as ISO strings."""
        data = self.model_dump(mode="json")
        for key in _OPTIONAL_PARTY_FIELDS:  # left out when not given: older drafts keep their exact bytes and hash
            if data["counterparty"].get(key) is None:
                data["counterparty"].pop(key, None)
        if data["proposed_decision"].get("warning") is None:  # not given: older drafts keep their bytes and hash
            data["proposed_decision"].pop("warning", None)
        for key in ("fine_amount", "confiscation_amount"):
            amount = self.proposed_decision.__dict__[key]
            data["proposed_decision"][key] = None if amount is None else f"{amount:.2f}"
        return data


def parse_draft(data: Any) -> DraftIn:
    return parse_input(DraftIn, data)


def merge_draft(current: dict[str, Any], changes: Any) -> DraftIn:
    """Apply a PATCH (any subset; nested objects merge one level deep) and validate the result."""
    if not isinstance(changes, dict):
        raise Invalid("提交的内容有误，请按提示修改。", fields={"body": "应为对象"})
    merged = dict(current)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return parse_draft(merged)
