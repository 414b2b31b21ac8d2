"""A task converter that writes and reads exactly what SpiffWorkflow 3.2's ``TaskConverter`` does, faster.

Every action writes the case's task tree and, when the run was not kept warm, reads it back.
The library's converter spends most of that time in generic machinery: the registry's
recursive ``convert``/``restore`` over empty dicts, ``uuid.UUID`` parsing each id, ``str`` of
each id, ``DeepMerge`` for a copy of the parent's data. This one takes the short way where the
value allows it and falls back to the library's own calls everywhere else, so the JSON it
writes and the objects it builds are the same (``tests/workflow/test_task_converter.py`` holds
it to the library's converter on every state the process reaches).
"""

from __future__ import annotations

from collections.abc import Callable
from copy import copy
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

#: Task ids seen in either direction. A case's tree keeps its ids from step to step, so the same
#: few dozen are written and read at every action; both maps are cleared when they grow large.
_TEXT_OF: dict[UUID, str] = {}
_ID_OF: dict[str, UUID] = {}
_MAX_IDS = 10_000  # a case needs only its own few dozen; the rest would be heap for the collector to scan


def _remembered(cache: dict[Any, Any], key: Any, make: Callable[[Any], Any]) -> Any:
    value = cache.get(key)
    if value is None:
        if len(cache) >= _MAX_IDS:
            cache.clear()
        value = cache[key] = make(key)
    return value


def id_text(value: UUID) -> str:
    """``str(value)``, remembered."""
    text: str = _remembered(_TEXT_OF, value, str)
    return text


def id_from_text(text: str) -> UUID:
    """``UUID(text)``, remembered (UUIDs are immutable, so one object can serve every workflow)."""
    value: UUID = _remembered(_ID_OF, text, UUID)
    return value


def _is_empty_dict(value: Any) -> bool:
    return type(value) is dict and not value


class FastTaskConverter(TaskConverter):  # type: ignore[misc]
    """``TaskConverter`` (SpiffWorkflow 3.2) with its generic calls skipped where they would change nothing."""

    def to_dict(self, task: Task) -> dict[str, Any]:
        parent = task.parent
        if parent is None:
            data, delta = task.data, {}
        else:
            before, after = parent.data, task.data
            data = {}
            # DeepMerge.get_updated_keys / get_deleted_keys, inline
            updates = {key: value for key, value in after.items() if key not in before or value != before[key]}
            delta = {"updates": updates, "deletions": [key for key in before if key not in after]}
        internal = task.internal_data
        return {
            "id": id_text(task.id),
            "parent": id_text(task._parent) if parent is not None else None,
            "children": [id_text(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": {} if _is_empty_dict(internal) else self.registry.convert(internal),
            "data": data,
            "delta": delta,
        }

    def from_dict(self, dct: dict[str, Any], workflow: Any) -> Task:
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=id_from_text(dct["id"]))
        parent_id = dct["parent"]
        task._parent = id_from_text(parent_id) if parent_id is not None else None
        task._children = [id_from_text(child) for child in dct["children"]]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        internal = dct["internal_data"]
        task.internal_data = {} if _is_empty_dict(internal) else self.registry.restore(internal)
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            task.workflow.top_workflow.event_manager.add_task(task)

        delta = dct.get("delta")
        parent = task.parent
        if delta and parent is not None:
            # DeepMerge.merge({}, parent.data): every key is new, so mutable values are copied shallowly
            data = {key: copy(value) if isinstance(value, dict | list | set) else value
                    for key, value in parent.data.items()}
            updates = delta.get("updates", {})
            if not _is_empty_dict(updates):
                data.update(self.registry.restore(updates))
            for key in delta.get("deletions", {}):
                data.pop(key, None)
        else:
            data = self.registry.restore(dct["data"])
        task.data = data
        return task
