"""(95)–(104): a point counts when its opinion says something about this case (point_substance).

Source: the seed, items (95)–(104) (有……的书面意见) and issue 19 ("not the question restated, not boilerplate
shared with other cases").
"""

from __future__ import annotations

from review_service.indicators.point_substance import (
    MIN_SHARED_CASES,
    common_texts,
    normalize,
    point_text,
    says_something,
)
from review_service.review.operations import submit_opinion
from tests.fixtures.indicators import DRAFT, beijing, by_id, report, reviewed_case
from tests.fixtures.world import World, opinion

SPECIFIC = {
    "subject_legality": "本案由西安市市场监督管理局立案查处，依据《市场监督管理行政处罚程序规定》第六条具有管辖权。",
    "facts_clear": "当事人于2026年1月3日销售超过保质期的食品12箱，有现场笔录、进货单据和询问笔录相互印证。",
}


def test_normalization() -> None:
    assert normalize("经审查，符合规定。") == normalize(" 经审查 符合规定 ") == "经审查符合规定"
    assert normalize("ＡＢＣ１２３《法》") == "abc123法"  # NFKC, case-folded, punctuation out
    not_applicable = {"finding": "not_applicable", "opinion": "不适用。", "reason": "本案未罚款"}
    assert point_text(not_applicable) == "不适用。 本案未罚款"
    assert point_text({"finding": "ok", "opinion": "x", "reason": "ignored"}) == "x"


def test_known_answers_of_the_rule() -> None:
    none: frozenset[str] = frozenset()
    # the question restated, or too short once the label and stock phrases are out
    for text in ("行政执法主体合法。", "经审查，执法主体适格，符合规定。", "主体合法", "",
                 "经审查，行政执法主体是否合法：是。"):
        assert not says_something("subject_legality", text, none), text
    assert not says_something("facts_clear", "案件事实基本符合认定要求，同意。", none)
    assert not says_something("discretion_appropriate", "裁量适当。", none)
    # something about this case
    for key, text in SPECIFIC.items():
        assert says_something(key, text, none), text
    assert says_something("discretion_appropriate", "按《裁量基准》第3档，货值1.2万元，罚款3万元，处于档内。", none)
    # boilerplate: the same normalized text on MIN_SHARED_CASES cases of the agency
    common = common_texts([(1, "facts_clear", SPECIFIC["facts_clear"]),
                           (2, "facts_clear", SPECIFIC["facts_clear"] + " "),  # same once normalized
                           (3, "subject_legality", SPECIFIC["subject_legality"]),
                           (3, "subject_legality", SPECIFIC["subject_legality"])])  # two rounds of one case
    assert MIN_SHARED_CASES == 2
    assert common == {"facts_clear": frozenset({normalize(SPECIFIC["facts_clear"])})}
    assert not says_something("facts_clear", SPECIFIC["facts_clear"], common["facts_clear"])
    assert says_something("subject_legality", SPECIFIC["subject_legality"], common.get("subject_legality", none))


def test_report_counts_only_points_that_say_something(world: World) -> None:
    """Three cases: case A writes the two specific points, B and C the boilerplate of world.opinion();
    B also copies A's facts paragraph (so it is shared by two cases: boilerplate for both)."""
    with beijing("2026-03-10 10:00"):
        texts = []
        for index in range(3):
            case_id = reviewed_case(world, draft=DRAFT)
            data = opinion("approve")
            if index == 0:
                for key, text in SPECIFIC.items():
                    data["points"][key]["opinion"] = text
            if index == 1:
                data["points"]["facts_clear"]["opinion"] = SPECIFIC["facts_clear"]
            texts.append(case_id)
            world.act(submit_opinion, "reviewer", case_id=case_id, data=data)
    entries = by_id(report(world, "2026-03-01", "2026-03-31"))
    subject, facts = entries["95"], entries["98"]
    assert (subject["numerator"], subject["denominator"]) == (1, 3)  # A only
    assert subject["evidence"]["failing"]["case_ids"] == texts[1:]
    assert (facts["numerator"], facts["denominator"]) == (0, 3)  # A's paragraph is shared with B
    for number in ("96", "97", "99", "100", "101", "102", "103", "104"):
        assert (entries[number]["numerator"], entries[number]["value"]) == (0, 0.0), number
    assert "套话" in subject["note"] and "复述" in subject["note"]
