"""A case that loops for 400 review rounds still moves, stays bounded and can finish."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from review_service.workflow import ProcessRegistry
from review_service.workflow.compaction import DEFAULT_MAX_TASKS
from tests.workflow.driver import BPMN_DIR, PROCESS_ID, Driver

ROUNDS = 400


@pytest.mark.slow
def test_four_hundred_rounds_still_move_and_finish(drive: Callable[..., Driver]) -> None:
    driver = drive()
    driver.step("draft", "handler", signoff_required=False, major=True)
    driver.step("assign", "review_lead")
    driver.step("intake", "reviewer", materials_complete=True)
    for _ in range(ROUNDS):
        driver.step("review", "reviewer", conclusion="amend")
        driver.step("reply", "handler", disputed=False, force_coordination=False)
        driver.step("resubmit", "handler", abandon=False)
    # Without continuation the library stops finding ready tasks at depth 1000 (≈ round 165).
    assert driver.continuations >= ROUNDS * 6 // DEFAULT_MAX_TASKS
    assert driver.run.generation == driver.continuations
    assert driver.max_task_count <= DEFAULT_MAX_TASKS + 10
    assert driver.run.data()["conclusion"] == "amend"
    driver.step("review", "reviewer", conclusion="approve")
    driver.step("approve", "head", approved=True)
    driver.assert_ended("decided")


def test_continued_run_routes_exactly_like_an_uncompacted_one(registry: ProcessRegistry) -> None:
    # A tiny threshold makes the case continue every few steps; next to it, the same steps on
    # a run that never continues. Ready tasks and data must match at every step.
    small = ProcessRegistry.load(BPMN_DIR, max_tasks=12)
    compacted = small.start(PROCESS_ID, {"agency_code": "xa"})
    plain = ProcessRegistry.load(BPMN_DIR, max_tasks=10_000).start(PROCESS_ID, {"agency_code": "xa"})
    steps = [
        ("draft", {"signoff_required": False, "major": True}),
        ("assign", {}),
        ("intake", {"materials_complete": True}),
        *[
            step
            for _ in range(5)
            for step in [
                ("review", {"conclusion": "amend"}),
                ("reply", {"disputed": True, "force_coordination": False}),
                ("coordinate", {"outcome": "uphold_review"}),
                ("reply", {"disputed": False, "force_coordination": False}),
                ("resubmit", {"abandon": False}),
            ]
        ],
        ("review", {"conclusion": "approve"}),
        ("approve", {"approved": True}),
    ]
    generations = []
    for kind, data in steps:
        for run in (compacted, plain):
            task = run.find_ready(kind)
            assert task is not None, (kind, run.ready_tasks())
            run.complete(task.id, data)
        assert plain.continued is False
        if compacted.continued:
            generations.append(compacted.generation)
            ready_id = compacted.ready_tasks()[0].id
            compacted = small.restore(compacted.definition_sha256, compacted.dump(), compacted.generation)
            assert compacted.continued is False  # set only by the complete() that continued
            assert compacted.ready_tasks()[0].id == ready_id  # the ready task keeps its id
        assert compacted.task_count() <= 12 + 10
        assert [t.kind for t in compacted.ready_tasks()] == [t.kind for t in plain.ready_tasks()]
        assert compacted.data() == plain.data()
    assert generations == list(range(1, len(generations) + 1))
    assert len(generations) >= 5
    assert plain.generation == 0
    assert compacted.end_event == plain.end_event == "decided"
