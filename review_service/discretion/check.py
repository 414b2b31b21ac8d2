"""The range check: is a proposed fine within the range its declared level allows under the 裁量基准?

Plain values in, a :class:`FineCheck` out, so that the review's advice on point 7 (``discretion_appropriate``)
and indicator (132) call the same function without this bottom-layer package knowing about cases. Bounds are
inclusive (罚款"以上""以下"包括本数, 《行政处罚法》第八十五条). A multiple is applied to the basis amount and
rounded to the fen. Nothing here raises for the draft's wording: an unknown level is a finding.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from review_service.discretion.amounts import stated_amount
from review_service.discretion.levels import LEVEL_LABELS, Level, map_level
from review_service.discretion.models import DiscretionBenchmark, DiscretionEntry, DiscretionRange
from review_service.discretion.queries import benchmarks_in_force, entries_by_basis, entry_for

POINT_KEY = "discretion_appropriate"  # review point 7, 裁量基准运用是否适当 (review/points.py)
_FEN = Decimal("0.01")


class Finding(enum.StrEnum):
    WITHIN = "within"
    BELOW = "below"
    ABOVE = "above"
    NO_BENCHMARK = "no_benchmark"  # the agency has no benchmark in force on the date
    NO_ENTRY = "no_entry"  # no entry for the violation
    LEVEL_UNKNOWN = "level_unknown"  # the draft's wording names none of the five levels
    LEVEL_NOT_SET = "level_not_set"  # the entry sets nothing for that level
    BASIS_MISSING = "basis_missing"  # the range is a multiple (or bracketed) and the basis amount is not given


#: Findings that tell the reviewer something is off (WITHIN is the only clean one).
CONCERNS = frozenset(Finding) - {Finding.WITHIN}


@dataclass
class FineCheck:
    finding: Finding
    message: str
    level: Level | None = None
    fine: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    range_text: str = ""
    measures: list[str] = field(default_factory=list)
    entry: DiscretionEntry | None = None
    benchmark: DiscretionBenchmark | None = None

    @property
    def outside(self) -> bool:
        return self.finding in (Finding.BELOW, Finding.ABOVE)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: the advice as the API and pages carry it."""
        entry, benchmark = self.entry, self.benchmark
        return {
            "point": POINT_KEY, "finding": self.finding.value, "message": self.message,
            "level": self.level.value if self.level else None,
            "level_label": LEVEL_LABELS[self.level] if self.level else None,
            "fine": _money(self.fine), "low": _money(self.low), "high": _money(self.high),
            "range": self.range_text, "measures": list(self.measures),
            "entry": None if entry is None else {"violation": entry.violation_key, "name": entry.violation_name,
                                                 "violation_basis": entry.violation_basis,
                                                 "penalty_basis": entry.penalty_basis},
            "benchmark": None if benchmark is None else {
                "id": benchmark.benchmark_id, "version": benchmark.version, "title": benchmark.title,
                "document_number": benchmark.document_number, "row_id": benchmark.id},
        }


def check_fine(session: Session, *, agency_id: int, violation: str | DiscretionEntry, level: str | Level | None,
               fine: Decimal | str | None, basis_amount: Decimal | str | None = None, on: date) -> FineCheck:
    """Check ``fine`` against the range of ``level`` for ``violation`` in the agency's benchmark in force ``on``.

    ``violation`` is an entry's key or name (or an entry found by :func:`find_entries`); ``level`` a
    :class:`Level` or the draft's free text; ``basis_amount`` the 货值金额 / 违法所得 … a multiple applies to.
    """
    fine_amount = _amount(fine) or Decimal("0.00")
    mapped = level if isinstance(level, Level) else map_level(level)
    if isinstance(violation, DiscretionEntry):
        entry: DiscretionEntry | None = violation
        benchmark: DiscretionBenchmark | None = violation.benchmark
    else:
        benchmarks = benchmarks_in_force(session, agency_id, on)
        if not benchmarks:
            return FineCheck(Finding.NO_BENCHMARK,
                             f"本机关在 {on.isoformat()} 没有施行中的行政处罚裁量基准，无法核对罚款幅度。",
                             level=mapped, fine=fine_amount)
        entry = entry_for(benchmarks, violation)
        benchmark = entry.benchmark if entry is not None else benchmarks[0]
    if entry is None:
        return FineCheck(Finding.NO_ENTRY, f"裁量基准中没有违法行为“{violation}”的条目，无法核对罚款幅度。",
                         level=mapped, fine=fine_amount, benchmark=benchmark)
    return check_entry(entry, level=mapped, level_text=None if isinstance(level, Level) else level,
                       fine=fine_amount, basis_amount=_amount(basis_amount))


