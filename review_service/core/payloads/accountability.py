"""Payloads of an accountability inquiry: opened, a finding on one person, closed with its record.

No ``from __future__ import annotations``: see :mod:`review_service.core.payloads`.
"""

from typing import Any, NotRequired, TypedDict


class InquiryOpened(TypedDict):
    inquiry_id: int
    reason: str
    grounds: NotRequired[list[str]]  # the revocation's grounds (none before 0022 or when it named none)


class FindingRecorded(TypedDict):
    inquiry_id: int
    user_id: int
    finding: str  # the nature: abuse_of_power / dereliction / favoritism / no_fault
    reasons: Any
    replaces: str | None
    grounds: NotRequired[list[str]]
    responsibility: NotRequired[str]  # direct / leadership / none
    exemption: NotRequired[str | None]
    sanction: NotRequired[str]
    status: NotRequired[str]  # proposed


class FindingDecided(TypedDict):
    """``finding_decided`` and ``finding_returned`` (``note``: why it was returned)."""

    inquiry_id: int
    user_id: int
    finding: str
    responsibility: str | None
    sanction: str | None
    note: str


class InquiryGroundsRecorded(TypedDict):
    inquiry_id: int
    grounds: list[str]
    replaces: list[str]


class InquiryClosed(TypedDict):
    inquiry_id: int
    findings: dict[str, str]  # user id → finding
    document_sha256: str | None
