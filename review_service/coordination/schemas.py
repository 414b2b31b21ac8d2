"""The collective discussion record (集体讨论) and the coordination input."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from review_service.core.dates import PastDate


class CollectiveDiscussionIn(BaseModel):
    """A collective discussion as API.md names it (``date``, ``participants``, ``minutes``), extended for art. 57.

    With ``chair``, ``views`` (``{user id: the participant's view}``) and ``conclusion`` it is an
    art. 57 record (``coordination.discussion_records``): the participants are users of the agency
    holding the head role, at least the quorum, the chair among them. Without them, at coordination,
    it is kept as a note on the coordination (as before) and never satisfies art. 57.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    date: PastDate  # held: not after today, not before 1949-10-01
    participants: list[int | str] = Field(min_length=2, max_length=50)
    minutes: str = Field(default="", max_length=50_000)
    chair: int | str | None = None
    views: dict[str, str] | None = Field(default=None, max_length=50)
    conclusion: str = Field(default="", max_length=20_000)
    draft_sha256: str | None = Field(default=None, max_length=64)  # optional: the draft it concerns, checked

    def is_record(self) -> bool:
        """Whether this claims to be an art. 57 record (then every rule of one applies)."""
        return self.chair is not None or bool(self.views) or bool(self.conclusion)


class CoordinationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outcome: Literal["uphold_review", "reconsider", "terminate"]
    reasoning: str = Field(min_length=1, max_length=20_000)
    collective_discussion: CollectiveDiscussionIn | None = None


class StandaloneDiscussionIn(CollectiveDiscussionIn):
    """``POST /cases/{id}/collective-discussion``: always checked as a full art. 57 record (chair, views and
    conclusion required: ``coordination.discussion_records.record_discussion`` names what is missing)."""


class ComplexityIn(BaseModel):
    """``POST /cases/{id}/complexity``: the review body or the head finds the case 情节复杂 (art. 57)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=5_000)
