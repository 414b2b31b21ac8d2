"""The report's reads of the summary (:mod:`.summary`): each unit set's counts by Beijing month, with what
depends on the period, the roles or the latest checkpoint applied here, when the report runs.

Each function returns the months in the shape :func:`.measures.count_units` builds from the units
themselves (``month → (units, {flag: count})``); a test checks both ways give the same report.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import String, distinct, exists, func, select, type_coerce
from sqlalchemy.orm import Session

from review_service.audit.checkpoint_models import AuditCheckpoint
from review_service.audit.models import AuditEvent
from review_service.cases.models import Case
from review_service.core import tx
from review_service.decisions.models import Decision
from review_service.indicators.measures import EVIDENCE_LIMIT, Context
from review_service.indicators.models import IndicatorCount, IndicatorUnit

Months = dict[str, tuple[int, dict[str, int]]]


def grouped(session: Session, kind: str, agency_ids: list[int], start: date, end: date) -> list[tuple[int, str,
                                                                                                      str, int]]:
    """``(agency, day as YYYY-MM-DD, key, count)`` of ``kind`` for the agencies and days ``start``..``end``
    (a Core statement and the day as the driver gives it: thousands of rows, no per-row date parsing)."""
    table = IndicatorCount.__table__
    stmt = (select(table.c.agency_id, type_coerce(table.c.day, String()), table.c.key, table.c.count)
            .where(table.c.kind == kind, table.c.agency_id.in_(agency_ids), table.c.day >= start, table.c.day <= end))
    rows = tx.fresh(session, stmt).all()
    if rows and not isinstance(rows[0][1], str):  # PostgreSQL gives dates
        return [(a, d.isoformat(), k, n) for a, d, k, n in rows]
    return rows  # type: ignore[return-value]  # SQLite: already (agency, 'YYYY-MM-DD', key, count)


def agency_total(session: Session, kind: str, agency_ids: list[int]) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(IndicatorCount.count), 0))
                              .where(IndicatorCount.kind == kind, IndicatorCount.agency_id.in_(agency_ids))) or 0)


def _rows(ctx: Context, kind: str) -> list[tuple[int, str, str, int]]:
    cache_key = f"summary:{kind}"
    if cache_key not in ctx.cache:
        ctx.cache[cache_key] = grouped(ctx.session, kind, ctx.agency_ids, ctx.period.start, ctx.period.end)
    return ctx.cache[cache_key]


def _months(rows: list[tuple[str, int, dict[str, int]]], flags: list[str]) -> Months:
    """``(month, count, flags)`` rows summed by month."""
    totals: dict[str, list[Any]] = {}
    for month, count, values in rows:
        entry = totals.setdefault(month, [0, dict.fromkeys(flags, 0)])
        entry[0] += count
        for flag in flags:
            entry[1][flag] += values.get(flag, 0) * count
    return {month: (count, values) for month, (count, values) in totals.items()}


def opinion_months(ctx: Context, bits: dict[str, int]) -> Months:
    """(95)–(105): ``bits`` maps each flag to its bit of ``points_written``; ``f105``: no quality advice."""
    rows = []
    for _agency, day, key, count in _rows(ctx, "opinion"):
        written, no_advice = (int(part) for part in key.split("|"))
        values = {flag: int(written & bit != 0) for flag, bit in bits.items()}
        values["f105"] = no_advice
        rows.append((day[:7], count, values))
    return _months(rows, [*bits, "f105"])


def point_text_rows(ctx: Context) -> list[tuple[int, str, str, int]]:
    """(95)–(104): the period's ``point_text`` counts ``(agency, day, "index|digest", count)``."""
    return _rows(ctx, "point_text")


def problem_months(ctx: Context) -> Months:
    rows = []
    for _agency, day, key, count in _rows(ctx, "problem_opinion"):
        replied, answered, _reviewer, _mask = key.split("|")
        rows.append((day[:7], count, {"f106": int(replied), "f107": int(answered)}))
    return _months(rows, ["f106", "f107"])


def case_months(ctx: Context) -> Months:
    return _months([(day[:7], count, {"f114": int(key)}) for _a, day, key, count in _rows(ctx, "case")],
                   ["f114"])


def case_total(ctx: Context) -> int:
    """(119): every case of the agencies (one summary row per agency and creation day and key)."""
    return agency_total(ctx.session, "case", ctx.agency_ids)


DECISION_FLAGS = ["f70", "f71", "f72", "f115", "f117"]


