"""The handler's 行政处罚决定书（代拟稿） (issue 18; indicator (131)): drafted from the case, issued as a document of
the case, attached as the decision_draft material on request, in the 文书格式范本's structure."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import func, select

from review_service.cases.models import Material
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.decisions.models import Decision
from review_service.documents.models import Document
from review_service.documents.penalty_decision import draft_penalty_decision, penalty_items
from review_service.review.operations import submit_opinion
from tests.fixtures.documents import docx_text, file_of
from tests.fixtures.world import MAJOR_DRAFT, World, opinion


def _text(world: World, case_id: int, document: Document) -> str:
    return docx_text(file_of(world, case_id, {"id": document.id}))


def _draft() -> dict[str, Any]:
    draft = copy.deepcopy(MAJOR_DRAFT)
    draft["counterparty"] = {**draft["counterparty"], "address": "陕西省西安市雁塔区科技路 18 号",
                             "legal_representative": "刘某"}
    return draft


def test_the_draft_follows_the_model_structure_and_is_attached_when_asked(world: World) -> None:
    case_id = world.new_case(_draft())
    document = world.act(draft_penalty_decision, "handler", case_id=case_id, attach=True)
    with world.uow() as session:
        row = session.get(Document, document.id)
        assert row is not None and row.kind == "penalty_decision" and row.number is None  # the decision gets the 文号
        material = session.scalars(select(Material).where(Material.case_id == case_id,
                                                          Material.kind == "decision_draft")).one()
        assert material.sha256 == row.sha256 and material.title == "行政处罚决定书（代拟稿）"
    text = _text(world, case_id, document)
    for part in ("行政处罚决定书", "代拟稿", "（文号待编）", "某某商贸有限公司", "统一社会信用代码：91610000XXXXXXXXXX",
                 "住所：陕西省西安市雁塔区科技路 18 号", "法定代表人（负责人）：刘某", "当事人销售不合格电热水壶1200台",
                 "《中华人民共和国产品质量法》第四十九条", "罚款人民币伍拾万元整（¥500,000.00）",
                 "没收违法所得人民币壹万贰仟元整（¥12,000.00）", "十五日内", "六十日内", "六个月内",
                 "西安市市场监督管理局"):
        assert part in text, part
    # the sections in the order of the 文书格式范本
    order = [text.index(word) for word in ("当事人", "上述事实", "本机关决定", "履行", "行政复议")]
    assert order == sorted(order)


def test_without_attach_the_materials_stay_as_they_are(world: World) -> None:
    case_id = world.new_case()
    world.act(draft_penalty_decision, "handler", case_id=case_id)
    with world.uow() as session:
        assert session.scalar(select(func.count()).select_from(Material).where(Material.case_id == case_id)) == 0


def test_attaching_where_materials_may_not_change_records_neither(world: World) -> None:
    """One transaction: in review no material may be added, so the document is not issued either."""
    case_id = world.in_review()
    with pytest.raises(Invalid):
        world.act(draft_penalty_decision, "handler", case_id=case_id, attach=True)
    with world.uow() as session:
        assert session.scalar(select(func.count()).select_from(Document).where(Document.case_id == case_id)) == 0
    world.act(draft_penalty_decision, "handler", case_id=case_id)  # without attaching it may be drafted in review


def test_only_the_handler_drafts_and_only_for_a_penalty(world: World) -> None:
    case_id = world.new_case()
    with pytest.raises(Forbidden):
        world.act(draft_penalty_decision, "reviewer", case_id=case_id)
    licence = copy.deepcopy(MAJOR_DRAFT)
    licence["decision_type"] = "administrative_license"
    other = world.new_case(licence)
    with pytest.raises(Conflict) as refused:
        world.act(draft_penalty_decision, "handler", case_id=other)
    assert refused.value.details.get("rule") == "not_a_penalty"


def test_after_the_decision_the_draft_carries_its_number(world: World) -> None:
    from review_service.decisions.operations import approve_decision

    case_id = world.in_review(_draft())
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True, "comment": "同意。"})
    document = world.act(draft_penalty_decision, "handler", case_id=case_id)
    with world.uow() as session:
        number = session.scalars(select(Decision.number).where(Decision.case_id == case_id)).one()
    text = _text(world, case_id, document)
    assert number and number in text and "（文号待编）" not in text


def test_the_items_name_each_sanction_once_in_words() -> None:
    items = penalty_items({"fine_text": "人民币伍万元整（¥50,000.00）", "license_revocation": True, "summary": "略"})
    assert [item["text"] for item in items] == ["罚款人民币伍万元整（¥50,000.00）", "吊销许可证件"]
    assert [item["text"] for item in penalty_items({"summary": "责令改正"})] == ["责令改正"]
