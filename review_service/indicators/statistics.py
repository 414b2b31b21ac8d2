"""Statistics that help an agency improve (indicators (80)–(82)): review turnaround in working days
(median, p90), rounds per case, the most frequent problem points, overdue rates — by agency and
by reviewer.

The period's opinions come counted by agency, reviewer and the days that matter (the opinion's, its
start — the latest complete intake or submission — and its first reply), cases by their last round, and
problem masks: read from the indicator summary (:mod:`.summary_read`), or, as the reference, by grouped
queries over the rows. Working days come from a cumulative index over the calendar (two lookups per
group, no day-by-day walk); medians and p90 from the histograms.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import func, select

from review_service.calendar.queries import calendar_from_db
from review_service.cases.models import Case, Submission
from review_service.indicators import summary_read
from review_service.indicators.measures import Context, percent
from review_service.indicators.period import beijing_date
from review_service.organization.models import Agency, User
from review_service.organization.settings import agency_settings
from review_service.review.facts import keys_of
from review_service.review.models import Intake, Reply, Review
from review_service.review.points import TEN_POINTS

TOP_POINTS = 3
START_HORIZON = timedelta(days=366)  # a review that began over a year before the period shows no turnaround


# Each day's answer, per calendar: calendar_from_db gives the same object while the loaded versions stay the
# same (a new version is a new object, and the old one's answers go with it).
_DAY_ANSWERS: WeakKeyDictionary[Any, dict[date, bool]] = WeakKeyDictionary()


class WorkingDayIndex:
    """``between(a, b)``: working days after ``a`` up to ``b`` (``Calendar.working_days_between``), in O(1).

    Keyed by the ``YYYY-MM-DD`` text the database gives (:class:`~.period.beijing_date`).
    """

    def __init__(self, ctx: Context, first: date, last: date) -> None:
        if "calendar" not in ctx.cache:
            calendar = calendar_from_db(ctx.session)
            ctx.cache["calendar"] = (calendar, _DAY_ANSWERS.setdefault(calendar, {}))
        calendar, working = ctx.cache["calendar"]
        self.cumulative: dict[str, int] = {first.isoformat(): 0}
        day, count = first, 0
        while day < last:
            day += timedelta(days=1)
            if day not in working:
                working[day] = calendar.is_working_day(day)
            count += int(working[day])
            self.cumulative[day.isoformat()] = count

    def between(self, a: str, b: str) -> int:
        return self.cumulative[b] - self.cumulative[a]


def _turnaround_groups(ctx: Context) -> list[tuple[int, int, str, str | None, str | None, str | None, int]]:
    """The period's opinions counted by ``(agency, reviewer, Beijing day, latest complete-intake day, latest
    submission day, first reply day)`` — one grouped query, a few rows per reviewer and day.

    A start is a complete intake or a submission of the case (the review could begin) on a Beijing day not
    after the opinion's, no later than the period's end and no earlier than :data:`START_HORIZON` before its
    start; the latest counts. Both latest days come from correlated lookups on the ``case_id`` indexes.
    """
    period = ctx.period
    day = beijing_date(Review.submitted_at)

    def latest(model: Any, at: Any, *conditions: Any) -> Any:
        return (select(func.max(beijing_date(at)))
                .where(model.case_id == Review.case_id, *conditions, at < period.utc_end,
                       at >= period.utc_start - START_HORIZON, beijing_date(at) <= day)
                .scalar_subquery())

    first_reply = select(func.min(Reply.submitted_at)).where(Reply.review_id == Review.id).scalar_subquery()
    items = (select(Case.agency_id.label("agency_id"), Review.reviewer_id.label("reviewer_id"), day.label("day"),
                    latest(Intake, Intake.checked_at, Intake.complete.is_(True)).label("intake_day"),
                    latest(Submission, Submission.submitted_at).label("submission_day"),
                    beijing_date(first_reply).label("reply_day"))
             .join(Case, Case.id == Review.case_id)
             .where(Case.agency_id.in_(ctx.agency_ids), period.within(Review.submitted_at))
             .offset(0)  # kept a subquery: flattened into the GROUP BY, SQLite would run each lookup twice
             .subquery("items"))
    keys = [items.c.agency_id, items.c.reviewer_id, items.c.day, items.c.intake_day, items.c.submission_day,
            items.c.reply_day]
    stmt = select(*keys, func.count()).group_by(*keys)
    return [(int(a), int(r), str(d), i and str(i), s and str(s), p and str(p), int(n))
            for a, r, d, i, s, p, n in ctx.session.execute(stmt).tuples()]


def _rounds(ctx: Context) -> tuple[dict[int, Counter[int]], dict[int, Counter[int]]]:
    """Cases by their last round of the period, per agency and per reviewer: from the summary (and the rows
    of the few cases it does not group), or from the rows."""
    if not ctx.summary:
        return _round_groups(ctx, Case.agency_id), _round_groups(ctx, Review.reviewer_id)
    by_agency, by_reviewer = summary_read.round_groups(ctx)
    others = summary_read.complex_cases(ctx)
    if others is not None:
        for out, key in ((by_agency, Case.agency_id), (by_reviewer, Review.reviewer_id)):
            for group, rounds in _round_groups(ctx, key, Review.case_id.in_(others)).items():
                out[group].update(rounds)
    return by_agency, by_reviewer


def _round_groups(ctx: Context, key: Any, *only: Any) -> dict[int, Counter[int]]:
    """Per ``key`` (agency or reviewer): how many cases had their last round of the period at each number."""
    per_case = (select(key.label("key"), Review.case_id, func.max(Review.round).label("rounds"))
                .join(Case, Case.id == Review.case_id)
                .where(Case.agency_id.in_(ctx.agency_ids), ctx.period.within(Review.submitted_at), *only)
                .group_by(key, Review.case_id).subquery("per_case"))
    stmt = (select(per_case.c.key, per_case.c.rounds, func.count())
            .group_by(per_case.c.key, per_case.c.rounds))
    out: dict[int, Counter[int]] = defaultdict(Counter)
    for group, rounds, count in ctx.session.execute(stmt).tuples():
        out[int(group)][int(rounds)] += int(count)
    return out


def _problem_counts(ctx: Context) -> dict[tuple[int, int], dict[str, int]]:
    """Problem findings per point, by (agency, reviewer): one GROUP BY over the opinions' problem masks."""
    out: dict[tuple[int, int], dict[str, int]] = {}
    if ctx.summary:
        for agency_id, reviewer_id, mask, count in summary_read.problem_groups(ctx):
            counts = out.setdefault((agency_id, reviewer_id), dict.fromkeys(TEN_POINTS, 0))
            for key in keys_of(mask):
                counts[key] += count
        return out
    stmt = (select(Case.agency_id, Review.reviewer_id, Review.problem_mask, func.count())
            .join(Case, Case.id == Review.case_id)
            .where(Case.agency_id.in_(ctx.agency_ids), ctx.period.within(Review.submitted_at),
                   Review.conclusion.in_(("amend", "reject")),  # an approving opinion has no problem point
                   Review.problem_mask != 0)
            .group_by(Case.agency_id, Review.reviewer_id, Review.problem_mask))
    for agency_id, reviewer_id, problem_mask, count in ctx.session.execute(stmt).tuples():
        counts = out.setdefault((int(agency_id), int(reviewer_id)), dict.fromkeys(TEN_POINTS, 0))
        for key in keys_of(int(problem_mask)):  # type: ignore[arg-type]  # `problem_mask != 0` leaves NULL out
            counts[key] += int(count)
    return out


