"""The records of the paths (``review_service.paths``) as ``.docx``: 终止决定审批记录 and 涉嫌犯罪案件移送记录.

Issued by :mod:`review_service.documents.receivers` when the paths send ``termination_approved`` and
``case_transferred`` (:mod:`review_service.core.signals.paths`).

Context names (besides the case context of :func:`~review_service.documents.context.case_context`):

- ``termination``: ``reason_code``, ``reason_label``, ``reason``, ``requested_by``, ``requested_at``,
  ``head``, ``comment``, ``decided_at``
- ``transfer``: ``source``, ``source_label``, ``receiving_organ``, ``transferred_on``, ``file_number``,
  ``reason``, ``head``, ``decided_at``
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from review_service.cases.models import Case
from review_service.core.clock import utcnow
from review_service.documents import context as contexts
from review_service.documents.models import Document
from review_service.documents.operations import issue_document
from review_service.paths.models import (
    TERMINATION_REASONS,
    TRANSFER_SOURCES,
    TerminationDecision,
    TerminationRequest,
    Transfer,
)


def termination_context(session: Session, case: Case, request: TerminationRequest,
                        decision: TerminationDecision) -> dict[str, Any]:
    return {
        **contexts.case_context(session, case, kind="termination", round=case.round),
        "reason_code": request.reason_code, "reason_label": TERMINATION_REASONS[request.reason_code],
        "reason": request.reason, "requested_by": contexts._name(session, request.requested_by),
        "requested_at": contexts.chinese_date(request.requested_at or utcnow()),
        "head": contexts._name(session, decision.head_id), "comment": decision.comment,
        "decided_at": contexts.chinese_date(decision.decided_at or utcnow()),
        "signatures": [contexts.signature("审批人", contexts._name(session, decision.head_id))],
    }


def transfer_context(session: Session, case: Case, transfer: Transfer) -> dict[str, Any]:
    assert transfer.transferred_on is not None
    return {
        **contexts.case_context(session, case, kind="transfer", round=case.round),
        "source": transfer.source, "source_label": TRANSFER_SOURCES[transfer.source],
        "receiving_organ": transfer.receiving_organ,
        "transferred_on": contexts.chinese_date_of(transfer.transferred_on),
        "file_number": transfer.file_number, "reason": transfer.reason,
        "head": contexts._name(session, transfer.head_id),
        "decided_at": contexts.chinese_date(transfer.decided_at or utcnow()),
        "signatures": [contexts.signature("决定人", contexts._name(session, transfer.head_id))],
    }


def issue_termination(session: Session, *, case: Case, request: TerminationRequest, decision: TerminationDecision,
                      actor: Any) -> Document:
    """The 终止决定审批记录 (on ``termination_approved``: ``decide_termination`` when the head approves)."""
    return issue_document(session, case=case, kind="termination", round=case.round,
                          context=termination_context(session, case, request, decision), actor=actor, role="head")


def issue_transfer(session: Session, *, case: Case, transfer: Transfer, actor: Any) -> Document:
    """The 涉嫌犯罪案件移送记录 (on ``case_transferred``: ``transfer_case``)."""
    return issue_document(session, case=case, kind="transfer", round=case.round,
                          context=transfer_context(session, case, transfer), actor=actor, role="head")
