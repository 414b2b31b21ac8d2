"""(95)–(104): the period's opinions, each point flagged when its opinion says something about the case
(:func:`.point_substance.says_something`: not the question restated, not boilerplate shared with other cases).

Two paths give the same figures and evidence (held equal by ``tests/indicators``):

- the rows (``Context.summary`` off): the opinions' texts of the agencies in scope submitted up to the
  period's end, the texts shared by cases per agency, and the period's opinions flagged in Python;
- the summary: the ``point_text`` units (:mod:`.summary`: one per point that is not the question restated,
  keyed by the digest of its normalized text). A key on two cases or more of the agency up to the period's
  end is boilerplate (one grouped query); a point counts when its opinion has a unit with another key. The
  failing evidence is read opinion by opinion in ``ref`` order, only as far as the first units of each
  point's failures.
"""

from __future__ import annotations

from sqlalchemy import distinct, func, select

from review_service.cases.models import Case
from review_service.core.clock import BEIJING, as_utc
from review_service.indicators import summary_read
from review_service.indicators.measures import EVIDENCE_LIMIT, Context, UnitCounts
from review_service.indicators.models import IndicatorUnit
from review_service.indicators.point_substance import (
    MIN_SHARED_CASES,
    REF_STRIDE,
    common_texts,
    point_text,
    says_something,
)
from review_service.review.models import Review
from review_service.review.points import TEN_POINTS

NAMES = [f"f{number}" for number in range(95, 105)]  # flag of each point, in the ten points' order
CHUNK = 500  # opinions read at a time for the failing evidence (summary path)

#: (95)–(104), as the report states it beside each figure.
METHOD_POINT = ("本期审核意见中，该要点的书面意见针对本案作出的比例。不计入：①复述审核问题——去掉“经审查”"
                "“符合规定”“无问题”等套语和该要点名称中的字后，剩余不足 6 个字（如“主体合法。”）；②套话——"
                "同一文本（去掉空格和标点、统一全角半角后相同）在本机关截至期末的 2 个以上案件的同一要点中使用"
                "（如多案通用的“经审查，符合规定。”）。不适用的要点连同其理由一并判断")


def point_opinions(ctx: Context) -> UnitCounts:
    """The period's opinions with one flag per point (``f95`` … ``f104``); built once per report."""
    if "opinion_points" not in ctx.cache:
        ctx.cache["opinion_points"] = _from_summary(ctx) if ctx.summary else _from_rows(ctx)
    return ctx.cache["opinion_points"]


def _from_rows(ctx: Context) -> UnitCounts:
    stmt = (select(Review.id, Review.case_id, Case.agency_id, Review.submitted_at, Review.points)
            .join(Case, Case.id == Review.case_id)
            .where(Case.agency_id.in_(ctx.agency_ids), Review.submitted_at.is_not(None),
                   Review.submitted_at < ctx.period.utc_end)
            .order_by(Review.id))
    rows = [(int(ref), int(case_id), int(agency), as_utc(at), points or {})
            for ref, case_id, agency, at, points in ctx.session.execute(stmt).tuples()]
    uses: dict[int, list[tuple[int, str, str]]] = {}
    for _ref, case_id, agency, _at, points in rows:
        uses.setdefault(agency, []).extend((case_id, key, point_text(points.get(key))) for key in TEN_POINTS)
    common = {agency: common_texts(found) for agency, found in uses.items()}
    months: dict[str, tuple[int, dict[str, int]]] = {}
    sample: list[tuple[int, int]] = []
    failing: dict[str, list[tuple[int, int]]] = {name: [] for name in NAMES}
    for ref, case_id, agency, at, points in rows:
        if at < ctx.period.utc_start:
            continue
        month = at.astimezone(BEIJING).strftime("%Y-%m")
        count, flags = months.get(month, (0, dict.fromkeys(NAMES, 0)))
        for name, key in zip(NAMES, TEN_POINTS, strict=True):
            said = says_something(key, point_text(points.get(key)), common[agency].get(key, frozenset()))
            flags[name] += int(said)
            if not said and len(failing[name]) < EVIDENCE_LIMIT:
                failing[name].append((ref, case_id))
        months[month] = (count + 1, flags)
        if len(sample) < EVIDENCE_LIMIT:
            sample.append((ref, case_id))
    return UnitCounts(kind="opinion", months=months, sample=sample, subquery=None, failing=failing)


