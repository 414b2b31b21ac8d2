"""(88), (90), (108) over the decisions that should have been reviewed (应当审核的执法决定), with known answers,
read from the summary kept by the catch-up, from a rebuilt summary and from the rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from review_service.decisions.operations import approve_decision
from review_service.indicators.period import Period
from review_service.indicators.registry import BY_ID
from review_service.indicators.report import build_report
from review_service.indicators.summary import catch_up, rebuild
from review_service.organization.models import Agency
from review_service.review.operations import submit_opinion
from tests.fixtures.indicators import DRAFT, beijing, by_id, downgraded_case, minor_decided_case, reviewed_case
from tests.fixtures.world import AGENCY, World, opinion

PERIOD = ("2026-04-01", "2026-04-30")


@dataclass
class Cases:
    plain: int  # full-time reviewer, no advisor
    advised: int  # full-time reviewer, the advisor's advice recorded on the opinion
    by_multi: int  # a reviewer who also handles and decides (not 专职)
    assigned_only: int  # full-time reviewer, an advisor assigned who gave no advice
    minor: int  # not major: decided without review, in no denominator
    downgraded: int  # major, downgrade confirmed, decided without review of that draft
    undecided: int  # reviewed (by multi, with advice) but not decided: in no denominator


def _decided(world: World, reviewer: str, advisors: tuple[str, ...] = (), *, advice: bool = False,
             decide: bool = True) -> int:
    case_id = reviewed_case(world, reviewer=reviewer, advisors=advisors)
    data: dict[str, Any] = opinion("approve")
    if advice:
        data["advisor_ids"] = [world.ids[name] for name in advisors]
    world.act(submit_opinion, reviewer, case_id=case_id, data=data)
    if decide:
        world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    return case_id


@pytest.fixture
def cases(world: World) -> Cases:
    with beijing("2026-04-14 10:00"):
        return Cases(plain=_decided(world, "reviewer"),
                     advised=_decided(world, "reviewer", ("advisor",), advice=True),
                     by_multi=_decided(world, "multi"),
                     assigned_only=_decided(world, "reviewer2", ("advisor",)),
                     minor=minor_decided_case(world),
                     downgraded=downgraded_case(world),
                     undecided=_decided(world, "multi", ("advisor",), advice=True, decide=False))


def _three_ways(world: World) -> list[dict[str, dict[str, Any]]]:
    """The report from the summary the catch-up kept, from a rebuilt summary, and from the rows."""
    with world.uow() as session:
        catch_up(session)
    out = []
    with world.uow() as session:
        agency = session.scalar(select(Agency).where(Agency.name == AGENCY))
        assert agency is not None
        period = Period.parse(*PERIOD)
        out.append(by_id(build_report(session, agency=agency, agency_ids=[agency.id], period=period)))
        rebuild(session)
        out.append(by_id(build_report(session, agency=agency, agency_ids=[agency.id], period=period)))
        out.append(by_id(build_report(session, agency=agency, agency_ids=[agency.id], period=period, summary=False)))
    return out


def _figures(entry: dict[str, Any]) -> tuple[Any, ...]:
    return entry["numerator"], entry["denominator"], entry["value"], entry["met"]


def test_88_counts_decisions_that_should_have_been_reviewed(world: World, cases: Cases) -> None:
    """Seed (88): 专职审核人员自行审核的执法决定占应当审核的执法决定总数50%以上 — 3 of the 4 decisions of cases ever
    submitted as major were reviewed by full-time reviewers only; the not-major decision and the reviewed but
    undecided case are in no denominator; the downgraded decision is shown apart, with its 案号."""
    for entries in _three_ways(world):
        entry = entries["88"]
        assert _figures(entry) == (3, 4, 75.0, True)
        assert entry["evidence"]["case_ids"] == sorted([cases.plain, cases.advised, cases.by_multi,
                                                        cases.assigned_only])
        assert entry["evidence"]["failing"]["case_ids"] == [cases.by_multi]
        apart = entry["evidence"]["downgraded"]
        assert (apart["count"], apart["case_ids"], apart["case_numbers"]) == (
            1, [cases.downgraded], [DRAFT["case_number"]])
        assert cases.minor not in entry["evidence"]["case_ids"] + apart["case_ids"]


def test_90_counts_an_advisor_only_when_the_advice_is_recorded(world: World, cases: Cases) -> None:
    """Seed (90): 法律顾问、公职律师协助审核的执法决定不低于应当审核的执法决定总数20% — of the 4 decisions that should
    have been reviewed, 1 has the advisor's advice recorded on its opinion; an advisor assigned who gave no
    advice does not count, nor does the advised opinion of a case not decided."""
    for entries in _three_ways(world):
        entry = entries["90"]
        assert _figures(entry) == (1, 4, 25.0, True)
        assert entry["evidence"]["failing"]["case_ids"] == sorted([cases.plain, cases.by_multi, cases.assigned_only])
        assert entry["evidence"]["downgraded"]["case_ids"] == [cases.downgraded]


def test_108_fails_on_a_major_decision_without_a_passed_review(world: World, cases: Cases) -> None:
    """Seed (108): 所有重大执法决定都有法制审核意见，无审核未通过的执法决定 — the 5 decisions of cases ever submitted as
    major, the downgraded one included: it was decided without a review of its draft, so 4 of 5 and not met; it
    is listed among the failing and apart; the not-major decision is not counted."""
    for entries in _three_ways(world):
        entry = entries["108"]
        assert _figures(entry) == (4, 5, 80.0, False)
        assert entry["evidence"]["failing"]["case_ids"] == [cases.downgraded]
        assert entry["evidence"]["downgraded"]["count"] == 1
        assert cases.minor not in entry["evidence"]["case_ids"]


def test_the_three_ways_agree_and_the_method_states_the_formula(world: World, cases: Cases) -> None:
    """Seed (88), (90), (108): the summary, a rebuild and the rows give the same report; each method names the
    denominator (应当审核的决定) and how the downgraded decisions are treated."""
    kept, rebuilt, rows = _three_ways(world)
    assert kept == rebuilt == rows
    for number in ("88", "90", "108"):
        assert "曾按重大执法决定报送法制审核" in BY_ID[number].method and "降级" in BY_ID[number].method
        assert kept[number]["method"] == BY_ID[number].method
    assert "意见书未记载的不计" in BY_ID["90"].method


def test_the_page_shows_the_downgraded_decisions_apart(world: World, cases: Cases, database_url: str,
                                                       tmp_path: Any) -> None:
    """The drill-down of (108) lists the downgraded decision apart, by its case, beside those that failed."""
    from review_service import create_app
    from tests.fixtures.web import Browser

    app = create_app({"INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": database_url, "TESTING": True})
    try:
        browser = Browser(app)
        browser.login("head")
        html = browser.get(f"/indicators?from={PERIOD[0]}&to={PERIOD[1]}&show=108").get_data(as_text=True)
        apart = html[html.index("经确认降级的决定（另列）（1）"):]
        assert f'href="/cases/{cases.downgraded}"' in apart.split("</p>")[0]
    finally:
        app.extensions["review_service"].close()
