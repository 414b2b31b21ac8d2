"""Reads of the audit log."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.audit.models import AuditEvent


def case_events(session: Session, case_id: int) -> list[AuditEvent]:
    """Every audit event of case ``case_id``, oldest first (uses the ``(case_id, seq)`` index)."""
    stmt = select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)
    return list(session.scalars(stmt))
