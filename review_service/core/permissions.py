"""Role and scope checks shared by every operation; refusals carry a stable ``rule``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from review_service.core.errors import Forbidden, Invalid, NotFound

#: The roles' names as users read them (the role codes are ``organization.models.Role``); here, below every
#: domain, because the refusals of this module name the role.
ROLE_LABELS: dict[str, str] = {
    "handler": "承办人员",
    "unit_head": "承办机构负责人",
    "reviewer": "法制审核人员",
    "review_lead": "法制审核机构负责人",
    "advisor": "法律顾问/公职律师",
    "head": "行政执法机关负责人",
    "auditor": "监督人员",
    "admin": "系统管理员",
}
# 三权分立 (GB/T 22239-2019 三级 8.1.4.2 c) 管理用户权限分离, 8.1.5 系统管理 / 审计管理): the powers
# that no account may combine. The database holds the same rule (migration 0015, trigger on user_roles).
POWERS: tuple[str, ...] = ("admin", "auditor")
# Roles only the operator's command line grants, takes or disables (actor None): the admin manages
# people, and so must not be able to make, unmake or silence the one who audits them.
OPERATOR_ONLY: tuple[str, ...] = ("auditor",)
# Roles that open no case: an account holding only these reads no case content through any edge.
NO_CASE_ACCESS: frozenset[str] = frozenset({"admin"})


class SystemScope:
    """The system (a job, the operator's command line) acting on the cases of one agency: what
    ``require_same_agency`` asks of an actor, and nothing more."""

    def __init__(self, agency_id: int) -> None:
        self.agency_id = agency_id


def require_role(actor: Any, role: str) -> None:
    if actor is None or not actor.active or not actor.has_role(role):
        raise Forbidden(f"此操作需要“{ROLE_LABELS.get(role, role)}”角色。", rule="role", role=role)


def require_same_agency(actor: Any, agency_id: int) -> None:
    """Users act only within their agency; outside it a case does not exist for them (no leak)."""
    if actor is None or actor.agency_id != agency_id:
        raise NotFound("案件不存在或不在您的权限范围内。")


def require_not_in(actor: Any, user_ids: set[int], message: str) -> None:
    """Separation of duties (DESIGN.md §4.2)."""
    if actor.id in user_ids:
        raise Forbidden(message, rule="separation_of_duties")


def combined_powers(roles: Iterable[str]) -> list[str]:
    """The powers ``roles`` would combine (empty when at most one power is among them)."""
    held = [role for role in POWERS if role in set(roles)]
    return held if len(held) > 1 else []


def require_separate_powers(roles: Iterable[str]) -> None:
    """Refuse a set of roles that combines two of the three powers (422, ``fields.roles``)."""
    combined = combined_powers(roles)
    if combined:
        names = "与".join(f"“{ROLE_LABELS.get(role, role)}”" for role in combined)
        raise Invalid(f"{names}不能由同一账户兼任（三权分立）。", fields={"roles": "三权分立：角色不能兼任"},
                      rule="separation_of_powers")


def reads_cases(actor: Any) -> bool:
    """Whether ``actor`` holds a role that opens cases (the admin's does not: 三权分立)."""
    return actor is not None and bool(set(actor.roles) - NO_CASE_ACCESS)


def require_case_reader(actor: Any) -> None:
    """Refuse case content to an account whose roles open no case (403, rule ``role``)."""
    if not reads_cases(actor):
        raise Forbidden("系统管理员不能查阅案件内容（三权分立）。", rule="role")
