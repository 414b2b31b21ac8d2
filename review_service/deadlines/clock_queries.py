"""Reading the clocks of one case: the art. 60 limit with its extensions and excluded periods, every pause
(中止, requests for materials) as a dated list, a pending review extension, a publicity exemption, and the
reviewer's requests for materials during the review.

For ``GET /api/v1/cases/{id}/clocks`` and the case page's deadlines panel.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from review_service.audit.models import AuditEvent
from review_service.core.actions import Action
from review_service.core.clock import beijing_today, iso
from review_service.deadlines.decision_limit import DecisionLimit, decision_limit_of, excluded_of, extensions_of
from review_service.deadlines.models import (
    EXCLUDED_KINDS,
    EXTENSION_REASONS,
    PAUSE_CAUSES,
    MaterialsRequest,
    ReviewExtensionRequest,
)
from review_service.deadlines.pauses import case_pauses, pause_view
from review_service.organization.settings import MATERIAL_KIND_LABELS

_EXEMPTION = (select(AuditEvent.payload)
              .where(AuditEvent.case_id == bindparam("case_id"), AuditEvent.action == Action.PUBLICATION_EXEMPTED)
              .order_by(AuditEvent.seq.desc()).limit(1))
_MATERIALS = (select(MaterialsRequest).where(MaterialsRequest.case_id == bindparam("case_id"))
              .order_by(MaterialsRequest.id))
_REQUESTS = (select(ReviewExtensionRequest).where(ReviewExtensionRequest.case_id == bindparam("case_id"))
             .order_by(ReviewExtensionRequest.id))


def limit_view(limit: DecisionLimit | None, today: date) -> dict[str, Any] | None:
    """The art. 60 limit as the API shows it: the date, days left (calendar days), overdue, paused."""
    if limit is None:
        return None
    left = limit.days_left(today)
    return {"filed_on": limit.filed_on.isoformat(), "days": limit.base_days,
            "extension_days": list(limit.extension_days), "excluded_days": limit.excluded_days,
            "due_date": limit.limit_on.isoformat(), "days_left": left, "overdue": left < 0 and not limit.paused,
            "paused": limit.paused}


def publicity_exemption_of(session: Session, case_id: int) -> dict[str, Any] | None:
    """The recorded exemption from publication (``publication_exempted``), if any."""
    payload = session.scalar(_EXEMPTION, {"case_id": case_id})
    return json.loads(payload) if payload else None


def clocks_view(session: Session, case: Any, today: date | None = None) -> dict[str, Any]:
    """Every clock fact of the case beside its deadlines (API: ``GET /cases/{id}/clocks``)."""
    today = today or beijing_today()
    requests = list(session.scalars(_REQUESTS, {"case_id": case.id}))
    return {
        "decision_limit": limit_view(decision_limit_of(session, case, today), today),
        "limit_extensions": [
            {"seq": e.seq, "days": e.days, "reason": e.reason, "approval": e.approval, "approver": e.approver,
             "approval_document": e.approval_document, "approved_on": e.approved_on.isoformat()}
            for e in extensions_of(session, case.id)],
        "excluded_periods": [
            {"id": str(p.id), "kind": p.kind, "kind_label": EXCLUDED_KINDS.get(p.kind, p.kind),
             "start_on": p.start_on.isoformat(), "end_on": p.end_on.isoformat(),
             "days": (p.end_on - p.start_on).days + 1, "note": p.note} for p in excluded_of(session, case.id)],
        "pauses": [{**pause_view(p), "id": str(p.id), "cause_label": PAUSE_CAUSES.get(p.cause, p.cause)}
                   for p in case_pauses(session, case.id)],
        "review_extension_requests": [
            {"id": str(r.id), "days": r.days, "reason_code": r.reason_code,
             "reason_label": EXTENSION_REASONS.get(r.reason_code, r.reason_code), "reason": r.reason,
             "requested_role": r.requested_role, "requested_at": iso(r.requested_at),
             "approved": r.approved, "decided_at": iso(r.decided_at) if r.decided_at else None,
             "comment": r.comment} for r in requests],
        "publicity_exemption": publicity_exemption_of(session, case.id),
        "materials_requests": [materials_request_view(r) for r in session.scalars(_MATERIALS, {"case_id": case.id})],
    }


def materials_request_view(request: MaterialsRequest) -> dict[str, Any]:
    """A reviewer's request for materials during the review, and how it ended (answered, lapsed, or open)."""
    return {"id": str(request.id), "round": request.round, "requested_by": str(request.requested_by),
            "requested_at": iso(request.requested_at), "kinds": request.kinds,
            "kind_labels": [MATERIAL_KIND_LABELS.get(k, k) for k in request.kinds], "note": request.note,
            "outcome": request.outcome, "closed_at": iso(request.closed_at) if request.closed_at else None,
            "answer": request.answer, "material_ids": [str(m) for m in request.material_ids],
            "pause_id": str(request.pause_id) if request.pause_id else None}
