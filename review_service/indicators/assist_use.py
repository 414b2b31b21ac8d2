"""Indicators (126)–(131) 强化智能应用, evidenced by use (issue 20): what the 办案参考 panel showed to whom
(``assist_pushes``, written the first time a page showed a kind for a draft) and the 行政处罚决定书 drafts the
system generated (``documents`` of kind ``penalty_decision``). A feature that exists but nobody was shown
counts nothing.

Each counts the cases on which it happened in the period; the seed gives (127)–(131) 0.2 points each for doing
it at all, so an indicator is met when the record shows it in use. Both reads are indexed (``assist_pushes``
by ``shown_at``, ``documents`` by ``kind, created_at``): the report stays within its bench at 100,000 cases.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, select

from review_service.assist.push_models import AssistPush
from review_service.cases.models import Case
from review_service.documents.models import Document
from review_service.indicators.measures import EVIDENCE_LIMIT, Context, Result

KIND_NAMES = {"guidance": "办案规范", "provisions": "法律法规规定", "similar_cases": "相似案例",
              "advice": "处理意见建议"}
METHOD_126 = ("本期在草稿页或审核页向承办人员、审核人员展示了办案参考（办案规范、法律法规、相似案例或"
              "处理意见建议）的案件数")
METHOD_131 = "本期由系统生成行政处罚决定书（代拟稿）的案件数（有生成记录即为达标）"


def method(kind: str) -> str:
    return f"本期在草稿页或审核页向承办人员或审核人员推送了{KIND_NAMES[kind]}的案件数（有推送记录即为达标）"


def _used(ctx: Context, cases: list[int], note: str, **extra: Any) -> Result:
    return Result(value=len(cases), met=bool(cases), numerator=len(cases), note=note,
                  evidence={"unit": "case", "count": len(cases), "case_ids": cases[:EVIDENCE_LIMIT],
                            "truncated": len(cases) > EVIDENCE_LIMIT, **extra})


def _pushed_cases(ctx: Context, *kinds: str) -> list[int]:
    stmt = (select(distinct(AssistPush.case_id)).where(AssistPush.agency_id.in_(ctx.agency_ids),
                                                      ctx.period.within(AssistPush.shown_at))
            .order_by(AssistPush.case_id))
    if kinds:
        stmt = stmt.where(AssistPush.kind.in_(kinds))
    return list(ctx.session.scalars(stmt))


def pushed(kind: str) -> Any:
    """(127) guidance, (128) provisions, (129) similar_cases, (130) advice."""

    def measure(ctx: Context) -> Result:
        return _used(ctx, _pushed_cases(ctx, kind),
                     f"推送{KIND_NAMES[kind]}的记录：草稿页、审核页首次向某人展示时记入推送记录")

    measure.__name__ = f"pushed_{kind}"
    return measure


def measure_126(ctx: Context) -> Result:
    """(126) the 裁量智能辅助 system in use: cases on which the panel showed anything in the period."""
    people = int(ctx.session.scalar(select(func.count(distinct(AssistPush.user_id))).where(
        AssistPush.agency_id.in_(ctx.agency_ids), ctx.period.within(AssistPush.shown_at))) or 0)
    return _used(ctx, _pushed_cases(ctx), f"{people} 名执法人员使用", users=people)


def measure_131(ctx: Context) -> Result:
    """(131) 生成执法决定文书: the cases for which the system generated a 决定书（代拟稿） in the period."""
    cases = list(ctx.session.scalars(
        select(distinct(Document.case_id)).join(Case, Case.id == Document.case_id)
        .where(Document.kind == "penalty_decision", ctx.period.within(Document.created_at),
               Case.agency_id.in_(ctx.agency_ids)).order_by(Document.case_id)))
    return _used(ctx, cases, "系统按送审草稿生成行政处罚决定书（代拟稿），见案件文书")
