"""Indicator (132): 规范行政执法裁量、确保行政执法统一 — how consistently the decided fines keep to the 裁量基准.

Over the period's penalty decisions with a fine (the decided draft's ``proposed_decision.fine_amount``), each
decision is placed by its draft: the violation from its legal basis (the agency's benchmark in force on the
Beijing decision date, :func:`~review_service.discretion.check.find_entries`), the level from its free-text
``discretion.level``, the basis amount of a multiple from its facts. Per violation and level the spread of the
fines is stated (count, median, interquartile range, min, max, coefficient of variation, share outside the
range), and the figure is the share of checked fines within their range. A decision whose violation, level or
basis amount cannot be told is counted apart (unplaced), never as within.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from review_service.cases.models import Case, DraftVersion
from review_service.core.clock import BEIJING, as_utc
from review_service.core.money import amount_of
from review_service.decisions.models import Decision
from review_service.discretion.amounts import stated_amount
from review_service.discretion.check import Finding, FineCheck, check_entry
from review_service.discretion.levels import LEVEL_LABELS, map_level
from review_service.discretion.models import DiscretionBenchmark
from review_service.discretion.queries import benchmarks_in_force, entries_by_basis
from review_service.indicators.measures import EVIDENCE_LIMIT, Context, Result, percent
from review_service.indicators.summary_read import publication_groups

PENALTY = "administrative_penalty"
METHOD_132 = ("罚款在裁量基准幅度内的决定数 ÷ 可核对的决定数。可核对的决定：本期作出的、拟处罚款的行政处罚决定中，"
              "依其法律依据在决定之日施行的本机关裁量基准中找到违法行为条目、"
              "裁量档次可识别（从轻、较轻、一般、从重 …）、"
              "按倍数计罚的写明了计罚基数的决定；并按违法行为和裁量档次列出罚款的件数、中位数、四分位距、最小值、"
              "最大值、变异系数（标准差 ÷ 平均数）和超出幅度的比例")


@dataclass
class Placed:
    """One decided fine and what the check found."""

    case_id: int
    month: str
    fine: Decimal
    check: FineCheck


def measure_132(ctx: Context) -> Result:
    placed, unplaced = _placed(ctx)
    checked = [p for p in placed if p.check.finding in (Finding.WITHIN, Finding.BELOW, Finding.ABOVE)]
    within = [p for p in checked if p.check.finding == Finding.WITHIN]
    outside = [p for p in checked if p.check.outside]
    value = percent(len(within), len(checked))
    trend = []
    for month in ctx.period.months():
        of_month = [p for p in checked if p.month == month]
        good = sum(1 for p in of_month if p.check.finding == Finding.WITHIN)
        trend.append({"month": month, "value": percent(good, len(of_month)), "numerator": good,
                      "denominator": len(of_month)})
    evidence = {
        "unit": "decision",
        "count": len(checked),
        "met_count": len(within),
        "case_ids": _first(p.case_id for p in checked),
        "failing": {"count": len(outside), "case_ids": _first(p.case_id for p in outside)},
        "groups": spread_by_group(checked),
        "unplaced": unplaced,
        "truncated": len(checked) > EVIDENCE_LIMIT,
    }
    note = (f"可核对的罚款决定 {len(checked)} 件，超出裁量基准幅度 {len(outside)} 件；"
            f"未能核对 {sum(item['count'] for item in unplaced.values())} 件（见未核对原因）")
    return Result(value=value, met=None if value is None else value >= 100.0, numerator=len(within),
                  denominator=len(checked), evidence=evidence, trend=trend, note=note)


def spread_by_group(checked: list[Placed]) -> list[dict[str, Any]]:
    """Per violation and level: the spread of the fines and the cases behind it (the drill-down)."""
    groups: dict[tuple[str, str], list[Placed]] = defaultdict(list)
    for item in checked:
        entry, found = item.check.entry, item.check.level
        assert entry is not None and found is not None
        groups[(entry.violation_key, found.value)].append(item)
    result = []
    for (key, level), items in sorted(groups.items()):
        entry = items[0].check.entry
        assert entry is not None
        fines = sorted(item.fine for item in items)
        outside = [item for item in items if item.check.outside]
        result.append({"violation": key, "violation_name": entry.violation_name, "level": level,
                       "level_label": LEVEL_LABELS[items[0].check.level] if items[0].check.level else level,
                       **fine_spread(fines), "outside": len(outside),
                       "outside_share": percent(len(outside), len(items)),
                       "case_ids": _first(item.case_id for item in items),
                       "outside_case_ids": _first(item.case_id for item in outside)})
    return result


def fine_spread(fines: list[Decimal]) -> dict[str, Any]:
    """count, median, Q1, Q3, IQR (inclusive quartiles), min, max and CV (population SD ÷ mean, 3 places)."""
    count = len(fines)
    if count == 1:
        q1 = q3 = fines[0]
    else:
        q1, _, q3 = statistics.quantiles(fines, n=4, method="inclusive")
    mean = statistics.fmean(float(f) for f in fines)
    cv = round(statistics.pstdev(float(f) for f in fines) / mean, 3) if mean else None
    return {"count": count, "median": _money(statistics.median(fines)), "q1": _money(q1), "q3": _money(q3),
            "iqr": _money(q3 - q1), "min": _money(fines[0]), "max": _money(fines[-1]), "cv": cv}


def _placed(ctx: Context) -> tuple[list[Placed], dict[str, dict[str, Any]]]:
    decisions = (select(Decision.case_id).join(Case, Case.id == Decision.case_id)
                 .where(Case.agency_id.in_(ctx.agency_ids), Case.decision_type == PENALTY,
                        ctx.period.within(Decision.decided_at)))
    if not ctx.session.scalar(select(DiscretionBenchmark.id).where(
            DiscretionBenchmark.agency_id.in_(ctx.agency_ids),
            DiscretionBenchmark.effective_from <= ctx.period.end).limit(1)):
        # no benchmark can apply: nothing to place, and no draft to read (the penalty decisions counted apart)
        if ctx.summary:  # the summary keeps one publication unit per decision, keyed by the decision's type
            count = sum(n for _day, _published, n, kind, _ in publication_groups(ctx, ()) if kind == PENALTY)
        else:
            count = ctx.session.scalar(select(func.count()).select_from(decisions.subquery())) or 0
        ids = list(ctx.session.scalars(decisions.order_by(Decision.decided_at, Decision.case_id)
                                       .limit(EVIDENCE_LIMIT)))
        return [], ({Finding.NO_BENCHMARK.value: {"count": count, "case_ids": ids}} if count else {})
    rows = ctx.session.execute(
        decisions.with_only_columns(Decision.case_id, Decision.decided_at, Case.agency_id, DraftVersion.content)
        .join(DraftVersion, DraftVersion.id == Decision.draft_version_id)
        .order_by(Decision.decided_at, Decision.case_id)).tuples().all()
    benchmarks: dict[tuple[int, date], list[DiscretionBenchmark]] = {}
    placed: list[Placed] = []
    unplaced: dict[str, list[int]] = defaultdict(list)
    for case_id, decided_at, agency_id, content in rows:
        draft = json.loads(content)
        fine = amount_of((draft.get("proposed_decision") or {}).get("fine_amount"))
        if draft.get("decision_type") != "administrative_penalty" or fine is None:
            continue
        local = as_utc(decided_at).astimezone(BEIJING)
        on = local.date()
        if (agency_id, on) not in benchmarks:
            benchmarks[(agency_id, on)] = benchmarks_in_force(ctx.session, agency_id, on)
        in_force = benchmarks[(agency_id, on)]
        entries = entries_by_basis(in_force, draft.get("legal_basis") or []) if in_force else []
        if not entries:
            unplaced[Finding.NO_BENCHMARK.value if not in_force else Finding.NO_ENTRY.value].append(case_id)
            continue
        level_text = (draft.get("discretion") or {}).get("level") or ""
        basis = stated_amount(draft.get("facts") or "", entries[0].amount_basis)
        check = check_entry(entries[0], level=map_level(level_text), level_text=level_text, fine=fine,
                            basis_amount=basis)
        if check.finding in (Finding.WITHIN, Finding.BELOW, Finding.ABOVE):
            placed.append(Placed(case_id=case_id, month=local.strftime("%Y-%m"), fine=fine, check=check))
        else:
            unplaced[check.finding.value].append(case_id)
    return placed, {reason: {"count": len(ids), "case_ids": _first(ids)} for reason, ids in sorted(unplaced.items())}


def _first(values: Any) -> list[int]:
    return list(dict.fromkeys(values))[:EVIDENCE_LIMIT]


def _money(value: Any) -> str:
    return f"{Decimal(value):.2f}"
