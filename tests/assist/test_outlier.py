"""同案不同罚: known fines, known fences; too few peers, another level or another agency say nothing."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from review_service.assist.evalset import Generated, generate, load
from review_service.assist.index import rebuild
from review_service.assist.outlier import fences, fine_outlier
from review_service.organization.models import Agency
from tests.fixtures.world import AGENCY, OTHER_AGENCY

BASE = generate(1)[0].content  # a 产品质量法 art. 49 case
PEER_FINES = (10_000, 11_000, 12_000, 13_000, 14_000, 15_000)


def draft(fine: int, level: str = "一般") -> dict[str, Any]:
    content = copy.deepcopy(BASE)
    content["proposed_decision"]["fine_amount"] = f"{fine}.00"
    content["discretion"]["level"] = level
    return content


def peers(world: Any, fines: tuple[int, ...], *, level: str = "一般", agency: int = 0, start: int = 1) -> None:
    cases = [Generated(number=start + i, kind="k", agency=agency, content=draft(fine, level), planted=False,
                       problems=()) for i, fine in enumerate(fines)]
    with world.uow() as session:
        agencies = [session.query(Agency).filter_by(name=name).one().id for name in (AGENCY, OTHER_AGENCY)]
        load(session.connection(), cases, {"agencies": agencies, "head": world.ids["head"],
                                           "reviewer": world.ids["reviewer"]}, offset=1000)
        rebuild(session)


def check(world: Any, fine: int, level: str = "一般", case_id: int | None = None) -> Any:
    with world.uow() as session:
        return fine_outlier(session, actor=world.user(session, "reviewer"), draft=draft(fine, level), case_id=case_id)


def test_the_fences_of_known_fines() -> None:
    # log-scale Tukey fences of 10,000 … 15,000 lie within a factor of two of the median (12,500): widened
    low, high = fences(list(PEER_FINES))
    assert (low, high) == (6250.0, 25000.0)
    # by hand: the quartiles of the logs sit at positions 1.25 and 3.75 of the six sorted values
    q1 = math.log(11_000) + 0.25 * (math.log(12_000) - math.log(11_000))
    q3 = math.log(13_000) + 0.75 * (math.log(14_000) - math.log(13_000))
    expected = (math.exp(q1 - 1.5 * (q3 - q1)), math.exp(q3 + 1.5 * (q3 - q1)))
    assert fences(list(PEER_FINES), "tukey-log") == pytest.approx(expected)
    assert 8300 < expected[0] < 8400 and 18_500 < expected[1] < 19_200
    assert fences(list(PEER_FINES), "tukey-linear") == (7500.0, 17500.0)


def test_a_fine_far_from_its_peers_is_advice_on_point_seven(world: Any) -> None:
    peers(world, PEER_FINES)
    high = check(world, 100_000)
    assert high is not None and high.direction == "high" and high.count == 6
    assert (str(high.median), str(high.q1), str(high.q3), str(high.low), str(high.high)) == (
        "12500.00", "11250.00", "13750.00", "6250.00", "25000.00")
    assert high.point == "discretion_appropriate" and high.point_label == "裁量基准运用是否适当"
    assert "同案不同罚" in high.message and "中位数12500.00元" in high.message
    assert sorted(str(peer.fine) for peer in high.cases) == [f"{fine}.00" for fine in PEER_FINES]
    low = check(world, 6000)
    assert low is not None and low.direction == "low"
    assert check(world, 6500) is None and check(world, 24_000) is None  # within the fences
    assert check(world, 100_000, level="从重") is None  # another level: no peers


@pytest.mark.parametrize("fines", [PEER_FINES[:4]])
def test_too_few_peers_or_peers_elsewhere_say_nothing(world: Any, fines: tuple[int, ...]) -> None:
    peers(world, fines)
    assert check(world, 100_000) is None  # four peers
    peers(world, (12_000, 12_000), agency=1, start=50)  # another agency's: never counted
    assert check(world, 100_000) is None
    peers(world, (12_000,), start=60)
    assert check(world, 100_000) is not None  # the fifth peer of the agency
    assert check(world, 100_000, case_id=1060) is None  # the case itself is not its own peer
