"""送审材料: a decision taken after a hearing needs the hearing record (听证笔录/报告) at submission."""

from __future__ import annotations

import copy

import pytest

from review_service.cases.operations import attach_material, submit_case
from review_service.core.errors import Invalid
from tests.fixtures.world import MAJOR_DRAFT, World

HEARD = copy.deepcopy(MAJOR_DRAFT) | {"hearing_held": True}


def test_a_hearing_needs_its_record_at_submission(world: World) -> None:
    case_id = world.new_case(HEARD)
    with pytest.raises(Invalid) as missing:
        world.act(submit_case, "handler", case_id=case_id, attest=True)
    assert missing.value.details["missing"] == ["hearing_record"]
    assert "听证笔录" in missing.value.message
    world.act(attach_material, "handler", case_id=case_id, kind="hearing_record", title="听证笔录", filename="h.pdf",
              data=b"%PDF hearing", content_type="application/pdf", blobs=world.blobs)
    world.act(submit_case, "handler", case_id=case_id, attest=True)
    assert world.case(case_id).status == "in_review"


def test_without_a_hearing_no_record_is_asked_for(world: World) -> None:
    case_id = world.new_case(copy.deepcopy(MAJOR_DRAFT))
    world.act(submit_case, "handler", case_id=case_id, attest=True)
    assert world.case(case_id).status == "in_review"


def test_the_record_listed_in_the_draft_counts(world: World) -> None:
    draft = copy.deepcopy(HEARD)
    draft["materials"].append({"kind": "hearing_record", "title": "听证报告"})
    case_id = world.new_case(draft)
    world.act(submit_case, "handler", case_id=case_id, attest=True)
    assert world.case(case_id).status == "in_review"
