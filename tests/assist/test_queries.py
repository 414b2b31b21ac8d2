"""Similar cases: the same legal basis first, then text; never outside the caller's scope, never the case itself."""

from __future__ import annotations

import copy
from typing import Any

from review_service.assist.evalset import Generated, generate, load
from review_service.assist.index import rebuild
from review_service.assist.queries import similar_cases
from review_service.organization.operations import add_agency, add_user
from tests.fixtures.world import AGENCY, OTHER_AGENCY, PASSWORD

QUERY = {**generate(1)[0].content, "title": "张某销售不合格电热水壶案",
         "facts": "执法人员在雁塔区检查发现，当事人销售不合格的电热水壶300台，货值金额9万元。",
         "legal_basis": ["《中华人民共和国产品质量法》第四十九条"]}


def case_of(number: int, agency: int, title: str, facts: str, basis: list[str], kind: str = "k") -> Generated:
    content = copy.deepcopy(QUERY) | {"title": title, "facts": facts, "legal_basis": basis}
    return Generated(number=number, kind=kind, agency=agency, content=content, planted=False, problems=())


def loaded(world: Any, cases: list[Generated], agencies: list[str]) -> dict[int, int]:
    """Bulk-load ``cases`` (case ids 1000 + number) into the world's agencies and rebuild the index."""
    from review_service.organization.models import Agency

    with world.uow() as session:
        ids = {"agencies": [session.query(Agency).filter_by(name=name).one().id for name in agencies],
               "head": world.ids["head"], "reviewer": world.ids["reviewer"]}
        load(session.connection(), cases, ids, offset=1000)
        rebuild(session)
    return {item.number: item.number + 1000 for item in cases}


def ranked(world: Any, user: str, draft: dict[str, Any], case_id: int | None = None) -> list[int]:
    with world.uow() as session:
        return [hit.case_id for hit in similar_cases(session, actor=world.user(session, user), draft=draft,
                                                     case_id=case_id, limit=5)]


def test_the_same_basis_ranks_before_closer_text(world: Any) -> None:
    ids = loaded(world, [
        case_of(1, 0, "某公司销售不合格羽绒服案", "当事人经营抽检不合格的羽绒服，货值2万元。",
                ["《产品质量法》第49条"]),
        case_of(2, 0, "张某销售不合格电热水壶案", "执法人员在雁塔区检查发现，当事人销售不合格的电热水壶200台。",
                ["《中华人民共和国食品安全法》第一百二十四条"]),
        case_of(3, 0, "某厂超标排放大气污染物案", "锅炉外排烟气二氧化硫超标。", ["《大气污染防治法》第99条"]),
    ], [AGENCY])
    assert ranked(world, "reviewer", QUERY) == [ids[1], ids[2]]  # the sewage case shares nothing
    assert ranked(world, "reviewer", {**QUERY, "legal_basis": []}) == [ids[2], ids[1]]  # text alone
    with world.uow() as session:
        first, second = similar_cases(session, actor=world.user(session, "reviewer"), draft=QUERY)
    assert first.shared_basis == ["产品质量法|49"]
    assert first.reasons[0] == "同一违法行为、法律依据：《产品质量法》第四十九条"
    assert not second.shared_basis and second.reasons[0].startswith("案由和事实相近")
    assert ranked(world, "reviewer", QUERY, case_id=ids[1]) == [ids[2]]  # never the case itself


def test_no_case_outside_the_callers_scope(world: Any) -> None:
    with world.uow() as session:
        add_agency(session, actor=None, name="西安市雁塔区市场监督管理局", parent=AGENCY, system="市场监管")
        add_user(session, actor=None, username="auditor", name="auditor", agency=AGENCY, roles=["auditor"],
                 password=PASSWORD)
    ids = loaded(world, [
        case_of(1, 0, "本机关销售不合格电热水壶案", QUERY["facts"], QUERY["legal_basis"]),
        case_of(2, 1, "其他机关销售不合格电热水壶案", QUERY["facts"], QUERY["legal_basis"]),
        case_of(3, 2, "下级机关销售不合格电热水壶案", QUERY["facts"], QUERY["legal_basis"]),
    ], [AGENCY, OTHER_AGENCY, "西安市雁塔区市场监督管理局"])
    assert ranked(world, "reviewer", QUERY) == [ids[1]]
    assert ranked(world, "outsider", QUERY) == [ids[2]]
    with world.uow() as session:
        from review_service.organization.models import User

        auditor = session.query(User).filter_by(username="auditor").one()
        seen = {hit.case_id for hit in similar_cases(session, actor=auditor, draft=QUERY, limit=10)}
    assert seen == {ids[1], ids[3]}  # their agency and the one below, never the sibling's
