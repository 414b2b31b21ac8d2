"""The opinion's fact columns (kept at submission, backfilled by migration 0008) and the set-based
statistics: the same answers as reading every opinion's JSON and every row in Python."""

from __future__ import annotations

import importlib.util
import json
import math
import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

from sqlalchemy import DateTime, literal, select

from review_service.cases.models import Case, Submission
from review_service.core.clock import BEIJING
from review_service.indicators.measures import Context, percent
from review_service.indicators.period import Period, beijing_month
from review_service.indicators.statistics import WorkingDayIndex, _median, _p90, review_statistics
from review_service.indicators.summary import catch_up
from review_service.organization.models import Agency
from review_service.organization.settings import agency_settings
from review_service.replies.operations import reply_to_opinion
from review_service.review.facts import ALL_POINTS, POINT_BIT, keys_of, opinion_facts
from review_service.review.models import Intake, Reply, Review
from review_service.review.operations import submit_opinion
from review_service.review.points import TEN_POINTS
from tests.fixtures.indicators import PROBLEM, Known, beijing, reviewed_case, spanning_case
from tests.fixtures.world import AGENCY, World, opinion, replies

MIGRATION = Path(__file__).resolve().parents[2] / "review_service/migrations/versions/0008_review_facts.py"


def _migration() -> Any:
    spec = importlib.util.spec_from_file_location("migration_0008", MIGRATION)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_opinion_facts() -> None:
    points = opinion("amend", ("facts_clear", "law_application"))["points"]
    points["criminal_transfer"] = {"finding": "not_applicable", "opinion": "", "reason": "不涉及犯罪"}
    points["within_authority"] = {"finding": "ok", "opinion": "   "}  # blank: not written
    facts = opinion_facts(points, [{"point": "x"}], [5, 6])
    assert facts == {"points_written": ALL_POINTS & ~POINT_BIT["within_authority"],
                     "problem_points": POINT_BIT["facts_clear"] | POINT_BIT["law_application"],
                     "advice_count": 1, "advisor_count": 2}
    assert keys_of(facts["problem_points"]) == ["facts_clear", "law_application"]
    assert list(POINT_BIT) == list(TEN_POINTS) and ALL_POINTS == 1023


def test_the_migration_backfills_the_same_facts() -> None:
    migration = _migration()
    assert tuple(TEN_POINTS) == migration.POINT_KEYS  # frozen copy: the bit order must not drift
    rng = random.Random(9)
    for _ in range(200):
        points: dict[str, Any] = {}
        for key in TEN_POINTS:
            if rng.random() < 0.1:
                continue  # a point missing from an old row
            points[key] = {"finding": rng.choice(("ok", "problem", "not_applicable")),
                           "opinion": rng.choice(("", " ", "符合规定。", None)),
                           "reason": rng.choice(("", "不适用", None))}
        quality = [{"point": "x"}] * rng.randrange(3)
        advisors = list(range(rng.randrange(3)))
        expected = tuple(opinion_facts(points, quality, advisors).values())
        assert migration._facts(json.dumps(points), json.dumps(quality), json.dumps(advisors)) == expected
        assert migration._facts(points, quality, advisors) == expected


def test_submit_opinion_keeps_the_facts(world: World) -> None:
    with beijing("2026-03-10 10:00"):
        case_id = reviewed_case(world, advisors=("advisor",))
        data = opinion("amend", PROBLEM)
        data["advisor_ids"] = [world.ids["advisor"]]
        data["points"]["facts_clear"]["opinion"] = "案件事实基本符合认定要求，同意。"  # quality advice
        world.act(submit_opinion, "reviewer", case_id=case_id, data=data)
    with world.uow() as session:
        review = session.scalars(select(Review).where(Review.case_id == case_id)).one()
        assert review.points_written == ALL_POINTS
        assert review.problem_mask == POINT_BIT["evidence_sufficient"]
        assert review.advice_count == len(review.quality) > 0
        assert review.advisor_count == 1
        assert (review.points_written, review.problem_mask, review.advice_count, review.advisor_count) == tuple(
            opinion_facts(review.points, review.quality, review.advisor_ids).values())


def test_month_of_agrees_with_the_beijing_month(world: World) -> None:
    period = Period.parse("2025-11-01", "2026-03-31")
    instants = []
    for _month, bound in period.month_bounds():
        instants += [bound - timedelta(microseconds=1), bound, bound + timedelta(hours=1)]
    instants = [i for i in instants if period.utc_start <= i < period.utc_end]
    instants += [period.utc_start, period.utc_end - timedelta(microseconds=1)]
    with world.uow() as session:
        for instant in instants:
            value = literal(instant, DateTime(timezone=True))
            got, by_function = session.execute(select(period.month_of(value), beijing_month(value))).one()
            assert got == instant.astimezone(BEIJING).strftime("%Y-%m"), instant
            if instant.microsecond % 1000 == 0:  # SQLite's date functions round to the millisecond
                assert got == by_function, instant
    single = Period.parse("2026-03-01", "2026-03-31")
    with world.uow() as session:
        assert session.scalar(select(single.month_of(literal(datetime(2026, 3, 5, tzinfo=UTC))))) == "2026-03"


def test_histogram_median_and_p90_are_the_list_answers() -> None:
    rng = random.Random(4)
    for size in (1, 2, 3, 4, 7, 10, 11, 100):
        values = [rng.randrange(12) for _ in range(size)]
        counted = Counter(values)
        assert _median(counted) == median(values) and type(_median(counted)) is type(median(values))
        assert _p90(counted) == sorted(values)[max(0, math.ceil(0.9 * size) - 1)]
    assert _median(Counter()) is None and _p90(Counter()) is None


