"""Deadlines and publicity on the API: extend a review, publish / revoke / withdraw a decision,
overdue publications, and the caller's notifications."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, RootModel
from sqlalchemy.orm import Session

from review_service.api.cases import WRITE_ERRORS, case_after_commit
from review_service.api.edge import Render, endpoint, if_match
from review_service.api.shapes import CaseOut
from review_service.cases.queries import case_task_in_scope
from review_service.core.errors import Forbidden
from review_service.core.permissions import reads_cases
from review_service.deadlines.operations import ExtensionIn, extend_review
from review_service.decisions.publicity import (
    PublishIn,
    RevokeIn,
    WithdrawIn,
    publish_decision,
    revoke_decision,
    withdraw_decision,
)
from review_service.decisions.publicity_queries import overdue_publications
from review_service.edge import json_body
from review_service.notifications.operations import notifications_for
from review_service.organization.models import User
from review_service.organization.queries import visible_agencies


class OverduePublication(BaseModel):
    case_id: str
    title: str
    case_number: str | None
    decision_type: str
    due_date: str
    provisional: bool
    published: bool
    published_at: str | None
    agency_id: str


class OverduePublicationList(RootModel[list[OverduePublication]]):
    pass


class NotificationOut(BaseModel):
    id: str
    kind: str
    case_id: str | None
    title: str
    body: str
    created_at: str
    read: bool


class NotificationList(RootModel[list[NotificationOut]]):
    pass


@endpoint("POST", "/cases/<int:case_id>/review/extend", summary="延长法制审核期限（法制审核机构负责人，限一次）",
          body=ExtensionIn, response=CaseOut, errors=WRITE_ERRORS, roles=("review_lead",),
          description="Once per review, by at most the agency's extension days (default 3 working days), with a "
                      "reason; recorded and audited (review_deadline_extended). No open review deadline or "
                      "already extended → 409.")
def extend(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    extend_review(session, actor=actor, case_id=case_id, data=json_body(), expected_version=if_match())
    return case_after_commit(actor, case_id)


@endpoint("POST", "/cases/<int:case_id>/publish", summary="登记决定公开情况（承办人员或机关负责人）", body=PublishIn,
          response=CaseOut, errors=WRITE_ERRORS, roles=("handler", "head"),
          description="Closes the publish task (7 working days for 行政许可/行政处罚 decisions, 20 for others).")
def publish(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    publish_decision(session, actor=actor, case_id=case_id, data=json_body(), expected_version=if_match())
    return case_after_commit(actor, case_id)


@endpoint("POST", "/cases/<int:case_id>/revoke", summary="登记决定被撤销、确认违法、责令重作、变更或确认无效",
          body=RevokeIn, response=CaseOut, errors=WRITE_ERRORS, roles=("handler", "head"),
          description="Marks the decision, opens the withdraw task (3 working days from `received_on`, else from "
                      "`date`) when the decision was published, and opens the accountability inquiry (signal "
                      "decision_revoked) with the `grounds`. The old body {reason, authority, date} stays valid.")
def revoke(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    revoke_decision(session, actor=actor, case_id=case_id, data=json_body(), expected_version=if_match())
    return case_after_commit(actor, case_id)


@endpoint("POST", "/cases/<int:case_id>/withdraw", summary="登记已撤回公开的决定信息", body=WithdrawIn,
          response=CaseOut, errors=WRITE_ERRORS, roles=("handler", "head"),
          description="Closes the withdraw task (行政处罚法 art. 48); `explanation` is the public explanation "
                      "(公开说明理由) published with the withdrawal.")
def withdraw(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    withdraw_decision(session, actor=actor, case_id=case_id, data=json_body(), expected_version=if_match())
    return case_after_commit(actor, case_id)


@endpoint("GET", "/publications/overdue", summary="逾期未公开的决定（及逾期公开的）", response=OverduePublicationList,
          errors=(401, 403),
          description="Publish deadlines past their day in the caller's scope (auditors: their agency and the "
                      "agencies below it), most overdue first; `published` says whether it was published late.")
def overdue(session: Session, actor: User) -> list[dict[str, Any]]:
    if not reads_cases(actor):  # an account whose roles open no case (三权分立)
        raise Forbidden("系统管理员不能查阅业务数据。", rule="role", role="auditor")
    return overdue_publications(session, visible_agencies(session, actor))


@endpoint("GET", "/notifications", summary="我的提醒（期限将届满、已超期）", response=NotificationList, errors=(401,))
def notifications(session: Session, actor: User) -> list[dict[str, Any]]:
    return notifications_for(session, actor.id)
