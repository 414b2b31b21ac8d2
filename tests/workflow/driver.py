"""A driver for the real process: each step asserts the ready task, completes it, dumps and restores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from review_service.workflow import ProcessRegistry, WorkflowRun

BPMN_DIR = Path(__file__).resolve().parents[2] / "workflows" / "bpmn"
BAD_DIR = Path(__file__).resolve().parent / "bad"
PROCESS_ID = "major_decision_review"


class Driver:
    """Drives one case through the real process, serializing and restoring after every step.

    Each step asserts the single ready task's kind (and role, when given) before completing it,
    so a test reads as the path it proves.
    """

    def __init__(self, registry: ProcessRegistry, data: dict[str, Any] | None = None) -> None:
        self.registry = registry
        self.run: WorkflowRun = registry.start(PROCESS_ID, data)
        self.kinds: list[str] = []
        self.continuations = 0
        self.max_task_count = self.run.task_count()
        self.reload()

    def reload(self) -> None:
        """Dump the state and rebuild the run from it, as a request would."""
        state = self.run.dump()
        self.run = self.registry.restore(self.run.definition_sha256, state, self.run.generation)

    def step(self, kind: str, role: str | None = None, **data: Any) -> None:
        ready = self.run.ready_tasks()
        assert [task.kind for task in ready] == [kind], f"expected {kind}, ready: {ready}"
        if role is not None:
            assert ready[0].role == role
        self.run.complete(ready[0].id, data)
        self.kinds.append(kind)
        self.continuations += self.run.continued
        self.max_task_count = max(self.max_task_count, self.run.task_count())
        self.reload()

    def assert_waiting(self, kind: str) -> None:
        assert [task.kind for task in self.run.ready_tasks()] == [kind]

    def assert_ended(self, end_event: str) -> None:
        assert self.run.completed
        assert self.run.end_event == end_event
        assert self.run.ready_tasks() == []
