"""Invariant 8: bad input gets a clear error (a stable code, Chinese reasons per field) and changes nothing."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import func, select

from review_service.audit.models import AuditEvent
from review_service.cases.models import Material
from review_service.cases.operations import attach_material, update_draft
from review_service.core.errors import Invalid, TooLarge
from review_service.replies.operations import reply_to_opinion
from review_service.review.operations import submit_opinion
from tests.fixtures.world import MAJOR_DRAFT, World, opinion


def _snapshot(world: World, case_id: int) -> tuple[int, str, int]:
    case = world.case(case_id)
    with world.uow() as session:
        events = int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
    return case.version, case.status, events


def test_bad_draft_fields_are_named(world: World) -> None:
    draft = copy.deepcopy(MAJOR_DRAFT)
    draft["decision_type"] = "fine"
    draft["proposed_decision"]["fine_amount"] = "五十万"
    draft["counterparty"].pop("kind")
    with pytest.raises(Invalid) as refused:
        world.new_case(draft)
    assert refused.value.code == "invalid"
    assert set(refused.value.fields) == {"decision_type", "proposed_decision.fine_amount", "counterparty.kind"}
    assert refused.value.fields["counterparty.kind"] == "必填"


def test_incomplete_opinion_changes_nothing(world: World) -> None:
    case_id = world.in_review()
    before = _snapshot(world, case_id)
    bad = opinion("amend", ("facts_clear",))
    del bad["points"]["criminal_transfer"]
    bad["points"]["facts_clear"]["citations"] = []
    with pytest.raises(Invalid) as refused:
        world.act(submit_opinion, "reviewer", case_id=case_id, data=bad)
    assert "points.criminal_transfer" in refused.value.fields
    assert "points.facts_clear.citations" in refused.value.fields
    approve_with_problem = opinion("approve", ("facts_clear",))
    with pytest.raises(Invalid) as refused:
        world.act(submit_opinion, "reviewer", case_id=case_id, data=approve_with_problem)
    assert "points.facts_clear.finding" in refused.value.fields
    assert _snapshot(world, case_id) == before


def test_reply_must_answer_every_problem_point(world: World) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("facts_clear", "law_application")))
    before = _snapshot(world, case_id)
    with pytest.raises(Invalid) as refused:
        world.act(reply_to_opinion, "handler", case_id=case_id, data={"responses": {
            "facts_clear": {"action": "accepted", "explanation": "已补正"},
            "subject_legality": {"action": "accepted", "explanation": "无关"}}})
    assert set(refused.value.fields) == {"responses.law_application", "responses.subject_legality"}
    assert _snapshot(world, case_id) == before


def test_oversized_upload_is_refused_and_nothing_is_stored(world: World) -> None:
    case_id = world.new_case()
    before = _snapshot(world, case_id)
    with pytest.raises(TooLarge) as refused:
        world.act(attach_material, "handler", case_id=case_id, kind="evidence", title="录像", filename="v.mp4",
                  data=b"x" * 2048, content_type="video/mp4", blobs=world.blobs, max_size=1024)
    assert refused.value.http_status == 413
    assert _snapshot(world, case_id) == before
    with world.uow() as session:
        assert session.scalar(select(func.count()).select_from(Material)) == 0
    assert not world.blobs.root.exists() or not any(world.blobs.root.rglob("*"))


def test_draft_edit_outside_an_editable_step_is_refused(world: World) -> None:
    case_id = world.in_review()
    before = _snapshot(world, case_id)
    with pytest.raises(Invalid):
        world.act(update_draft, "handler", case_id=case_id, changes={"facts": "审核中偷偷修改"})
    assert _snapshot(world, case_id) == before


def test_materials_cannot_be_added_while_the_case_is_reviewed(world: World) -> None:
    case_id = world.in_review()
    before = _snapshot(world, case_id)
    with pytest.raises(Invalid):
        world.act(attach_material, "handler", case_id=case_id, kind="evidence", title="补充笔录", filename="b.txt",
                  data=b"late", content_type="text/plain", blobs=world.blobs)
    assert _snapshot(world, case_id) == before
