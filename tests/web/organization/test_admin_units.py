"""The admin's pages for internal units (内设机构): an agency's units listed and added, a user placed in one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from review_service.organization.models import Agency, Unit, User
from tests.fixtures.world import AGENCY, OTHER_AGENCY


def _agency_id(web_world: Any, name: str) -> int:
    with web_world.uow() as session:
        return session.scalars(select(Agency.id).where(Agency.name == name)).one()


def _unit_id(web_world: Any, name: str) -> int:
    with web_world.uow() as session:
        return session.scalars(select(Unit.id).where(Unit.name == name)).one()


def test_admin_lists_and_adds_units(as_user: Any, web_world: Any) -> None:
    admin = as_user("admin")
    agency_id = _agency_id(web_world, AGENCY)
    assert f"/admin/agencies/{agency_id}/units" in admin.text("/admin/agencies")
    assert "尚未录入内设机构" in admin.text(f"/admin/agencies/{agency_id}/units")
    url = f"/admin/agencies/{agency_id}/units"
    assert admin.post(url, {"name": "稽查支队", "kind": "handling"}).status_code == 302
    assert admin.post(url, {"name": "法规科", "kind": "legal_review"}).status_code == 302
    page = admin.text(url)
    assert "稽查支队" in page and "承办机构" in page and "法规科" in page and "法制审核机构" in page
    second = admin.post(url, {"name": "法制科", "kind": "legal_review"})
    assert second.status_code == 422
    refused = second.get_data(as_text=True)
    assert "只能有一个法制审核机构" in refused and 'value="法制科"' in refused
    empty = admin.post(url, {"name": " ", "kind": "office"})
    assert empty.status_code == 422 and "请填写内设机构名称" in empty.get_data(as_text=True)
    # another agency's units are not the admin's to see
    assert admin.get(f"/admin/agencies/{_agency_id(web_world, OTHER_AGENCY)}/units").status_code == 404


def test_admin_places_a_user_in_a_unit(as_user: Any, web_world: Any) -> None:
    admin = as_user("admin")
    url = f"/admin/agencies/{_agency_id(web_world, AGENCY)}/units"
    admin.post(url, {"name": "稽查支队", "kind": "handling"})
    squad = _unit_id(web_world, "稽查支队")
    handler = web_world.ids["handler2"]
    page = admin.text(f"/admin/users/{handler}")
    assert "所在内设机构" in page and f'value="{squad}"' in page
    assert admin.post(f"/admin/users/{handler}/unit", {"unit": str(squad)}).status_code == 302
    assert "稽查支队" in admin.text(f"/admin/users/{handler}").split("所在内设机构", 1)[1]
    with web_world.uow() as session:
        assert session.get(User, handler).unit_id == squad
    same = admin.post(f"/admin/users/{handler}/unit", {"unit": str(squad)})
    assert same.status_code == 422 and "没有变化" in same.get_data(as_text=True)
    assert admin.post(f"/admin/users/{handler}/unit", {"unit": ""}).status_code == 302
    with web_world.uow() as session:
        assert session.get(User, handler).unit_id is None


def test_a_new_user_is_placed_in_the_chosen_unit(as_user: Any, web_world: Any) -> None:
    admin = as_user("admin")
    admin.post(f"/admin/agencies/{_agency_id(web_world, AGENCY)}/units", {"name": "法规科", "kind": "legal_review"})
    review_body = _unit_id(web_world, "法规科")
    assert "法规科（法制审核机构）" in admin.text("/admin/users/new")
    form = {"username": "new.reviewer", "name": "新审核员", "agency": AGENCY, "roles": ["reviewer"],
            "qualification": "legal_profession", "reviewing_since": "", "unit": str(review_body),
            "password": "Strong@2026x", "password2": "Strong@2026x"}
    assert admin.post("/admin/users/new", form).status_code == 302
    with web_world.uow() as session:
        user = session.scalars(select(User).where(User.username == "new.reviewer")).unique().one()
        assert user.unit_id == review_body
