"""Indicators over a data set with known answers, and the period's edges."""

from __future__ import annotations

from tests.fixtures.indicators import Known, beijing, by_id, report, reviewed_case, spanning_case
from tests.fixtures.world import World


def test_known_answers(known: Known) -> None:
    entries = by_id(report(known.world, "2026-03-01", "2026-03-31"))
    advised = entries["90"]  # over the 20 decisions that should have been reviewed, not the 40 opinions
    assert (advised["numerator"], advised["denominator"], advised["value"], advised["met"]) == (7, 20, 35.0, True)
    assert sorted(advised["evidence"]["failing"]["case_ids"]) == sorted(set(known.decided) - set(known.advised))
    assert (entries["88"]["numerator"], entries["88"]["denominator"], entries["88"]["met"]) == (20, 20, True)
    assert entries["88"]["evidence"]["failing"]["case_ids"] == []  # multi's 5 cases are not decided
    # world.opinion() writes "经审查，{label}，符合规定。" on every ok point of every case, and the same problem
    # paragraph on the 10 amended cases: boilerplate shared by other cases, and the question restated. The
    # vague facts_clear ("案件事实基本符合认定要求，同意。") is unique but restates the point. So no point is
    # reviewed in the sense of (95)–(104) (point_substance.says_something; known answers: test_point_substance)
    for number in map(str, range(95, 105)):
        assert (entries[number]["value"], entries[number]["met"], entries[number]["denominator"]) == (0.0, False, 40)
        assert entries[number]["evidence"]["failing"]["count"] == 40
    # (105): since the advice flags the question restated too (review/point_text.py, the rule above), every one
    # of the 40 opinions draws advice, the vague one among them (the drill-down lists the first ones)
    assert (entries["105"]["value"], entries["105"]["met"]) == (0.0, False)
    assert entries["105"]["evidence"]["failing"]["count"] == 40
    assert len(known.vague) == 1
    assert (entries["106"]["numerator"], entries["106"]["denominator"], entries["106"]["value"]) == (7, 10, 70.0)
    assert (entries["107"]["numerator"], entries["107"]["value"], entries["107"]["met"]) == (6, 60.0, False)
    assert set(entries["107"]["evidence"]["failing"]["case_ids"]) == (set(known.amended) - set(known.replied)) | set(
        known.unclear)
    decided = entries["108"]
    assert (decided["numerator"], decided["denominator"], decided["met"]) == (20, 20, True)
    assert sorted(decided["evidence"]["case_ids"]) == sorted(known.decided)
    for number in ("70", "71", "72", "115", "117"):
        assert (entries[number]["value"], entries[number]["met"]) == (100.0, True), number
    assert entries["114"]["denominator"] == 40 and entries["114"]["met"] is True
    assert len(entries["117"]["evidence"]["event_seqs"]) == 20  # the decision_made event of each decided case
    assert entries["91"]["met"] is True and entries["92"]["met"] is True and entries["92"]["value"] == "5/5"
    assert entries["85"]["met"] is True
    # world: reviewer, reviewer2, rookie (law degree), reviewer_advisor are full-time; multi also handles
    assert (entries["87"]["numerator"], entries["87"]["denominator"], entries["87"]["met"]) == (4, 4, True)
    assert entries["86"]["basis"] == "not_evidenced" and entries["86"]["met"] is None
    assert entries["110"]["basis"] == "not_evidenced"
    trend = {point["month"]: point for point in advised["trend"]}
    assert trend["2026-03"]["value"] == 35.0 and list(trend) == ["2026-03"]
    check_statistics(known)  # the data set takes a while to build: one test reads it three ways
    check_no_cases_in_the_period(known)


def check_statistics(known: Known) -> None:
    stats = report(known.world, "2026-03-01", "2026-03-31")["statistics"]
    overall = stats["overall"]
    assert overall["reviews"] == 40 and overall["cases"] == 40
    assert overall["turnaround_median"] == 0 and overall["turnaround_p90"] == 0  # reviewed the day of intake
    assert overall["rounds_mean"] == 1.0 and overall["overdue_rate"] == 0.0
    assert overall["top_problem_points"] == [{"point": "evidence_sufficient", "label": "证据是否合法充分", "count": 10}]
    reviewers = {row["reviewer"]["name"]: row for row in stats["by_reviewer"]}
    assert reviewers["multi"]["reviews"] == 5 and reviewers["reviewer"]["reviews"] == 35
    # replies two days after the opinion (Tue → Thu): within the 5 working days
    assert overall["reply_overdue_rate"] == 0.0


def check_no_cases_in_the_period(known: Known) -> None:
    entries = by_id(report(known.world, "2025-01-01", "2025-12-31"))
    for number in ("88", "90", "95", "105", "106", "107", "108", "70", "114"):
        assert entries[number]["value"] is None and entries[number]["met"] is None, number
        assert entries[number]["evidence"]["count"] == 0
        assert len(entries[number]["trend"]) == 12 and all(p["denominator"] == 0 for p in entries[number]["trend"])


def test_a_case_spanning_two_periods(world: World) -> None:
    case_id = spanning_case(world)
    february = by_id(report(world, "2026-02-01", "2026-02-28"))
    march = by_id(report(world, "2026-03-01", "2026-03-31"))
    both = by_id(report(world, "2026-02-01", "2026-03-31"))
    assert february["95"]["denominator"] == 1 and february["106"]["numerator"] == 1
    assert february["108"]["denominator"] == 0 and march["108"]["numerator"] == 1
    assert march["95"]["denominator"] == 1 and march["106"]["denominator"] == 0
    assert both["95"]["denominator"] == 2 and both["90"]["denominator"] == 1  # two opinions, one case
    assert [p["denominator"] for p in both["95"]["trend"]] == [1, 1]
    assert both["90"]["evidence"]["case_ids"] == [case_id]
    stats = report(world, "2026-02-01", "2026-03-31")["statistics"]["overall"]
    assert stats["rounds_max"] == 2 and stats["cases"] == 1


def test_beijing_day_boundary(world: World) -> None:
    """An opinion at 00:30 on 1 April, Beijing time (16:30 UTC on 31 March), belongs to April."""
    from review_service.review.operations import submit_opinion
    from tests.fixtures.world import opinion

    with beijing("2026-03-31 23:00"):
        case_id = reviewed_case(world)
    with beijing("2026-04-01 00:30"):
        world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    assert by_id(report(world, "2026-03-01", "2026-03-31"))["95"]["denominator"] == 0
    assert by_id(report(world, "2026-04-01", "2026-04-01"))["95"]["denominator"] == 1
