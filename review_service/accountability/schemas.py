"""API shapes of accountability: the auditor's finding and the closing of an inquiry."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class FindingIn(BaseModel):
    """The auditor's finding on one person of the responsibility chain."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    user_id: int = Field(ge=1, le=2**31 - 1)
    finding: Literal["abuse_of_power", "dereliction", "favoritism", "no_fault"]
    reasons: str = Field(min_length=1, max_length=20_000)


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


class AccountabilityOut(BaseModel):
    chain: list[ChainEntryOut]
    inquiry: dict[str, Any] | None
