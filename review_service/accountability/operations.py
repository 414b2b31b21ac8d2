"""Verbs of accountability: open an inquiry (on revoke), record a finding per person, close with a record.

Each writes its audit event in the caller's transaction and never commits (STYLE.md).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.accountability.models import FINDING_LABELS, REASON_LABELS, Finding, Inquiry, InquiryReason
from review_service.accountability.queries import (
    ACT_LABELS,
    ROLE_NAMES,
    STAGE_LABELS,
    ChainEntry,
    chain_people,
    responsibility_chain,
)
from review_service.accountability.schemas import CloseInquiryIn, FindingIn
from review_service.audit.queries import case_events
from review_service.cases.models import Case
from review_service.cases.queries import visible_case
from review_service.cases.schemas import parse_input
from review_service.core import signals
from review_service.core.actions import Action
from review_service.core.clock import utcnow
from review_service.core.dates import chinese_datetime, iso_days_in_words
from review_service.core.errors import Conflict, Forbidden, Invalid, NotFound
from review_service.decisions.models import Decision
from review_service.documents.context import accountability_context
from review_service.documents.operations import issue_document
from review_service.organization.models import ROLE_LABELS, User

log = logging.getLogger(__name__)


def _emit(session: Session, action: Action, case: Case, actor: User | None, payload: dict[str, Any]) -> None:
    signals.emit(action, session=session, actor=actor, role="auditor" if actor is not None else "system",
                 agency_id=case.agency_id, case_id=case.id, payload=payload)


def open_inquiry(session: Session, *, case_id: int, reason: str, actor: User | None = None) -> Inquiry:
    """Open the accountability inquiry of a case whose decision was revoked (sent by ``decision_revoked``).

    Idempotent per case: while an inquiry is open, another revocation notice returns it unchanged.
    """
    if reason not in {r.value for r in InquiryReason}:
        raise Invalid("撤销原因不明。", fields={"reason": "应为 revoked、confirmed_illegal 或 ordered_remake"})
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在或不在您的权限范围内。")
    existing = session.scalars(select(Inquiry).where(Inquiry.case_id == case_id, Inquiry.status == "open")).first()
    if existing is not None:
        return existing
    inquiry = Inquiry(case_id=case.id, agency_id=case.agency_id, reason=reason, status="open", opened_at=utcnow(),
                      conclusion="")
    session.add(inquiry)
    session.flush()
    _emit(session, Action.INQUIRY_OPENED, case, actor, {"inquiry_id": inquiry.id, "reason": reason})
    return inquiry


def require_reader(actor: User) -> None:
    """The chain and the inquiry are read by auditors and the agency's heads; the admin may not (三权分立)."""
    if not (actor.has_role("auditor") or actor.has_role("head")):
        raise Forbidden(f"此操作需要“{ROLE_LABELS['auditor']}”角色。", rule="role", role="auditor")


def _auditor_inquiry(session: Session, actor: User, case_id: int) -> tuple[Case, Inquiry]:
    """The case (in the auditor's scope) and its open inquiry, locked."""
    if not actor.active or not actor.has_role("auditor"):
        raise Forbidden(f"此操作需要“{ROLE_LABELS['auditor']}”角色。", rule="role", role="auditor")
    case = visible_case(session, actor, case_id)
    inquiry = session.scalars(select(Inquiry).where(Inquiry.case_id == case.id).order_by(Inquiry.id.desc())
                              .limit(1).with_for_update()).first()
    if inquiry is None:
        raise NotFound("本案没有责任追究调查（决定未被撤销）。")
    if not inquiry.is_open:
        raise Conflict("本案的责任追究调查已经结束。", inquiry_id=str(inquiry.id))
    return case, inquiry


def record_finding(session: Session, *, actor: User, case_id: int, data: Any) -> Finding:
    """The auditor's finding on one person of the chain (滥用职权 / 玩忽职守 / 徇私枉法 / 无过错), with reasons.

    Recording again for the same person while the inquiry is open replaces the finding (the audit
    trail keeps both).
    """
    case, inquiry = _auditor_inquiry(session, actor, case_id)
    finding_in = parse_input(FindingIn, data)
    people = chain_people(responsibility_chain(session, case.id))
    if finding_in.user_id not in people:
        raise Invalid("该人员未在本案的责任链中。", fields={"user_id": "不是本案的经办人员"})
    row = session.scalars(select(Finding).where(Finding.inquiry_id == inquiry.id,
                                                Finding.user_id == finding_in.user_id)).first()
    previous = None if row is None else row.finding
    if row is None:
        row = Finding(inquiry_id=inquiry.id, user_id=finding_in.user_id)
        session.add(row)
    row.finding, row.reasons, row.recorded_by, row.recorded_at = (finding_in.finding, finding_in.reasons, actor.id,
                                                                  utcnow())
    session.flush()
    _emit(session, Action.FINDING_RECORDED, case, actor,
          {"inquiry_id": inquiry.id, "user_id": finding_in.user_id, "finding": finding_in.finding,
           "reasons": finding_in.reasons, "replaces": previous})
    return row


