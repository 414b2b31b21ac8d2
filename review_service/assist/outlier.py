"""同案不同罚: the draft's proposed fine against the fines of similar decided cases (advice on point 7).

Peers are the decided cases in the caller's scope that cite exactly the draft's specific articles
(:func:`.text.basis_keys`) at the same discretion level (裁量档次), with a fine; below :data:`MIN_PEERS`
nothing is said. The rule (``robust``, the default) is Tukey's fences on the *logarithm* of the fines,
``[Q1 − 1.5·IQR, Q3 + 1.5·IQR]``, widened where needed so that no fine within a factor of
:data:`MIN_RATIO` of the peers' median is called an outlier.

Why the logarithm: statutory ranges and 裁量基准 are multiplicative (一倍以上五倍以下 of the goods' value,
五万元以上二十万元以下), so the fines of one level spread in proportion to their size. Why the factor: an
agency has five to twenty peers of one violation and level, and the quartiles of so few fines are unstable;
plain fences then flag fines at the edge of the level's own range (on the evaluation set plain log fences
flag twice as many cases as were planted). A fine under half or over double what the agency usually
imposes for the same violation at the same level is the disparity 同案不同罚 means; a smaller one is
ordinary discretion. ``review-service assist evaluate`` measures the three rules side by side.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.assist.engine import current
from review_service.assist.index import money
from review_service.assist.models import SimilarCase
from review_service.assist.queries import basis_label
from review_service.assist.text import basis_keys
from review_service.core.clock import BEIJING, as_utc
from review_service.organization.models import User
from review_service.organization.queries import visible_agencies
from review_service.review.points import TEN_POINTS

MIN_PEERS = 5  # fewer decided cases than this: no distribution worth comparing with
FENCE = 1.5  # Tukey's k
MIN_RATIO = 2.0  # ``robust``: a fine within this factor of the median is never an outlier
POINT = "discretion_appropriate"  # point 7: 裁量基准运用是否适当
SHOWN_PEERS = 20  # the peers listed with the advice (closest fines first)
Rule = Literal["robust", "tukey-log", "tukey-linear"]
RULES: tuple[Rule, ...] = ("robust", "tukey-log", "tukey-linear")


@dataclass
class Peer:
    case_id: int
    case_number: str | None
    decision_number: str
    title: str
    decided_on: date
    fine: Decimal


@dataclass
class Outlier:
    """The draft's fine lies outside the fences of its peers' fines: advice for the reviewer on point 7."""

    fine: Decimal
    direction: Literal["high", "low"]
    count: int
    median: Decimal
    q1: Decimal
    q3: Decimal
    low: Decimal  # the fences, in yuan
    high: Decimal
    level: str
    basis: list[str]
    message: str
    point: str = POINT
    point_label: str = TEN_POINTS[POINT]
    cases: list[Peer] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("fine", "median", "q1", "q3", "low", "high"):
            data[key] = f"{getattr(self, key):.2f}"
        data["cases"] = [{**asdict(p), "decided_on": p.decided_on.isoformat(), "fine": f"{p.fine:.2f}"}
                         for p in self.cases]
        return data


def _yuan(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


def fences(fines: Any, rule: Rule = "robust") -> tuple[float, float]:
    """The fences of ``fines`` (positive, yuan) under ``rule``: outside them a fine is an outlier."""
    values = np.asarray(fines, dtype=np.float64) if rule == "tukey-linear" else np.log(fines)
    q1, q3 = np.percentile(values, [25, 75])
    low, high = q1 - FENCE * (q3 - q1), q3 + FENCE * (q3 - q1)
    if rule == "tukey-linear":
        return float(low), float(high)
    low, high = math.exp(low), math.exp(high)
    if rule == "robust":
        median = float(np.median(fines))
        low, high = min(low, median / MIN_RATIO), max(high, median * MIN_RATIO)
    return low, high


def peer_positions(session: Session, *, actor: User, draft: dict[str, Any], case_id: int | None) -> tuple[Any, Any]:
    """Index positions and fines of the draft's peers in the actor's scope (same specific articles, same level)."""
    index = current(session)
    scope = visible_agencies(session, actor)
    level = str((draft.get("discretion") or {}).get("level") or "")
    keys = frozenset(basis_keys(draft.get("legal_basis")))
    positions = np.array(index.by_group.get((keys, level), []) if keys else [], dtype=np.int64)
    if not len(positions) or not scope:
        return positions, np.zeros(0)
    keep = index.alive[positions] & np.isin(index.agencies[positions], list(scope)) & (index.fines[positions] > 0)
    if case_id is not None:
        keep &= index.case_ids[positions] != case_id
    positions = positions[keep]
    return np.array([index.entries[p].row_id for p in positions], dtype=np.int64), index.fines[positions]


def fine_outlier(session: Session, *, actor: User, draft: dict[str, Any], case_id: int | None,
                 rule: Rule = "robust") -> Outlier | None:
    """The 同案不同罚 advice for ``draft``'s fine, or ``None`` (no fine, too few peers, or within the fences)."""
    fine = money((draft.get("proposed_decision") or {}).get("fine_amount"))
    if fine is None or fine <= 0:
        return None
    row_ids, fines = peer_positions(session, actor=actor, draft=draft, case_id=case_id)
    if len(fines) < MIN_PEERS:
        return None
    low, high = fences(fines, rule)
    if low <= float(fine) <= high:
        return None
    q1, median, q3 = np.percentile(fines, [25, 50, 75])
    direction: Literal["high", "low"] = "high" if float(fine) > high else "low"
    level = str((draft.get("discretion") or {}).get("level") or "")
    basis = [basis_label(key) for key in basis_keys(draft.get("legal_basis"))]
    word = "高于" if direction == "high" else "低于"
    message = (f"拟罚款{fine:.2f}元，明显{word}同一违法行为（{'、'.join(basis)}）、"
               f"同一裁量档次（{level or '未注明'}）"
               f"已决案件的罚款（{len(fines)}件，中位数{median:.2f}元，四分位区间{q1:.2f}至{q3:.2f}元），"
               "请审查裁量是否适当，是否存在同案不同罚。")
    closest = row_ids[np.argsort(np.abs(np.log(fines) - math.log(float(fine))))][:SHOWN_PEERS]
    rows = {row.id: row for row in session.scalars(select(SimilarCase).where(SimilarCase.id.in_(closest.tolist())))}
    cases = [Peer(case_id=r.case_id, case_number=r.case_number, decision_number=r.number, title=r.title,
                  decided_on=as_utc(r.decided_at).astimezone(BEIJING).date(), fine=r.fine or Decimal(0))
             for r in (rows.get(int(i)) for i in closest) if r is not None]
    return Outlier(fine=fine, direction=direction, count=len(fines), median=_yuan(median), q1=_yuan(q1),
                   q3=_yuan(q3), low=_yuan(low), high=_yuan(high), level=level, basis=basis, message=message,
                   cases=cases)
