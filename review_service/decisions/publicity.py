"""Publicity (公开), revocation and withdrawal of a decision (DESIGN.md §8, indicators 36, 37, 41).

Design choice: ``publish`` and ``withdraw`` are **deadline rows, not BPMN tasks**. The process
ends at ``decided``: that end is what the decision gate, the case status and the indicators
key on, and a revocation may come months later from a court or a superior authority — no
routing decision the engine should wait for. So the tasks live in ``deadlines`` (kinds
``publish`` / ``withdraw``, checked by ``tick``) and in the to-do list; the facts are new
records (``Publication``, ``Revocation``, ``Withdrawal``; the tables refuse UPDATE and DELETE).
Nothing here creates or alters a decision, so the gate invariants of §4 hold as before: every
verb locks the case, checks the actor, writes its record and its audit event in one transaction.

A revocation of a decision that was never published cancels the publication deadline and opens
no withdrawal (行政处罚法 art. 48 asks to withdraw *published* information); otherwise it opens a
``withdraw`` task due 3 working days (agency-configurable) after the day the agency *received* the
revoking decision or judgment (``received_on``; the decision's own ``date`` when a client omits it):
国办发〔2018〕118号 and the 陕西 indicator (40)/(41) count from receipt — the agency cannot withdraw what it
has not yet been served.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.calendar.queries import calendar_from_db
from review_service.cases.flow import lock_case
from review_service.cases.models import Case
from review_service.cases.ownership import acts_as_handler, require_case_handler
from review_service.cases.schemas import parse_input
from review_service.core import signals
from review_service.core.actions import Action
from review_service.core.clock import as_utc, beijing_today, utcnow
from review_service.core.dates import PastDate, PastDateTime
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.deadlines.models import Deadline, DeadlineKind, DeadlineState
from review_service.deadlines.plan import plan, working_days_for
from review_service.deadlines.tracking import close, describe, open_deadline, open_deadlines
from review_service.decisions.models import Decision
from review_service.decisions.publicity_models import (
    REVOCATION_GROUNDS,
    REVOCATION_REASONS,
    Publication,
    Revocation,
    Withdrawal,
)
from review_service.organization.models import User
from review_service.organization.settings import agency_settings

#: A recorded time may run ahead of the server's clock by this much (clock skew), never more.
FUTURE_SKEW = timedelta(minutes=10)


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: str = Field(min_length=8, max_length=2000, description="where the decision is published (http/https)")
    published_at: PastDateTime = Field(description="ISO 8601 with offset, e.g. 2026-10-12T10:00:00+08:00")

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")) or any(ch.isspace() for ch in value):
            raise ValueError("应为 http:// 或 https:// 开头的网址")
        return value


Ground = Literal["facts_unclear", "insufficient_evidence", "wrong_law", "illegal_procedure", "beyond_authority",
                 "abuse_of_power", "clearly_improper"]


class RevokeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Literal["revoked", "confirmed_illegal", "ordered_remake", "changed", "confirmed_void"] = Field(
        description="revoked 被撤销, confirmed_illegal 被确认违法, ordered_remake 被责令重新作出, changed 被变更, "
                    "confirmed_void 被确认无效")
    authority: str = Field(min_length=1, max_length=300, description="the court or authority that decided")
    date: PastDate  # the revoking decision or judgment: not after today
    grounds: list[Ground] | None = Field(
        default=None, min_length=1, max_length=7,
        description="why it was found wrong (several allowed): facts_unclear 事实不清, insufficient_evidence 证据不足, "
                    "wrong_law 适用法律错误, illegal_procedure 违反法定程序, beyond_authority 超越职权, abuse_of_power "
                    "滥用职权, clearly_improper 明显不当. Optional for old clients: the inquiry then waits for them")
    received_on: PastDate | None = Field(
        default=None, description="the day the agency received the decision or judgment (not before `date`); the "
                                  "withdrawal deadline counts from it (from `date` when absent)")

    @field_validator("grounds")
    @classmethod
    def _distinct(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("理由不能重复")
        return value


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    withdrawn_at: PastDateTime
    note: str = Field(default="", max_length=2000)
    explanation: str = Field(default="", max_length=5000,
                             description="公开说明理由: the explanation published with the withdrawal")


def _require_handler_or_head(session: Session, actor: User, case: Case) -> str:
    """The case's own handler (cases/ownership.py), or the head of the agency: the role acted in."""
    if acts_as_handler(actor, case):
        return "handler"
    if actor.active and actor.has_role("head"):
        return "head"
    if actor.active and actor.has_role("handler"):
        require_case_handler(session, actor, case)  # refuses: the case is another handler's
    raise Forbidden("此操作需要“承办人员”或“行政执法机关负责人”角色。", rule="role", role="handler")


