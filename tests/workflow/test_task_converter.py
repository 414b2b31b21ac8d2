"""The fast task converter writes and rebuilds exactly what SpiffWorkflow's own converter does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task

from review_service.workflow import serializer
from review_service.workflow.task_converter import FastTaskConverter, id_from_text, id_text
from tests.fixtures.workflow_paths import PATHS, REPLY_ACCEPTED, RESUBMIT, TO_REVIEW
from tests.workflow.driver import Driver

LIBRARY = serializer._make_serializer(fast_tasks=False)


def _library_dump(workflow: BpmnWorkflow) -> str:
    saved, serializer.SERIALIZER = serializer.SERIALIZER, LIBRARY
    try:
        return serializer.dump_workflow(workflow)
    finally:
        serializer.SERIALIZER = saved


def _library_load(state: str, driver: Driver) -> BpmnWorkflow:
    saved, serializer.SERIALIZER = serializer.SERIALIZER, LIBRARY
    try:
        return serializer.load_workflow(state, driver.run._loaded.spec, {})
    finally:
        serializer.SERIALIZER = saved


def _tasks(workflow: BpmnWorkflow) -> list[tuple[Any, ...]]:
    return [(task.id, task._parent, task._children, task.state, task.task_spec.name, task.triggered,
             task.last_state_change, task.data, task.internal_data) for task in workflow.tasks.values()]


def assert_same_as_library(driver: Driver) -> None:
    """Both converters write the same text for the live run, and rebuild the same tasks from it."""
    workflow = driver.run._workflow
    state = serializer.dump_workflow(workflow)
    assert state == _library_dump(workflow)
    ours, theirs = serializer.load_workflow(state, driver.run._loaded.spec, {}), _library_load(state, driver)
    assert _tasks(ours) == _tasks(theirs)
    assert ours.task_tree.id == theirs.task_tree.id
    assert sorted(map(str, ours.event_manager.tasks)) == sorted(map(str, theirs.event_manager.tasks))
    assert serializer.dump_workflow(ours) == _library_dump(theirs) == state
    for task in ours.tasks.values():  # each task owns its data: nothing shared with its parent
        if task.parent is not None:
            assert task.data is not task.parent.data
            assert not [key for key, value in task.data.items()
                        if isinstance(value, dict | list) and value is task.parent.data.get(key)]


class CheckedDriver(Driver):
    def reload(self) -> None:
        if hasattr(self, "run"):
            assert_same_as_library(self)
        super().reload()


@pytest.mark.parametrize("name", list(PATHS))
def test_every_state_of_every_path(registry: Any, name: str) -> None:
    driver = CheckedDriver(registry)
    for kind, role, data in PATHS[name][0]:
        driver.step(kind, role, **data)
    assert_same_as_library(driver)


def test_states_of_a_case_continued_after_many_rounds(registry: Any) -> None:
    driver = CheckedDriver(registry)
    for kind, role, data in TO_REVIEW:
        driver.step(kind, role, **data)
    for _ in range(8):
        driver.step("review", "reviewer", conclusion="amend")
        driver.step(*REPLY_ACCEPTED[:2], **REPLY_ACCEPTED[2])
        driver.step(*RESUBMIT[:2], **RESUBMIT[2])
    assert driver.continuations > 0  # the tree was cut back at least once, and still converts the same


def test_states_with_fired_timers(registry: Any) -> None:
    timers = {"review_remind_at": "2026-10-12T00:00:00+08:00", "review_due_at": "2026-10-14T00:00:00+08:00"}
    with time_machine.travel(datetime(2026, 10, 10, 12, tzinfo=UTC), tick=False):
        driver = CheckedDriver(registry)
        driver.step("draft", signoff_required=False, major=True)
        driver.step("assign")
        driver.step("intake", materials_complete=True, **timers)
    with time_machine.travel(datetime(2026, 10, 14, 1, tzinfo=UTC), tick=False):
        assert driver.run.refresh_timers() == ["review_due_soon", "review_overdue"]
        assert any(task.internal_data for task in driver.run._workflow.tasks.values())
        assert_same_as_library(driver)
        driver.step("review", conclusion="approve")


def test_nested_and_typed_values_take_the_library_path(registry: Any) -> None:
    """Values the short cuts do not cover (nested data, non-empty internal data) still convert alike."""
    driver = CheckedDriver(registry)
    task = driver.run._workflow.task_tree
    task.internal_data = {"nested": {"list": [1, {"deep": "值"}]}, "when": "2026-10-10"}
    for below in driver.run._workflow.tasks.values():
        if below is not task:  # each task its own copy, as the engine leaves them
            below.data = {**below.data, "nested": {"a": [1, 2]}, "note": "多行\n文字"}
    assert_same_as_library(driver)


def test_ids_convert_both_ways_and_are_remembered() -> None:
    text = "0b8a4c1e-9d6f-4f5b-8a39-2f3c5d7e9a10"
    value = id_from_text(text)
    assert str(value) == text and id_text(value) == text
    assert id_from_text(text) is value
    with pytest.raises(ValueError):
        id_from_text("not-a-uuid")


def test_the_serializer_uses_the_fast_converter() -> None:
    task_to_dict = serializer.SERIALIZER.registry.convert_to_dict[serializer.SERIALIZER.registry.typenames[Task]]
    assert isinstance(task_to_dict.args[1].__self__, FastTaskConverter)
