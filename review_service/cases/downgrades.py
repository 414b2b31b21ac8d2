"""Confirmed downgrades: the only way a case once major leaves the gate (DESIGN.md §4.1).

The handling unit asks, with its reasons, while the case is back at drafting and
the catalog finds the current draft not major; the review lead of the agency (who
did not handle the case) confirms or refuses, with reasons. A confirmation covers
exactly that draft version: any later edit puts the case under the gate again.
Both steps are records and audit events; the case page and indicator (108) show them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from review_service.cases.classification import latest_classification
from review_service.cases.flow import CaseFlow, lock_case
from review_service.cases.gate import ever_major
from review_service.cases.models import Case, DowngradeDecision, DowngradeRequest
from review_service.cases.ownership import require_case_handler
from review_service.cases.participants import participants
from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.core.clock import iso, utcnow
from review_service.core.errors import Conflict, Invalid
from review_service.core.permissions import require_not_in, require_role
from review_service.organization.models import User

MAX_REASONS = 5_000

_PENDING = (
    select(DowngradeRequest)
    .outerjoin(DowngradeDecision, DowngradeDecision.request_id == DowngradeRequest.id)
    .where(DowngradeRequest.case_id == bindparam("case_id"), DowngradeDecision.id.is_(None))
    .order_by(DowngradeRequest.id.desc())
)


def pending_request(session: Session, case_id: int) -> DowngradeRequest | None:
    """The case's downgrade request that awaits the review lead, if any."""
    return session.scalars(_PENDING, {"case_id": case_id}).first()


def _reasons(text: str) -> str:
    reasons = (text or "").strip()
    if not reasons:
        raise Invalid("请写明理由。", fields={"reasons": "必填"})
    if len(reasons) > MAX_REASONS:
        raise Invalid("理由过长。", fields={"reasons": f"不超过 {MAX_REASONS} 字"})
    return reasons


def _emit(session: Session, action: Action, case: Case, actor: User, role: str, payload: dict[str, Any]) -> None:
    signals.emit(action, session=session, actor=actor, role=role, agency_id=case.agency_id, case_id=case.id,
                 payload=payload)


def _touch(case: Case) -> None:
    case.version += 1
    case.updated_at = utcnow()


def request_downgrade(session: Session, *, actor: User, case_id: int, reasons: str,
                      expected_version: int | None = None) -> DowngradeRequest:
    """The handler asks the review body to confirm that the current draft is no longer major."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_role(actor, "handler")
    require_not_in(actor, participants(session, case).reviewers, "本案的审核人员不能申请降级。")
    require_case_handler(session, actor, case)
    CaseFlow(session, case).require_task("draft")
    text = _reasons(reasons)
    draft = case.current_draft
    assert draft is not None
    if not ever_major(session, case):
        raise Invalid("本案从未按重大执法决定报送，无需确认降级。", fields={"case": "未曾按重大报送"})
    classification = latest_classification(session, case)
    if classification is None or classification.draft_version_id != draft.id or classification.major:
        raise Invalid("目录清单仍认定当前草稿为重大执法决定，不能申请降级。",
                      fields={"draft": "当前草稿仍属重大执法决定"})
    if pending_request(session, case.id) is not None:
        raise Conflict("已有降级申请等待法制审核机构负责人确认。", actual_version=case.version)
    request = tx.record(session, DowngradeRequest(
        case_id=case.id, draft_version_id=draft.id, draft_sha256=draft.sha256, classification_id=classification.id,
        reasons=text, requested_by=actor.id))
    _touch(case)
    _emit(session, Action.DOWNGRADE_REQUESTED, case, actor, "handler",
          {"request_id": request.id, "draft_version": draft.version, "draft_sha256": draft.sha256,
           "classification_id": classification.id, "reasons": text})
    return request


def decide_downgrade(session: Session, *, actor: User, case_id: int, confirm: bool, reasons: str,
                     expected_version: int | None = None) -> DowngradeDecision:
    """The review lead confirms (the draft leaves the gate) or refuses the pending downgrade request."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_role(actor, "review_lead")
    require_not_in(actor, participants(session, case).handlers, "承办本案的人员不能确认本案降级。")
    text = _reasons(reasons)
    request = pending_request(session, case.id)
    if request is None:
        raise Conflict("本案没有等待确认的降级申请。", actual_version=case.version)
    draft = case.current_draft
    assert draft is not None
    if request.draft_version_id != draft.id or case.current_task != "draft":
        raise Conflict("申请降级后草稿或环节已变化，该申请不再适用，请承办人员重新申请。",
                       actual_version=case.version)
    decision = tx.record(session, DowngradeDecision(
        request_id=request.id, case_id=case.id, draft_version_id=draft.id, confirmed=confirm, reasons=text,
        decided_by=actor.id))
    _touch(case)  # ``case.major`` stays true: a case once major counts as major (indicator 108) for good
    _emit(session, Action.DOWNGRADE_CONFIRMED if confirm else Action.DOWNGRADE_REFUSED, case, actor, "review_lead",
          {"request_id": request.id, "decision_id": decision.id, "draft_version": draft.version,
           "draft_sha256": draft.sha256, "reasons": text})
    return decision


