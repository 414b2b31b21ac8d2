"""Role and scope checks shared by every operation; refusals carry a stable ``rule``."""

from __future__ import annotations

from typing import Any

from review_service.core.errors import Forbidden, NotFound


def require_role(actor: Any, role: str) -> None:
    if actor is None or not actor.active or not actor.has_role(role):
        from review_service.organization.models import ROLE_LABELS

        raise Forbidden(f"此操作需要“{ROLE_LABELS.get(role, role)}”角色。", rule="role", role=role)


def require_same_agency(actor: Any, agency_id: int) -> None:
    """Users act only within their agency; outside it a case does not exist for them (no leak)."""
    if actor is None or actor.agency_id != agency_id:
        raise NotFound("案件不存在或不在您的权限范围内。")


def require_not_in(actor: Any, user_ids: set[int], message: str) -> None:
    """Separation of duties (DESIGN.md §4.2)."""
    if actor.id in user_ids:
        raise Forbidden(message, rule="separation_of_duties")
