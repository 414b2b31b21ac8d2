"""Payloads of an accountability inquiry: opened, a finding on one person, closed with its record.

No ``from __future__ import annotations``: see :mod:`review_service.core.payloads`.
"""

from typing import Any, TypedDict


class InquiryOpened(TypedDict):
    inquiry_id: int
    reason: str


class FindingRecorded(TypedDict):
    inquiry_id: int
    user_id: int
    finding: str
    reasons: Any
    replaces: str | None


class InquiryClosed(TypedDict):
    inquiry_id: int
    findings: dict[str, str]  # user id → finding
    document_sha256: str | None
