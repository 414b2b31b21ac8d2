"""Hole 5 of issue 14: an opinion that marks the substantive points 不适用 clears nothing; point 10 is yes or no."""

from __future__ import annotations

from typing import Any

import pytest

from review_service.core.errors import Invalid
from review_service.organization.models import Agency
from review_service.review.operations import submit_opinion
from review_service.review.schemas import parse_opinion, transfer_suggested
from tests.fixtures.api import Api, error_code
from tests.fixtures.world import World, opinion

HOLLOW = ("subject_legality", "procedure_legality", "facts_clear", "evidence_sufficient", "law_application")


def _not_applicable(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    for key in keys:
        data["points"][key] = {"finding": "not_applicable", "opinion": "不适用。", "reason": "本案不涉及"}
    return data


def test_the_hollow_approving_opinion_is_refused_through_the_api(api: Api, world: World) -> None:
    case_id = world.in_review()
    response = api.as_("reviewer").post(f"/cases/{case_id}/review", json=_not_applicable(opinion("approve"), HOLLOW))
    assert response.status_code == 422 and error_code(response) == "invalid"
    fields = response.get_json()["error"]["details"]["fields"]
    assert set(fields) == {f"points.{key}.finding" for key in HOLLOW}
    assert world.case(case_id).status == "in_review" and world.case(case_id).round == 0


@pytest.mark.parametrize("key", ["officer_qualification", "within_authority", "criminal_transfer"])
def test_each_point_that_always_applies_is_refused_alone(world: World, key: str) -> None:
    case_id = world.in_review()
    with pytest.raises(Invalid) as refused:
        world.act(submit_opinion, "reviewer", case_id=case_id, data=_not_applicable(opinion("approve"), (key,)))
    assert f"points.{key}.finding" in refused.value.details["fields"]


def test_points_that_may_not_apply_still_may(world: World) -> None:
    case_id = world.in_review()
    data = _not_applicable(opinion("approve"), ("discretion_appropriate", "documents_complete"))
    world.act(submit_opinion, "reviewer", case_id=case_id, data=data)
    assert world.case(case_id).status == "awaiting_approval"


def test_an_agency_can_configure_the_points_per_decision_type(world: World) -> None:
    with world.uow() as session:
        agency = session.get(Agency, world.user(session, "handler").agency_id)
        assert agency is not None
        agency.settings = {**(agency.settings or {}),
                           "substantive_points": {"administrative_penalty": ["discretion_appropriate"], "*": []}}
    case_id = world.in_review()
    with pytest.raises(Invalid) as refused:
        world.act(submit_opinion, "reviewer", case_id=case_id,
                  data=_not_applicable(opinion("approve"), ("discretion_appropriate",)))
    assert "points.discretion_appropriate.finding" in refused.value.details["fields"]
    # the default list no longer binds this agency's penalty decisions (point 10 always does)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=_not_applicable(opinion("approve"), ("facts_clear",)))


def test_point_ten_is_a_yes_or_no_finding() -> None:
    no = parse_opinion(opinion("approve"))
    assert transfer_suggested(no) is False
    yes = parse_opinion(opinion("reject", ("criminal_transfer",)))
    assert transfer_suggested(yes) is True
