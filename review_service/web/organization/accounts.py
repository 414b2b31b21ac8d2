"""What the admin's user pages show: the users found by a search, and each account's state in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from review_service.core.clock import utcnow
from review_service.core.errors import NotFound
from review_service.organization.auth import is_locked
from review_service.organization.models import User, UserRole
from review_service.organization.queries import agency_subtree
from review_service.web.cases.wording import cn_datetime

#: at most this many users on one page of results (a search narrows it)
PAGE_LIMIT = 200


def when(value: datetime | None) -> str:
    """A stored (UTC) time as a person reads it: 2026年12月7日 14:05 (Beijing time); nothing as ``—``."""
    return cn_datetime(value)


@dataclass(frozen=True)
class Search:
    text: str = ""
    role: str = ""
    status: str = ""


def find_users(session: Session, actor: User, search: Search) -> tuple[list[User], bool]:
    """Users of the admin's agencies matching ``search``, by agency then username; and whether more matched."""
    stmt = select(User).where(User.agency_id.in_(agency_subtree(session, actor.agency_id)))
    if text := search.text.strip():
        stmt = stmt.where(or_(User.username.icontains(text, autoescape=True),
                              User.name.icontains(text, autoescape=True)))
    if search.role:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == search.role)))
    if search.status == "active":
        stmt = stmt.where(User.active.is_(True))
    elif search.status == "disabled":
        stmt = stmt.where(User.active.is_(False))
    elif search.status == "locked":
        stmt = stmt.where(User.locked_until > utcnow())
    rows = list(session.scalars(stmt.order_by(User.agency_id, User.username).limit(PAGE_LIMIT + 1)).unique())
    return rows[:PAGE_LIMIT], len(rows) > PAGE_LIMIT


def managed_user(session: Session, actor: User, user_id: int) -> User:
    """A user of the admin's agencies (or below), or 404 (one beyond them is as unknown as a missing one)."""
    user = session.get(User, user_id) if user_id <= 2**31 - 1 else None
    if user is None or user.agency_id not in agency_subtree(session, actor.agency_id):
        raise NotFound("用户不存在或不在您的管理范围内。")
    return user


def state_text(user: User) -> str:
    """启用 / 已停用 / 已锁定（至 …）."""
    if not user.active:
        return "已停用"
    if is_locked(user):
        return f"已锁定（至 {when(user.locked_until)}）"
    return "启用"
