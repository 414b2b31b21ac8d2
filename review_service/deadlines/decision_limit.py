"""行政处罚法 art. 60: a penalty decision within 90 days (agency setting ``penalty_decision_days``) of 立案.

Counted in calendar days: art. 85 makes only the law's 二日、三日、五日、七日 working days, so 九十日 are
calendar days (the limit is the filing date plus the days). The limit moves by:

- its extensions (two at most: 30 days by the agency's head, another 30 with the higher approval the
  agency's rules name — 市场监督管理行政处罚程序规定 art. 64; ``penalty_extension_days``);
- the periods the rules do not count (市场监督管理行政处罚程序规定 art. 64: 中止、听证、公告和检测、检验、
  检疫、鉴定、权利恢复、技术评估等时间不计入), recorded on the case as dated intervals (both days
  included), and the days the case stood suspended (中止) — a day covered twice counts once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from review_service.core.clock import beijing_today
from review_service.deadlines.models import DECISION_LIMIT_CLOCK, ClockPause, DecisionLimitExtension, ExcludedPeriod
from review_service.organization.models import Agency
from review_service.organization.settings import agency_settings

_ONE_DAY = timedelta(days=1)
PENALTY = "administrative_penalty"


@dataclass(frozen=True)
class DecisionLimit:
    """The art. 60 limit of one case as it stands on ``today``."""

    filed_on: date
    base_days: int
    extension_days: tuple[int, ...]
    excluded_days: int  # calendar days not counted: excluded periods and suspensions, each day once
    limit_on: date
    paused: bool  # suspended now: the count stands still

    def days_left(self, today: date) -> int:
        """Calendar days from ``today`` to the limit (0: due today; negative: passed)."""
        return (self.limit_on - today).days


def _days(intervals: Iterable[tuple[date, date]], after: date) -> set[date]:
    """Every day inside the intervals (both ends included) after ``after``."""
    out: set[date] = set()
    for start, end in intervals:
        day = max(start, after + _ONE_DAY)
        while day <= end:
            out.add(day)
            day += _ONE_DAY
    return out


def compute(filed_on: date, base_days: int, extension_days: Iterable[int], excluded: Iterable[tuple[date, date]],
            paused: Iterable[tuple[date, date | None]], today: date) -> DecisionLimit:
    """The limit: filing date + days + extensions + the days not counted (a pure function, for table tests).

    ``excluded``: recorded periods, both days included. ``paused``: suspensions from the day the count stopped
    (not itself excluded, as the start day of any period) to the day it went on, or ``None`` while it lasts.
    """
    extensions = tuple(extension_days)
    still = False
    pause_spans = []
    for start, end in paused:
        if end is None:
            still, end = True, max(today, start)
        pause_spans.append((start + _ONE_DAY, end))
    not_counted = _days([*excluded, *pause_spans], filed_on)
    limit = filed_on + timedelta(days=base_days + sum(extensions) + len(not_counted))
    return DecisionLimit(filed_on, base_days, extensions, len(not_counted), limit, still)


_EXTENSIONS = select(DecisionLimitExtension).where(DecisionLimitExtension.case_id == bindparam("case_id")).order_by(
    DecisionLimitExtension.seq)
_EXCLUDED = select(ExcludedPeriod).where(ExcludedPeriod.case_id == bindparam("case_id")).order_by(
    ExcludedPeriod.start_on, ExcludedPeriod.id)
_PAUSES = select(ClockPause).where(ClockPause.case_id == bindparam("case_id"), ClockPause.clock == DECISION_LIMIT_CLOCK)


def extensions_of(session: Session, case_id: int) -> list[DecisionLimitExtension]:
    return list(session.scalars(_EXTENSIONS, {"case_id": case_id}))


def excluded_of(session: Session, case_id: int) -> list[ExcludedPeriod]:
    return list(session.scalars(_EXCLUDED, {"case_id": case_id}))


def decision_limit_of(session: Session, case: Any, today: date | None = None) -> DecisionLimit | None:
    """The art. 60 limit of a penalty case with a 立案日期 (``None`` for any other case)."""
    filed_on = case.filed_on
    if filed_on is None or case.decision_type != PENALTY:
        return None
    case_id = int(case.id)
    settings = agency_settings(case.agency)
    try:
        return compute(filed_on, settings.penalty_decision_days,
                       [row.days for row in extensions_of(session, case_id)],
                       [(row.start_on, row.end_on) for row in excluded_of(session, case_id)],
                       [(row.started_on, row.ended_on) for row in session.scalars(_PAUSES, {"case_id": case_id})],
                       today or beijing_today())
    except OverflowError:  # a 立案日期 stored before dates were bounded (core.dates): no limit inside the calendar
        return None


def decision_limits(session: Session, cases: list[Any], today: date | None = None) -> dict[int, DecisionLimit]:
    """The art. 60 limits of several cases (rows with ``id``, ``filed_on``, ``decision_type``, ``agency_id``) in
    three queries, for lists (the 待办 rows)."""
    wanted = [row for row in cases if row.filed_on is not None and row.decision_type == PENALTY]
    if not wanted:
        return {}
    ids = sorted({int(row.id) for row in wanted})
    ext: dict[int, list[int]] = {}
    for row in session.scalars(select(DecisionLimitExtension).where(DecisionLimitExtension.case_id.in_(ids))):
        ext.setdefault(row.case_id, []).append(row.days)
    excluded: dict[int, list[tuple[date, date]]] = {}
    for period in session.scalars(select(ExcludedPeriod).where(ExcludedPeriod.case_id.in_(ids))):
        excluded.setdefault(period.case_id, []).append((period.start_on, period.end_on))
    paused: dict[int, list[tuple[date, date | None]]] = {}
    for pause in session.scalars(select(ClockPause).where(ClockPause.case_id.in_(ids),
                                                          ClockPause.clock == DECISION_LIMIT_CLOCK)):
        paused.setdefault(pause.case_id, []).append((pause.started_on, pause.ended_on))
    days = {agency.id: agency_settings(agency).penalty_decision_days
            for agency in session.scalars(select(Agency).where(Agency.id.in_({row.agency_id for row in wanted})))}
    today = today or beijing_today()
    out = {}
    for row in wanted:
        try:
            out[int(row.id)] = compute(row.filed_on, days.get(row.agency_id, 90), ext.get(row.id, []),
                                       excluded.get(row.id, []), paused.get(row.id, []), today)
        except OverflowError:
            continue
    return out
