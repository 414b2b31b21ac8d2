"""Input shapes of the paths outside review (API bodies and form data alike)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from review_service.core.dates import PastDate

TerminationReason = Literal["party_died_no_heir", "legal_person_terminated", "facts_not_established",
                            "time_barred", "no_jurisdiction", "other"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WithdrawalIn(_In):
    """撤回送审: why the submission is taken back."""

    reason: str = Field(min_length=1, max_length=2000, description="撤回理由")


class TerminationRequestIn(_In):
    """申请终止: one of the legal reasons, and the facts behind it."""

    reason_code: TerminationReason = Field(description="终止事由代码（见 README：终止事由）")
    reason: str = Field(min_length=1, max_length=5000, description="具体情况说明")


class TerminationDecisionIn(_In):
    """The head approves the termination (the case ends) or refuses it (back to drafting)."""

    approve: bool
    comment: str = Field(default="", max_length=5000, description="审批意见（不予终止时必填）")


class TransferIn(_In):
    """移送司法机关 (行政处罚法 art. 27): to whom, when, why, under which file number."""

    receiving_organ: str = Field(min_length=1, max_length=200, description="接收移送的司法机关")
    transferred_on: PastDate = Field(description="移送日期（北京时间，不得晚于今天）")
    reason: str = Field(min_length=1, max_length=5000, description="移送理由（涉嫌的犯罪及依据）")
    file_number: str = Field(min_length=1, max_length=100, description="移送文书文号")


class TransferDeclineIn(_In):
    """The head decides not to transfer: the case continues on the review's opinion."""

    reason: str = Field(min_length=1, max_length=5000, description="不移送的理由")