def decision_months(ctx: Context) -> tuple[Months, Months]:
    """The decisions' months (70)–(73), (115), (117) and the major decisions' (108)."""
    if "summary:decisions" in ctx.cache:
        return ctx.cache["summary:decisions"]
    rows, major = [], []
    for _agency, day, key, count in _rows(ctx, "decision"):
        f70, f71, f72, f115, f117, is_major, f108 = (int(part) for part in key.split("|"))
        month = day[:7]
        rows.append((month, count, {"f70": f70, "f71": f71, "f72": f72, "f115": f115, "f117": f117}))
        if is_major:
            major.append((month, count, {"f108": f108}))
    months = _months(rows, DECISION_FLAGS)
    checkpointed = _checkpointed_by_month(ctx, months)
    with_f73 = {month: (count, {**flags, "f73": checkpointed.get(month, 0)})
                for month, (count, flags) in months.items()}
    ctx.cache["summary:decisions"] = (with_f73, _months(major, ["f108"]))
    return ctx.cache["summary:decisions"]


def _checkpointed_by_month(ctx: Context, months: Months) -> dict[str, int]:
    """(73) per month: decisions whose case's last audit event is inside the latest checkpoint (size ``C``).

    Read from whichever side of ``C`` holds fewer events: the cases with an event after ``C`` (usually the
    few recent ones) are subtracted from the decisions with events, or else the cases with an event up to
    ``C`` and none after are counted.
    """
    size = int(ctx.session.scalar(select(func.coalesce(func.max(AuditCheckpoint.size), 0))) or 0)
    if size <= 0 or not months:
        return {}
    last = int(ctx.session.scalar(select(func.coalesce(func.max(AuditEvent.seq), 0))) or 0)
    with_events = {month: flags["f71"] for month, (_count, flags) in months.items()}
    if last <= size:
        return with_events
    period = ctx.period
    decisions = (select(period.month_of(Decision.decided_at).label("month")).select_from(Decision)
                 .join(Case, Case.id == Decision.case_id)
                 .where(Case.agency_id.in_(ctx.agency_ids), period.within(Decision.decided_at)))
    later = exists().where(AuditEvent.case_id == Decision.case_id, AuditEvent.seq > size)
    if last - size <= size:
        late = decisions.where(Decision.case_id.in_(select(distinct(AuditEvent.case_id)).where(AuditEvent.seq > size)))
        counts = _count_months(ctx, late.subquery())
        return {month: with_events[month] - counts.get(month, 0) for month in with_events}
    early = decisions.where(Decision.case_id.in_(select(distinct(AuditEvent.case_id))
                                                 .where(AuditEvent.seq <= size)), ~later)
    return _count_months(ctx, early.subquery())


def _count_months(ctx: Context, sub: Any) -> dict[str, int]:
    return {str(month): int(count) for month, count in ctx.session.execute(
        select(sub.c.month, func.count()).group_by(sub.c.month)).tuples()}


def _complex_cases(ctx: Context) -> Any:
    """The cases of the period whose opinions the summary does not group (several reviewers …)."""
    return (select(distinct(IndicatorUnit.case_id))
            .where(IndicatorUnit.kind == "complex_case", IndicatorUnit.agency_id.in_(ctx.agency_ids),
                   IndicatorUnit.day >= ctx.period.start, IndicatorUnit.day <= ctx.period.end))


def complex_cases(ctx: Context) -> Any | None:
    """Those cases as a subquery, or ``None`` when the period has none (the usual answer)."""
    if "summary:complex" not in ctx.cache:
        ctx.cache["summary:complex"] = bool(ctx.session.scalar(select(_complex_cases(ctx).exists())))
    return _complex_cases(ctx) if ctx.cache["summary:complex"] else None


def _case_review_groups(ctx: Context, by: Any, condition: Any) -> list[tuple[Any, str, int]]:
    """Simple cases' opinions of the period meeting ``condition`` (on the key's two days), summed by ``by`` and
    the key's rest (``advised|reviewer|round``): a few dozen rows, the days compared in SQL."""
    table = IndicatorCount.__table__
    # an inner select names the expressions: PostgreSQL groups by them only when they are the same text,
    # and their literal arguments are bound parameters
    inner = (select(by(table).label("grp"), func.substr(table.c.key, 22).label("rest"), table.c.count)
             .where(table.c.kind == "case_review", table.c.agency_id.in_(ctx.agency_ids),
                    table.c.day >= ctx.period.start, table.c.day <= ctx.period.end, condition(table.c.key))
             .subquery("case_review"))
    stmt = select(inner.c.grp, inner.c.rest, func.sum(inner.c.count)).group_by(inner.c.grp, inner.c.rest)
    return [(group, str(key), int(count)) for group, key, count in tx.fresh(ctx.session, stmt).all()]


