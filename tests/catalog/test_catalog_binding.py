"""Issue 14, hole 2: a catalog binds only to agencies its uploader administers, its change is audited with
the rule-by-rule diff, it never reclassifies a submitted case, and a narrowing version waits for a
second person (a review lead of an agency it narrows)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from sqlalchemy import select

from review_service.audit.models import AuditEvent
from review_service.cases.models import Case, Classification
from review_service.catalog.confirmation import confirm_catalog, refuse_catalog
from review_service.catalog.models import Catalog, CatalogBinding
from review_service.catalog.operations import load_catalog
from review_service.catalog.queries import applicable_catalog
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.organization.models import Agency
from review_service.organization.operations import add_agency, add_user
from tests.fixtures.world import AGENCY, CATALOGS, MAJOR_DRAFT, OTHER_AGENCY, PASSWORD, World

MARKET_TEXT = (CATALOGS / "shaanxi-market-regulation.yaml").read_text("utf-8")
ORG_FINE = '- {counterparty.kind: organization}\n        - {proposed_decision.fine_amount: {gte: "100000"}}'


def lax(catalog_id: str, applies: str, version: int = 1) -> str:
    """The market catalog under another id, with every fine threshold raised to ¥10,000,000."""
    return (MARKET_TEXT.replace("id: shaanxi-market-regulation", f"id: {catalog_id}")
            .replace("version: 1\n", f"version: {version}\n")
            .replace("applies_to: {systems: [市场监管]}", f"applies_to: {applies}")
            .replace('{gte: "100000"}', '{gte: "10000000"}').replace('{gte: "10000"}', '{gte: "10000000"}'))


def market_v(version: int, text: str = MARKET_TEXT) -> str:
    return text.replace("version: 1\n", f"version: {version}\n")


def big_fine() -> dict[str, Any]:
    draft = copy.deepcopy(MAJOR_DRAFT)
    draft["proposed_decision"]["fine_amount"] = "5000000.00"
    return draft


def add_admin(world: World, username: str, agency: str, roles: tuple[str, ...] = ("admin",)) -> None:
    with world.uow() as session:
        world.ids[username] = add_user(session, actor=None, username=username, name=username, agency=agency,
                                       roles=list(roles), password=PASSWORD).id


def load_as(world: World, username: str | None, text: str, **kwargs: Any) -> Catalog:
    with world.uow() as session:
        actor = world.user(session, username) if username else None
        return load_catalog(session, actor=actor, text=text, filename="c.yaml", **kwargs)


def classified(world: World, draft: dict[str, Any]) -> tuple[bool, str | None]:
    """Create a case of ``AGENCY`` (as the world's handler): its classification and the catalog used."""
    case_id = world.new_case(draft)
    with world.uow() as session:
        row = session.scalars(select(Classification).where(Classification.case_id == case_id)
                              .order_by(Classification.id.desc())).first()
        assert row is not None
        return row.major, row.catalog_id


def in_force(world: World, agency: str = AGENCY) -> tuple[str, int] | None:
    from review_service.core.clock import beijing_today

    with world.uow() as session:
        found = applicable_catalog(session, agency_name=agency, on=beijing_today())
        return None if found is None else (found[0].catalog_id, found[0].version)


def events(world: World, action: str) -> list[dict[str, Any]]:
    with world.uow() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
        return [json.loads(row.payload) for row in rows]


# -- the attack ----------------------------------------------------------------------------------------


def test_admin_of_another_agency_cannot_aim_a_catalog_at_xian(world: World) -> None:
    add_admin(world, "xianyang_admin", OTHER_AGENCY)
    with pytest.raises(Forbidden) as refused:
        load_as(world, "xianyang_admin", lax("xian-lax", f"{{agencies: [{AGENCY}]}}"))
    assert refused.value.details["rule"] == "catalog_scope" and AGENCY in refused.value.message
    # The whole system: it binds only the agencies the admin administers.
    row = load_as(world, "xianyang_admin", lax("market-lax", "{systems: [市场监管]}"))
    with world.uow() as session:
        bound = set(session.scalars(select(CatalogBinding.agency_id).where(CatalogBinding.catalog_row_id == row.id)))
        xianyang = session.scalars(select(Agency.id).where(Agency.name == OTHER_AGENCY)).one()
        assert bound == {xianyang}
    # Even once Xianyang's own review lead confirms it there, Xi'an's ¥5,000,000 penalty stays major.
    assert row.status == "pending"
    world.act(confirm_catalog, "outsider", catalog_row_id=row.id)
    assert in_force(world, OTHER_AGENCY) == ("market-lax", 1)
    assert in_force(world) == ("shaanxi-market-regulation", 1)
    assert classified(world, big_fine()) == (True, "shaanxi-market-regulation")


def test_a_catalog_naming_no_administered_agency_is_refused(world: World) -> None:
    with world.uow() as session:
        add_agency(session, actor=None, name="陕西省司法厅")
    add_admin(world, "justice_admin", "陕西省司法厅")
    with pytest.raises(Forbidden, match="没有您管理的机关") as refused:
        load_as(world, "justice_admin", market_v(2))
    assert refused.value.details["rule"] == "catalog_scope"
    with pytest.raises(Forbidden):
        load_as(world, "justice_admin", market_v(2), agencies=[AGENCY])


# -- bindings -----------------------------------------------------------------------------------------


def test_an_admin_binds_their_agency_and_those_below(world: World) -> None:
    with world.uow() as session:
        add_agency(session, actor=None, name="雁塔分局", parent=AGENCY, system="市场监管")
        add_agency(session, actor=None, name="西安市生态环境局", parent=AGENCY, system="生态环境")
    add_admin(world, "xian_admin", AGENCY)
    row = load_as(world, "xian_admin", market_v(2))
    named = load_as(world, "xian_admin", lax("yanta", "{agencies: [雁塔分局]}").replace(
        '{gte: "10000000"}', '{gte: "1"}'))
    with world.uow() as session:
        names = dict(session.execute(select(Agency.id, Agency.name)).all())

        def bound(row_id: int) -> dict[str, int]:
            return {names[b.agency_id]: b.specificity for b in session.scalars(
                select(CatalogBinding).where(CatalogBinding.catalog_row_id == row_id))}

        assert bound(row.id) == {AGENCY: 0, "雁塔分局": 0}
        assert bound(named.id) == {"雁塔分局": 1}
    assert in_force(world) == ("shaanxi-market-regulation", 2)
    assert in_force(world, "雁塔分局") == ("yanta", 1)
    assert in_force(world, OTHER_AGENCY) == ("shaanxi-market-regulation", 1)  # outside the admin's scope
    assert in_force(world, "西安市生态环境局") is None


def test_the_operator_names_the_agencies(world: World) -> None:
    with pytest.raises(Invalid, match="不存在"):
        load_as(world, None, market_v(2), agencies=["不存在的局"])
    with world.uow() as session:
        add_agency(session, actor=None, name="西安市生态环境局", system="生态环境")
    with pytest.raises(Invalid, match="适用范围"):
        load_as(world, None, market_v(2), agencies=["西安市生态环境局"])
    row = load_as(world, None, market_v(2), agencies=[OTHER_AGENCY])
    assert row.scope == [_agency_id(world, OTHER_AGENCY)]
    assert in_force(world, OTHER_AGENCY) == ("shaanxi-market-regulation", 2)
    assert in_force(world) == ("shaanxi-market-regulation", 1)


def _agency_id(world: World, name: str) -> int:
    with world.uow() as session:
        return session.scalars(select(Agency.id).where(Agency.name == name)).one()


# -- the diff in the audit trail ---------------------------------------------------------------------


def test_catalog_loaded_carries_the_rule_by_rule_diff(world: World) -> None:
    text = market_v(2).replace(ORG_FINE, ORG_FINE.replace('"100000"', '"50000"'))  # a widening change
    text = text.replace("  - id: serious-violation", "  - id: serious-violation-2", 1)  # one removed, one added
    add_admin(world, "xian_admin", AGENCY)
    row = load_as(world, "xian_admin", text)
    payload = events(world, "catalog_loaded")[-1]
    assert payload["version"] == 2 and payload["status"] == "pending"
    assert [agency["name"] for agency in payload["bound_agencies"]] == [AGENCY]
    diff = payload["diff"]
    assert diff["against"] == {"row_id": row.id - 1, "version": 1}
    assert diff["added"] == ["serious-violation-2"] and diff["removed"] == ["serious-violation"]
    (changed,) = diff["changed"]
    assert changed["rule_id"] == "large-fine-organization" and changed["fields"] == ["when"]
    assert changed["when"]["widens"] is True and "50000" in changed["when"]["after"]
    assert diff["narrowed_agency_ids"] == [_agency_id(world, AGENCY)]


# -- a narrowing version waits for the review lead -----------------------------------------------------


def narrower() -> str:
    return market_v(2).replace(ORG_FINE, ORG_FINE.replace('"100000"', '"1000000"'))


def test_widening_takes_effect_at_once(world: World) -> None:
    row = load_as(world, None, market_v(2).replace(ORG_FINE, ORG_FINE.replace('"100000"', '"50000"')),
                  agencies=[AGENCY])
    assert row.status == "active" and row.diff["narrowed_agency_ids"] == []
    assert in_force(world) == ("shaanxi-market-regulation", 2)


def test_a_narrowing_version_applies_only_once_confirmed(world: World) -> None:
    row = load_as(world, None, narrower(), agencies=[AGENCY])  # the operator's CLI load too
    assert row.status == "pending"
    assert in_force(world) == ("shaanxi-market-regulation", 1)
    assert classified(world, MAJOR_DRAFT) == (True, "shaanxi-market-regulation")  # ¥500,000 still major
    with pytest.raises(Conflict, match="尚待"):
        load_as(world, None, market_v(3), agencies=[AGENCY])
    with pytest.raises(Forbidden) as refused:
        world.act(confirm_catalog, "reviewer", catalog_row_id=row.id)
    assert refused.value.details["rule"] == "role"
    world.act(confirm_catalog, "lead", catalog_row_id=row.id, data={"note": "经研究同意。"})
    assert in_force(world) == ("shaanxi-market-regulation", 2)
    assert classified(world, MAJOR_DRAFT)[0] is False
    (confirmed,) = events(world, "catalog_confirmed")
    assert confirmed["version"] == 2 and confirmed["note"] == "经研究同意。"
    with pytest.raises(Conflict):
        world.act(confirm_catalog, "lead", catalog_row_id=row.id)


def test_the_uploader_cannot_confirm_their_own_version(world: World) -> None:
    add_admin(world, "admin_lead", AGENCY, roles=("admin", "review_lead"))
    row = load_as(world, "admin_lead", narrower())
    assert row.status == "pending"
    with pytest.raises(Forbidden) as own:
        world.act(confirm_catalog, "admin_lead", catalog_row_id=row.id)
    assert own.value.details["rule"] == "separation_of_duties"
    with pytest.raises(Forbidden) as other:  # a review lead of an agency the version does not narrow
        world.act(confirm_catalog, "outsider", catalog_row_id=row.id)
    assert other.value.details["rule"] == "catalog_scope"
    assert in_force(world) == ("shaanxi-market-regulation", 1)


def test_refusing_keeps_the_previous_version(world: World) -> None:
    row = load_as(world, None, narrower(), agencies=[AGENCY])
    with pytest.raises(Invalid):
        world.act(refuse_catalog, "lead", catalog_row_id=row.id, data={"reason": "  "})
    world.act(refuse_catalog, "lead", catalog_row_id=row.id, data={"reason": "提高罚款标准缺乏依据。"})
    with world.uow() as session:
        stored = session.get(Catalog, row.id)
        assert stored is not None and stored.status == "refused" and stored.decided_by == world.ids["lead"]
    assert in_force(world) == ("shaanxi-market-regulation", 1)
    assert classified(world, MAJOR_DRAFT) == (True, "shaanxi-market-regulation")
    assert events(world, "catalog_refused")[0]["note"] == "提高罚款标准缺乏依据。"
    assert load_as(world, None, market_v(3), agencies=[AGENCY]).status == "active"  # same rules as v1


def test_a_new_catalog_id_laxer_for_an_agency_also_waits(world: World) -> None:
    """A new id naming the agency itself would win over the system catalog: compared with what applied."""
    row = load_as(world, None, lax("xian-own", f"{{agencies: [{AGENCY}]}}"), agencies=[AGENCY])
    assert row.status == "pending" and in_force(world) == ("shaanxi-market-regulation", 1)


# -- a submitted case is never reclassified -------------------------------------------------------------


def test_a_narrower_catalog_leaves_a_case_in_review_as_it_was(world: World) -> None:
    case_id = world.in_review()
    with world.uow() as session:
        before = [(c.id, c.major, c.catalog_version, c.draft_sha256) for c in session.scalars(
            select(Classification).where(Classification.case_id == case_id))]
        case = session.get(Case, case_id)
        assert case is not None
        status, major = case.status, case.major
    row = load_as(world, None, narrower(), agencies=[AGENCY])
    world.act(confirm_catalog, "lead", catalog_row_id=row.id)
    with world.uow() as session:
        after = [(c.id, c.major, c.catalog_version, c.draft_sha256) for c in session.scalars(
            select(Classification).where(Classification.case_id == case_id))]
        case = session.get(Case, case_id)
        assert case is not None
        assert after == before and before[-1][1] is True and before[-1][2] == 1
        assert (case.status, case.major) == (status, major) and major is True
