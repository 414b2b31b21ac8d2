"""Reads of the organization: who may see which agencies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from review_service.audit.models import AuditEvent
from review_service.core.actions import Action
from review_service.core.permissions import reads_cases
from review_service.organization.models import Agency, User, UserRole

# built once: every write loads its actor with it (session.get rebuilds and re-annotates its query each time)
_USER_BY_ID = select(User).where(User.id == bindparam("user_id"))


def user_by_id(session: Session, user_id: int) -> User | None:
    """The user with id ``user_id`` (roles loaded with it), or ``None``."""
    return session.scalars(_USER_BY_ID, {"user_id": user_id}).unique().one_or_none()


def agency_subtree(session: Session, agency_id: int) -> set[int]:
    """``agency_id`` and every agency below it (the agency table is small: one read, walked here)."""
    children: dict[int | None, list[int]] = {}
    for row_id, parent_id in session.execute(select(Agency.id, Agency.parent_id)):
        children.setdefault(parent_id, []).append(row_id)
    found, stack = set(), [agency_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return found


def visible_agencies(session: Session, actor: User) -> set[int]:
    """The agencies whose cases ``actor`` may read: their own, and for an auditor their whole subtree.

    None for an account whose roles open no case (the admin: 三权分立), so every read scoped by it
    (case, list, documents, indicators, overdue publications) finds nothing.
    """
    if not reads_cases(actor):
        return set()
    if actor.has_role("auditor"):
        return agency_subtree(session, actor.agency_id)
    return {actor.agency_id}


def role_holders(session: Session, agency_id: int, role: str) -> list[int]:
    """Active users of ``agency_id`` holding ``role`` (task candidates)."""
    stmt = (select(User.id).join(UserRole, UserRole.user_id == User.id)
            .where(User.agency_id == agency_id, User.active.is_(True), UserRole.role == role).order_by(User.id))
    return list(session.scalars(stmt))


# the administration the auditor watches (三权分立): who was added, given or denied which role, disabled, placed
# in which unit; agencies' settings and units; and each password change, which shows when a password an admin
# handed over stopped being known to the admin
ACCOUNT_ACTIONS = (Action.AGENCY_ADDED, Action.USER_ADDED, Action.ROLE_GRANTED, Action.ROLE_REVOKED,
                   Action.USER_DISABLED, Action.PASSWORD_RESET, Action.ACCOUNT_UNLOCKED, Action.PASSWORD_CHANGED,
                   Action.AGENCY_SETTINGS_CHANGED, Action.UNIT_ADDED, Action.UNIT_RENAMED, Action.UNIT_DEACTIVATED,
                   Action.USER_UNIT_ASSIGNED)


def account_events(session: Session, agency_ids: set[int], *, after: int, limit: int) -> list[Any]:
    """The audit events of account administration in ``agency_ids`` after ``seq`` ``after``, oldest first.

    Rides the ``(case_id, seq)`` index: these events belong to no case.
    """

    return list(session.scalars(
        select(AuditEvent).where(AuditEvent.case_id.is_(None), AuditEvent.seq > after,
                                 AuditEvent.action.in_(ACCOUNT_ACTIONS), AuditEvent.agency_id.in_(agency_ids))
        .order_by(AuditEvent.seq).limit(limit)))