@dataclass
class MajorDecisions:
    """The ``major_decision`` units of the period: months of those not downgraded (f88, f90) and of all (f108),
    the downgraded count, and the keys of each evidence list (``reviewed``, ``major``, ``downgraded``, and the
    failing keys of ``f88``, ``f90``, ``f108``)."""

    reviewed: Months
    major: Months
    downgraded: int
    keys: dict[str, set[str]]


def major_decision_months(ctx: Context, not_full_time: set[int]) -> MajorDecisions:
    """(88), (90), (108) from the summary; the reviewers' roles apply here (:mod:`.should_review`)."""
    reviewed, major = [], []
    keys: dict[str, set[str]] = {name: set() for name in ("reviewed", "major", "downgraded", "f88", "f90", "f108")}
    downgraded = 0
    for _agency, day, key, count in _rows(ctx, "major_decision"):
        down, passed, advised, reviewers = key.split("|")
        ids = {int(part) for part in reviewers.split(",") if part}
        own = int(bool(ids) and not ids & not_full_time)
        major.append((day[:7], count, {"f108": int(passed)}))
        keys["major"].add(key)
        if passed == "0":
            keys["f108"].add(key)
        if down == "1":
            downgraded += count
            keys["downgraded"].add(key)
            continue
        reviewed.append((day[:7], count, {"f88": own, "f90": int(advised)}))
        keys["reviewed"].add(key)
        for name, value in (("f88", own), ("f90", int(advised))):
            if not value:
                keys[name].add(key)
    return MajorDecisions(_months(reviewed, ["f88", "f90"]), _months(major, ["f108"]), downgraded, keys)


def first_units(ctx: Context, kind: str, keys: set[str]) -> list[tuple[int, int]]:
    """The first units (by ref) of ``kind`` in the period with one of ``keys``: ``(ref, case_id)``."""
    if not keys:
        return []
    stmt = (select(IndicatorUnit.ref, IndicatorUnit.case_id)
            .where(IndicatorUnit.kind == kind, IndicatorUnit.agency_id.in_(ctx.agency_ids),
                   IndicatorUnit.day >= ctx.period.start, IndicatorUnit.day <= ctx.period.end,
                   IndicatorUnit.key.in_(sorted(keys)))
            .order_by(IndicatorUnit.ref).limit(EVIDENCE_LIMIT))
    return [(int(ref), int(case_id)) for ref, case_id in ctx.session.execute(stmt).tuples()]


def round_groups(ctx: Context) -> tuple[dict[int, Counter[int]], dict[int, Counter[int]]]:
    """Cases of the simple kind by their last round inside the period (the next opinion, if any, is after
    it): per agency and per reviewer."""
    by_agency: dict[int, Counter[int]] = defaultdict(Counter)
    by_reviewer: dict[int, Counter[int]] = defaultdict(Counter)
    last_inside = _case_review_groups(ctx, lambda table: table.c.agency_id,
                                      lambda key: func.substr(key, 11, 10) > ctx.period.end.isoformat())
    for agency, key, count in last_inside:
        _advised, reviewer, round_ = key.split("|")
        by_agency[int(agency)][int(round_)] += count
        by_reviewer[int(reviewer)][int(round_)] += count
    return by_agency, by_reviewer


def turnaround_groups(ctx: Context, horizon: str) -> list[tuple[int, int, str, str | None, str | None, str | None,
                                                                 int]]:
    """The statistics' groups ``(agency, reviewer, day, start day, None, reply day, count)`` (the start in the
    intake's place); a start before ``horizon`` (a Beijing date) is none, as the query over the rows has it:
    the latest start is older than the horizon only when every start is."""
    out: list[tuple[int, int, str, str | None, str | None, str | None, int]] = []
    for agency, day, key, count in _rows(ctx, "turnaround"):
        reviewer, start, reply = key.split("|")
        out.append((agency, int(reviewer), day, start if start and start >= horizon else None, None, reply or None,
                    count))
    return out


def problem_groups(ctx: Context) -> list[tuple[int, int, int, int]]:
    """``(agency, reviewer, problem mask, count)`` of the period's opinions with problem points."""
    out: Counter[tuple[int, int, int]] = Counter()
    for agency, _day, key, count in _rows(ctx, "problem_opinion"):
        _replied, _answered, reviewer, mask = key.split("|")
        out[(agency, int(reviewer), int(mask))] += count
    return [(agency, reviewer, mask, count) for (agency, reviewer, mask), count in out.items()]


def publication_groups(ctx: Context, licensing: tuple[str, ...]) -> list[tuple[str, str | None, int, str, bool]]:
    """``(decided day, published day, count, decision type, licensing?)`` for (36), (37), (118)."""
    out = []
    for _agency, day, key, count in _rows(ctx, "publication"):
        published, kind = key.split("|", 1)
        out.append((day, published or None, count, kind, kind in licensing))
    return out
