"""Timers of the facade: boundary timer events whose due time comes in as an ISO string in task data.

The process file names, on each ``timeDate``, a routing-data key (``review_due_at``); the
product computes that time with the working-day calendar and passes it when it completes the
task before (DESIGN.md §5 "timers from an index"). A run started without a value for a key
holds :data:`NEVER` for it, so a timer nobody scheduled never fires and never breaks routing.
"""

from __future__ import annotations

import weakref
from datetime import UTC, datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.specs.WorkflowSpec import WorkflowSpec
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

#: The due time of a timer that is not scheduled: far beyond any deadline, never stored as one.
NEVER = "9999-12-31T00:00:00+00:00"
_NEVER_YEAR = 9000


# A spec never changes once parsed; every step asks several times, so each spec's answer is kept.
_VARIABLES: weakref.WeakKeyDictionary[WorkflowSpec, dict[str, str]] = weakref.WeakKeyDictionary()


def timer_variables(spec: WorkflowSpec) -> dict[str, str]:
    """``{timer event id: routing-data key}`` for every boundary timer whose expression is a plain name."""
    known = _VARIABLES.get(spec)
    if known is None:
        known = _VARIABLES.setdefault(spec, _find_timer_variables(spec))
    return dict(known)


def _find_timer_variables(spec: WorkflowSpec) -> dict[str, str]:
    found: dict[str, str] = {}
    for task_spec in spec.task_specs.values():
        definition = getattr(task_spec, "event_definition", None)
        if isinstance(task_spec, BoundaryEvent) and isinstance(definition, TimerEventDefinition):
            expression = str(definition.expression).strip()
            if expression.isidentifier():
                found[task_spec.bpmn_id] = expression
    return found


def parse_due(value: object) -> datetime | None:
    """A timer's ISO due time as aware UTC, or None for :data:`NEVER` or an unreadable value."""
    if not isinstance(value, str):
        return None
    try:
        due = datetime.fromisoformat(value)
    except ValueError:
        return None
    if due.tzinfo is None:
        due = due.replace(tzinfo=UTC)
    return None if due.year >= _NEVER_YEAR else due.astimezone(UTC)


def waiting_timers(tasks: list[Task]) -> list[Task]:
    """The boundary timer tasks among ``tasks`` that wait to fire."""
    return [task for task in tasks if isinstance(task.task_spec, BoundaryEvent)
            and isinstance(task.task_spec.event_definition, TimerEventDefinition)
            and task.state == TaskState.WAITING]


def due_of(task: Task, variables: dict[str, str]) -> datetime | None:
    """When a waiting timer task fires: its evaluated value, else the value its data holds."""
    value = task._get_internal_data("event_value")
    if value is None:
        value = task.data.get(variables.get(task.task_spec.bpmn_id, ""))
    return parse_due(value)
