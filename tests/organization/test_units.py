"""Internal units (内设机构): added, renamed and retired by an admin of the agency (or the operator), users placed
in a unit of their own agency, one active 法制审核机构 per agency; every change audited."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from review_service.audit.models import AuditEvent
from review_service.core.actions import Action
from review_service.core.errors import Forbidden, Invalid, NotFound
from review_service.organization.models import User
from review_service.organization.operations import add_user
from review_service.organization.units import (
    add_unit,
    assign_unit,
    deactivate_unit,
    rename_unit,
    unit_names,
    unit_of_user,
    units_of,
)
from tests.fixtures.world import AGENCY, OTHER_AGENCY, PASSWORD, World


def _admin(world: World, username: str = "unit_admin", agency: str = AGENCY) -> int:
    with world.uow() as session:
        user = add_user(session, actor=None, username=username, name="管理员", agency=agency, roles=["admin"],
                        password=PASSWORD)
        world.ids[username] = user.id
        return user.id


def _as(world: World, who: str, fn: Any, **kwargs: Any) -> Any:
    """``world.act`` for operations that take a ``name`` of their own."""
    with world.uow() as session:
        return fn(session, actor=world.user(session, who), **kwargs)


def _events(world: World, action: Action) -> list[dict[str, object]]:
    with world.uow() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
        return [{"actor": row.actor_username, "role": row.role, **json.loads(row.payload)} for row in rows]


def test_an_admin_adds_units_and_the_documents_find_them_by_kind(world: World) -> None:
    _admin(world)
    squad = _as(world, "unit_admin", add_unit, agency=AGENCY, name=" 稽查支队 ", kind="handling")
    _as(world, "unit_admin", add_unit, agency=AGENCY, name="法规科", kind="legal_review")
    _as(world, "unit_admin", add_unit, agency=AGENCY, name="办公室", kind="office")
    _as(world, "unit_admin", add_unit, agency=AGENCY, name="执法二大队", kind="handling")
    with world.uow() as session:
        agency_id = session.get(User, world.ids["handler"]).agency_id  # type: ignore[union-attr]
        assert unit_names(session, agency_id) == {"handling": "稽查支队", "legal_review": "法规科", "office": "办公室"}
        assert [u.name for u in units_of(session, agency_id)] == ["执法二大队", "稽查支队", "法规科", "办公室"]
    added = _events(world, Action.UNIT_ADDED)
    assert [(e["name"], e["kind"], e["actor"], e["role"]) for e in added][:2] == [
        ("稽查支队", "handling", "unit_admin", "admin"), ("法规科", "legal_review", "unit_admin", "admin")]
    assert added[0]["unit_id"] == squad.id and added[0]["agency_id"] == agency_id


def test_a_duplicate_name_and_a_second_review_body_are_refused_in_chinese(world: World) -> None:
    _admin(world)
    _as(world, "unit_admin", add_unit, agency=AGENCY, name="法规科", kind="legal_review")
    with pytest.raises(Invalid, match="已有名为“法规科”的内设机构") as duplicate:
        _as(world, "unit_admin", add_unit, agency=AGENCY, name="法规科", kind="other")
    assert duplicate.value.fields == {"name": "名称已存在"}
    with pytest.raises(Invalid, match="只能有一个法制审核机构") as second:
        _as(world, "unit_admin", add_unit, agency=AGENCY, name="法制科", kind="legal_review")
    assert "法规科" in second.value.fields["kind"]
    with pytest.raises(Invalid, match="类别不正确"):
        _as(world, "unit_admin", add_unit, agency=AGENCY, name="某科", kind="legal")
    # the same name in another agency is another unit; a retired review body makes room for a new one
    with world.uow() as session:
        add_unit(session, actor=None, agency=OTHER_AGENCY, name="法规科", kind="legal_review")
        old = add_unit(session, actor=None, agency=AGENCY, name="旧科", kind="other")
    world.act(deactivate_unit, "unit_admin", unit_id=_unit_id(world, "法规科", AGENCY))
    _as(world, "unit_admin", add_unit, agency=AGENCY, name="法制科", kind="legal_review")
    _as(world, "unit_admin", rename_unit, unit_id=old.id, name="综合科")
    assert [e["previous_name"] for e in _events(world, Action.UNIT_RENAMED)] == ["旧科"]


def _unit_id(world: World, name: str, agency: str) -> int:
    from review_service.organization.models import Agency, Unit

    with world.uow() as session:
        return session.scalars(select(Unit.id).join(Agency, Agency.id == Unit.agency_id)
                               .where(Unit.name == name, Agency.name == agency)).one()


def test_a_user_is_placed_only_in_a_unit_of_their_own_agency(world: World) -> None:
    _admin(world)
    squad = _as(world, "unit_admin", add_unit, agency=AGENCY, name="稽查支队", kind="handling")
    with world.uow() as session:
        foreign = add_unit(session, actor=None, agency=OTHER_AGENCY, name="执法大队", kind="handling")
    with pytest.raises(Invalid, match="不属于该用户所在的机关"):
        world.act(assign_unit, "unit_admin", user_id=world.ids["handler"], unit_id=foreign.id)
    world.act(assign_unit, "unit_admin", user_id=world.ids["handler"], unit_id=squad.id)
    with world.uow() as session:
        unit = unit_of_user(session, world.ids["handler"])
        assert unit is not None and unit.name == "稽查支队"
    with pytest.raises(Invalid, match="没有变化"):
        world.act(assign_unit, "unit_admin", user_id=world.ids["handler"], unit_id=squad.id)
    assert [(e["username"], e["unit_id"], e["unit_name"], e["previous_unit_id"])
            for e in _events(world, Action.USER_UNIT_ASSIGNED)] == [("handler", squad.id, "稽查支队", None)]
    # retiring the unit releases its members: documents fall back to the agency's other units
    world.act(deactivate_unit, "unit_admin", unit_id=squad.id)
    with world.uow() as session:
        assert unit_of_user(session, world.ids["handler"]) is None
    assert _events(world, Action.UNIT_DEACTIVATED)[0]["members_released"] == 1


def test_an_admin_manages_units_only_within_their_agencies(world: World) -> None:
    _admin(world, "other_admin", OTHER_AGENCY)
    with world.uow() as session:
        squad = add_unit(session, actor=None, agency=AGENCY, name="稽查支队", kind="handling")
    with pytest.raises(NotFound):
        _as(world, "other_admin", add_unit, agency=AGENCY, name="法规科", kind="legal_review")
    with pytest.raises(NotFound):
        world.act(assign_unit, "other_admin", user_id=world.ids["handler"], unit_id=squad.id)
    with pytest.raises(NotFound):
        _as(world, "other_admin", rename_unit, unit_id=squad.id, name="稽查局")
    with pytest.raises(Forbidden):  # a handler is no admin
        world.act(assign_unit, "handler", user_id=world.ids["handler"], unit_id=squad.id)
    assert _events(world, Action.USER_UNIT_ASSIGNED) == []