def reference_statistics(session: Any, ctx: Context) -> dict[str, Any]:
    """The statistics read row by row, as the first version did: each opinion's start (the latest complete
    intake or submission day not after its day), first reply, working days; problems from the JSON."""
    period = ctx.period
    rows = session.execute(select(Review, Case.agency_id).join(Case, Case.id == Review.case_id)
                           .where(Case.agency_id.in_(ctx.agency_ids), period.within(Review.submitted_at))).all()

    def day(at: datetime) -> str:
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(BEIJING).date().isoformat()

    horizon = period.utc_start - timedelta(days=366)
    starts: dict[int, set[str]] = defaultdict(set)
    for case_id, at in [*session.execute(select(Intake.case_id, Intake.checked_at).where(Intake.complete.is_(True))),
                        *session.execute(select(Submission.case_id, Submission.submitted_at))]:
        aware = at if at.tzinfo else at.replace(tzinfo=UTC)
        if horizon <= aware < period.utc_end:
            starts[case_id].add(day(at))
    first_reply: dict[int, datetime] = {}
    for review_id, at in session.execute(select(Reply.review_id, Reply.submitted_at)):
        if review_id not in first_reply or at < first_reply[review_id]:
            first_reply[review_id] = at
    agencies = {a.id: agency_settings(a) for a in session.scalars(select(Agency))}
    items = []
    for review, agency_id in rows:
        reviewed = day(review.submitted_at)
        start = max((d for d in starts.get(review.case_id, ()) if d <= reviewed), default=None)
        replied = day(first_reply[review.id]) if review.id in first_reply else None
        items.append((review, agency_id, reviewed, start, replied))
    days = {d for item in items for d in item[2:] if d}
    index = WorkingDayIndex(ctx, min(map(datetime.fromisoformat, days)).date(),
                            max(map(datetime.fromisoformat, days)).date()) if days else None

    def summary(group: list[Any]) -> dict[str, Any]:
        turnaround, overdue, reply_overdue, rounds, problems = [], [], [], {}, Counter()
        for review, agency_id, reviewed, start, replied in group:
            limits = agencies[agency_id]
            if start and index:
                turnaround.append(index.between(start, reviewed))
                overdue.append(turnaround[-1] > limits.review_working_days)
            if replied and index:
                reply_overdue.append(index.between(reviewed, replied) > limits.reply_working_days)
            rounds[review.case_id] = max(rounds.get(review.case_id, 0), review.round)
            if review.conclusion in ("amend", "reject"):
                problems.update(review.problem_points())
        ordered = sorted(turnaround)
        return {"reviews": len(group), "cases": len(rounds),
                "turnaround_median": median(turnaround) if turnaround else None,
                "turnaround_p90": ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)] if ordered else None,
                "rounds_mean": round(sum(rounds.values()) / len(rounds), 2) if rounds else None,
                "rounds_max": max(rounds.values()) if rounds else None,
                "overdue_rate": percent(sum(overdue), len(overdue)),
                "reply_overdue_rate": percent(sum(reply_overdue), len(reply_overdue)),
                "top_problem_points": [{"point": k, "label": TEN_POINTS[k], "count": n}
                                       for k, n in problems.most_common(3) if n]}

    by_agency: dict[int, list[Any]] = defaultdict(list)
    by_reviewer: dict[int, list[Any]] = defaultdict(list)
    for item in items:
        by_agency[item[1]].append(item)
        by_reviewer[item[0].reviewer_id].append(item)
    return {"overall": summary(items),
            "by_agency": {aid: summary(group) for aid, group in by_agency.items()},
            "by_reviewer": {uid: summary(group) for uid, group in by_reviewer.items()}}


def test_statistics_equal_the_row_by_row_answers(known: Known) -> None:
    world = known.world
    spanning_case(world)
    with beijing("2026-03-16 09:00"):  # a second reviewer, a late reply and a problem on two points
        case_id = reviewed_case(world, reviewer="reviewer2")
        world.act(submit_opinion, "reviewer2", case_id=case_id, data=opinion("amend", ("facts_clear", *PROBLEM)))
    with beijing("2026-03-30 09:00"):
        world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(("facts_clear", *PROBLEM)))
    overall = []
    for start, end in (("2026-03-01", "2026-03-31"), ("2026-02-01", "2026-03-31"), ("2026-02-21", "2026-03-05")):
        with world.uow() as session:
            catch_up(session)
            agency = session.scalars(select(Agency).where(Agency.name == AGENCY)).one()
            ctx = Context(session=session, agency_id=agency.id, agency_ids=[agency.id],
                          period=Period.parse(start, end))
            got = review_statistics(ctx)
            expected = reference_statistics(session, ctx)
        assert got["overall"] == expected["overall"], (start, end)
        overall.append(got["overall"])
        assert {int(row["agency"]["id"]): {k: v for k, v in row.items() if k != "agency"}
                for row in got["by_agency"]} == expected["by_agency"]
        assert {int(row["reviewer"]["id"]): {k: v for k, v in row.items() if k != "reviewer"}
                for row in got["by_reviewer"]} == expected["by_reviewer"]
    march = overall[0]  # the data set is not trivial: several reviewers, rounds, a late reply, two problem points
    assert march["reviews"] == 42 and march["reply_overdue_rate"] and len(march["top_problem_points"]) == 2
