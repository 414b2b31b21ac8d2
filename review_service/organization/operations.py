"""Verbs of administration: agencies, users, roles, tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.core import signals
from review_service.core.clock import utcnow
from review_service.core.errors import Invalid, NotFound
from review_service.organization.models import Agency, ApiToken, Qualification, Role, User, UserRole
from review_service.organization.passwords import hash_password, password_problem
from review_service.organization.settings import AgencySettings

TOKEN_LIFETIME = timedelta(hours=12)


def _emit(session: Session, action: str, actor: User | None, agency_id: int | None, payload: dict[str, Any]) -> None:
    signals.emit(action, session=session, actor=actor, role="admin" if actor else "system", agency_id=agency_id,
                 case_id=None, payload=payload)


def agency_by_name(session: Session, name: str) -> Agency:
    agency = session.scalars(select(Agency).where(Agency.name == name)).one_or_none()
    if agency is None:
        raise NotFound(f"机关“{name}”不存在。")
    return agency


def add_agency(session: Session, *, actor: User | None, name: str, parent: str | None = None,
               system: str | None = None, region_code: str | None = None,
               settings: dict[str, Any] | None = None) -> Agency:
    """Add an agency under ``parent`` (by name)."""
    name = name.strip()
    if not name:
        raise Invalid("请填写机关名称。", fields={"name": "必填"})
    if session.scalars(select(Agency.id).where(Agency.name == name)).first() is not None:
        raise Invalid(f"机关“{name}”已存在。", fields={"name": "已存在"})
    parent_row = agency_by_name(session, parent) if parent else None
    agency = Agency(name=name, parent_id=parent_row.id if parent_row else None, system=system or None,
                    region_code=region_code or None,
                    settings=AgencySettings.model_validate(settings or {}).model_dump(exclude_defaults=True))
    session.add(agency)
    session.flush()
    _emit(session, "agency_added", actor, agency.id,
          {"agency_id": agency.id, "name": name, "parent_id": agency.parent_id, "system": system})
    return agency


def add_user(session: Session, *, actor: User | None, username: str, name: str, agency: str, roles: list[str],
             password: str, qualification: str = "none", reviewing_since: date | None = None) -> User:
    """Add a user with roles at an agency; the password must meet the rule."""
    fields: dict[str, str] = {}
    username = username.strip()
    if not username or len(username) > 100:
        fields["username"] = "用户名不能为空且不超过 100 字"
    elif session.scalars(select(User.id).where(User.username == username)).first() is not None:
        fields["username"] = "用户名已存在"
    known_roles = {r.value for r in Role}
    bad_roles = [r for r in roles if r not in known_roles]
    if bad_roles or not roles:
        fields["roles"] = "角色不正确：" + "、".join(bad_roles) if bad_roles else "至少一个角色"
    if qualification not in {q.value for q in Qualification}:
        fields["qualification"] = "资格只能是 legal_profession、law_degree 或 none"
    problem = password_problem(password)
    if problem:
        fields["password"] = problem
    if not name.strip():
        fields["name"] = "必填"
    if fields:
        raise Invalid("用户信息有误。", fields=fields)
    agency_row = agency_by_name(session, agency)
    user = User(username=username, name=name.strip(), agency_id=agency_row.id, password_hash=hash_password(password),
                qualification=qualification, reviewing_since=reviewing_since)
    user.role_rows = [UserRole(role=role) for role in dict.fromkeys(roles)]
    session.add(user)
    session.flush()
    _emit(session, "user_added", actor, agency_row.id,
          {"user_id": user.id, "username": username, "roles": sorted(set(roles)), "qualification": qualification})
    return user


def user_by_username(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).unique().one_or_none()
    if user is None:
        raise NotFound(f"用户“{username}”不存在。")
    return user


def issue_token(session: Session, *, actor: User | None, user: User, lifetime: timedelta = TOKEN_LIFETIME
                ) -> tuple[str, datetime]:
    """Issue a bearer token for ``user``; only its SHA-256 is stored."""
    if not user.active:
        raise Invalid("用户已停用。", fields={"username": "已停用"})
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + lifetime
    session.add(ApiToken(user_id=user.id, token_sha256=hashlib.sha256(token.encode()).hexdigest(),
                         expires_at=expires_at))
    session.flush()
    # the user themselves (a password login): "self"; an operator's command (actor None): "system"
    role = "self" if actor is not None and actor.id == user.id else ("admin" if actor else "system")
    signals.emit("token_issued", session=session, actor=actor, role=role, agency_id=user.agency_id, case_id=None,
                 payload={"user_id": user.id, "expires_at": expires_at.isoformat()})
    return token, expires_at
