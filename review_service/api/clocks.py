"""The clocks of a case (issue 19): the review extension's request and approval, the art. 60 limit's
extensions and excluded periods, and a read of every clock fact (pauses, limit, exemption)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from review_service.api.cases import WRITE_ERRORS, case_after_commit
from review_service.api.edge import Render, endpoint, if_match
from review_service.api.shapes import CaseOut
from review_service.cases.queries import case_task_in_scope, visible_case
from review_service.deadlines.clock_queries import clocks_view
from review_service.deadlines.limit_operations import (
    ExcludedPeriodIn,
    LimitExtensionIn,
    extend_decision_limit,
    record_excluded_period,
)
from review_service.deadlines.operations import (
    ExtensionDecisionIn,
    ExtensionIn,
    decide_review_extension,
    request_review_extension,
)
from review_service.edge import json_body
from review_service.organization.models import User


class ClocksOut(BaseModel):
    """``decision_limit``: {filed_on, days, extension_days, excluded_days, due_date, days_left, overdue, paused}
    or null (not a penalty case with a 立案日期); ``limit_extensions``, ``excluded_periods``, ``pauses``
    (dated: clock, cause, started_on, ended_on, days, unit), ``review_extension_requests``,
    ``publicity_exemption`` (reason, reason_label) or null; ``materials_requests`` (the reviewer's requests for
    materials during the review: note, kinds, outcome answered / lapsed / null while open, answer,
    material_ids)."""

    decision_limit: dict[str, Any] | None
    limit_extensions: list[dict[str, Any]]
    excluded_periods: list[dict[str, Any]]
    pauses: list[dict[str, Any]]
    review_extension_requests: list[dict[str, Any]]
    publicity_exemption: dict[str, Any] | None
    materials_requests: list[dict[str, Any]]


@endpoint("GET", "/cases/<int:case_id>/clocks", summary="案件期限情况：第六十条办案期限、暂停计算、不计入期间、延期",
          response=ClocksOut, errors=(401, 404),
          description="Art. 60 counts calendar days from 立案 (行政处罚法 第六十条); pauses are dated intervals "
                      "(working days for working-day clocks, calendar days for the art. 60 limit).")
def clocks(session: Session, actor: User, case_id: int) -> dict[str, Any]:
    return clocks_view(session, visible_case(session, actor, case_id))


@endpoint("POST", "/cases/<int:case_id>/review/extension-request",
          summary="申请延长法制审核期限（审核人员或法制审核机构负责人，限一次）", body=ExtensionIn, response=CaseOut,
          errors=WRITE_ERRORS, roles=("reviewer", "review_lead"),
          description="With a reason code (complex 案情复杂, further_investigation 需要补充调查, expert_opinion "
                      "涉及专业问题需论证, other + reason). The role the agency configures approves it (default the "
                      "head in charge): …/review/extension-decision. Audited as review_extension_requested.")
def extension_request(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    request_review_extension(session, actor=actor, case_id=case_id, data=json_body(), expected_version=if_match())
    return case_after_commit(actor, case_id)


@endpoint("POST", "/cases/<int:case_id>/review/extension-decision",
          summary="审批延长法制审核期限的申请（默认：分管负责人）", body=ExtensionDecisionIn, response=CaseOut,
          errors=WRITE_ERRORS, roles=("head",),
          description="`approve` true extends the open review deadline (review_deadline_extended), false refuses "
                      "(review_extension_refused). No pending request → 409; the requester cannot decide → 403.")
def extension_decision(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    decide_review_extension(session, actor=actor, case_id=case_id, data=json_body(), expected_version=if_match())
    return case_after_commit(actor, case_id)


@endpoint("POST", "/cases/<int:case_id>/decision-limit/extensions",
          summary="登记延长办案期限（《行政处罚法》第六十条；机关负责人）", body=LimitExtensionIn, response=CaseOut,
          errors=WRITE_ERRORS, roles=("head",),
          description="Two at most (default 30 + 30 calendar days). The first on the agency head's approval; the "
                      "second names the approving 上一级行政机关 (`approver`) and its 批准文号 (`approval_document`). "
                      "Audited as decision_limit_extended.")
def limit_extension(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    extend_decision_limit(session, actor=actor, case_id=case_id, data=json_body(), expected_version=if_match())
    return case_after_commit(actor, case_id)


@endpoint("POST", "/cases/<int:case_id>/decision-limit/excluded-periods",
          summary="登记不计入办案期限的期间（听证、鉴定/检测/检验、公告、送达等；承办人员或机关负责人）",
          body=ExcludedPeriodIn, response=CaseOut, errors=WRITE_ERRORS, roles=("handler", "head"),
          description="Both days included; the art. 60 limit moves by the calendar days not yet excluded. "
                      "Audited as excluded_period_recorded.")
def excluded_period(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    record_excluded_period(session, actor=actor, case_id=case_id, data=json_body(), expected_version=if_match())
    return case_after_commit(actor, case_id)
