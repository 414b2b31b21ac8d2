"""Every public method of ``WorkflowRun`` keeps what the run knows of itself true (``_mutating``).

A run keeps its serialized state (``clean_state``, which the warm-run cache compares with the
stored row), its ready tasks and a step worked out ahead. A method that changes the workflow
outside ``WorkflowRun._mutating`` leaves one of them describing the old workflow: the warm-run
cache would then hand out a run that is not the stored one. Each public method is called here on
a run in review, with all three filled in, and the three are checked against the workflow itself.
A new public method fails :func:`test_every_public_method_is_classified` until it is listed below.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from review_service.workflow.errors import WorkflowError
from review_service.workflow.runtime import WorkflowRun
from review_service.workflow.serializer import dump_workflow
from tests.workflow.driver import Driver

REMIND = "2026-10-12T00:00:00+08:00"
DUE = "2026-10-14T00:00:00+08:00"
LATER_DUE = "2026-10-17T00:00:00+08:00"
REVIEW = {"conclusion": "amend", "reply_remind_at": REMIND, "reply_due_at": DUE}


def _review_id(run: WorkflowRun) -> str:
    ready = run.find_ready("review")
    assert ready is not None
    return ready.id


#: name → how to call it on a run waiting in review. Methods that change the workflow, and reads.
CHANGES: dict[str, Callable[[WorkflowRun], Any]] = {
    "complete": lambda run: run.complete(_review_id(run), REVIEW),
    "complete_other_data": lambda run: run.complete(_review_id(run), {"conclusion": "approve"}),
    "send_event": lambda run: run.send_event("withdraw_submission"),
    "refresh_timers": lambda run: run.refresh_timers(),
    "reschedule": lambda run: run.reschedule({"review_due_at": LATER_DUE}),
}
READS: dict[str, Callable[[WorkflowRun], Any]] = {
    "ready_tasks": lambda run: run.ready_tasks(),
    "find_ready": lambda run: run.find_ready("review"),
    "waiting_signals": lambda run: run.waiting_signals(),
    "knows_signal": lambda run: run.knows_signal("withdraw_submission"),
    "prepare_step": lambda run: run.prepare_step(_review_id(run), REVIEW),
    "data": lambda run: run.data(),
    "dump": lambda run: run.dump(),
    "next_due_at": lambda run: run.next_due_at(),
    "pending_timers": lambda run: run.pending_timers(),
    "task_count": lambda run: run.task_count(),
    "definition": lambda run: run.definition,
    "clean_state": lambda run: run.clean_state,
    "process_id": lambda run: run.process_id,
    "completed": lambda run: run.completed,
    "end_event": lambda run: run.end_event,
}
#: ``complete`` is called two ways: with the step prepared ahead (taken) and with other data (not).
ALIASES = {"complete_other_data": "complete"}


def test_every_public_method_is_classified() -> None:
    public = {name for name, _member in inspect.getmembers(WorkflowRun) if not name.startswith("_")}
    listed = {ALIASES.get(name, name) for name in (*CHANGES, *READS)}
    assert public == listed, "list each new public method of WorkflowRun in CHANGES or READS"


def _primed(drive: Callable[..., Driver]) -> WorkflowRun:
    """A run in review whose clean state, ready tasks and step ahead are all known."""
    driver = drive()
    driver.step("draft", signoff_required=False, major=True)
    driver.step("assign")
    driver.step("intake", materials_complete=True, review_remind_at=REMIND, review_due_at=DUE)
    run = driver.run
    assert run.clean_state is not None
    run.ready_tasks()
    run.prepare_step(_review_id(run), REVIEW)
    assert run._step_ahead is not None
    return run


def _assert_self_knowledge_true(run: WorkflowRun, state_before: str) -> None:
    actual = dump_workflow(run._workflow)
    if run.clean_state is not None:
        assert run.clean_state == actual, "clean_state no longer describes the workflow"
    fresh = [run._as_ready_task(task) for task in run._ready_user_tasks()]
    assert run.ready_tasks() == fresh, "the ready tasks kept are not the workflow's"
    if actual != state_before:
        assert run._step_ahead is None, "a step worked out for the old workflow is still held"


# After the reminder fell due, so that refresh_timers fires one; before the review is due.
AT = datetime(2026, 10, 11, 16, 1, tzinfo=UTC)


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_a_change_leaves_the_run_knowing_itself(drive: Callable[..., Driver], name: str) -> None:
    with time_machine.travel(datetime(2026, 10, 10, 12, tzinfo=UTC), tick=False):
        run = _primed(drive)
    with time_machine.travel(AT, tick=False):
        before = dump_workflow(run._workflow)
        CHANGES[name](run)
        assert dump_workflow(run._workflow) != before, f"{name} was expected to change this run"
        _assert_self_knowledge_true(run, before)


@pytest.mark.parametrize("name", sorted(READS))
def test_a_read_changes_nothing(drive: Callable[..., Driver], name: str) -> None:
    with time_machine.travel(datetime(2026, 10, 10, 12, tzinfo=UTC), tick=False):
        run = _primed(drive)
        before = dump_workflow(run._workflow)
        READS[name](run)
        assert dump_workflow(run._workflow) == before, f"{name} changed the workflow: list it in CHANGES"
        _assert_self_knowledge_true(run, before)


def test_a_failed_change_leaves_the_run_as_it_was(drive: Callable[..., Driver]) -> None:
    with time_machine.travel(datetime(2026, 10, 10, 12, tzinfo=UTC), tick=False):
        run = _primed(drive)
        before = dump_workflow(run._workflow)
        with pytest.raises(WorkflowError, match="engine failed half-way"), run._mutating():
            run._workflow.get_next_task().data["half_done"] = True
            raise RuntimeError("the engine failed half-way")
        assert dump_workflow(run._workflow) == before
        assert run.clean_state == before
        _assert_self_knowledge_true(run, before)