def _common_keys(ctx: Context) -> dict[int, set[str]]:
    """Per agency, the ``point_text`` keys on :data:`MIN_SHARED_CASES` cases or more up to the period's end."""
    stmt = (select(IndicatorUnit.agency_id, IndicatorUnit.key)
            .where(IndicatorUnit.kind == "point_text", IndicatorUnit.agency_id.in_(ctx.agency_ids),
                   IndicatorUnit.day <= ctx.period.end)
            .group_by(IndicatorUnit.agency_id, IndicatorUnit.key)
            .having(func.count(distinct(IndicatorUnit.case_id)) >= MIN_SHARED_CASES))
    out: dict[int, set[str]] = {}
    for agency, key in ctx.session.execute(stmt).tuples():
        out.setdefault(int(agency), set()).add(str(key))
    return out


def _opinion_units(ctx: Context, after: int, limit: int) -> list[tuple[int, int, int]]:
    """The period's opinions after ``after`` by ref: ``(ref, case_id, agency_id)``."""
    stmt = (select(IndicatorUnit.ref, IndicatorUnit.case_id, IndicatorUnit.agency_id)
            .where(IndicatorUnit.kind == "opinion", IndicatorUnit.agency_id.in_(ctx.agency_ids),
                   IndicatorUnit.day >= ctx.period.start, IndicatorUnit.day <= ctx.period.end,
                   IndicatorUnit.ref > after)
            .order_by(IndicatorUnit.ref).limit(limit))
    return [(int(a), int(b), int(c)) for a, b, c in ctx.session.execute(stmt).tuples()]


def _from_summary(ctx: Context) -> UnitCounts:
    common = _common_keys(ctx)
    opinions = summary_read.opinion_months(ctx, {})
    months = {month: (count, dict.fromkeys(NAMES, 0)) for month, (count, _flags) in opinions.items()}
    for agency, day, key, count in summary_read.point_text_rows(ctx):
        if key not in common.get(agency, ()):
            months[day[:7]][1][NAMES[int(key.split("|")[0])]] += count
    need = {name: min(EVIDENCE_LIMIT, sum(total - flags[name] for total, flags in months.values()))
            for name in NAMES}
    failing: dict[str, list[tuple[int, int]]] = {name: [] for name in NAMES}
    after = 0
    while any(len(failing[name]) < need[name] for name in NAMES):
        chunk = _opinion_units(ctx, after, CHUNK)
        if not chunk:
            break
        said = _said(ctx, chunk, common)
        for ref, case_id, _agency in chunk:
            for index, name in enumerate(NAMES):
                if (ref, index) not in said and len(failing[name]) < need[name]:
                    failing[name].append((ref, case_id))
        after = chunk[-1][0]
    sample = [(ref, case_id) for ref, case_id, _ in _opinion_units(ctx, 0, EVIDENCE_LIMIT)] if months else []
    return UnitCounts(kind="opinion", months=months, sample=sample, subquery=None, failing=failing)


def _said(ctx: Context, chunk: list[tuple[int, int, int]], common: dict[int, set[str]]) -> set[tuple[int, int]]:
    """``(opinion ref, point index)`` of the chunk's points that say something (a key not common)."""
    agency_of = {ref: agency for ref, _case, agency in chunk}
    stmt = (select(IndicatorUnit.ref, IndicatorUnit.key)
            .where(IndicatorUnit.kind == "point_text",
                   IndicatorUnit.ref.between(chunk[0][0] * REF_STRIDE, chunk[-1][0] * REF_STRIDE + REF_STRIDE - 1)))
    out = set()
    for ref, key in ctx.session.execute(stmt).tuples():
        opinion, index = divmod(int(ref), REF_STRIDE)
        agency = agency_of.get(opinion)
        if agency is not None and key not in common.get(agency, ()):
            out.add((opinion, index))
    return out