def check_entry(entry: DiscretionEntry, *, level: Level | None, fine: Decimal, basis_amount: Decimal | None,
                level_text: str | None = None) -> FineCheck:
    """The check against one entry (already chosen); see :func:`check_fine`."""
    benchmark = entry.benchmark
    where = f"{benchmark.label}“{entry.violation_name}”"
    base = FineCheck(Finding.WITHIN, "", level=level, fine=fine, entry=entry, benchmark=benchmark)
    if level is None:
        wording = f"“{level_text}”" if level_text else "（未填写）"
        levels = "、".join(LEVEL_LABELS.values())
        return replace(base, finding=Finding.LEVEL_UNKNOWN,
                       message=f"草稿的裁量情节{wording}不能对应{where}的裁量档次（{levels}），请写明适用的档次。")
    label = LEVEL_LABELS[level]
    ranges = [rng for rng in entry.ranges if rng.level == level.value]
    if not ranges:
        return replace(base, finding=Finding.LEVEL_NOT_SET,
                       message=f"{where}未规定“{label}”档次，请核实裁量档次的适用。")
    chosen = _bracket(ranges, basis_amount)
    if chosen is None or (chosen.factor_min is not None and basis_amount is None):
        what = entry.amount_basis or "计罚基数"
        return replace(base, finding=Finding.BASIS_MISSING,
                       message=f"{where}“{label}”档次按{what}确定罚款幅度，草稿未写明{what}，无法核对罚款幅度。")
    low, high, range_text = _bounds(entry, chosen, basis_amount)
    shown = replace(base, low=low, high=high, range_text=range_text, measures=list(chosen.measures or []))
    if fine < low or fine > high:
        side = "低于" if fine < low else "高于"
        return replace(shown, finding=Finding.BELOW if fine < low else Finding.ABOVE,
                       message=f"拟罚款{_yuan(fine)}{side}{where}“{label}”档次的罚款幅度（{range_text}），"
                               "请说明理由或调整裁量档次。")
    return replace(shown, message=f"拟罚款{_yuan(fine)}在{where}“{label}”档次的罚款幅度（{range_text}）之内。")


def _bounds(entry: DiscretionEntry, chosen: DiscretionRange, basis: Decimal | None) -> tuple[Decimal, Decimal, str]:
    """The range in yuan and in words: none (不予罚款), fixed, or a multiple of the basis amount."""
    if chosen.fine_min is not None and chosen.fine_max is not None:
        return chosen.fine_min, chosen.fine_max, f"{_yuan(chosen.fine_min)}至{_yuan(chosen.fine_max)}"
    if chosen.factor_min is None or chosen.factor_max is None or basis is None:
        return Decimal("0.00"), Decimal("0.00"), "不予罚款"
    low = (chosen.factor_min * basis).quantize(_FEN, ROUND_HALF_UP)
    high = (chosen.factor_max * basis).quantize(_FEN, ROUND_HALF_UP)
    what = entry.amount_basis
    return low, high, (f"{what}的{_factor(chosen.factor_min)}至{_factor(chosen.factor_max)}倍"
                       f"（{what}{_yuan(basis)}，即{_yuan(low)}至{_yuan(high)}）")


def find_entries(session: Session, *, agency_id: int, legal_basis: Iterable[str], on: date) -> list[DiscretionEntry]:
    """The benchmark entries a draft's legal basis strings cite (best first; empty when none)."""
    benchmarks = benchmarks_in_force(session, agency_id, on)
    return entries_by_basis(benchmarks, list(legal_basis)) if benchmarks else []


def check_draft(session: Session, *, agency_id: int, legal_basis: Iterable[str], level: str | None,
                fine: Decimal | str | None, basis_amount: Decimal | str | None = None, facts: str = "",
                on: date) -> FineCheck:
    """A draft's values checked: its violation found from its legal basis, then :func:`check_entry`.

    Without ``basis_amount``, the amount the entry multiplies (货值金额 …) is read from ``facts`` when stated there
    (:func:`~.amounts.stated_amount`).
    """
    benchmarks = benchmarks_in_force(session, agency_id, on)
    if not benchmarks:
        return check_fine(session, agency_id=agency_id, violation="", level=level, fine=fine, on=on)
    entries = entries_by_basis(benchmarks, list(legal_basis))
    if not entries:
        return FineCheck(Finding.NO_ENTRY,
                         "草稿引用的法律依据在本机关施行中的裁量基准中没有对应条目，无法核对罚款幅度。",
                         level=map_level(level), fine=_amount(fine), benchmark=benchmarks[0])
    if basis_amount is None and facts:
        basis_amount = stated_amount(facts, entries[0].amount_basis)
    return check_fine(session, agency_id=agency_id, violation=entries[0], level=level, fine=fine,
                      basis_amount=basis_amount, on=on)


def _bracket(ranges: list[DiscretionRange], basis: Decimal | None) -> DiscretionRange | None:
    """The range whose bracket of the basis amount holds ``basis`` (the only one when none is bracketed)."""
    if len(ranges) == 1 and ranges[0].basis_from is None and ranges[0].basis_below is None:
        return ranges[0]
    if basis is None:
        return None
    for rng in ranges:
        if (rng.basis_from is None or basis >= rng.basis_from) and (rng.basis_below is None or basis < rng.basis_below):
            return rng
    return None


def _amount(value: Decimal | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value)).quantize(_FEN)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}元"


def _factor(value: Decimal) -> str:
    return f"{value.normalize():f}"
