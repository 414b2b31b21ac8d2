"""(88), (90), (108) over the decisions that should have been reviewed (应当审核的执法决定).

The denominator is not "cases with an opinion" but every decision of the period whose case was ever
submitted as major (:func:`review_service.cases.gate.ever_major`: routed to legal review at any
submission, whatever the catalog says of it now). A decision whose very draft the review lead confirmed
as downgraded (降级) left the gate: it is shown apart in the evidence (count, ids and 案号) and

- not counted by (88) and (90) — it no longer needed review;
- counted by (108), and failing — the indicator asks that *every* major decision carry a passed review,
  as does a decision that bypassed the gate.

(88): every opinion of the case was written by a full-time reviewer (专职: not also a handler, unit head
or head, by the roles when the report runs), and there is at least one. (90): an opinion of the case
records advisors who took part (``Review.advisor_ids`` / ``advisor_count``), not merely advisors assigned.
(108): cleared by an approving review of the very draft decided.

Two paths give the same figures and evidence (held equal by ``tests/indicators``): the summary's
``major_decision`` units (:mod:`.summary`, read by :mod:`.summary_read`) and, with
``Context.summary`` off, one unit set over the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, select

from review_service.cases.models import Case, DowngradeDecision, Submission
from review_service.decisions.models import Decision
from review_service.indicators import summary_read
from review_service.indicators.measures import (
    EVIDENCE_LIMIT,
    Context,
    Result,
    UnitCounts,
    fetch_units,
    flag,
    ratio_result,
)
from review_service.organization.models import User, UserRole
from review_service.review.models import Review

NOT_FULL_TIME_ROLES = ("handler", "unit_head", "head")  # a reviewer who also handles or decides is not 专职

#: The formulas, as the report states them beside each figure.
SHOULD = "应当审核的决定：本期作出的、曾按重大执法决定报送法制审核的案件的决定"
METHOD_88 = ("专职审核人员审核的决定数 ÷ 应当审核的决定数。" + SHOULD + "（经确认降级的决定另列，不计入）；"
             "专职审核人员审核：该案各轮审核意见均由专职法制审核人员（不兼任承办、审批）作出")
METHOD_90 = ("法律顾问、公职律师协助审核的决定数 ÷ 应当审核的决定数。" + SHOULD + "（经确认降级的决定另列，不计入）；"
             "协助审核：该案审核意见书记载了参与审核的法律顾问或公职律师（仅指派而意见书未记载的不计）")
METHOD_108 = ("有同意的审核意见且审核的草稿即决定草稿的决定数 ÷ " + SHOULD.removeprefix("应当审核的决定：")
              + "数（经确认降级后未经审核作出的决定、绕过审核的决定计为未通过，降级的决定另列）")


@dataclass
class ShouldReview:
    """The period's decisions that should have been reviewed, less the downgraded (``reviewed``: f88, f90),
    all of them (``major``: f108), and the downgraded ones shown apart."""

    reviewed: UnitCounts
    major: UnitCounts
    downgraded: dict[str, Any]


def not_full_time(ctx: Context) -> set[int]:
    """Users in scope, active or not, holding a role besides review that makes them not full-time (88)."""
    stmt = (select(UserRole.user_id).join(User, User.id == UserRole.user_id)
            .where(User.agency_id.in_(ctx.agency_ids), UserRole.role.in_(NOT_FULL_TIME_ROLES)))
    return {int(uid) for uid in ctx.session.scalars(stmt)}


def should_review(ctx: Context) -> ShouldReview:
    if "should_review" not in ctx.cache:  # built once per report
        others = not_full_time(ctx)
        ctx.cache["should_review"] = _from_summary(ctx, others) if ctx.summary else _from_rows(ctx, others)
    return ctx.cache["should_review"]


def _from_rows(ctx: Context, others: set[int]) -> ShouldReview:
    """The plain recomputation: one unit set over the decisions, cases, submissions, downgrades and opinions."""
    of_case = Review.case_id == Decision.case_id
    approving = exists().where(Review.id == Decision.review_id, of_case, Review.conclusion == "approve",
                               Review.draft_sha256 == Decision.draft_sha256,
                               Review.draft_version_id == Decision.draft_version_id)
    downgraded = exists().where(DowngradeDecision.case_id == Decision.case_id,
                                DowngradeDecision.draft_version_id == Decision.draft_version_id,
                                DowngradeDecision.confirmed.is_(True))
    own = and_(exists().where(of_case), ~exists().where(of_case, Review.reviewer_id.in_(sorted(others))))
    advised = exists().where(of_case, func.coalesce(Review.advisor_count, 0) > 0)
    units = (select(Decision.id.label("ref"), Decision.case_id.label("case_id"), Decision.decided_at.label("at"),
                    flag(own, "f88"), flag(advised, "f90"), flag(and_(Decision.clearance == "review", approving),
                                                                    "f108"))
             .join(Case, Case.id == Decision.case_id)
             .where(Case.agency_id.in_(ctx.agency_ids), ctx.period.within(Decision.decided_at),
                    exists().where(Submission.case_id == Decision.case_id, Submission.major.is_(True))))
    reviewed = fetch_units(ctx, "should_review", units.where(~downgraded), ["f88", "f90"])
    major = fetch_units(ctx, "major_decision", units, ["f108"])
    apart = units.where(downgraded).subquery("downgraded")
    count = int(ctx.session.scalar(select(func.count()).select_from(apart)) or 0)
    first = [(int(ref), int(case_id)) for ref, case_id in ctx.session.execute(
        select(apart.c.ref, apart.c.case_id).order_by(apart.c.ref).limit(EVIDENCE_LIMIT)).tuples()]
    return ShouldReview(reviewed, major, _apart(ctx, count, first))


def _from_summary(ctx: Context, others: set[int]) -> ShouldReview:
    """The same from the summary's ``major_decision`` counts; the evidence is the first units of the keys that
    qualify (a key names its facts, so the few distinct keys of the period decide which units are read)."""
    read = summary_read.major_decision_months(ctx, others)

    def first(keys: set[str]) -> list[tuple[int, int]]:
        return summary_read.first_units(ctx, "major_decision", keys)

    reviewed = UnitCounts(kind="should_review", months=read.reviewed, sample=first(read.keys["reviewed"]),
                          subquery=None, failing={"f88": first(read.keys["f88"]), "f90": first(read.keys["f90"])})
    major = UnitCounts(kind="major_decision", months=read.major, sample=first(read.keys["major"]), subquery=None,
                       failing={"f108": first(read.keys["f108"])})
    return ShouldReview(reviewed, major, _apart(ctx, read.downgraded, first(read.keys["downgraded"])))


def _apart(ctx: Context, count: int, first: list[tuple[int, int]]) -> dict[str, Any]:
    """The downgraded decisions' evidence block: their count, decision and case ids and 案号."""
    numbers = dict(ctx.session.execute(select(Case.id, Case.case_number)
                                       .where(Case.id.in_([case_id for _, case_id in first]))).tuples().all())
    return {"label": "经确认降级的决定（另列）", "count": count, "decision_ids": [ref for ref, _ in first],
            "case_ids": [case_id for _, case_id in first],
            "case_numbers": [numbers.get(case_id) or "" for _, case_id in first],
            "truncated": count > EVIDENCE_LIMIT}


