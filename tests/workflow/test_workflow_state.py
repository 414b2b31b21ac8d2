"""Instance state without the spec, routing data only, and completions that fail change nothing."""

from __future__ import annotations

import enum
import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

from review_service.workflow import (
    ProcessRegistry,
    TaskNotReady,
    WorkflowDataError,
    WorkflowError,
    WorkflowRun,
)
from review_service.workflow.expressions import SCRIPT_ENGINE
from review_service.workflow.serializer import load_workflow
from tests.workflow.driver import PROCESS_ID


def _in_review(registry: ProcessRegistry) -> WorkflowRun:
    run = registry.start(PROCESS_ID)
    for kind, data in [
        ("draft", {"signoff_required": False, "major": True}),
        ("assign", {}),
        ("intake", {"materials_complete": True}),
    ]:
        task = run.find_ready(kind)
        assert task is not None
        run.complete(task.id, data)
    return run


def test_dump_holds_no_spec_and_is_much_smaller(registry: ProcessRegistry) -> None:
    run = _in_review(registry)
    state = run.dump()
    dct = json.loads(state)
    assert "spec" not in dct
    assert "subprocess_specs" not in dct
    assert "BpmnProcessSpec" not in state
    assert 'conclusion == \\"approve\\"' not in state  # conditions belong to the spec
    # Measured against the library's default serializer, which embeds the whole spec.
    # Re-dumped with the same separators, so only the content differs (≈ 10 KB against ≈ 28 KB since the
    # review and reply tasks carry two boundary timers each: their predicted branches are part of the state).
    default = json.loads(BpmnWorkflowSerializer().serialize_json(run._workflow))
    assert default["spec"]["typename"] == "BpmnProcessSpec"
    default_text = json.dumps(default, ensure_ascii=False, separators=(",", ":"))
    assert len(state) * 2.5 < len(default_text)
    assert len(state) < len(json.dumps(default["spec"], ensure_ascii=False, separators=(",", ":"))) / 1.5


def test_restore_round_trips_exactly(registry: ProcessRegistry) -> None:
    run = _in_review(registry)
    state = run.dump()
    restored = registry.restore(run.definition_sha256, state, generation=7)
    assert restored.dump() == state
    assert restored.generation == 7
    assert restored.ready_tasks() == run.ready_tasks()
    assert restored.data() == run.data()
    assert restored.task_count() == run.task_count()


def test_restore_sets_the_restricted_engine_again(registry: ProcessRegistry) -> None:
    run = _in_review(registry)
    loaded = registry._loaded(run.definition_sha256)
    workflow = load_workflow(run.dump(), loaded.spec, loaded.subprocess_specs)
    assert workflow.script_engine is SCRIPT_ENGINE


@pytest.mark.parametrize(
    "state",
    ["", "not json", "[]", '{"tasks": {}}', '{"review_service_format": 99}'],
)
def test_restore_refuses_unknown_state(registry: ProcessRegistry, state: str) -> None:
    with pytest.raises(WorkflowError):
        registry.restore(registry.definition(PROCESS_ID).sha256, state)


def test_restore_refuses_a_state_that_embeds_the_spec(registry: ProcessRegistry) -> None:
    run = _in_review(registry)
    dct = json.loads(BpmnWorkflowSerializer().serialize_json(run._workflow))
    dct["review_service_format"] = 1
    with pytest.raises(WorkflowError, match="不应包含流程定义"):
        registry.restore(run.definition_sha256, json.dumps(dct))


def test_restore_refuses_an_unknown_definition(registry: ProcessRegistry) -> None:
    run = registry.start(PROCESS_ID)
    with pytest.raises(WorkflowError, match="未加载流程定义"):
        registry.restore("f" * 64, run.dump())


class Conclusion(enum.StrEnum):
    AMEND = "amend"


@pytest.mark.parametrize(
    "data",
    [
        {"signoff_required": False, "major": True, "extra": {"nested": 1}},
        {"signoff_required": False, "major": True, "filed_on": date(2026, 1, 5)},
        {"signoff_required": False, "major": True, "at": datetime(2026, 1, 5, 8, 0)},
        {"signoff_required": False, "major": True, "fine": Decimal("100000")},
        {"signoff_required": False, "major": True, "ratio": 1.5},
        {"signoff_required": False, "major": True, "points": ["facts_clear"]},
        {"signoff_required": False, "major": True, "typename": "BpmnWorkflow"},
        {"signoff_required": False, "major": True, "data_objects": "x"},
        {"signoff_required": False, "major": True, "Major": True},
        {"signoff_required": False, "major": True, "__class__": "x"},
        {"signoff_required": False, "major": True, "fine-amount": 1},
        {"signoff_required": False, "major": True, 1: True},
        {"signoff_required": False, "major": True, "opinion": "很长的意见" * 50},
    ],
    ids=lambda data: next(repr(k) for k in data if k not in {"signoff_required", "major"}),
)
def test_non_routing_data_is_refused_and_changes_nothing(registry: ProcessRegistry, data: dict[Any, Any]) -> None:
    run = registry.start(PROCESS_ID)
    before = run.dump()
    [draft] = run.ready_tasks()
    with pytest.raises(WorkflowDataError):
        run.complete(draft.id, data)
    assert run.dump() == before
    assert run.ready_tasks() == [draft]


def test_start_data_is_checked_too(registry: ProcessRegistry) -> None:
    with pytest.raises(WorkflowDataError):
        registry.start(PROCESS_ID, {"typename": "x"})
    with pytest.raises(WorkflowDataError):
        registry.start(PROCESS_ID, {"filed_on": date(2026, 1, 5)})


def test_routing_values_are_stored_plain(registry: ProcessRegistry) -> None:
    run = _in_review(registry)
    task = run.find_ready("review")
    assert task is not None
    run.complete(task.id, {"conclusion": Conclusion.AMEND, "note": None, "round": 2})
    restored = registry.restore(run.definition_sha256, run.dump())
    data = restored.data()
    assert type(data["conclusion"]) is str
    assert data["conclusion"] == "amend"
    assert data["note"] is None
    assert restored.find_ready("reply") is not None


def test_missing_routing_value_fails_the_step_and_changes_nothing(registry: ProcessRegistry) -> None:
    run = registry.start(PROCESS_ID)
    before = run.dump()
    [draft] = run.ready_tasks()
    with pytest.raises(WorkflowDataError, match="signoff_required"):
        run.complete(draft.id, {"major": True})  # the gateway after draft reads signoff_required
    assert run.dump() == before
    assert run.ready_tasks() == [draft]
    run.complete(draft.id, {"signoff_required": False, "major": True})
    assert run.find_ready("assign") is not None


def test_only_ready_user_tasks_can_be_completed(registry: ProcessRegistry) -> None:
    run = registry.start(PROCESS_ID)
    [draft] = run.ready_tasks()
    run.complete(draft.id, {"signoff_required": False, "major": True})
    for task_id in [draft.id, str(uuid.uuid4()), "not-a-uuid", ""]:
        with pytest.raises(TaskNotReady):
            run.complete(task_id, {})
    assert run.find_ready("assign") is not None
