"""Indicators (126)–(131) 强化智能应用, evidenced by use (issue 20): what the 办案参考 panel showed to whom
(``assist_pushes``, written the first time a page showed a kind for a draft) and the 行政处罚决定书 drafts the
system generated (``documents`` of kind ``penalty_decision``). A feature that exists but nobody was shown
counts nothing.

(127)–(130) each: of the period's cases submitted for review (a ``submissions`` row in the period), those on
which the kind was shown to the handler or the reviewer. The seed gives each 0.2 points for doing it at all,
so an indicator is met when the record shows the push in use in the period; the share says how widely.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, select

from review_service.assist.push_models import AssistPush
from review_service.cases.models import Case, Submission
from review_service.documents.models import Document
from review_service.indicators.measures import EVIDENCE_LIMIT, Context, Result, percent

KIND_NAMES = {"guidance": "办案规范", "provisions": "法律法规规定", "similar_cases": "相似案例",
              "advice": "处理意见建议"}
METHOD_126 = ("本期在草稿页或审核页向承办人员、审核人员展示了办案参考（办案规范、法律法规、相似案例或"
              "处理意见建议）的案件数")
METHOD_131 = "本期由系统生成行政处罚决定书（代拟稿）的案件数 ÷ 本期报送审核的行政处罚案件数"


def method(kind: str) -> str:
    return (f"本期报送审核的案件中，在草稿页或审核页向承办人员或审核人员推送了{KIND_NAMES[kind]}的案件数 ÷ "
            "本期报送审核的案件数（有推送记录即为达标）")


def _submitted(ctx: Context, penalty_only: bool = False) -> Any:
    """The period's cases submitted for review (ids), as a subquery."""
    stmt = (select(distinct(Submission.case_id)).join(Case, Case.id == Submission.case_id)
            .where(Case.agency_id.in_(ctx.agency_ids), ctx.period.within(Submission.submitted_at)))
    if penalty_only:
        stmt = stmt.where(Case.decision_type == "administrative_penalty")
    return stmt


def _share(ctx: Context, done: list[int], base: int, unit: str, note: str) -> Result:
    return Result(value=percent(len(done), base) if base else None, met=bool(done) if base else None,
                  numerator=len(done), denominator=base, note=note,
                  evidence={"unit": unit, "count": len(done), "case_ids": done[:EVIDENCE_LIMIT],
                            "truncated": len(done) > EVIDENCE_LIMIT})


def pushed(kind: str) -> Any:
    """(127) guidance, (128) provisions, (129) similar_cases, (130) advice."""

    def measure(ctx: Context) -> Result:
        submitted = _submitted(ctx)
        base = int(ctx.session.scalar(select(func.count()).select_from(submitted.subquery())) or 0)
        done = list(ctx.session.scalars(select(distinct(AssistPush.case_id)).where(
            AssistPush.kind == kind, AssistPush.case_id.in_(submitted)).order_by(AssistPush.case_id)))
        return _share(ctx, done, base, "case",
                      f"推送{KIND_NAMES[kind]}的记录：草稿页、审核页首次向某人展示时记入推送记录")

    measure.__name__ = f"pushed_{kind}"
    return measure


def measure_126(ctx: Context) -> Result:
    """(126) the 裁量智能辅助 system in use: cases on which the panel showed anything in the period."""
    cases = list(ctx.session.scalars(
        select(distinct(AssistPush.case_id)).where(AssistPush.agency_id.in_(ctx.agency_ids),
                                                   ctx.period.within(AssistPush.shown_at))
        .order_by(AssistPush.case_id)))
    people = int(ctx.session.scalar(select(func.count(distinct(AssistPush.user_id))).where(
        AssistPush.agency_id.in_(ctx.agency_ids), ctx.period.within(AssistPush.shown_at))) or 0)
    return Result(value=len(cases), met=bool(cases), numerator=len(cases), note=f"{people} 名执法人员使用",
                  evidence={"unit": "case", "count": len(cases), "case_ids": cases[:EVIDENCE_LIMIT],
                            "users": people, "truncated": len(cases) > EVIDENCE_LIMIT})


def measure_131(ctx: Context) -> Result:
    """(131) 生成执法决定文书: the period's penalty cases submitted for review with a generated 决定书（代拟稿）."""
    submitted = _submitted(ctx, penalty_only=True)
    base = int(ctx.session.scalar(select(func.count()).select_from(submitted.subquery())) or 0)
    done = list(ctx.session.scalars(select(distinct(Document.case_id)).where(
        Document.kind == "penalty_decision", Document.case_id.in_(submitted)).order_by(Document.case_id)))
    return _share(ctx, done, base, "case", "系统按送审草稿生成行政处罚决定书（代拟稿），见案件文书")
