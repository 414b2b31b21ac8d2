"""Section 三 of the seed: the legal-review indicators (85)–(112) the record can speak to ((88), (90), (108):
:mod:`.should_review`).

Each ``measure_*`` takes the report :class:`~.measures.Context` and returns a
:class:`~.measures.Result`; the unit sets are one SELECT each, shared by the
indicators that count the same units (the ten points, for instance, are one query).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, func, literal, select
from sqlalchemy.sql import ColumnElement

from review_service.cases.models import Case
from review_service.catalog.queries import applicable_catalog, spec_of
from review_service.catalog.schema import CATEGORY_LABELS
from review_service.indicators import point_measures, summary_read
from review_service.indicators.measures import (
    Context,
    Result,
    UnitCounts,
    count_units,
    figure,
    figure_total,
    flag,
    percent,
    ratio_result,
)
from review_service.indicators.should_review import NOT_FULL_TIME_ROLES
from review_service.organization.models import Agency, User, UserRole
from review_service.review.facts import POINT_BIT
from review_service.review.models import Reply, Review
from review_service.review.points import TEN_POINTS

POINT_INDICATORS: dict[str, str] = dict(zip((str(n) for n in range(95, 105)), TEN_POINTS, strict=True))
MIN_EXPLANATION = 4  # characters of a reply's explanation that count as a stated position (107)


def _text_len(expr: ColumnElement[Any]) -> ColumnElement[int]:
    return func.length(func.trim(func.coalesce(expr, "")))


def _in_scope(ctx: Context) -> ColumnElement[bool]:
    return Case.agency_id.in_(ctx.agency_ids)


# -- opinions: (95)–(105) ------------------------------------------------------------------------------

def opinions(ctx: Context) -> UnitCounts:
    """The opinions submitted in the period: a written finding on each point, and no quality advice.

    Read from the opinion's fact columns (:mod:`.facts`, kept when the opinion is saved) over the covering
    index ``ix_reviews_submitted_at_facts``: a point is written when it has its opinion, or (not applicable)
    its reason; the finding itself is validated at submission.
    """
    if "opinion" in ctx.cache:  # built once per report
        return ctx.cache["opinion"]
    cols = [flag(Review.points_written.bitwise_and(POINT_BIT[key]) != 0, f"f{number}")
            for number, key in POINT_INDICATORS.items()]
    cols.append(flag(func.coalesce(Review.advice_count, 0) == 0, "f105"))
    units = (select(Review.id.label("ref"), Review.case_id.label("case_id"), Review.submitted_at.label("at"), *cols)
             .join(Case, Case.id == Review.case_id)
             .where(_in_scope(ctx), ctx.period.within(Review.submitted_at)))
    months = None
    if ctx.summary:
        months = summary_read.opinion_months(ctx, {f"f{number}": POINT_BIT[key]
                                                   for number, key in POINT_INDICATORS.items()})
    return count_units(ctx, "opinion", units, [*(f"f{n}" for n in POINT_INDICATORS), "f105"], months)


def measure_point(number: str) -> Any:
    def measure(ctx: Context) -> Result:
        result = ratio_result(ctx, point_measures.point_opinions(ctx), f"f{number}", 100.0, ref_name="review")
        result.note = point_measures.METHOD_POINT
        return result

    measure.__name__ = f"measure_{number}"
    return measure


def measure_105(ctx: Context) -> Result:
    result = ratio_result(ctx, opinions(ctx), "f105", 100.0, ref_name="review")
    result.note = "无质量提示（套话、过简、修改要求不具体、引用未写明条款）的审核意见所占比例"
    return result


# -- replies: (106)–(107) ------------------------------------------------------------------------------

def problem_count(mask: Any) -> ColumnElement[int]:
    """How many bits of a ten-point mask are set (the opinion's problem points)."""
    total: ColumnElement[int] = literal(0)
    for key, bit in POINT_BIT.items():
        total = total + flag(mask.bitwise_and(bit) != 0, f"p_{key}")
    return total


def problem_opinions(ctx: Context) -> UnitCounts:
    """Opinions of the period with at least one problem point: is there a written reply, is it clear?"""
    if "problem_opinion" in ctx.cache:  # built once per report
        return ctx.cache["problem_opinion"]
    problems = problem_count(Review.problem_mask)
    clear: ColumnElement[int] = literal(0)
    for key in TEN_POINTS:
        action = Reply.responses[(key, "action")].as_string()
        explained = _text_len(Reply.responses[(key, "explanation")].as_string()) >= MIN_EXPLANATION
        clear = clear + flag(and_(action.in_(("accepted", "disputed")), explained), f"c_{key}")
    replied = exists().where(Reply.review_id == Review.id)
    answered = exists().where(Reply.review_id == Review.id, clear >= problems)
    units = (select(Review.id.label("ref"), Review.case_id.label("case_id"), Review.submitted_at.label("at"),
                    flag(replied, "f106"), flag(answered, "f107"))
             .join(Case, Case.id == Review.case_id)
             .where(_in_scope(ctx), ctx.period.within(Review.submitted_at),
                    Review.conclusion.in_(("amend", "reject")),  # approve has no problem point
                    Review.problem_mask != 0))
    months = summary_read.problem_months(ctx) if ctx.summary else None
    return count_units(ctx, "problem_opinion", units, ["f106", "f107"], months)


def measure_106(ctx: Context) -> Result:
    return ratio_result(ctx, problem_opinions(ctx), "f106", 100.0, ref_name="review")


def measure_107(ctx: Context) -> Result:
    result = ratio_result(ctx, problem_opinions(ctx), "f107", 100.0, ref_name="review")
    result.note = f"每个存在问题的审核要点都有“采纳”或“有异议”的回复，且说明不少于 {MIN_EXPLANATION} 个字"
    return result


# -- staffing: (85)–(87) -------------------------------------------------------------------------------

def _staff(ctx: Context) -> list[tuple[int, int, str, str]]:
    """Active users of the agencies in scope with their roles: ``(user_id, agency_id, role, qualification)``."""
    stmt = (select(User.id, User.agency_id, UserRole.role, User.qualification)
            .join(UserRole, UserRole.user_id == User.id)
            .where(User.agency_id.in_(ctx.agency_ids), User.active.is_(True)))
    return [(int(a), int(b), c, d) for a, b, c, d in ctx.session.execute(stmt)]


def _full_time_reviewers(ctx: Context) -> dict[int, str]:
    """Full-time reviewers (专职): hold ``reviewer`` and none of handler, unit head, head → their qualification."""
    if "staff" not in ctx.cache:
        ctx.cache["staff"] = _staff(ctx)
    roles: dict[int, set[str]] = {}
    quals: dict[int, str] = {}
    for user_id, _agency, role, qualification in ctx.cache["staff"]:
        roles.setdefault(user_id, set()).add(role)
        quals[user_id] = qualification
    return {uid: quals[uid] for uid, held in sorted(roles.items())
            if "reviewer" in held and not held & set(NOT_FULL_TIME_ROLES)}


def measure_85(ctx: Context) -> Result:
    if "staff" not in ctx.cache:
        ctx.cache["staff"] = _staff(ctx)
    leads = sorted({uid for uid, _a, role, _q in ctx.cache["staff"] if role == "review_lead"})
    reviewers = sorted({uid for uid, _a, role, _q in ctx.cache["staff"] if role == "reviewer"})
    body = figure(ctx, "review_body")
    met = bool(leads and reviewers)
    evidence: dict[str, Any] = {"unit": "user", "count": len(leads) + len(reviewers), "review_lead_user_ids": leads,
                                "reviewer_user_ids": reviewers}
    if body:
        evidence["figures"] = [body]
    value = body["text"] if body and body["text"] else ("有" if met else "无")
    return Result(value=value, met=met, numerator=len(reviewers), evidence=evidence,
                  note="系统中有在岗的法制审核机构负责人和法制审核人员" + ("；机构名称为人工录入" if body else ""))


def measure_86(ctx: Context) -> Result:
    reviewers = _full_time_reviewers(ctx)
    staff, entries = figure_total(ctx, "enforcement_staff")
    evidence = {"unit": "user", "count": len(reviewers), "reviewer_user_ids": list(reviewers),
                **({"figures": entries} if entries else {})}
    if staff is None or staff <= 0:
        return Result(value=None, met=None, basis="not_evidenced", numerator=len(reviewers), evidence=evidence,
                      note="执法人员总数须人工录入（review-service indicators figure set enforcement_staff …）")
    value = percent(len(reviewers), int(staff))
    return Result(value=value, met=value is not None and value >= 5.0, basis="record+manual",
                  numerator=len(reviewers), denominator=int(staff), evidence=evidence,
                  note="专职审核人员数来自系统记录；执法人员总数为人工录入")


def measure_87(ctx: Context) -> Result:
    reviewers = _full_time_reviewers(ctx)
    qualified = [uid for uid, q in reviewers.items() if q in ("legal_profession", "law_degree")]
    value = percent(len(qualified), len(reviewers))
    return Result(value=value, met=None if value is None else value >= 50.0, numerator=len(qualified),
                  denominator=len(reviewers),
                  evidence={"unit": "user", "count": len(reviewers), "qualified_user_ids": qualified,
                            "failing": {"count": len(reviewers) - len(qualified),
                                        "user_ids": [u for u in reviewers if u not in qualified]}},
                  note="具有法律职业资格或法学专业学历的专职审核人员所占比例（以用户登记的资格为准）")


# -- the catalog: (91)–(92) ----------------------------------------------------------------------------

def _catalog(ctx: Context) -> Any:
    """The catalog in force for the agency on the period's last day (``None`` when none applies)."""
    if "catalog" not in ctx.cache:
        agency = ctx.session.get(Agency, ctx.agency_id)
        assert agency is not None
        found = applicable_catalog(ctx.session, agency_name=agency.name, system=agency.system, on=ctx.period.end)
        ctx.cache["catalog"] = found[0] if found else None
    return ctx.cache["catalog"]


def measure_91(ctx: Context) -> Result:
    catalog = _catalog(ctx)
    if catalog is None:
        return Result(value="无", met=False, evidence={"unit": "catalog", "count": 0})
    return Result(value=catalog.label, met=True,
                  evidence={"unit": "catalog", "count": 1, "catalog_row_ids": [catalog.id],
                            "catalog": {"id": catalog.catalog_id, "version": catalog.version,
                                        "sha256": catalog.sha256}})


def measure_92(ctx: Context) -> Result:
    catalog = _catalog(ctx)
    if catalog is None:
        return Result(value=None, met=False, evidence={"unit": "catalog", "count": 0}, note="未找到适用的目录清单")
    covered = {rule.category for rule in spec_of(catalog).rules}
    missing = [CATEGORY_LABELS[c] for c in CATEGORY_LABELS if c not in covered]
    return Result(value=f"{len(CATEGORY_LABELS) - len(missing)}/{len(CATEGORY_LABELS)}", met=not missing,
                  numerator=len(CATEGORY_LABELS) - len(missing), denominator=len(CATEGORY_LABELS),
                  evidence={"unit": "catalog", "count": 1, "catalog_row_ids": [catalog.id],
                            "covered": [CATEGORY_LABELS[c] for c in CATEGORY_LABELS if c in covered],
                            "missing": missing})
