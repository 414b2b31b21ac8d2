"""A step worked out ahead (``WorkflowRun.prepare_step``): taken only when it is exactly the step asked for."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from review_service.workflow.runtime import WorkflowRun
from tests.workflow.driver import Driver

REMIND = "2026-10-12T00:00:00+08:00"
DUE = "2026-10-14T00:00:00+08:00"
REVIEW = {"conclusion": "amend", "reply_remind_at": REMIND, "reply_due_at": DUE}


@pytest.fixture
def adopted(adopted_steps: list[WorkflowRun]) -> list[WorkflowRun]:
    return adopted_steps


def _in_review(drive: Callable[..., Driver]) -> Driver:
    driver = drive()
    driver.step("draft", signoff_required=False, major=True)
    driver.step("assign")
    driver.step("intake", materials_complete=True)
    driver.assert_waiting("review")
    return driver


def _shape(state: str) -> Any:
    """The stored state less what differs by run: when each task changed state (a prepared step ran a
    moment earlier) and the ids the engine gives new tasks. Each task by its spec, state, data and
    the specs of its parent and children."""
    data = json.loads(state)
    tasks = data.pop("tasks")
    spec_of = {task_id: task["task_spec"] for task_id, task in tasks.items()}
    shaped = sorted(
        (task["task_spec"], task["state"], json.dumps(task["data"], sort_keys=True),
         json.dumps(task["internal_data"], sort_keys=True), spec_of.get(task["parent"]),
         sorted(spec_of[child] for child in task["children"]))
        for task in tasks.values())
    return {**{key: value for key, value in data.items() if key not in ("last_task", "root")},
            "last_task": spec_of[data["last_task"]], "tasks": shaped}


def _plainly(driver: Driver, data: dict[str, Any]) -> tuple[WorkflowRun, str]:
    """The same step on a fresh copy of the run, by the engine."""
    run = driver.registry.restore(driver.run.definition_sha256, driver.run.dump(), driver.run.generation)
    ready = run.find_ready("review")
    assert ready is not None
    run.complete(ready.id, data)
    return run, run.dump()


def test_the_prepared_step_is_taken_and_equals_the_engine_s(drive: Callable[..., Driver],
                                                            adopted: list[WorkflowRun]) -> None:
    with time_machine.travel(datetime(2026, 10, 10, 12, tzinfo=UTC), tick=False):
        driver = _in_review(drive)
        plain, plain_state = _plainly(driver, REVIEW)
        run = driver.run
        task = run.find_ready("review")
        assert task is not None
        run.prepare_step(task.id, REVIEW)
        assert run.clean_state is not None  # preparing leaves the run itself as it was
        assert [t.kind for t in run.ready_tasks()] == ["review"]
        run.complete(task.id, dict(REVIEW))
    assert adopted == [run]
    assert [t.kind for t in run.ready_tasks()] == [t.kind for t in plain.ready_tasks()] == ["reply"]
    assert run.data() == plain.data() and run.pending_timers() == plain.pending_timers()
    assert run.fired_timers == [] and not run.continued and not run.completed
    assert run.clean_state is not None and _shape(run.clean_state) == _shape(plain_state)
    restored = driver.registry.restore(run.definition_sha256, run.clean_state, run.generation)
    assert [t.kind for t in restored.ready_tasks()] == ["reply"]


@pytest.mark.parametrize("other", [{**REVIEW, "conclusion": "approve"}, {"conclusion": "amend"}])
def test_other_routing_data_runs_the_engine(drive: Callable[..., Driver], adopted: list[WorkflowRun],
                                            other: dict[str, Any]) -> None:
    with time_machine.travel(datetime(2026, 10, 10, 12, tzinfo=UTC), tick=False):
        driver = _in_review(drive)
        _plain, plain_state = _plainly(driver, other)
        task = driver.run.find_ready("review")
        assert task is not None
        driver.run.prepare_step(task.id, REVIEW)
        driver.run.complete(task.id, other)
    assert adopted == []
    assert _shape(driver.run.dump()) == _shape(plain_state)


def test_a_timer_come_due_since_runs_the_engine(drive: Callable[..., Driver], adopted: list[WorkflowRun]) -> None:
    """Prepared before the reply reminder was due, taken after: the engine fires it in the step."""
    driver = _in_review(drive)
    task = driver.run.find_ready("review")
    assert task is not None
    with time_machine.travel(datetime(2026, 10, 10, 12, tzinfo=UTC), tick=False):
        driver.run.prepare_step(task.id, REVIEW)
    with time_machine.travel(datetime(2026, 10, 11, 16, 1, tzinfo=UTC), tick=False):
        driver.run.complete(task.id, REVIEW)
    assert adopted == []
    assert driver.run.fired_timers == ["reply_due_soon"]


def test_a_step_that_fires_a_timer_is_not_prepared(drive: Callable[..., Driver], adopted: list[WorkflowRun]) -> None:
    driver = _in_review(drive)
    task = driver.run.find_ready("review")
    assert task is not None
    with time_machine.travel(datetime(2026, 10, 11, 16, 1, tzinfo=UTC), tick=False):
        driver.run.prepare_step(task.id, REVIEW)
        driver.run.complete(task.id, REVIEW)
    assert adopted == [] and driver.run.fired_timers == ["reply_due_soon"]


def test_any_change_to_the_run_drops_the_prepared_step(drive: Callable[..., Driver],
                                                       adopted: list[WorkflowRun]) -> None:
    with time_machine.travel(datetime(2026, 10, 10, 12, tzinfo=UTC), tick=False):
        driver = _in_review(drive)
        task = driver.run.find_ready("review")
        assert task is not None
        driver.run.prepare_step(task.id, REVIEW)
        driver.run.refresh_timers()
        driver.run.complete(task.id, REVIEW)
    assert adopted == []


def test_a_step_the_engine_refuses_is_not_prepared_and_still_refused(drive: Callable[..., Driver],
                                                                     adopted: list[WorkflowRun]) -> None:
    from review_service.workflow.errors import WorkflowError

    driver = _in_review(drive)
    task = driver.run.find_ready("review")
    assert task is not None
    driver.run.prepare_step(task.id, {"conclusion": ["not", "routing"]})
    with pytest.raises(WorkflowError):
        driver.run.complete(task.id, {"conclusion": ["not", "routing"]})
    assert adopted == [] and [t.kind for t in driver.run.ready_tasks()] == ["review"]
