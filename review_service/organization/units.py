"""Internal units (内设机构) of an agency, and the unit each user sits in.

The documents name them (issue 18): the handler's unit (承办机构, e.g. 稽查支队) is the 主送 of an opinion,
the agency's one active ``legal_review`` unit (法制审核机构, e.g. 法规科) signs it, and an ``office`` unit
(办公室) is the 印发机关 of the 版记. The admin manages them within their agency subtree; the operator (CLI,
``actor`` None) anywhere.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.core import signals
from review_service.core.actions import Action
from review_service.core.errors import Invalid, NotFound
from review_service.core.permissions import require_role
from review_service.organization.models import UNIT_KIND_LABELS, Agency, Unit, UnitKind, User
from review_service.organization.operations import refuse_operator_only, require_admin_over
from review_service.organization.queries import agency_subtree

#: the kinds whose name a document prints (``unit_names``)
DOCUMENT_KINDS = (UnitKind.HANDLING, UnitKind.LEGAL_REVIEW, UnitKind.OFFICE)


def _emit(session: Session, action: Action, actor: User | None, agency_id: int, payload: dict[str, Any]) -> None:
    signals.emit(action, session=session, actor=actor, role="admin" if actor else "system", agency_id=agency_id,
                 case_id=None, payload=payload)


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 100:
        raise Invalid("请填写内设机构名称（不超过 100 字）。", fields={"name": "必填，不超过 100 字"})
    return cleaned


def _refuse_duplicate(session: Session, agency_id: int, name: str, *, except_id: int | None = None) -> None:
    found = session.scalars(select(Unit.id).where(Unit.agency_id == agency_id, Unit.name == name)).first()
    if found is not None and found != except_id:
        raise Invalid(f"本机关已有名为“{name}”的内设机构。", fields={"name": "名称已存在"})


def _refuse_second_review_body(session: Session, agency_id: int) -> None:
    """One active 法制审核机构 per agency: the opinion is signed by exactly one (the index holds it too)."""
    current = session.scalars(select(Unit.name).where(Unit.agency_id == agency_id, Unit.active.is_(True),
                                                      Unit.kind == UnitKind.LEGAL_REVIEW.value)).first()
    if current is not None:
        raise Invalid(f"本机关已设法制审核机构“{current}”，一个机关只能有一个法制审核机构；如需更换，请先撤销原机构。",
                      fields={"kind": f"已有法制审核机构“{current}”"})


def _managed_unit(session: Session, actor: User | None, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id) if 0 < unit_id <= 2**31 - 1 else None
    if unit is None or (actor is not None and unit.agency_id not in agency_subtree(session, actor.agency_id)):
        raise NotFound("内设机构不存在或不在您的管理范围内。")
    if actor is not None:
        require_role(actor, "admin")
    return unit


def add_unit(session: Session, *, actor: User | None, agency: str, name: str, kind: str) -> Unit:
    """Add an internal unit ``name`` of ``kind`` to ``agency`` (by name); audited ``unit_added``.

    The name is unique within the agency; an agency has at most one active ``legal_review`` unit.
    """
    agency_row = session.scalars(select(Agency).where(Agency.name == agency)).one_or_none()
    if agency_row is None:
        raise NotFound(f"机关“{agency}”不存在。")
    if actor is not None:
        require_admin_over(session, actor, agency_row.id)
    if kind not in {k.value for k in UnitKind}:
        raise Invalid("内设机构类别不正确。", fields={"kind": "只能是" + "、".join(UNIT_KIND_LABELS.values())})
    cleaned = _clean_name(name)
    _refuse_duplicate(session, agency_row.id, cleaned)
    if kind == UnitKind.LEGAL_REVIEW:
        _refuse_second_review_body(session, agency_row.id)
    unit = Unit(agency_id=agency_row.id, name=cleaned, kind=kind, active=True)
    session.add(unit)
    session.flush()
    _emit(session, Action.UNIT_ADDED, actor, agency_row.id,
          {"unit_id": unit.id, "agency_id": agency_row.id, "name": cleaned, "kind": kind})
    return unit


def rename_unit(session: Session, *, actor: User | None, unit_id: int, name: str) -> Unit:
    """Rename a unit (a reorganisation keeps its members); audited ``unit_renamed``."""
    unit = _managed_unit(session, actor, unit_id)
    cleaned = _clean_name(name)
    if cleaned == unit.name:
        raise Invalid("名称没有变化。", fields={"name": "与现有名称相同"})
    _refuse_duplicate(session, unit.agency_id, cleaned, except_id=unit.id)
    previous, unit.name = unit.name, cleaned
    session.flush()
    _emit(session, Action.UNIT_RENAMED, actor, unit.agency_id,
          {"unit_id": unit.id, "agency_id": unit.agency_id, "name": cleaned, "previous_name": previous})
    return unit


def deactivate_unit(session: Session, *, actor: User | None, unit_id: int) -> Unit:
    """Retire a unit: documents stop naming it and its members sit in no unit; audited ``unit_deactivated``."""
    unit = _managed_unit(session, actor, unit_id)
    if not unit.active:
        raise Invalid(f"内设机构“{unit.name}”已撤销。", fields={"unit": "已撤销"})
    members = list(session.scalars(select(User).where(User.unit_id == unit.id)).unique())
    for member in members:
        member.unit_id = None
    unit.active = False
    session.flush()
    _emit(session, Action.UNIT_DEACTIVATED, actor, unit.agency_id,
          {"unit_id": unit.id, "agency_id": unit.agency_id, "name": unit.name, "members_released": len(members)})
    return unit


def assign_unit(session: Session, *, actor: User | None, user_id: int, unit_id: int | None) -> User:
    """Place a user in ``unit_id`` (an active unit of the user's own agency), or in none; audited
    ``user_unit_assigned``.

    ``actor``: an admin of the user's agency or one above it (as for a password reset), never over an
    operator-only account (三权分立); ``None``: the operator's command line.
    """
    user = session.get(User, user_id) if 0 < user_id <= 2**31 - 1 else None
    if actor is not None:
        require_role(actor, "admin")
        if user is not None and user.agency_id not in agency_subtree(session, actor.agency_id):
            user = None
    if user is None:
        raise NotFound("用户不存在或不在您的管理范围内。")
    if actor is not None:
        refuse_operator_only(user.roles)
    unit = None
    if unit_id is not None:
        unit = session.get(Unit, unit_id) if 0 < unit_id <= 2**31 - 1 else None
        if unit is None or unit.agency_id != user.agency_id:
            raise Invalid("所选内设机构不属于该用户所在的机关。", fields={"unit": "只能选择本机关的内设机构"})
        if not unit.active:
            raise Invalid(f"内设机构“{unit.name}”已撤销。", fields={"unit": "该机构已撤销"})
    if user.unit_id == unit_id:
        raise Invalid("所在内设机构没有变化。", fields={"unit": "与现在所在的机构相同"})
    previous, user.unit_id = user.unit_id, unit_id
    session.flush()
    _emit(session, Action.USER_UNIT_ASSIGNED, actor, user.agency_id,
          {"user_id": user.id, "username": user.username, "unit_id": unit_id,
           "unit_name": unit.name if unit is not None else None, "previous_unit_id": previous})
    return user


# --- reads --------------------------------------------------------------------------------------------------------


def units_of(session: Session, agency_id: int, *, active_only: bool = False) -> list[Unit]:
    """The agency's units, active first, then by kind (handling, review, office, other) and name."""
    order = {kind.value: index for index, kind in enumerate(UnitKind)}
    stmt = select(Unit).where(Unit.agency_id == agency_id)
    if active_only:
        stmt = stmt.where(Unit.active.is_(True))
    return sorted(session.scalars(stmt), key=lambda u: (not u.active, order.get(u.kind, 99), u.name))


def unit_by_name(session: Session, agency_id: int, name: str) -> Unit:
    """The agency's unit called ``name`` (404 with the agency's units named when there is none)."""
    unit = session.scalars(select(Unit).where(Unit.agency_id == agency_id, Unit.name == name.strip())).one_or_none()
    if unit is None:
        known = "、".join(u.name for u in units_of(session, agency_id, active_only=True)) or "无"
        raise NotFound(f"本机关没有名为“{name}”的内设机构（现有：{known}）。")
    return unit


def unit_names(session: Session, agency_id: int) -> dict[str, str | None]:
    """The names a document prints, by kind: the agency's first active handling unit (the default 承办机构), its
    active legal review unit and its first active office; ``None`` where there is none."""
    names: dict[str, str | None] = dict.fromkeys(DOCUMENT_KINDS)
    rows = session.execute(select(Unit.kind, Unit.name).where(Unit.agency_id == agency_id, Unit.active.is_(True))
                           .order_by(Unit.id))
    for kind, name in rows:
        if kind in names and names[kind] is None:
            names[kind] = name
    return {str(kind): name for kind, name in names.items()}


def unit_of_user(session: Session, user_id: int) -> Unit | None:
    """The unit the user sits in, or ``None``."""
    return session.scalars(select(Unit).join(User, User.unit_id == Unit.id).where(User.id == user_id)).first()