def _kth(histogram: list[tuple[int, int]], k: int) -> int:
    """The ``k``-th (0-based) value of the sorted values a ``(value, count)`` histogram stands for."""
    seen = 0
    for value, count in histogram:
        seen += count
        if k < seen:
            return value
    raise IndexError(k)


def _median(values: Counter[int]) -> float | int | None:
    """``statistics.median`` of the values a histogram counts (same answer, same type)."""
    total = sum(values.values())
    if not total:
        return None
    ordered = sorted(values.items())
    if total % 2:
        return _kth(ordered, total // 2)
    return (_kth(ordered, total // 2 - 1) + _kth(ordered, total // 2)) / 2


def _p90(values: Counter[int]) -> int | None:
    total = sum(values.values())
    if not total:
        return None
    return _kth(sorted(values.items()), max(0, math.ceil(0.9 * total) - 1))


@dataclass
class _Group:
    """What one summary counts: opinions, turnaround histogram, overdue counts, cases by rounds, problems."""

    reviews: int = 0
    turnaround: Counter[int] = field(default_factory=Counter)
    overdue: int = 0
    replied: int = 0
    reply_overdue: int = 0
    rounds: Counter[int] = field(default_factory=Counter)
    problems: Counter[str] = field(default_factory=Counter)

    def add(self, count: int, turnaround: int | None, overdue: bool, reply_days: int | None,
            reply_overdue: bool) -> None:
        self.reviews += count
        if turnaround is not None:
            self.turnaround[turnaround] += count
            self.overdue += count * overdue
        if reply_days is not None:
            self.replied += count
            self.reply_overdue += count * reply_overdue

    def summary(self) -> dict[str, Any]:
        cases = sum(self.rounds.values())
        timed = sum(self.turnaround.values())
        return {
            "reviews": self.reviews,
            "cases": cases,
            "turnaround_median": _median(self.turnaround),
            "turnaround_p90": _p90(self.turnaround),
            "rounds_mean": round(sum(r * n for r, n in self.rounds.items()) / cases, 2) if cases else None,
            "rounds_max": max(self.rounds) if cases else None,
            "overdue_rate": percent(self.overdue, timed),
            "reply_overdue_rate": percent(self.reply_overdue, self.replied),
            "top_problem_points": [{"point": key, "label": TEN_POINTS[key], "count": count}
                                   for key, count in self.problems.most_common(TOP_POINTS) if count],
        }


def review_statistics(ctx: Context) -> dict[str, Any]:
    """Turnaround (working days), rounds, frequent problems, overdue rates: overall, by agency, by reviewer.

    Set-based: the opinions come grouped by agency, reviewer and the days that matter (a few rows per
    reviewer and day), rounds as counts of cases per last round, problems per problem mask; the medians
    and p90 are read from the histograms. No per-opinion row reaches Python.
    """
    if "statistics" in ctx.cache:
        return ctx.cache["statistics"]
    if ctx.summary:
        horizon = (ctx.period.start - START_HORIZON).isoformat()
        groups = summary_read.turnaround_groups(ctx, horizon)
    else:
        groups = _turnaround_groups(ctx)
    days = {d for row in groups for d in row[2:6] if d}
    index = WorkingDayIndex(ctx, date.fromisoformat(min(days)), date.fromisoformat(max(days))) if days else None
    agencies = {a.id: a for a in ctx.session.scalars(select(Agency).where(Agency.id.in_(ctx.agency_ids)))}
    limits = {aid: agency_settings(agency) for aid, agency in agencies.items()}
    overall = _Group()
    by_agency: dict[int, _Group] = defaultdict(_Group)
    by_reviewer: dict[int, _Group] = defaultdict(_Group)
    facts: Counter[tuple[int, int, int | None, bool, int | None, bool]] = Counter()
    for agency_id, reviewer_id, reviewed, intake_day, submission_day, replied, count in groups:
        start = intake_day if not submission_day else submission_day if not intake_day else max(intake_day,
                                                                                               submission_day)
        turnaround = index.between(start, reviewed) if index and start else None
        reply_days = index.between(reviewed, replied) if index and replied else None
        settings = limits[agency_id]
        facts[(agency_id, reviewer_id, turnaround,
               turnaround is not None and turnaround > settings.review_working_days,
               reply_days, reply_days is not None and reply_days > settings.reply_working_days)] += count
    for (agency_id, reviewer_id, turnaround, overdue, reply_days, reply_overdue), count in facts.items():
        for group in (overall, by_agency[agency_id], by_reviewer[reviewer_id]):  # once per distinct fact
            group.add(count, turnaround, overdue, reply_days, reply_overdue)
    if groups:
        agency_rounds, reviewer_rounds = _rounds(ctx)
        for agency_id, rounds in agency_rounds.items():
            by_agency[agency_id].rounds = rounds
            overall.rounds.update(rounds)
        for reviewer_id, rounds in reviewer_rounds.items():
            by_reviewer[reviewer_id].rounds = rounds
        for (agency_id, reviewer_id), counts in _problem_counts(ctx).items():
            for group in (overall, by_agency[agency_id], by_reviewer[reviewer_id]):
                group.problems.update(counts)
    names = dict(ctx.session.execute(select(User.id, User.name).where(User.id.in_(list(by_reviewer)))).tuples().all())
    stats = {
        "overall": overall.summary(),
        "by_agency": [{"agency": {"id": str(aid), "name": agencies[aid].name}, **group.summary()}
                      for aid, group in sorted(by_agency.items())],
        "by_reviewer": [{"reviewer": {"id": str(uid), "name": names.get(uid, "")}, **group.summary()}
                        for uid, group in sorted(by_reviewer.items())],
        "unit": "工作日",
    }
    ctx.cache["statistics"] = stats
    return stats
