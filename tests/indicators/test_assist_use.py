"""Indicators (126)–(131) from the record of use (issue 20): what the 办案参考 panel showed (assist_pushes) and the
决定书 drafts generated — known answers over three cases in March 2026."""

from __future__ import annotations

import copy

from review_service.assist.pushes import record_pushes
from review_service.cases.models import Case
from review_service.documents.penalty_decision import draft_penalty_decision
from tests.fixtures.indicators import beijing, by_id, report
from tests.fixtures.world import MAJOR_DRAFT, World

FILED = {**copy.deepcopy(MAJOR_DRAFT), "filed_on": "2026-02-20"}
PROVISION = {"source": "draft", "text": "《产品质量法》第四十九条",
             "citations": [{"text": "《产品质量法》第四十九条", "article_text": "生产、销售不符合……", "findings": []}]}
SIMILAR = {"case_id": 1, "legal_basis": []}
ADVICE = {"point": "discretion_appropriate", "finding": "above", "message": "拟罚款高于裁量基准幅度。"}


def _show(world: World, case_id: int, name: str, shown: dict) -> None:  # type: ignore[type-arg]
    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.current_draft is not None
        record_pushes(session, actor=world.user(session, name), case_id=case_id, agency_id=case.agency_id,
                      role=name, draft_sha256=case.current_draft.sha256, shown=shown)


def test_use_of_the_assistance_counts_per_kind(world: World) -> None:
    with beijing("2026-03-10 10:00"):
        pushed, advised, neither = (world.in_review(FILED) for _ in range(3))
        _show(world, pushed, "handler", {"provisions": [PROVISION], "similar": [SIMILAR]})
        _show(world, pushed, "reviewer", {"provisions": [PROVISION]})  # the same kind again: one case
        _show(world, advised, "reviewer", {"discretion": ADVICE})
        world.act(draft_penalty_decision, "handler", case_id=pushed)
    entries = by_id(report(world, "2026-03-01", "2026-03-31"))
    assert (entries["126"]["value"], entries["126"]["met"]) == (2, True)
    assert "2 名执法人员使用" in entries["126"]["note"]
    for number, case_ids in (("128", [pushed]), ("129", [pushed]), ("130", [advised]), ("131", [pushed])):
        entry = entries[number]
        assert (entry["value"], entry["numerator"], entry["met"]) == (1, 1, True), number
        assert entry["evidence"]["case_ids"] == case_ids, number
    assert (entries["127"]["value"], entries["127"]["met"]) == (0, False)  # no 办案规范 loaded or shown
    assert neither not in entries["126"]["evidence"]["case_ids"]
    april = by_id(report(world, "2026-04-01", "2026-04-30"))
    assert april["126"]["met"] is False and april["128"]["value"] == 0  # nothing shown in April