def close_inquiry(session: Session, *, actor: User, case_id: int, data: Any) -> Inquiry:
    """Close the inquiry once every person of the chain has a finding; render the accountability record.

    The record (``.docx``, kind ``accountability``) is issued through the documents domain when it
    is installed; its hash is kept on the inquiry. A closed inquiry counts for indicator (112).
    """
    case, inquiry = _auditor_inquiry(session, actor, case_id)
    close_in = parse_input(CloseInquiryIn, data)
    chain = responsibility_chain(session, case.id)
    people = chain_people(chain)
    findings = {f.user_id: f for f in session.scalars(select(Finding).where(Finding.inquiry_id == inquiry.id))}
    missing = [person for user_id, person in people.items() if user_id not in findings]
    if missing:
        raise Invalid("责任链中尚有人员未作认定。", fields={"findings": "每名经办人员都须有认定结论"},
                      missing=[{"id": p["id"], "name": p["name"]} for p in missing])
    inquiry.status, inquiry.closed_at, inquiry.closed_by = "closed", utcnow(), actor.id
    inquiry.conclusion = close_in.conclusion
    session.flush()
    inquiry.document_sha256 = _render_record(session, case, inquiry, chain, findings, people, actor)
    session.flush()
    _emit(session, Action.INQUIRY_CLOSED, case, actor,
          {"inquiry_id": inquiry.id, "findings": {str(k): f.finding for k, f in sorted(findings.items())},
           "document_sha256": inquiry.document_sha256})
    return inquiry


def _revocation(session: Session, case_id: int) -> dict[str, Any]:
    """The revoking authority and date, from the revocation's audit event (its payload names them)."""
    for event in reversed(case_events(session, case_id)):
        if event.action == Action.DECISION_REVOKED:
            payload = json.loads(event.payload)
            return {"authority": str(payload.get("authority") or ""),
                    "date": iso_days_in_words(str(payload.get("date") or ""))}
    return {"authority": "", "date": ""}


def record_context(session: Session, case: Case, inquiry: Inquiry, chain: list[ChainEntry],
                   findings: dict[int, Finding], people: dict[int, dict[str, Any]], actor: User) -> dict[str, Any]:
    """What the accountability record says: the decision, the reason, the chain, each person's finding."""
    decision = session.scalars(select(Decision).where(Decision.case_id == case.id)).first()
    roles: dict[int, list[str]] = {}
    for entry in chain:
        if entry.user and entry.user.get("id"):
            found = roles.setdefault(int(entry.user["id"]), [])
            if entry.role not in found:
                found.append(entry.role)
    return accountability_context(
        decision_number=decision.number if decision is not None else "",
        inquiry={"reason": inquiry.reason, "reason_label": REASON_LABELS.get(inquiry.reason, inquiry.reason),
                 "opened_at": chinese_datetime(inquiry.opened_at) if inquiry.opened_at else "",
                 **_revocation(session, case.id)},
        # the record in words throughout: stage and act by name, times as 2026年12月7日 14:05 (issue 18)
        chain=[{**entry.as_dict(), "stage": STAGE_LABELS.get(entry.stage, entry.stage),
                "action": ACT_LABELS.get(entry.action, entry.action), "role": ROLE_NAMES.get(entry.role, entry.role),
                "at": chinese_datetime(datetime.fromisoformat(entry.at)) if entry.at else "",
                "statement": iso_days_in_words(entry.statement or "")} for entry in chain],
        findings=[{"user": people[user_id], "role": "、".join(ROLE_NAMES.get(r, r) for r in roles.get(user_id, [])),
                   "finding": f.finding, "finding_label": FINDING_LABELS[f.finding], "reasoning": f.reasons}
                  for user_id, f in sorted(findings.items()) if user_id in people],
        conclusion=inquiry.conclusion, auditor=actor.name,
        inquiry_body=f"本案决定{REASON_LABELS.get(inquiry.reason, inquiry.reason)}，依法对经办人员逐一调查认定如下。",
    )


def _render_record(session: Session, case: Case, inquiry: Inquiry, chain: list[ChainEntry],
                   findings: dict[int, Finding], people: dict[int, dict[str, Any]], actor: User) -> str | None:
    """Issue the accountability record (the documents domain, a sibling of this one); its SHA-256."""
    document = issue_document(session, case=case, kind="accountability", round=inquiry.id,
                              context=record_context(session, case, inquiry, chain, findings, people, actor),
                              actor=actor)
    return str(document.sha256)
