"""The collective discussion record (集体讨论) and the coordination input."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class CollectiveDiscussionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    date: date
    participants: list[int | str] = Field(min_length=2, max_length=50)
    minutes: str = Field(min_length=1, max_length=50_000)


class CoordinationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outcome: Literal["uphold_review", "reconsider", "terminate"]
    reasoning: str = Field(min_length=1, max_length=20_000)
    collective_discussion: CollectiveDiscussionIn | None = None
