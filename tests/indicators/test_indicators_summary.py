"""The indicator summary: caught up from the audit log, equal to a rebuild from the record, and giving the
report exactly the answers the rows give (months, periods across months and years, empty periods, evidence)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, text

from review_service.audit.checkpoint_models import AuditCheckpoint
from review_service.audit.models import AuditEvent
from review_service.decisions.operations import approve_decision
from review_service.indicators.models import IndicatorCount, IndicatorUnit
from review_service.indicators.period import Period
from review_service.indicators.report import build_report
from review_service.indicators.summary import UnitKey, UnitValue, behind, catch_up, rebuild
from review_service.organization.models import Agency, UserRole
from review_service.replies.operations import reply_to_opinion, resubmit_case
from review_service.review.operations import submit_opinion
from tests.fixtures.indicators import (
    PROBLEM,
    Known,
    beijing,
    build_known,
    downgraded_case,
    minor_decided_case,
    reviewed_case,
    spanning_case,
)
from tests.fixtures.world import World, opinion, replies

PERIODS = [("2026-01-01", "2026-12-31"), ("2026-02-01", "2026-02-28"), ("2026-03-01", "2026-03-31"),
           ("2026-02-25", "2026-03-04"), ("2026-03-10", "2026-03-10"), ("2026-03-11", "2026-03-31"),
           ("2025-12-01", "2026-03-05"), ("2026-06-01", "2026-06-30"), ("2025-01-01", "2025-12-31")]



def snapshot(session: Any) -> tuple[dict[UnitKey, UnitValue], dict[tuple[Any, ...], int]]:
    """The stored units and counts (rebuilt and caught-up summaries must be equal)."""
    units = {(kind, int(ref)): (int(c), int(a), d, k) for kind, ref, c, a, d, k in session.execute(
        select(IndicatorUnit.kind, IndicatorUnit.ref, IndicatorUnit.case_id, IndicatorUnit.agency_id,
               IndicatorUnit.day, IndicatorUnit.key)).tuples()}
    counts = {(kind, int(a), d, k): int(n) for kind, a, d, k, n in session.execute(
        select(IndicatorCount.kind, IndicatorCount.agency_id, IndicatorCount.day, IndicatorCount.key,
               IndicatorCount.count)).tuples()}
    return units, counts

def _settle(world: World) -> None:
    """PostgreSQL: refresh the planner's statistics now, so that autovacuum does not re-plan between the two
    reports: an evidence sample of more than ``EVIDENCE_LIMIT`` units is the first rows the plan yields."""
    with world.uow() as session:
        if session.connection().dialect.name == "postgresql":
            session.execute(text("ANALYZE"))


def _reports(world: World, start: str, end: str) -> tuple[dict[str, Any], dict[str, Any]]:
    with world.uow() as session:  # what tick and every report do first
        catch_up(session)
    with world.uow() as session:
        agency = session.scalar(select(Agency).where(Agency.name == "西安市市场监督管理局"))
        assert agency is not None
        period = Period.parse(start, end)
        return (build_report(session, agency=agency, agency_ids=[agency.id], period=period),
                build_report(session, agency=agency, agency_ids=[agency.id], period=period, summary=False))


def _assert_same_reports(world: World) -> None:
    _settle(world)
    for start, end in PERIODS:
        from_summary, from_rows = _reports(world, start, end)
        for got, want in zip(from_summary["indicators"], from_rows["indicators"], strict=True):
            assert got == want, (start, end, got["id"])
        assert from_summary == from_rows, (start, end)


def _mixed_advice_case(world: World) -> int:
    """Amended with an advisor in April, approved without in May and decided (a case the summary does not group
    for the rounds; its decision counts as advised (90): the advice is recorded on one of its opinions)."""
    with beijing("2026-04-28 09:00"):
        case_id = reviewed_case(world)
        world.declare(case_id, "advisor")  # 回避: an advisor assists only after stating no conflict of interest
        world.act(submit_opinion, "reviewer", case_id=case_id,
                  data={**opinion("amend", PROBLEM), "advisor_ids": [world.ids["advisor"]]})
        world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
        world.act(resubmit_case, "handler", case_id=case_id, attest=True)
    with beijing("2026-05-06 09:00"):
        world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
        world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    return case_id


FACTS = "当事人于2026年1月3日销售超过保质期的食品12箱，有现场笔录、进货单据和询问笔录相互印证。"


def _specific_points_cases(world: World) -> None:
    """Points that say something ((95)–(104), ``point_text`` units): a February case writes a facts paragraph
    and its own subject paragraph; a June case copies the facts paragraph, which is then shared by two cases —
    boilerplate for periods ending in June or later, not for February."""
    for at, subject in (("2026-02-26 10:00", "本案由西安市市场监督管理局立案，依《程序规定》第六条有管辖权。"),
                        ("2026-06-10 10:00", None)):
        with beijing(at):
            case_id = reviewed_case(world)
            data = opinion("approve")
            data["points"]["facts_clear"]["opinion"] = FACTS
            if subject:
                data["points"]["subject_legality"]["opinion"] = subject
            world.act(submit_opinion, "reviewer", case_id=case_id, data=data)


@pytest.fixture
def driven(world: World) -> Known:
    known = build_known(world)
    spanning_case(world)
    _mixed_advice_case(world)
    _specific_points_cases(world)
    return known


@pytest.fixture
def gated(driven: Known) -> Known:
    """With decisions outside (88)/(90)'s denominator: one not major, one downgraded (降级, rows that a migration
    down to 0008 and up again does not keep: the gate's tables come with 0010)."""
    with beijing("2026-03-20 10:00"):
        minor_decided_case(driven.world)
        downgraded_case(driven.world)
    return driven


