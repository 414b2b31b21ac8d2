"""The machinery every indicator shares: the report context, results, and set-based ratios.

A ratio indicator is a *unit set* — one SELECT over the period's opinions, decisions or
cases with the columns ``ref`` (the unit's id), ``case_id``, ``at`` (when it happened)
and one 0/1 column per indicator — aggregated with one ``GROUP BY`` Beijing month; the
period's figure is the sum of its months. Evidence is a bounded sample of the units
(and of the failing units when there are any) plus the counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from review_service.indicators.period import Period

EVIDENCE_LIMIT = 20


@dataclass
class Context:
    """What one report reads: the session, the agencies in scope, the period, hand-entered figures."""

    session: Session
    agency_id: int
    agency_ids: list[int]
    period: Period
    figures: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # key → one entry per agency
    cache: dict[str, Any] = field(default_factory=dict)  # unit sets shared by several indicators
    summary: bool = True  # read the counts from the summary (False: from the rows, as a reference)


@dataclass
class Result:
    """One indicator's figure. ``basis``: ``record`` (computed), ``manual`` (人工录入), ``not_evidenced``."""

    value: Any
    met: bool | None
    basis: str = "record"
    numerator: int | None = None
    denominator: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    trend: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


def percent(numerator: int, denominator: int) -> float | None:
    """A share in percent with one decimal (``None`` when nothing was counted)."""
    if not denominator:
        return None
    return float(round(Decimal(numerator) * 100 / Decimal(denominator), 1))


@dataclass
class UnitCounts:
    """The aggregated unit set: per month the unit count and each flag's count; samples for evidence."""

    kind: str
    months: dict[str, tuple[int, dict[str, int]]]
    sample: list[tuple[int, int]]
    subquery: Any
    failing: dict[str, list[tuple[int, int]]] | None = None  # when the units were read once (grouped sets)

    def total(self) -> int:
        return sum(count for count, _ in self.months.values())

    def met(self, flag: str) -> int:
        return sum(flags[flag] for _, flags in self.months.values())


def count_units(ctx: Context, kind: str, units: Select[Any], flags: list[str],
                months: dict[str, tuple[int, dict[str, int]]] | None = None) -> UnitCounts:
    """Aggregate a unit set by Beijing month in one query (cached per ``kind`` for this report); with
    ``months`` (read from the summary) only the evidence sample is read from the units."""
    cached = ctx.cache.get(kind)
    if cached is not None:
        return cached
    sub = units.subquery(kind)
    if months is not None:
        sample = [(int(r[0]), int(r[1])) for r in ctx.session.execute(
            select(sub.c.ref, sub.c.case_id).limit(EVIDENCE_LIMIT))] if months else []
        ctx.cache[kind] = UnitCounts(kind=kind, months=months, sample=sorted(sample), subquery=sub)
        return ctx.cache[kind]
    # the month is a column of an inner select: its CASE (with bound bounds) is grouped by name on every dialect
    inner = select(ctx.period.month_of(sub.c.at).label("month"), *[sub.c[f] for f in flags]).subquery()
    stmt = (select(inner.c.month, func.count(), *[func.coalesce(func.sum(inner.c[f]), 0) for f in flags])
            .group_by(inner.c.month))
    months = {}
    for row in ctx.session.execute(stmt):
        months[row[0]] = (int(row[1]), {f: int(v) for f, v in zip(flags, row[2:], strict=True)})
    sample = [(int(r[0]), int(r[1])) for r in ctx.session.execute(
        select(sub.c.ref, sub.c.case_id).limit(EVIDENCE_LIMIT))] if months else []
    result = UnitCounts(kind=kind, months=months, sample=sorted(sample), subquery=sub)
    ctx.cache[kind] = result
    return result