def downgrade_history(session: Session, case_id: int) -> list[dict[str, Any]]:
    """Every request of the case with its answer, oldest first (the case page and the API)."""
    rows = session.execute(
        select(DowngradeRequest, DowngradeDecision)
        .outerjoin(DowngradeDecision, DowngradeDecision.request_id == DowngradeRequest.id)
        .where(DowngradeRequest.case_id == case_id).order_by(DowngradeRequest.id)
    )
    return [{"request": request, "decision": decision} for request, decision in rows]


def gate_view(case_id: int, *, ever_major: bool, under_review_gate: bool, downgrades: list[tuple[Any, Any]],
              splits: list[Any]) -> dict[str, Any]:
    """What the case page and ``GET /cases/{id}`` show of the gate: history, downgrades, possible splits.

    ``downgrades``: each request with its decision or None, oldest first; ``splits``: the case's
    :class:`PossibleSplit` flags, either side of the pair (both read by ``case_view.read``).
    """
    return {
        "ever_major": ever_major,
        "under_review_gate": under_review_gate,
        "downgrades": [
            {"request_id": str(request.id), "draft_sha256": request.draft_sha256,
             "reasons": request.reasons, "requested_by": str(request.requested_by),
             "requested_at": iso(request.requested_at),
             "decision": None if decision is None else {
                 "confirmed": decision.confirmed, "reasons": decision.reasons,
                 "decided_by": str(decision.decided_by), "decided_at": iso(decision.decided_at)}}
            for request, decision in downgrades
        ],
        "possible_splits": [
            {"case_id": str(flag.related_case_id if flag.case_id == case_id else flag.case_id),
             "counterparty": flag.basis.get("counterparty"), "legal_basis": flag.basis.get("legal_basis"),
             "flagged_at": iso(flag.flagged_at)}
            for flag in splits
        ],
    }


def downgrade_tasks(session: Session, actor: User) -> list[dict[str, Any]]:
    """The review lead's to-do items: downgrade requests of the agency that await an answer."""
    rows = session.execute(
        select(DowngradeRequest.id, Case.id.label("case_id"), Case.title, Case.status)
        .join(Case, Case.id == DowngradeRequest.case_id)
        .outerjoin(DowngradeDecision, DowngradeDecision.request_id == DowngradeRequest.id)
        .where(Case.agency_id == actor.agency_id, DowngradeDecision.id.is_(None), Case.handler_id != actor.id)
        .order_by(DowngradeRequest.id)
    )
    return [{"id": f"downgrade-{row.id}", "case_id": str(row.case_id), "kind": "downgrade", "title": row.title,
             "status": row.status, "due_date": None, "overdue": False, "provisional": False} for row in rows]
