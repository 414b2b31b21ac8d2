"""Verbs on the art. 60 limit (行政处罚法 第六十条): its extensions and the periods it does not count.

- :func:`extend_decision_limit`: the head records an approved extension. The first is the agency head's
  (经本机关负责人批准); the second needs the approval the agency's rules name — by default the 上一级行政机关,
  whose name and 批准文号 are recorded (``penalty_second_extension_approval``; 市场监督管理行政处罚程序规定
  art. 64 leaves it to the heads' 集体讨论). Two at most, each by at most ``penalty_extension_days``.
- :func:`record_excluded_period`: the handler or the head records a dated period not counted (听证,
  鉴定/检测/检验, 公告, 送达, 其他 — 市场监督管理行政处罚程序规定 art. 64).

Each flushes, moves the open review deadline's art. 60 flag, and audits; the edge commits.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from review_service.cases.flow import lock_case
from review_service.cases.models import Case
from review_service.cases.ownership import require_case_handler
from review_service.cases.schemas import parse_input
from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.core.clock import beijing_today, utcnow
from review_service.core.dates import PastDate
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.core.permissions import require_role
from review_service.deadlines.decision_limit import DecisionLimit, decision_limit_of, extensions_of
from review_service.deadlines.models import EXCLUDED_KINDS, DeadlineKind, DecisionLimitExtension, ExcludedPeriod
from review_service.deadlines.tracking import open_deadlines
from review_service.organization.models import User
from review_service.organization.settings import agency_settings


class LimitExtensionIn(BaseModel):
    """An approved extension of the art. 60 limit (the second names the approving organ and its 文号)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    days: int | None = Field(default=None, ge=1, le=365, description="calendar days (default: the agency's)")
    reason: str = Field(min_length=1, max_length=2000)
    approved_on: PastDate | None = Field(default=None, description="the day it was approved (default today)")
    approver: str = Field(default="", max_length=200,
                          description="who approved: the head (default the caller) or the 上一级行政机关")
    approval_document: str = Field(default="", max_length=200, description="批准文号 (required for the second)")


class ExcludedPeriodIn(BaseModel):
    """A period the art. 60 limit does not count: both days included."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: str = Field(max_length=20, json_schema_extra={"enum": list(EXCLUDED_KINDS)},
                      description="; ".join(f"{k}: {v}" for k, v in EXCLUDED_KINDS.items()))
    start_on: PastDate
    end_on: PastDate
    note: str = Field(default="", max_length=2000, description="required for `other`")


def _emit(session: Session, action: Action, case: Case, actor: User, role: str, payload: dict[str, Any]) -> None:
    signals.emit(action, session=session, actor=actor, role=role, agency_id=case.agency_id, case_id=case.id,
                 payload=payload)


def _limited(session: Session, case: Case) -> DecisionLimit:
    """The case's limit, or a conflict: only a penalty case with a 立案日期 and still undecided has one running."""
    limit = decision_limit_of(session, case)
    if limit is None:
        raise Conflict("本案不是载明立案日期的行政处罚案件，不适用《行政处罚法》第六十条的办案期限。", rule="no_limit",
                       actual_version=case.version)
    if case.workflow_instance.completed:
        raise Conflict("案件已办结，办案期限不再计算。", rule="ended", actual_version=case.version)
    return limit


def _moved(session: Session, case: Case) -> DecisionLimit | None:
    """After a change: the new limit, and the open review deadline's flag with it."""
    session.flush()
    limit = decision_limit_of(session, case)
    for deadline in open_deadlines(session, case.id, frozenset({DeadlineKind.REVIEW})):
        deadline.limit_on = limit.limit_on if limit is not None else None
        deadline.beyond_limit = deadline.limit_on is not None and deadline.due_on > deadline.limit_on
    case.version += 1
    case.updated_at = utcnow()
    return limit