def _decision(session: Session, case: Case) -> Decision:
    decision = session.scalars(select(Decision).where(Decision.case_id == case.id)).first()
    if decision is None:
        raise Conflict("本案尚未作出决定。", actual_version=case.version)
    return decision


def _not_future(value: datetime, field: str) -> datetime:
    if as_utc(value) > utcnow() + FUTURE_SKEW:
        raise Invalid("时间不能晚于当前时间。", fields={field: "不能晚于当前时间"})
    return as_utc(value)


def _touch(case: Case) -> None:
    case.version += 1
    case.updated_at = utcnow()


def _emit(session: Session, action: Action, case: Case, actor: User, role: str, payload: dict[str, Any]) -> None:
    signals.emit(action, session=session, actor=actor, role=role, agency_id=case.agency_id, case_id=case.id,
                 payload=payload)


def publish_decision(session: Session, *, actor: User, case_id: int, data: Any,
                     expected_version: int | None = None) -> Publication:
    """Record where and when the decision was published; closes the ``publish`` task."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    role = _require_handler_or_head(session, actor, case)
    body = parse_input(PublishIn, data)
    decision = _decision(session, case)
    if session.scalar(select(Revocation.id).where(Revocation.decision_id == decision.id)) is not None:
        raise Conflict("该决定已被撤销、确认违法或责令重作，不应再公开。")
    if session.scalar(select(Publication.id).where(Publication.decision_id == decision.id)) is not None:
        raise Conflict("该决定的公开情况已登记。")
    published_at = _not_future(body.published_at, "published_at")
    if published_at < as_utc(decision.decided_at) - FUTURE_SKEW:
        raise Invalid("公开时间早于作出决定的时间。", fields={"published_at": "早于作出决定的时间"})
    publication = Publication(case_id=case.id, decision_id=decision.id, url=body.url, published_at=published_at,
                              recorded_by=actor.id)
    session.add(publication)
    deadline = next(iter(open_deadlines(session, case.id, frozenset({DeadlineKind.PUBLISH}))), None)
    late = None
    if deadline is not None:
        close(deadline, DeadlineState.MET, published_at)
        late = beijing_today(published_at) > deadline.due_on
    _touch(case)
    session.flush()
    _emit(session, Action.DECISION_PUBLISHED, case, actor, role,
          {"publication_id": publication.id, "decision_id": decision.id, "url": body.url,
           "published_at": published_at.isoformat(),
           "deadline": None if deadline is None else {**describe(deadline), "late": late}})
    return publication


def revoke_decision(session: Session, *, actor: User, case_id: int, data: Any,
                    expected_version: int | None = None) -> Revocation:
    """Record that the decision was revoked, confirmed illegal or ordered remade (see the module docstring).

    Sends ``core.signals.decision_revoked`` inside the transaction (the accountability inquiry opens).
    """
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    role = _require_handler_or_head(session, actor, case)
    body = parse_input(RevokeIn, data)
    decision = _decision(session, case)
    if session.scalar(select(Revocation.id).where(Revocation.decision_id == decision.id)) is not None:
        raise Conflict("该决定的撤销（确认违法、责令重作）情况已登记。")
    if body.date > beijing_today():
        raise Invalid("撤销决定或判决的日期不能晚于今天。", fields={"date": "不能晚于今天"})
    if body.date < beijing_today(decision.decided_at):
        raise Invalid("撤销决定或判决的日期早于作出决定的日期。", fields={"date": "早于作出决定的日期"})
    if body.received_on is not None and not body.date <= body.received_on <= beijing_today():
        raise Invalid("收到日期应当在撤销决定或判决的日期之后、今天之前。",
                      fields={"received_on": "不能早于撤销决定或判决的日期，也不能晚于今天"})
    grounds = [g for g in REVOCATION_GROUNDS if g in set(body.grounds or [])]
    revocation = Revocation(case_id=case.id, decision_id=decision.id, reason=body.reason, authority=body.authority,
                            decided_on=body.date, received_on=body.received_on, grounds=grounds,
                            recorded_by=actor.id)
    session.add(revocation)
    session.flush()
    published = session.scalar(select(Publication.id).where(Publication.decision_id == decision.id)) is not None
    withdraw: Deadline | None = None
    cancelled = []
    for pending in open_deadlines(session, case.id, frozenset({DeadlineKind.PUBLISH})):
        close(pending, DeadlineState.CANCELLED, utcnow())  # a revoked decision is not to be published
        cancelled.append(pending.id)
    if published:
        # from receipt: an agency cannot withdraw before it is served (module docstring)
        planned = plan(calendar_from_db(session), body.received_on or body.date,
                       working_days_for("withdraw", agency_settings(case.agency)))
        withdraw = open_deadline(session, case, DeadlineKind.WITHDRAW, planned, owner_id=case.handler_id, check=True)
    _touch(case)
    session.flush()
    _emit(session, Action.DECISION_REVOKED, case, actor, role,
          {"revocation_id": revocation.id, "decision_id": decision.id, "reason": body.reason,
           "reason_label": REVOCATION_REASONS[body.reason], "authority": body.authority,
           "date": body.date.isoformat(), "published": published, "cancelled_deadlines": cancelled,
           "withdraw_deadline": None if withdraw is None else describe(withdraw), "grounds": grounds,
           "received_on": None if body.received_on is None else body.received_on.isoformat()})
    signals.decision_revoked.send(Action.DECISION_REVOKED, session=session, case_id=case.id, reason=body.reason,
                                  actor=actor, decision_id=decision.id, revocation_id=revocation.id,
                                  authority=body.authority, date=body.date, grounds=grounds,
                                  received_on=body.received_on)
    return revocation


def withdraw_decision(session: Session, *, actor: User, case_id: int, data: Any,
                      expected_version: int | None = None) -> Withdrawal:
    """Record that the published decision was withdrawn, with its public explanation (公开说明理由, optional on
    the API, required on the page); closes the ``withdraw`` task."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    role = _require_handler_or_head(session, actor, case)
    body = parse_input(WithdrawIn, data)
    deadline = next(iter(open_deadlines(session, case.id, frozenset({DeadlineKind.WITHDRAW}))), None)
    revocation = session.scalars(select(Revocation).where(Revocation.case_id == case.id)).first()
    if deadline is None or revocation is None:
        raise Conflict("本案没有待撤回的已公开决定。", actual_version=case.version)
    withdrawn_at = _not_future(body.withdrawn_at, "withdrawn_at")
    withdrawal = Withdrawal(case_id=case.id, revocation_id=revocation.id, withdrawn_at=withdrawn_at, note=body.note,
                            explanation=body.explanation, recorded_by=actor.id)
    session.add(withdrawal)
    close(deadline, DeadlineState.MET, withdrawn_at)
    _touch(case)
    session.flush()
    _emit(session, Action.DECISION_WITHDRAWN, case, actor, role,
          {"withdrawal_id": withdrawal.id, "revocation_id": revocation.id, "withdrawn_at": withdrawn_at.isoformat(),
           "deadline": {**describe(deadline), "late": beijing_today(withdrawn_at) > deadline.due_on},
           "explanation": body.explanation})
    return withdrawal