def test_actions_leave_the_summary_alone_and_the_catch_up_takes_them_in(world: World) -> None:
    with world.uow() as session:
        catch_up(session)  # whatever setting up the world audited
    with world.uow() as session:
        assert not behind(session)
        before = snapshot(session)
    case_id = reviewed_case(world)
    with world.uow() as session:  # the actions wrote no summary row: the write path pays nothing for it
        assert behind(session) and snapshot(session) == before
        assert catch_up(session) == 1  # the one case acted on
        assert not behind(session) and catch_up(session) == 0
        kept = snapshot(session)
        assert any(unit[0] == case_id for unit in kept[0].values())
        rebuild(session)
        assert snapshot(session) == kept


def test_rebuild_equals_the_summary_kept_by_the_catch_up(gated: Known) -> None:
    with gated.world.uow() as session:
        catch_up(session)
    with gated.world.uow() as session:
        kept = snapshot(session)
        assert kept[0] and kept[1]
        assert {kind for kind, _ref in kept[0]} >= {"opinion", "point_text", "problem_opinion", "case_review",
                                                    "complex_case", "turnaround", "decision", "major_decision",
                                                    "case", "publication"}
        rebuild(session)
        session.flush()
        assert snapshot(session) == kept
    with gated.world.uow() as session:
        units, counts = snapshot(session)
        assert sum(counts.values()) == len(units)


def test_the_summary_gives_the_answers_of_the_rows(gated: Known) -> None:
    from_summary, _ = _reports(gated.world, "2026-04-01", "2026-05-31")
    by_id = {entry["id"]: entry for entry in from_summary["indicators"]}
    assert by_id["95"]["denominator"] == 2 and by_id["88"]["denominator"] == 1  # two opinions, one decision
    assert by_id["90"]["numerator"] == 1
    may = {entry["id"]: entry for entry in _reports(gated.world, "2026-05-01", "2026-05-31")[0]["indicators"]}
    assert may["90"]["numerator"] == 1 and may["90"]["denominator"] == 1  # decided in May, advised in April
    march = {entry["id"]: entry for entry in _reports(gated.world, "2026-03-01", "2026-03-31")[0]["indicators"]}
    assert march["88"]["evidence"]["downgraded"]["count"] == 1 and march["108"]["met"] is False
    assert from_summary["statistics"]["overall"]["rounds_max"] == 2
    february = {entry["id"]: entry for entry in _reports(gated.world, "2026-02-01", "2026-02-28")[0]["indicators"]}
    # not yet shared in February
    assert february["98"]["numerator"] == 1 and february["95"]["numerator"] == 1
    year = {entry["id"]: entry for entry in _reports(gated.world, "2026-01-01", "2026-12-31")[0]["indicators"]}
    assert year["98"]["numerator"] == 0 and year["95"]["numerator"] == 1  # shared by June: boilerplate
    _assert_same_reports(gated.world)


def test_roles_and_checkpoints_apply_when_the_report_runs(gated: Known) -> None:
    world = gated.world
    with world.uow() as session:  # the reviewer now also handles cases: no longer full-time (88)
        session.add(UserRole(user_id=world.ids["reviewer"], role="handler"))
    with world.uow() as session:
        last = int(session.scalar(select(func.max(AuditEvent.seq))) or 0)
    for size in (3, last // 2, last - 5, last):  # both sides of the checkpoint, and all events inside it
        with world.uow() as session:
            session.add(AuditCheckpoint(size=size, root="0" * 64, text=f"checkpoint {size}",
                                        created_at=datetime(2026, 6, 1, tzinfo=UTC)))
        _settle(world)
        for start, end in (("2026-01-01", "2026-12-31"), ("2026-03-01", "2026-03-31")):
            from_summary, from_rows = _reports(world, start, end)
            for got, want in zip(from_summary["indicators"], from_rows["indicators"], strict=True):
                assert got == want, (size, start, end, got["id"])
            assert from_summary == from_rows, (size, start, end)


def test_the_migration_backfills_the_summary(driven: Known, database_url: str, engine: Any) -> None:
    """Down to 0008 (the summary tables go) and up again: 0009 creates them empty and without a mark (it
    runs no application code), so the summary is behind and the first catch-up gives back what was kept."""
    from alembic import command

    from review_service.core.migrate import alembic_config, upgrade_database

    with driven.world.uow() as session:
        catch_up(session)
        kept = snapshot(session)
    engine.dispose()  # the migration takes the database alone
    command.downgrade(alembic_config(database_url), "0008")
    upgrade_database(database_url)
    with driven.world.uow() as session:
        assert behind(session)
        catch_up(session)
        assert snapshot(session) == kept
