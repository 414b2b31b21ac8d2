"""Payloads of the process paths that leave the ordinary course: withdrawal, termination and transfer.

No ``from __future__ import annotations``: see :mod:`review_service.core.payloads`.
"""

from typing import TypedDict


class SubmissionWithdrawn(TypedDict):
    withdrawal_id: int
    submission_id: int
    round: int
    at_task: str | None
    reason: str
    status: str


class TerminationRequested(TypedDict):
    request_id: int
    reason_code: str
    reason_label: str
    reason: str
    at_task: str | None
    status: str


class TerminationDecided(TypedDict):
    """``case_terminated`` and ``termination_refused``."""

    request_id: int
    decision_id: int
    reason_code: str
    comment: str
    end_event: str | None
    status: str


class CaseTransferred(TypedDict):
    transfer_id: int
    source: str
    round: int
    receiving_organ: str
    transferred_on: str
    file_number: str
    reason: str
    status: str


class TransferDeclined(TypedDict):
    transfer_id: int
    round: int
    reason: str
    status: str
