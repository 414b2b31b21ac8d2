"""What the templates are given for the 落款, the party, the amounts, the materials and the review period (issue 18)."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from review_service.cases.models import Case
from review_service.decisions.models import Decision
from review_service.decisions.operations import approve_decision
from review_service.documents.context import _cause, approval_context, opinion_context
from review_service.documents.verification import VERIFY_PATH
from review_service.organization.models import User
from review_service.review.models import Review
from review_service.review.operations import record_intake, submit_opinion
from tests.fixtures.indicators import beijing
from tests.fixtures.world import MAJOR_DRAFT, World, minor_draft, opinion


def _names(world: World, *keys: str) -> list[str]:
    with world.uow() as session:
        return [session.get(User, world.ids[key]).name for key in keys]  # type: ignore[union-attr]


def test_the_opinion_names_its_signers_its_materials_and_its_review_period(world: World) -> None:
    """118号 (十二): the opinion is signed by the reviewer (and the advisors who took part) and the head of the
    review body; the period counts working days from receipt (12月1日, a Tuesday) to issue (12月7日, a Monday)."""
    draft = copy.deepcopy(MAJOR_DRAFT)
    draft["filed_on"] = "2026-11-02"
    draft["counterparty"] = {**draft["counterparty"], "address": "西安市雁塔区科技路 18 号",
                             "legal_representative": "刘某"}
    with beijing("2026-12-01 09:30"):
        case_id = world.assigned(draft, advisors=("advisor",))
        world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    with beijing("2026-12-07 15:00"):
        world.act(submit_opinion, "reviewer", case_id=case_id,
                  data={**opinion("approve"), "advisor_ids": [world.ids["advisor"]]})  # the advisor took part
        with world.uow() as session:
            case = session.get(Case, case_id)
            review = session.scalars(select(Review).where(Review.case_id == case_id)).one()
            context: dict[str, Any] = opinion_context(session, case, review)
    reviewer, advisor, lead = _names(world, "reviewer", "advisor", "lead")
    assert context["signatures"] == [{"label": "审核人员", "name": reviewer},
                                     {"label": "法律顾问（公职律师）", "name": advisor},
                                     {"label": "审核机构负责人", "name": lead}]
    assert context["signed_on"] == "二〇二六年十二月七日" and context["printed_on"] == "2026年12月7日"
    assert context["review_period_text"] == "2026年12月1日收件，2026年12月7日出具，用时4个工作日（规定5个工作日）"
    assert context["review_days_used"] == 4 and context["issuer"] == context["review_body"]
    assert [(m["title"], m["kind_label"], m["received_on"]) for m in context["materials"]] == [
        ("询问笔录", "证据材料", "2026年12月1日")]
    party = context["counterparty"]
    assert (party["id_label"], party["id_number"], party["address"], party["legal_representative"]) == (
        "统一社会信用代码", "91610000XXXXXXXXXX", "西安市雁塔区科技路 18 号", "刘某")
    assert context["proposed_decision"]["fine_text"] == "人民币伍拾万元整（¥500,000.00）"
    assert context["proposed_decision"]["confiscation_text"] == "人民币壹万贰仟元整（¥12,000.00）"
    assert context["verify_url"].endswith(VERIFY_PATH + review.draft_sha256)


def test_a_decision_not_major_is_approved_on_the_ordinary_form(world: World) -> None:
    case_id = world.submitted(minor_draft())
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True, "comment": ""})
    with world.uow() as session:
        case = session.get(Case, case_id)
        decision = session.scalars(select(Decision).where(Decision.case_id == case_id)).one()
        context = approval_context(session, case, decision)
    assert context["doc_title"] == "行政执法决定审批表"
    assert context["signatures"] == [{"label": "审批人", "name": _names(world, "head")[0]}]
    party = context["counterparty"]
    assert party["id_label"] == "公民身份号码" and party["address"] == "" and party["legal_representative"] == ""


def test_the_cause_drops_the_title_marks() -> None:
    assert _cause("《某商贸公司销售不合格产品案》") == "某商贸公司销售不合格产品案"
    assert _cause(" 某案 ") == "某案"
