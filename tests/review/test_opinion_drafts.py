"""暂存 of the opinion: kept per case, round and reviewer, audited without its text, gone once submitted."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from review_service.audit.models import AuditEvent
from review_service.core.actions import Action
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.indicators.summary import catch_up
from review_service.review.models import OpinionDraft
from review_service.review.operations import submit_opinion
from review_service.review.opinion_drafts import (
    MAX_TEXT,
    discard_opinion_draft,
    normalize,
    opinion_draft,
    save_opinion_draft,
)
from review_service.web.reads import timeline
from tests.fixtures.world import World, opinion

TYPED = {"points": {"facts_clear": {"finding": "problem", "opinion": "违法所得的计算依据不足，需补充进货单据。",
                                    "citations": "《中华人民共和国行政处罚法》第四十条\n第二行"}},
         "conclusion": "amend", "summary": "尚未写完"}


def _draft(world: World, case_id: int, name: str = "reviewer") -> dict[str, object] | None:
    with world.uow() as session:
        saved = opinion_draft(session, actor=world.user(session, name), case_id=case_id, round_number=1)
        return None if saved is None else saved["content"]


def test_a_saved_draft_comes_back_as_typed_and_the_case_does_not_move(world: World) -> None:
    case_id = world.in_review()
    version = world.case(case_id).version
    world.act(save_opinion_draft, "reviewer", case_id=case_id, data=TYPED)
    content = _draft(world, case_id)
    assert content is not None
    assert content["points"]["facts_clear"] == {  # type: ignore[index]
        "finding": "problem", "opinion": "违法所得的计算依据不足，需补充进货单据。",
        "citations": "《中华人民共和国行政处罚法》第四十条\n第二行", "remedy": "", "reason": ""}
    assert content["points"]["subject_legality"]["finding"] == ""  # type: ignore[index]
    assert content["conclusion"] == "amend" and content["summary"] == "尚未写完"
    # the form's expected_version stays valid: a 暂存 is not a step of the case
    assert world.case(case_id).version == version
    assert _draft(world, case_id, "reviewer2") is None  # nobody reads another reviewer's unsubmitted work


def test_a_second_save_overwrites_and_each_is_audited_without_the_text(world: World) -> None:
    case_id = world.in_review()
    world.act(save_opinion_draft, "reviewer", case_id=case_id, data=TYPED)
    world.act(save_opinion_draft, "reviewer", case_id=case_id, data={**TYPED, "summary": "第二次暂存"})
    with world.uow() as session:
        rows = session.scalars(select(OpinionDraft).where(OpinionDraft.case_id == case_id)).all()
        assert len(rows) == 1 and rows[0].content["summary"] == "第二次暂存" and rows[0].round == 1
        events = session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id,
                                                          AuditEvent.action == Action.OPINION_DRAFT_SAVED)).all()
    assert len(events) == 2
    payload = json.loads(events[-1].payload)
    assert payload["round"] == 1 and payload["points_answered"] == 1 and len(payload["sha256"]) == 64
    assert "第二次暂存" not in events[-1].payload and "进货单据" not in events[-1].payload


def test_only_the_assigned_reviewer_of_a_case_in_review_may_save(world: World) -> None:
    case_id = world.in_review()
    with pytest.raises(Forbidden):
        world.act(save_opinion_draft, "reviewer2", case_id=case_id, data=TYPED)
    with pytest.raises(Forbidden):
        world.act(save_opinion_draft, "handler", case_id=case_id, data=TYPED)
    submitted = world.submitted()  # not yet in review
    with pytest.raises(Conflict):
        world.act(save_opinion_draft, "reviewer", case_id=submitted, data=TYPED)


def test_bad_input_is_refused_in_chinese_and_nothing_is_kept(world: World) -> None:
    case_id = world.in_review()
    with pytest.raises(Invalid) as refused:
        world.act(save_opinion_draft, "reviewer", case_id=case_id, data={"summary": "字" * (MAX_TEXT + 1)})
    assert refused.value.fields == {"summary": f"不能超过 {MAX_TEXT} 个字"}
    with pytest.raises(Invalid):
        world.act(save_opinion_draft, "reviewer", case_id=case_id, data={"points": {"facts_clear": {"opinion": 3}}})
    with pytest.raises(Invalid):
        world.act(save_opinion_draft, "reviewer", case_id=case_id, data=["not", "a", "form"])
    assert _draft(world, case_id) is None


def test_normalize_keeps_the_ten_points_and_drops_anything_else() -> None:
    content = normalize({"points": {"unknown": {"opinion": "x"}, "facts_clear": {"finding": "ok", "extra": "y"}},
                         "advisor_ids": [1]})
    assert len(content["points"]) == 10 and "unknown" not in content["points"]
    assert content["points"]["facts_clear"] == {"finding": "ok", "opinion": "", "citations": "", "remedy": "",
                                                "reason": ""}
    assert set(content) == {"points", "conclusion", "summary"}


def test_discarding_the_round_removes_the_draft(world: World) -> None:
    case_id = world.in_review()
    world.act(save_opinion_draft, "reviewer", case_id=case_id, data=TYPED)
    with world.uow() as session:
        discard_opinion_draft(session, case_id=case_id, round_number=2)  # another round: kept
    assert _draft(world, case_id) is not None
    # the submission itself (the operation the API and the page both call) removes the round's 暂存
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    assert _draft(world, case_id) is None


def test_saves_stay_out_of_the_case_timeline_and_the_indicator_catch_up(world: World) -> None:
    """A 暂存 is the reviewer's unfinished work: audited, but not a step of the case on its timeline (which the
    handler reads too), and it changes nothing the indicators count, so the summary's catch-up skips its case."""
    case_id = world.in_review()
    with world.uow() as session:
        catch_up(session)
    world.act(save_opinion_draft, "reviewer", case_id=case_id, data=TYPED)
    world.act(save_opinion_draft, "reviewer", case_id=case_id, data={**TYPED, "summary": "第二次暂存"})
    with world.uow() as session:
        actions = [entry["action"] for entry in timeline(session, case_id)]
        assert actions and Action.OPINION_DRAFT_SAVED not in actions and Action.CASE_SUBMITTED in actions
        assert catch_up(session) == 0  # the mark moves past the saves without recomputing the case
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    with world.uow() as session:
        assert Action.OPINION_SUBMITTED in [entry["action"] for entry in timeline(session, case_id)]
        assert catch_up(session) == 1
