"""``/api/v1/cases/{id}/accountability``: the responsibility chain, the inquiry, the auditor's findings."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from review_service.accountability import operations as accountability_ops
from review_service.accountability.queries import accountability_view
from review_service.accountability.schemas import (
    AccountabilityOut,
    CloseInquiryIn,
    DecideFindingIn,
    FindingIn,
    GroundsIn,
)
from review_service.api.edge import Render, endpoint
from review_service.cases.queries import visible_case
from review_service.edge import json_body
from review_service.organization.models import User

WRITE_ERRORS = (400, 401, 403, 404, 409, 422)


def _view_after_commit(actor: User, case_id: int) -> Render:
    return Render(lambda session: _view(session, actor, case_id))


def _view(session: Session, actor: User, case_id: int) -> dict[str, Any]:
    case = visible_case(session, actor, case_id)
    accountability_ops.require_reader(actor, case)
    return accountability_view(session, case.id)


@endpoint("GET", "/cases/<int:case_id>/accountability", summary="责任链与责任追究调查（监督人员、机关负责人）",
          response=AccountabilityOut, errors=(401, 403, 404), roles=("auditor", "head"),
          description="Every person who acted on the case, from the audit trail and the records: stage, user, "
                      "role, action, time, the exact draft hash they saw, the documents before them and what they "
                      "said; `grounds` on each act and `people` (per person: roles, stages, the revocation's grounds "
                      "they answer for and why, suggested_responsibility); and the inquiry opened when the decision "
                      "was revoked (null when none), with its `grounds`, `grounds_missing` and each finding's "
                      "grounds, responsibility, exemption, sanction, status and decider.")
def get_accountability(session: Session, actor: User, case_id: int) -> dict[str, Any]:
    return _view(session, actor, case_id)


@endpoint("POST", "/cases/<int:case_id>/accountability/findings", summary="对责任链中的人员作出认定（监督人员）",
          body=FindingIn, response=AccountabilityOut, errors=WRITE_ERRORS, roles=("auditor",),
          description="The auditor PROPOSES: finding (the nature: abuse_of_power 滥用职权, dereliction 玩忽职守, "
                      "favoritism 徇私枉法, no_fault 无过错), reasons, and optionally grounds, responsibility "
                      "(direct 直接责任 / leadership 领导责任 / none 无责任), exemption (false_materials, "
                      "collective_decision, dissent_recorded, followed_opinion, opinion_not_adopted, superior_order, "
                      "unclear_law, force_majeure) and sanction (none, criticism, written_self_criticism, "
                      "circulated_criticism, retraining, license_suspension, license_revocation, refer_discipline). "
                      "Needs the revocation's grounds (422 `grounds` otherwise). Again for the same person while the "
                      "inquiry is open: replaces the proposal and clears its decision (both stay in the audit trail).")
def post_finding(session: Session, actor: User, case_id: int) -> Render:
    accountability_ops.record_finding(session, actor=actor, case_id=case_id, data=json_body())
    return _view_after_commit(actor, case_id)


@endpoint("POST", "/cases/<int:case_id>/accountability/decisions", summary="决定责任认定（机关负责人）",
          body=DecideFindingIn, response=AccountabilityOut, errors=WRITE_ERRORS, roles=("head",),
          description="The role the agency configures (setting accountability_decider, default head) confirms "
                      "the auditor's proposal on one person (`decision`: confirm) or returns it with a `note` "
                      "(return). The proposer may not decide (403 rule separation_of_duties), nor the person "
                      "found on (403 rule recusal); no pending proposal → 409.")
def post_decision(session: Session, actor: User, case_id: int) -> Render:
    accountability_ops.decide_finding(session, actor=actor, case_id=case_id, data=json_body())
    return _view_after_commit(actor, case_id)


@endpoint("POST", "/cases/<int:case_id>/accountability/grounds", summary="登记撤销理由（监督人员）",
          body=GroundsIn, response=AccountabilityOut, errors=WRITE_ERRORS, roles=("auditor",),
          description="When the revocation was registered without grounds (old clients): the auditor records "
                      "them from the revoking decision; refused (409) once a finding is decided.")
def post_grounds(session: Session, actor: User, case_id: int) -> Render:
    accountability_ops.record_grounds(session, actor=actor, case_id=case_id, data=json_body())
    return _view_after_commit(actor, case_id)


@endpoint("POST", "/cases/<int:case_id>/accountability/close", summary="结束责任追究调查并形成责任追究记录（监督人员）",
          body=CloseInquiryIn, response=AccountabilityOut, errors=WRITE_ERRORS, roles=("auditor",),
          description="Every person of the chain needs a DECIDED finding first (422 with details.missing). Renders "
                      "the accountability record (.docx) and counts for indicator (112).")
def close_inquiry(session: Session, actor: User, case_id: int) -> Render:
    accountability_ops.close_inquiry(session, actor=actor, case_id=case_id, data=json_body())
    return _view_after_commit(actor, case_id)
