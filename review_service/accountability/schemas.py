"""API shapes of accountability: the auditor's proposed finding, the decider's decision, grounds, closing."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Ground = Literal["facts_unclear", "insufficient_evidence", "wrong_law", "illegal_procedure", "beyond_authority",
                 "abuse_of_power", "clearly_improper"]
Responsibility = Literal["direct", "leadership", "none"]
Exemption = Literal["false_materials", "collective_decision", "dissent_recorded", "followed_opinion",
                    "opinion_not_adopted", "superior_order", "unclear_law", "force_majeure"]
Sanction = Literal["none", "criticism", "written_self_criticism", "circulated_criticism", "retraining",
                   "license_suspension", "license_revocation", "refer_discipline"]


def _unique(values: list[str] | None) -> list[str] | None:
    if values is not None and len(set(values)) != len(values):
        raise ValueError("不能重复")
    return values


class FindingIn(BaseModel):
    """The auditor's proposed finding on one person of the responsibility chain.

    ``finding`` is the nature of the fault (滥用职权 / 玩忽职守 / 徇私枉法 / 无过错), as before; the rest is
    optional for old clients: ``responsibility`` then follows ``finding`` (no_fault → none, else direct),
    ``grounds`` the grounds the chain maps to the person, ``sanction`` none when not at fault.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    user_id: int = Field(ge=1, le=2**31 - 1)
    finding: Literal["abuse_of_power", "dereliction", "favoritism", "no_fault"] | None = None
    reasons: str = Field(min_length=1, max_length=20_000)
    grounds: list[Ground] | None = Field(default=None, max_length=7,
                                         description="the revocation's grounds this person answers for")
    responsibility: Responsibility | None = Field(default=None, description="direct 直接责任 / leadership 领导责任 "
                                                                            "/ none 无责任")
    exemption: Exemption | None = None
    sanction: Sanction | None = None

    _grounds_unique = field_validator("grounds")(_unique)


class DecideFindingIn(BaseModel):
    """The decider confirms the proposed finding on one person, or returns it to the auditor with a reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    user_id: int = Field(ge=1, le=2**31 - 1)
    decision: Literal["confirm", "return"]
    note: str = Field(default="", max_length=20_000, description="required when returning: why")


class GroundsIn(BaseModel):
    """The revocation's grounds, recorded by the auditor when the registration named none."""

    model_config = ConfigDict(extra="forbid")

    grounds: list[Ground] = Field(min_length=1, max_length=7)

    _grounds_unique = field_validator("grounds")(_unique)


class CloseInquiryIn(BaseModel):
    """Closing the inquiry: the overall conclusion that goes into the accountability record."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    conclusion: str = Field(min_length=1, max_length=20_000)


class ChainEntryOut(BaseModel):
    stage: str
    user: dict[str, Any] | None
    role: str
    action: str
    at: str | None
    draft_sha256: str | None
    statement: str
    documents: list[dict[str, Any]] = []
    seq: int | None = None
    grounds: list[dict[str, Any]] = []  # [{ground, label, why}]: what this act answers for


class PersonGroundsOut(BaseModel):
    user: dict[str, Any]
    roles: list[str]
    stages: list[str]
    grounds: list[dict[str, Any]]  # [{ground, label, why: [...]}]
    suggested_responsibility: str


class AccountabilityOut(BaseModel):
    chain: list[ChainEntryOut]
    people: list[PersonGroundsOut] = []
    inquiry: dict[str, Any] | None
