"""Staying under the gate: a downgrade of a case once major is asked for and confirmed, never assumed."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from review_service.api.cases import WRITE_ERRORS, case_after_commit
from review_service.api.edge import Render, endpoint, if_match, parse_body
from review_service.api.shapes import CaseOut
from review_service.cases import downgrades
from review_service.cases.queries import case_task_in_scope
from review_service.organization.models import User


class DowngradeRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reasons: str = Field(min_length=1, max_length=downgrades.MAX_REASONS)


class DowngradeDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    confirm: bool
    reasons: str = Field(min_length=1, max_length=downgrades.MAX_REASONS)


@endpoint("POST", "/cases/<int:case_id>/downgrade", summary="申请确认降级：曾按重大报送的案件不再属于重大（承办人员）",
          body=DowngradeRequestIn, response=CaseOut, errors=WRITE_ERRORS, roles=("handler",),
          description="Once a case was submitted as major it stays under the gate (DESIGN.md §4.1): a later draft "
                      "the catalog finds not major still goes to legal review unless the review lead confirms this "
                      "downgrade of exactly that draft. Only while the case is back at drafting.")
def request_downgrade(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    body = parse_body(DowngradeRequestIn)
    downgrades.request_downgrade(session, actor=actor, case_id=case_id, reasons=body.reasons,
                                 expected_version=if_match())
    return case_after_commit(actor, case_id)


@endpoint("POST", "/cases/<int:case_id>/downgrade/decide", summary="确认或不同意降级（法制审核机构负责人）",
          body=DowngradeDecisionIn, response=CaseOut, errors=WRITE_ERRORS, roles=("review_lead",),
          description="confirm=true: the current draft may be decided without legal review (the decision's "
                      "clearance is the confirmed downgrade); any later edit of the draft puts it under the gate "
                      "again.")
def decide_downgrade(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    body = parse_body(DowngradeDecisionIn)
    downgrades.decide_downgrade(session, actor=actor, case_id=case_id, confirm=body.confirm, reasons=body.reasons,
                                expected_version=if_match())
    return case_after_commit(actor, case_id)
