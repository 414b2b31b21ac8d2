"""Documents state the deadline they start: the opinion the reply's, the approval record the publication's;
a date in a year whose holidays are not loaded is marked 暂定 there too."""

from __future__ import annotations

from typing import Any

from review_service.decisions.operations import approve_decision
from review_service.documents.queries import document_file, documents_for_case
from review_service.review.operations import submit_opinion
from tests.fixtures.clock import Clock
from tests.fixtures.documents import docx_text
from tests.fixtures.world import World, opinion


def _text_of(world: World, case_id: int, kind: str) -> str:
    with world.uow() as session:
        item = next(d for d in documents_for_case(session, case_id) if d["kind"] == kind)
        return docx_text(document_file(session, case_id, int(item["id"]))[1])


def test_the_opinion_states_a_provisional_reply_deadline(world: World, clock: Clock) -> None:
    clock.set("2026-12-28 10:00")  # the reply's five working days reach into 2027, not loaded
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("facts_clear",)))
    text = _text_of(world, case_id, "opinion")
    assert "请承办机构于2027年1月4日（暂定）前对本意见作出书面回复" in text


def test_the_approval_record_states_the_publication_deadline(world: World, clock: Clock) -> None:
    clock.set("2026-11-02 10:00")
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    text: Any = _text_of(world, case_id, "approval")
    assert "应于2026年11月11日前向社会公开" in text and "暂定" not in text
    assert "书面回复" not in _text_of(world, case_id, "opinion")  # an approving opinion starts no reply