def extend_decision_limit(session: Session, *, actor: User, case_id: int, data: Any,
                          expected_version: int | None = None) -> DecisionLimitExtension:
    """The head records an approved extension of the art. 60 limit (twice at most)."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_role(actor, "head")
    request = parse_input(LimitExtensionIn, data)
    before = _limited(session, case)
    rules = agency_settings(case.agency)
    seq = len(extensions_of(session, case.id)) + 1
    if seq > len(rules.penalty_extension_days):
        raise Conflict(f"办案期限最多延长 {len(rules.penalty_extension_days)} 次，本案已延长过。", rule="extended",
                       actual_version=case.version)
    allowed = rules.penalty_extension_days[seq - 1]
    days = request.days or allowed
    fields: dict[str, str] = {}
    if days > allowed:
        fields["days"] = f"第 {seq} 次最多延长 {allowed} 日"
    approval = "agency_head" if seq == 1 else rules.penalty_second_extension_approval
    if approval == "superior_authority":
        if not request.approver:
            fields["approver"] = "请填写批准延期的上一级行政机关"
        if not request.approval_document:
            fields["approval_document"] = "请填写上一级行政机关的批准文号"
    if fields:
        raise Invalid("延长办案期限的信息有误。", fields=fields)
    approved_on = request.approved_on or beijing_today()
    extension = tx.record(session, DecisionLimitExtension(
        case_id=case.id, seq=seq, days=days, reason=request.reason, approval=approval,
        approver=request.approver or actor.name, approval_document=request.approval_document or None,
        approved_on=approved_on, recorded_by=actor.id, recorded_at=utcnow()))
    after = _moved(session, case)
    _emit(session, Action.DECISION_LIMIT_EXTENDED, case, actor, "head",
          {"extension_id": extension.id, "seq": seq, "days": days, "reason": request.reason, "approval": approval,
           "approver": extension.approver, "approval_document": extension.approval_document,
           "approved_on": approved_on.isoformat(), "limit_before": before.limit_on.isoformat(),
           "limit_after": after.limit_on.isoformat() if after else before.limit_on.isoformat()})
    return extension


def _recording_role(session: Session, actor: User, case: Case) -> str:
    if actor.has_role("head"):
        return "head"
    if not actor.has_role("handler"):
        raise Forbidden("不计入办案期限的期间由承办人员或行政执法机关负责人登记。", rule="role", role="handler")
    require_case_handler(session, actor, case)
    return "handler"


def record_excluded_period(session: Session, *, actor: User, case_id: int, data: Any,
                           expected_version: int | None = None) -> ExcludedPeriod:
    """The handler or head records a dated period the art. 60 limit does not count (also while suspended)."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version, while_suspended=True)
    role = _recording_role(session, actor, case)
    period = parse_input(ExcludedPeriodIn, data)
    before = _limited(session, case)
    fields: dict[str, str] = {}
    if period.kind not in EXCLUDED_KINDS:
        fields["kind"] = "请选择期间类别"
    elif period.kind == "other" and not period.note:
        fields["note"] = "选择“其他”时请写明情形"
    if period.end_on < period.start_on:
        fields["end_on"] = "结束日期不能早于开始日期"
    if period.start_on < before.filed_on:
        fields["start_on"] = "开始日期不能早于立案日期"
    if fields:
        raise Invalid("不计入办案期限的期间有误。", fields=fields)
    row = tx.record(session, ExcludedPeriod(case_id=case.id, kind=period.kind, start_on=period.start_on,
                                            end_on=period.end_on, note=period.note, recorded_by=actor.id,
                                            recorded_role=role, recorded_at=utcnow()))
    after = _moved(session, case)
    _emit(session, Action.EXCLUDED_PERIOD_RECORDED, case, actor, role,
          {"period_id": row.id, "kind": period.kind, "start_on": period.start_on.isoformat(),
           "end_on": period.end_on.isoformat(), "note": period.note, "limit_before": before.limit_on.isoformat(),
           "limit_after": after.limit_on.isoformat() if after else None})
    return row


def excluded_days(start_on: date, end_on: date) -> int:
    """Calendar days of one period, both days included (what the page shows beside it)."""
    return (end_on - start_on).days + 1