def _result(ctx: Context, counts: UnitCounts, name: str, target: float, note: str) -> Result:
    result = ratio_result(ctx, counts, name, target, ref_name="decision")
    result.evidence["downgraded"] = should_review(ctx).downgraded
    result.note = note
    return result


def measure_88(ctx: Context) -> Result:
    return _result(ctx, should_review(ctx).reviewed, "f88", 50.0,
                   "应当审核的决定（曾按重大报送审核的案件的决定，经确认降级的另列、不计入）中，"
                   "该案各轮审核意见均由专职法制审核人员（不兼任承办、审批）作出的比例")


def measure_90(ctx: Context) -> Result:
    return _result(ctx, should_review(ctx).reviewed, "f90", 20.0,
                   "应当审核的决定（同（88））中，审核意见书记载了参与审核的法律顾问或公职律师的比例"
                   "（仅指派而意见书未记载的不计）")


def measure_108(ctx: Context) -> Result:
    return _result(ctx, should_review(ctx).major, "f108", 100.0,
                   "曾按重大报送审核的案件的决定均应有同意的审核意见，且审核的草稿与决定的草稿 SHA-256 一致；"
                   "经确认降级后未经审核作出的决定、绕过审核的决定计为未达标，降级的决定另列；"
                   "数据库约束另行拒绝未经审核的决定")
