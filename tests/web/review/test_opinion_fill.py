"""其余各项无问题: the standard wording is itself a sound opinion (no 套话 or too-thin advice)."""

from __future__ import annotations

from review_service.review.points import TEN_POINTS
from review_service.review.quality import quality_advice
from review_service.review.schemas import parse_opinion
from review_service.web.review.opinion_fill import STANDARD_WORDING


def test_every_point_has_a_standard_wording() -> None:
    assert list(STANDARD_WORDING) == list(TEN_POINTS)


def test_the_standard_wording_draws_no_quality_advice() -> None:
    points = {key: {"finding": "ok", "opinion": text} for key, text in STANDARD_WORDING.items()}
    opinion = parse_opinion({"points": points, "conclusion": "approve", "summary": "经审查，同意作出该决定。"})
    assert quality_advice(opinion) == []