def fetch_units(ctx: Context, kind: str, units: Select[Any], flags: list[str]) -> UnitCounts:
    """For a unit set that is itself a ``GROUP BY`` (cases from their opinions): evaluate it once, as a
    common table expression (materialized: it is read four times), and read from it in the same statement
    the months' counts and the first units of the sample and of each flag's failing units — a few dozen
    rows, whatever the size of the set."""
    from sqlalchemy import String, literal, union_all

    cached = ctx.cache.get(kind)
    if cached is not None:
        return cached
    cte = units.cte(kind)
    inner = select(ctx.period.month_of(cte.c.at).label("month"), *[cte.c[f] for f in flags]).subquery("by_month")
    parts: list[Any] = [
        select(literal("month", String()).label("part"), inner.c.month.label("month"), func.count().label("a"),
               *[func.coalesce(func.sum(inner.c[f]), 0).label(f"s{i}") for i, f in enumerate(flags)])
        .group_by(inner.c.month)]

    def first(part: str, *conditions: Any) -> Any:
        sub = (select(cte.c.ref, cte.c.case_id).where(*conditions).order_by(cte.c.ref).limit(EVIDENCE_LIMIT)
               .subquery(part))
        padding = [literal(0).label(f"s{i}") for i in range(1, len(flags))]
        return select(literal(part, String()).label("part"), literal(None, String()).label("month"),
                      sub.c.ref.label("a"), sub.c.case_id.label("s0"), *padding)

    parts.append(first("sample"))
    parts.extend(first(f"failing_{f}", cte.c[f] == 0) for f in flags)
    months: dict[str, tuple[int, dict[str, int]]] = {}
    sample: list[tuple[int, int]] = []
    failing: dict[str, list[tuple[int, int]]] = {f: [] for f in flags}
    for part, month, a, *rest in ctx.session.execute(union_all(*parts)).tuples():
        if part == "month":
            months[month] = (int(a), {f: int(v) for f, v in zip(flags, rest, strict=True)})
        elif part == "sample":
            sample.append((int(a), int(rest[0])))
        else:
            failing[part.removeprefix("failing_")].append((int(a), int(rest[0])))
    result = UnitCounts(kind=kind, months=months, sample=sorted(sample), subquery=cte,
                        failing={f: sorted(rows) for f, rows in failing.items()})
    ctx.cache[kind] = result
    return result


def ratio_result(ctx: Context, counts: UnitCounts, flag: str, target: float, *, ref_name: str,
                 at_most: bool = False) -> Result:
    """The share of units with ``flag`` set, against ``target`` percent (``at_most``: the share must not exceed it)."""
    total, met_count = counts.total(), counts.met(flag)
    value = percent(met_count, total)
    failing: list[tuple[int, int]] = []
    if counts.failing is not None:
        failing = sorted(counts.failing[flag])
    elif total - met_count:
        sub = counts.subquery
        failing = sorted((int(r[0]), int(r[1])) for r in ctx.session.execute(
            select(sub.c.ref, sub.c.case_id).where(sub.c[flag] == 0).limit(EVIDENCE_LIMIT)))
    trend = []
    for month in ctx.period.months():
        count, flags = counts.months.get(month, (0, {flag: 0}))
        trend.append({"month": month, "value": percent(flags[flag], count), "numerator": flags[flag],
                      "denominator": count})
    met = None if value is None else (value <= target if at_most else value >= target)
    evidence = {
        "unit": counts.kind,
        "count": total,
        "met_count": met_count,
        "case_ids": _unique(case for _, case in counts.sample),
        f"{ref_name}_ids": [ref for ref, _ in counts.sample],
        "failing": {"count": total - met_count, "case_ids": _unique(case for _, case in failing),
                    f"{ref_name}_ids": [ref for ref, _ in failing]},
        "truncated": total > EVIDENCE_LIMIT,
    }
    return Result(value=value, met=met, numerator=met_count, denominator=total, evidence=evidence, trend=trend)


def _unique(values: Any) -> list[int]:
    return list(dict.fromkeys(values))


def flag(condition: Any, name: str) -> Any:
    """``1`` when ``condition`` holds else ``0``, labelled ``name``."""
    from sqlalchemy import case

    return case((condition, 1), else_=0).label(name)


def figure(ctx: Context, key: str) -> dict[str, Any] | None:
    """The primary agency's latest hand-entered figure ``key`` (or ``None``)."""
    for entry in ctx.figures.get(key, []):
        if entry["agency_id"] == ctx.agency_id:
            return entry
    return None


def figure_total(ctx: Context, key: str) -> tuple[Decimal | None, list[dict[str, Any]]]:
    """A numeric figure summed over the agencies in scope (``None`` when any agency has not entered it)."""
    entries = ctx.figures.get(key, [])
    have = {entry["agency_id"] for entry in entries}
    if not entries or any(agency not in have for agency in ctx.agency_ids):
        return None, entries
    return sum((Decimal(entry["number"] or 0) for entry in entries), Decimal(0)), entries


def manual_evidence(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The evidence of a hand-entered figure: the rows, their sources and who entered them."""
    return {"unit": "figure", "count": len(entries), "figures": entries, "basis_label": "人工录入"}
