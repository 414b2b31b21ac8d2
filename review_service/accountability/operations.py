"""Verbs of accountability: open an inquiry (on revoke), record a finding per person, close with a record.

Each writes its audit event in the caller's transaction and never commits (STYLE.md).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.accountability.grounds import GROUND_LABELS
from review_service.accountability.models import Finding, Inquiry, InquiryReason
from review_service.accountability.queries import ChainEntry, annotated_chain, chain_people, responsibility_chain
from review_service.accountability.record import record_context
from review_service.accountability.schemas import CloseInquiryIn, DecideFindingIn, FindingIn, GroundsIn
from review_service.cases.models import Case
from review_service.cases.queries import visible_case
from review_service.cases.schemas import parse_input
from review_service.core import signals
from review_service.core.actions import Action
from review_service.core.clock import utcnow
from review_service.core.errors import Conflict, Forbidden, Invalid, NotFound
from review_service.documents.operations import issue_document
from review_service.organization.models import ROLE_LABELS, User
from review_service.organization.settings import agency_settings

log = logging.getLogger(__name__)


def _emit(session: Session, action: Action, case: Case, actor: User | None, payload: dict[str, Any]) -> None:
    signals.emit(action, session=session, actor=actor, role="auditor" if actor is not None else "system",
                 agency_id=case.agency_id, case_id=case.id, payload=payload)


def open_inquiry(session: Session, *, case_id: int, reason: str, grounds: list[str] | None = None,
                 actor: User | None = None) -> Inquiry:
    """Open the accountability inquiry of a case whose decision was revoked (sent by ``decision_revoked``).

    ``grounds`` are the revocation's (several allowed; none when the registration named none: the inquiry
    then shows that gap and takes no finding until the auditor records them). Idempotent per case: while an
    inquiry is open, another revocation notice returns it unchanged.
    """
    if reason not in {r.value for r in InquiryReason}:
        raise Invalid("撤销原因不明。", fields={"reason": "应为 " + "、".join(r.value for r in InquiryReason)})
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("案件不存在或不在您的权限范围内。")
    existing = session.scalars(select(Inquiry).where(Inquiry.case_id == case_id, Inquiry.status == "open")).first()
    if existing is not None:
        return existing
    known = [g for g in GROUND_LABELS if g in set(grounds or [])]
    inquiry = Inquiry(case_id=case.id, agency_id=case.agency_id, reason=reason, status="open", opened_at=utcnow(),
                      conclusion="", grounds=known)
    session.add(inquiry)
    session.flush()
    _emit(session, Action.INQUIRY_OPENED, case, actor, {"inquiry_id": inquiry.id, "reason": reason, "grounds": known})
    return inquiry


def decider_role(case: Case) -> str:
    """The role that decides findings: the agency setting ``accountability_decider`` (default ``head``, the
    agency head, 118号 (十四): the auditor proposes, the agency decides)."""
    return agency_settings(case.agency).accountability_decider


def require_reader(actor: User, case: Case | None = None) -> None:
    """The chain and the inquiry are read by auditors, the agency's heads and the configured decider; the admin
    may not (三权分立)."""
    decider = decider_role(case) if case is not None else "head"
    if not (actor.has_role("auditor") or actor.has_role("head") or actor.has_role(decider)):
        raise Forbidden(f"此操作需要“{ROLE_LABELS['auditor']}”角色。", rule="role", role="auditor")


def _open_inquiry_of(session: Session, case: Case) -> Inquiry:
    inquiry = session.scalars(select(Inquiry).where(Inquiry.case_id == case.id).order_by(Inquiry.id.desc())
                              .limit(1).with_for_update()).first()
    if inquiry is None:
        raise NotFound("本案没有责任追究调查（决定未被撤销）。")
    if not inquiry.is_open:
        raise Conflict("本案的责任追究调查已经结束。", inquiry_id=str(inquiry.id))
    return inquiry


def _auditor_inquiry(session: Session, actor: User, case_id: int) -> tuple[Case, Inquiry]:
    """The case (in the auditor's scope) and its open inquiry, locked."""
    if not actor.active or not actor.has_role("auditor"):
        raise Forbidden(f"此操作需要“{ROLE_LABELS['auditor']}”角色。", rule="role", role="auditor")
    case = visible_case(session, actor, case_id)
    return case, _open_inquiry_of(session, case)


def _require_grounds(inquiry: Inquiry) -> None:
    if not inquiry.grounds:
        raise Invalid("撤销（确认违法、责令重作）决定的理由尚未登记，不能认定责任。",
                      fields={"grounds": "请先登记撤销理由（事实不清、证据不足等）"})


def record_grounds(session: Session, *, actor: User, case_id: int, data: Any) -> Inquiry:
    """The auditor records the revocation's grounds when the registration named none (old API clients), or
    corrects them before any finding is decided."""
    case, inquiry = _auditor_inquiry(session, actor, case_id)
    grounds_in = parse_input(GroundsIn, data)
    decided = session.scalar(select(Finding.id).where(Finding.inquiry_id == inquiry.id,
                                                      Finding.status == "decided").limit(1))
    if decided is not None:
        raise Conflict("已有认定经决定，不能再更改撤销理由。", inquiry_id=str(inquiry.id))
    previous = list(inquiry.grounds or [])
    inquiry.grounds = [g for g in GROUND_LABELS if g in set(grounds_in.grounds)]
    session.flush()
    _emit(session, Action.INQUIRY_GROUNDS_RECORDED, case, actor,
          {"inquiry_id": inquiry.id, "grounds": inquiry.grounds, "replaces": previous})
    return inquiry


def _person_grounds(session: Session, case: Case, inquiry: Inquiry, user_id: int) -> set[str]:
    chain = annotated_chain(session, case.id, inquiry)
    return {item["ground"] for entry in chain if entry.user and entry.user.get("id") == str(user_id)
            for item in entry.grounds}


def _checked(finding_in: FindingIn, inquiry: Inquiry, mapped: set[str]) -> tuple[str, str, list[str], str]:
    """(finding, responsibility, grounds, sanction) of a proposal, old payloads completed (schemas.FindingIn)."""
    responsibility = finding_in.responsibility or (
        None if finding_in.finding is None else "none" if finding_in.finding == "no_fault" else "direct")
    if responsibility is None:
        raise Invalid("请认定责任。", fields={"responsibility": "应为 direct、leadership 或 none"})
    finding = finding_in.finding or ("no_fault" if responsibility == "none" else None)
    if finding is None:
        raise Invalid("请认定过错性质。", fields={"finding": "有责任的，应认定滥用职权、玩忽职守或徇私枉法"})
    if (finding == "no_fault") != (responsibility == "none"):
        raise Invalid("过错性质与责任认定不一致。", fields={"finding": "无过错即无责任，有责任即有过错"})
    grounds = list(finding_in.grounds) if finding_in.grounds is not None else sorted(mapped, key=list(
        GROUND_LABELS).index)
    if set(grounds) - set(inquiry.grounds or []):
        raise Invalid("所列理由不是本案撤销决定的理由。", fields={"grounds": "应为撤销决定所载理由之一"})
    if responsibility != "none" and not grounds:
        raise Invalid("认定有责任的，应当写明所涉撤销理由。", fields={"grounds": "请选择该人员所涉的撤销理由"})
    sanction = finding_in.sanction or "none"
    if (responsibility == "none" or finding_in.exemption) and sanction != "none":
        raise Invalid("无责任或者符合免责情形的，不予追究。", fields={"sanction": "应为 none（不予追究）"})
    if responsibility != "none" and not finding_in.exemption and sanction == "none":
        raise Invalid("认定有责任且无免责情形的，应当提出处理意见。", fields={"sanction": "请选择处理方式"})
    return finding, responsibility, [g for g in GROUND_LABELS if g in grounds], sanction


def record_finding(session: Session, *, actor: User, case_id: int, data: Any) -> Finding:
    """The auditor PROPOSES the finding on one person of the chain: the grounds they answer for, the
    responsibility (直接责任 / 领导责任 / 无责任), an exemption, the sanction, the nature of the fault and the
    reasons. The configured decider decides it (:func:`decide_finding`); never the auditor alone.

    Proposing again for the same person while the inquiry is open replaces the proposal and clears its
    decision (the audit trail keeps both).
    """
    case, inquiry = _auditor_inquiry(session, actor, case_id)
    finding_in = parse_input(FindingIn, data)
    _require_grounds(inquiry)
    people = chain_people(responsibility_chain(session, case.id))
    if finding_in.user_id not in people:
        raise Invalid("该人员未在本案的责任链中。", fields={"user_id": "不是本案的经办人员"})
    finding, responsibility, grounds, sanction = _checked(
        finding_in, inquiry, _person_grounds(session, case, inquiry, finding_in.user_id))
    row = session.scalars(select(Finding).where(Finding.inquiry_id == inquiry.id,
                                                Finding.user_id == finding_in.user_id)).first()
    previous = None if row is None else row.finding
    if row is None:
        row = Finding(inquiry_id=inquiry.id, user_id=finding_in.user_id)
        session.add(row)
    row.finding, row.reasons, row.recorded_by, row.recorded_at = finding, finding_in.reasons, actor.id, utcnow()
    row.grounds, row.responsibility, row.exemption, row.sanction = grounds, responsibility, finding_in.exemption, \
        sanction
    row.status, row.decided_by, row.decided_at, row.decision_note = "proposed", None, None, ""
    session.flush()
    _emit(session, Action.FINDING_RECORDED, case, actor,
          {"inquiry_id": inquiry.id, "user_id": finding_in.user_id, "finding": finding,
           "reasons": finding_in.reasons, "replaces": previous, "grounds": grounds, "responsibility": responsibility,
           "exemption": finding_in.exemption, "sanction": sanction, "status": "proposed"})
    return row


def decide_finding(session: Session, *, actor: User, case_id: int, data: Any) -> Finding:
    """The decider (agency setting ``accountability_decider``, default the agency head) confirms the auditor's
    proposed finding on one person, or returns it with a reason. Neither the proposer (the auditor does not
    decide alone) nor the person found on (回避) may decide it."""
    case = visible_case(session, actor, case_id)
    role = decider_role(case)
    if not actor.active or not actor.has_role(role):
        raise Forbidden(f"认定由“{ROLE_LABELS.get(role, role)}”决定。", rule="role", role=role)
    inquiry = _open_inquiry_of(session, case)
    decide_in = parse_input(DecideFindingIn, data)
    _require_grounds(inquiry)
    row = session.scalars(select(Finding).where(Finding.inquiry_id == inquiry.id,
                                                Finding.user_id == decide_in.user_id).with_for_update()).first()
    if row is None or row.status != "proposed":
        raise Conflict("该人员没有待决定的认定。", status=None if row is None else row.status)
    if row.recorded_by == actor.id:
        raise Forbidden("提出认定的人员不能决定该认定。", rule="separation_of_duties")
    if row.user_id == actor.id:
        raise Forbidden("对本人的认定应当回避。", rule="recusal")
    if decide_in.decision == "return" and not decide_in.note:
        raise Invalid("退回的，应当说明理由。", fields={"note": "请写明退回理由"})
    row.status = "decided" if decide_in.decision == "confirm" else "returned"
    row.decided_by, row.decided_at, row.decision_note = actor.id, utcnow(), decide_in.note
    session.flush()
    signals.emit(Action.FINDING_DECIDED if row.status == "decided" else Action.FINDING_RETURNED, session=session,
                 actor=actor, role=role, agency_id=case.agency_id, case_id=case.id,
                 payload={"inquiry_id": inquiry.id, "user_id": row.user_id, "finding": row.finding,
                          "responsibility": row.responsibility, "sanction": row.sanction, "note": decide_in.note})
    return row


def close_inquiry(session: Session, *, actor: User, case_id: int, data: Any) -> Inquiry:
    """Close the inquiry once every person of the chain has a DECIDED finding; render the accountability record.

    The record (``.docx``, kind ``accountability``) is issued through the documents domain; its hash is kept on
    the inquiry. A closed inquiry, a decided finding on each person, counts for indicator (112).
    """
    case, inquiry = _auditor_inquiry(session, actor, case_id)
    close_in = parse_input(CloseInquiryIn, data)
    _require_grounds(inquiry)
    chain = annotated_chain(session, case.id, inquiry)
    people = chain_people(chain)
    findings = {f.user_id: f for f in session.scalars(select(Finding).where(Finding.inquiry_id == inquiry.id))}
    missing = [person for user_id, person in people.items()
               if user_id not in findings or findings[user_id].status != "decided"]
    if missing:
        raise Invalid("责任链中尚有人员未作认定或认定尚未决定。",
                      fields={"findings": "每名经办人员都须有经决定的认定"},
                      missing=[{"id": p["id"], "name": p["name"],
                                "status": findings[int(p["id"])].status if int(p["id"]) in findings else None}
                               for p in missing])
    inquiry.status, inquiry.closed_at, inquiry.closed_by = "closed", utcnow(), actor.id
    inquiry.conclusion = close_in.conclusion
    session.flush()
    inquiry.document_sha256 = _render_record(session, case, inquiry, chain, findings, people, actor)
    session.flush()
    _emit(session, Action.INQUIRY_CLOSED, case, actor,
          {"inquiry_id": inquiry.id, "findings": {str(k): f.finding for k, f in sorted(findings.items())},
           "document_sha256": inquiry.document_sha256})
    return inquiry


def _render_record(session: Session, case: Case, inquiry: Inquiry, chain: list[ChainEntry],
                   findings: dict[int, Finding], people: dict[int, dict[str, Any]], actor: User) -> str | None:
    """Issue the accountability record (the documents domain, a sibling of this one); its SHA-256."""
    document = issue_document(session, case=case, kind="accountability", round=inquiry.id,
                              context=record_context(session, case, inquiry, chain, findings, people, actor),
                              actor=actor)
    return str(document.sha256)
