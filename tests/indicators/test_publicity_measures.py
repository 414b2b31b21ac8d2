"""Known answers for the publicity measures (38), (39) and (113) (issue 19, seed 一(三) and 四(一)).

Source of the rules: 陕西省全面推行行政执法“三项制度”考核指标 (2019), items (38), (39) and (113), in
``seeds/shaanxi-three-systems-indicators-2019.txt``; the publication record keeps the URL and the time only
(``decisions/publicity_models.Publication``), so (38) checks what the record holds and (39) is hand-entered.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from review_service.decisions.operations import approve_decision
from review_service.decisions.publicity import publish_decision
from review_service.indicators.external import missing_elements
from review_service.indicators.operations import record_figure
from review_service.organization.models import Agency
from review_service.review.operations import submit_opinion
from tests.fixtures.indicators import beijing, by_id, report, reviewed_case
from tests.fixtures.world import AGENCY, World, opinion


def _decided(world: World, count: int) -> list[int]:
    decided = []
    with beijing("2026-03-10 10:00"):
        for _ in range(count):
            case_id = reviewed_case(world)
            world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
            world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
            decided.append(case_id)
    return decided


def _publish(world: World, case_id: int, url: str) -> None:
    with beijing("2026-03-12 10:00"):
        world.act(publish_decision, "handler", case_id=case_id,
                  data={"url": url, "published_at": "2026-03-12T09:00:00+08:00"})


def test_38_and_113_count_the_published_decisions_and_their_sites(world: World) -> None:
    """Seed (38): 公开的执法决定信息内容包括执法机关、执法对象、执法类别、执法结论等; (113): 含统一的执法信息公示平台.
    Four decisions: three published (two on one site, one on another), one not published (left out of both)."""
    first, second, third, unpublished = _decided(world, 4)
    _publish(world, first, "https://gs.xa.gov.cn/zfgs/1")
    _publish(world, second, "https://GS.xa.gov.cn/zfgs/2")
    _publish(world, third, "https://www.example.gov.cn/gs/3")
    entries = by_id(report(world, "2026-03-01", "2026-03-31"))

    content = entries["38"]
    assert (content["basis"], content["numerator"], content["denominator"], content["value"], content["met"]) == \
        ("record", 3, 3, 100.0, True)
    assert unpublished not in content["evidence"]["case_ids"]
    assert "不保存公开网页的内容" in content["note"]  # says what it cannot check

    platform = entries["113"]
    assert (platform["basis"], platform["value"], platform["met"]) == ("record", 2, False)
    assert (platform["numerator"], platform["denominator"]) == (2, 3)
    assert platform["evidence"]["failing"]["case_ids"] == [third]
    assert platform["evidence"]["sites"] == ["https://gs.xa.gov.cn", "https://www.example.gov.cn"]
    assert "须人工核查" in platform["note"]

    empty = by_id(report(world, "2026-04-01", "2026-04-30"))
    assert empty["38"]["denominator"] == 0 and empty["38"]["met"] is None
    assert empty["113"]["value"] is None and empty["113"]["met"] is None


def test_113_is_met_when_every_publication_is_on_one_site(world: World) -> None:
    for index, case_id in enumerate(_decided(world, 2)):
        _publish(world, case_id, f"https://gs.xa.gov.cn/zfgs/{index}")
    platform = by_id(report(world, "2026-03-01", "2026-03-31"))["113"]
    assert (platform["value"], platform["met"], platform["numerator"], platform["denominator"]) == (1, True, 2, 2)


def test_38_names_the_elements_a_decision_record_lacks() -> None:
    """Each of the four elements of (38), from the agency's name, the draft's party and conclusion and the type."""
    assert missing_elements("西安市市场监督管理局", "administrative_penalty", "张三", "罚款五千元") == []
    assert missing_elements("", "administrative_penalty", "张三", "罚款五千元") == ["执法机关"]
    assert missing_elements("局", None, " ", None) == ["执法对象", "执法类别", "执法结论"]
    assert missing_elements("局", "other", None, 5) == ["执法对象", "执法结论"]  # what the database gave for a
    # draft whose JSON lacks the field (None) or holds something else


def test_39_is_hand_entered_with_who_when_and_source(world: World) -> None:
    """Seed (39): 无关信息、隐私信息、涉密信息……依照规定不公开. No record keeps a publication's content: without an
    entry it is not evidenced (and says why); with one it is 人工录入, naming who entered it, when and the source."""
    before = by_id(report(world, "2026-03-01", "2026-03-31"))["39"]
    assert (before["basis"], before["met"]) == ("not_evidenced", None)
    assert "不保存公开网页的内容" in before["note"]
    with beijing("2026-12-07 14:05"), world.uow() as session:
        agency = session.scalars(select(Agency).where(Agency.name == AGENCY)).one()
        record_figure(session, actor=None, agency=agency, key="publicity_screening", value="西市监发〔2026〕9号",
                      source="局发文登记簿", entered_by_name="王录入", valid_from=date(2026, 1, 5))
    after = by_id(report(world, "2026-03-01", "2026-03-31"))["39"]
    assert (after["basis"], after["met"], after["value"]) == ("manual", True, "西市监发〔2026〕9号")
    [entry] = after["evidence"]["figures"]
    assert (entry["entered_by"], entry["source"]) == ("王录入", "局发文登记簿")
    assert entry["entered_at"].startswith("2026-12-07T06:05")  # UTC: 14:05 Beijing time
