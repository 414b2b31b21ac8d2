"""Who is calling: tokens, ``/me``, the to-do list, disabling users; and the audit reads."""

from __future__ import annotations

import json
from typing import Any

from flask import request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.api.edge import bearer_token, endpoint, parse_body
from review_service.api.shapes import AuditEventList, Me, TaskList, TokenIn, TokenOut, UserOut, VerifyOut
from review_service.audit.checkpoint_check import check_latest_checkpoint
from review_service.audit.checkpoint_writer import latest_checkpoint
from review_service.audit.config import recorded_algorithm
from review_service.audit.models import HEAD_ID, AuditHead
from review_service.audit.queries import case_events
from review_service.audit.verify import verify_chain
from review_service.case_view.todo import open_tasks
from review_service.cases.queries import MAX_ID, visible_case
from review_service.cases.schemas import parse_input
from review_service.core.clock import iso
from review_service.core.errors import Forbidden, NotFound
from review_service.core.permissions import reads_cases, require_role
from review_service.edge import check_text, runtime
from review_service.organization import auth
from review_service.organization.models import ROLE_LABELS, User
from review_service.organization.queries import account_events, agency_subtree


@endpoint("POST", "/auth/token", summary="用户名密码换取令牌", body=TokenIn, response=TokenOut, auth=False,
          transactional=False, errors=(400, 401, 413, 422),
          description="Tokens last 12 hours and are stored hashed. Five failed logins lock the account for 30 "
                      "minutes in every worker process; a locked account answers 401 with details.locked_until.")
def issue_token() -> dict[str, Any]:
    body = parse_body(TokenIn)
    token, expires_at = auth.login(runtime().transaction, username=body.username, password=body.password)
    return {"token": token, "expires_at": iso(expires_at)}


@endpoint("DELETE", "/auth/token", summary="注销：撤销本次请求所用的令牌", response=UserOut, errors=(401,))
def revoke_token(session: Session, actor: User) -> dict[str, Any]:
    auth.revoke_token(session, actor=actor, token=bearer_token())
    return _user(actor)


def _user(user: User) -> dict[str, Any]:
    return {"id": str(user.id), "username": user.username, "name": user.name, "active": user.active}


@endpoint("GET", "/me", summary="当前用户", response=Me, errors=(401,))
def me(session: Session, actor: User) -> dict[str, Any]:
    return {"id": str(actor.id), "username": actor.username, "name": actor.name,
            "agency": {"id": str(actor.agency.id), "name": actor.agency.name}, "roles": sorted(actor.roles)}


@endpoint("GET", "/tasks", summary="待办任务（跨案件）", response=TaskList, errors=(401,),
          description="One indexed query over the cases' waiting tasks. due_date is null and overdue false until "
                      "deadlines are tracked.")
def tasks(session: Session, actor: User) -> list[dict[str, Any]]:
    return open_tasks(session, actor)


@endpoint("POST", "/users/<int:user_id>/disable", summary="停用用户：撤销其全部令牌并结束其会话（系统管理员）",
          response=UserOut, errors=(401, 403, 404, 422), roles=("admin",))
def disable_user(session: Session, actor: User, user_id: int) -> dict[str, Any]:
    if user_id > MAX_ID:
        raise NotFound("用户不存在或不在您的管理范围内。")
    return _user(auth.disable_user(session, actor=actor, user_id=user_id))


@endpoint("GET", "/cases/<int:case_id>/audit", summary="案件审计事件", response=AuditEventList, errors=(401, 403, 404),
          description="Readable by whoever may read the case (auditors: their agency and the agencies below it); "
                      "the admin cannot read the audit trail (403 rule=role).")
def case_audit(session: Session, actor: User, case_id: int) -> list[dict[str, Any]]:
    _refuse_admin_only(actor)
    case = visible_case(session, actor, case_id)
    return [{"seq": e.seq, "at": iso(e.at), "actor": e.actor_username, "role": e.role, "action": e.action,
             "outcome": e.outcome, "payload": json.loads(e.payload), "hash": e.hash}
            for e in case_events(session, case.id)]


class AccountEventQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after: int = Field(default=0, ge=0, le=2**62, description="only events with a seq above this")
    limit: int = Field(default=200, ge=1, le=1000)


@endpoint("GET", "/audit/accounts", summary="账户与角色变更的审计事件（监督人员）", query=AccountEventQuery,
          response=AuditEventList, errors=(400, 401, 403, 422), roles=("auditor",),
          description="Agencies added, users added (with their roles), roles granted and revoked, users "
                      "disabled, in the auditor's agency and those below it, oldest first: the administration "
                      "the auditor watches (三权分立). Page with after=<last seq>.")
def audit_accounts(session: Session, actor: User) -> list[dict[str, Any]]:
    require_role(actor, "auditor")
    params = parse_input(AccountEventQuery, check_text(request.args.to_dict()))
    rows = account_events(session, agency_subtree(session, actor.agency_id), after=params.after, limit=params.limit)
    return [{"seq": e.seq, "at": iso(e.at), "actor": e.actor_username, "role": e.role, "action": e.action,
             "outcome": e.outcome, "payload": json.loads(e.payload), "hash": e.hash} for e in rows]


def _refuse_admin_only(actor: User) -> None:
    if not reads_cases(actor):  # an account whose roles open no case (三权分立)
        raise Forbidden("系统管理员不能查阅审计日志（三权分立）。", rule="role", role="auditor")


@endpoint("GET", "/audit/verify", summary="校验审计日志哈希链与最新签名检查点（监督人员、系统管理员）",
          response=VerifyOut, errors=(401, 403), roles=("auditor", "admin"),
          description="Re-hashes every event (the first bad one is named), then checks the latest signed "
                      "checkpoint: its signature, and that the log still extends it (truncation or a chain "
                      "recomputed after an edit fails with reason_code checkpoint). checkpoint: the head (seq, "
                      "hash) and the latest signed checkpoint (size, root, text) with the hash algorithm.")
def audit_verify(session: Session, actor: User) -> dict[str, Any]:
    if not (actor.has_role("auditor") or actor.has_role("admin")):
        raise Forbidden(f"此操作需要“{ROLE_LABELS['auditor']}”角色。", rule="role", role="auditor")
    result = verify_chain(session)
    if not result.ok:
        return {"ok": False, "events": result.events, "first_bad_seq": result.first_bad_seq,
                "reason": result.reason, "reason_code": result.reason_code}
    signed = check_latest_checkpoint(session, runtime().instance_path, chain_verified=result.events)
    head = session.scalars(select(AuditHead).where(AuditHead.id == HEAD_ID)).first()
    latest = latest_checkpoint(session)
    checkpoint: dict[str, Any] = {"seq": head.last_seq if head else 0, "hash": head.last_hash if head else None,
                                  "algorithm": recorded_algorithm(session), "signed": None}
    if latest is not None:
        checkpoint["signed"] = {"id": str(latest.id), "size": latest.size, "root": latest.root,
                                "created_at": iso(latest.created_at), "text": latest.text,
                                "ok": signed.ok, "reason": signed.reason}
    if not signed.ok:
        return {"ok": False, "events": result.events, "first_bad_seq": None, "reason": signed.reason,
                "reason_code": "checkpoint", "checkpoint": checkpoint}
    return {"ok": True, "events": result.events, "checkpoint": checkpoint}
