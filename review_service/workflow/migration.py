"""Move a running case onto another definition of its process (issue 21: an audited migration, never silent).

SpiffWorkflow's own ``migrate_workflow`` keeps the task tree and swaps each task's spec; a task whose place in the
new file differs (a user task that gained boundary events, a merge gateway before it) keeps the old wiring, and a
history task whose spec is gone cannot be stored again. So the run is rebuilt instead, the way a long case is
continued in a fresh instance (``compaction``): the engine's history is dropped (the record is our tables and the
audit log) and the new run waits where the old one waited:

* on the same user task (or the one the mapping names), with **the same engine task id**, so that deadlines,
  to-do links and the case row keep pointing at it, and with the same routing data;
* with the boundary events the new file gives that task (a withdrawal signal the old file lacked is caught);
* each timer with **the due time it had** (a due time moved by an extension or a pause stays moved); a timer that
  already fired stays fired, without a second notice, and one that is due but not yet fired fires at the next
  ``tick`` on the new file, as it would have on the old.

:func:`check_move` says whether a run can move and why not; :func:`move_run` moves it or raises.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import UserTask
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.util.diff import SpecDiff
from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from review_service.core.permissions import ROLE_LABELS
from review_service.workflow.errors import WorkflowError
from review_service.workflow.expressions import compile_expression
from review_service.workflow.parser import LoadedDefinition
from review_service.workflow.runtime import WorkflowRun, new_workflow
from review_service.workflow.serializer import SERIALIZER
from review_service.workflow.timers import NEVER, timer_variables

_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
#: What a timer that already fired is set to while the new run fires it again, silently: long past.
_FIRED_LONG_AGO = "1970-01-01T00:00:00+00:00"


@dataclass(frozen=True)
class DefinitionDiff:
    """The flow nodes (BPMN ids) one definition adds, removes and changes against another."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: dict[str, tuple[str, ...]]
    """``{BPMN id: the attributes that differ}`` (``inputs``, ``outputs``, ``bpmn_name``, ``lane`` …)."""


def diff_definitions(source: LoadedDefinition, target: LoadedDefinition) -> DefinitionDiff:
    """SpiffWorkflow's ``SpecDiff`` of two definitions, kept to the nodes of the files (not the engine's helpers)."""
    diff = SpecDiff(SERIALIZER.registry, source.spec, target.spec)
    return DefinitionDiff(
        added=tuple(sorted(spec.bpmn_id for spec in diff.added if _is_node(spec))),
        removed=tuple(sorted(spec.bpmn_id for spec in diff.removed if _is_node(spec))),
        changed={spec.bpmn_id: tuple(changes) for spec, changes in sorted(diff.changed.items(), key=_by_name)
                 if _is_node(spec)},
    )


def flow_nodes(definition: LoadedDefinition) -> frozenset[str]:
    """The BPMN ids of the definition's flow nodes (tasks, events, gateways; not the engine's helpers)."""
    return frozenset(spec.bpmn_id for spec in definition.spec.task_specs.values() if _is_node(spec))


def _is_node(spec: TaskSpec) -> bool:
    return getattr(spec, "bpmn_id", None) is not None  # the engine's own (splits, joins, Start, End) have none


def _by_name(item: tuple[TaskSpec, Any]) -> str:
    return str(item[0].name)


@dataclass(frozen=True)
class MoveCheck:
    """Whether a run can move to the target definition as it stands, and why not."""

    task: str | None
    """The BPMN id of the user task the run waits on (None: it waits on none)."""
    target: str | None
    """Its counterpart in the target definition (the same id, or the one the mapping names)."""
    reasons: tuple[str, ...] = ()
    """Why it cannot move, in Chinese (empty: it can)."""
    timers: dict[str, str] = field(default_factory=dict)
    """``{timer id in the target: due time (ISO) it keeps}`` for the timers waiting on that task."""

    @property
    def movable(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class _Waiting:
    task: Task  # the ready user task
    wrapper: Task  # its boundary-event split (or the task itself when it has no boundary events)
    boundary: dict[str, Task]  # {BPMN id: task} of the boundary events on it


def check_move(run: WorkflowRun, source: LoadedDefinition, target: LoadedDefinition,
               mapping: Mapping[str, str]) -> MoveCheck:
    """Whether ``run`` (on ``source``) can move to ``target``: its waiting user task exists there (under the name
    ``mapping`` gives it, if renamed) with the same role; every timer waiting on it has its counterpart reading the
    same due time; the routing data the target reads after that task is data the case can give. Nothing changes."""
    workflow = run._workflow
    if workflow.is_completed():
        return MoveCheck(None, None, ("流程已结束",))
    waiting = _waiting(workflow)
    if isinstance(waiting, str):
        return MoveCheck(None, None, (waiting,))
    kind = waiting.task.task_spec.bpmn_id
    name = waiting.task.task_spec.bpmn_name or kind
    goal = mapping.get(kind, kind)
    spec = target.spec.task_specs.get(goal)
    if not isinstance(spec, UserTask):
        renamed = f"（映射为 {goal}）" if goal != kind else ""
        return MoveCheck(kind, None, (f"所在环节“{name}”（{kind}）{renamed}在新流程定义中不存在",))
    reasons: list[str] = []
    if target.roles.get(goal) != source.roles.get(kind):
        before, after = (ROLE_LABELS.get(role or "", role) for role in (source.roles.get(kind), target.roles.get(goal)))
        reasons.append(f"环节“{name}”的办理角色由{before}变为{after}")
    timers, timer_reasons = _timers_kept(waiting, source, target, goal, mapping)
    reasons.extend(timer_reasons)
    data = waiting.task.data
    missing = _read_after(target, goal) - _read_after(source, kind) - set(data) - set(target.routing_defaults)
    if missing:
        reasons.append(f"新流程定义在“{name}”之后读取路由数据 {'、'.join(sorted(missing))}，"
                       "原定义在此不读取，本案也没有")
    return MoveCheck(kind, goal, tuple(reasons), timers)


def _waiting(workflow: BpmnWorkflow) -> _Waiting | str:
    """The one user task the run waits on, with its boundary events; or why there is no such single task."""
    ready = [task for task in workflow.get_tasks(state=TaskState.READY) if isinstance(task.task_spec, UserTask)]
    if len(ready) != 1:
        return "流程未停在一个用户任务上" if not ready else "流程同时停在多个用户任务上"
    task = ready[0]
    parent = task.parent
    split = parent is not None and parent.task_spec.name == f"{task.task_spec.name}.BoundaryEventSplit"
    wrapper = parent if split and parent is not None else task
    boundary = {child.task_spec.bpmn_id: child for child in wrapper.children
                if isinstance(child.task_spec, BoundaryEvent)} if split else {}
    for active in workflow.tasks.values():
        # the engine's own joins (the end join an ended branch waits in) hold no work: they go with the history
        if (active.has_state(_ACTIVE) and _is_node(active.task_spec) and active is not wrapper
                and not active.is_descendant_of(wrapper)):
            return f"流程在“{active.task_spec.bpmn_name or active.task_spec.name}”处还有进行中的分支"
    return _Waiting(task, wrapper, boundary)


def _timer_specs(definition: LoadedDefinition, kind: str) -> dict[str, BoundaryEvent]:
    """The boundary timer events on user task ``kind``, by BPMN id."""
    split = definition.spec.task_specs.get(f"{kind}.BoundaryEventSplit")
    outputs = split.outputs if split is not None else []
    return {spec.bpmn_id: spec for spec in outputs
            if isinstance(spec, BoundaryEvent) and isinstance(spec.event_definition, TimerEventDefinition)}


def _timers_kept(waiting: _Waiting, source: LoadedDefinition, target: LoadedDefinition, goal: str,
                 mapping: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The due times the target's timers keep, and why some cannot be kept."""
    old_vars, new_vars = timer_variables(source.spec), timer_variables(target.spec)
    new_timers = _timer_specs(target, goal)
    kept: dict[str, str] = {}
    reasons: list[str] = []
    covered: set[str] = set()
    for timer_id, task in waiting.boundary.items():
        if timer_id not in old_vars:
            continue  # a signal: the target's own boundary events are set up afresh
        new_id = mapping.get(timer_id, timer_id)
        covered.add(new_id)
        if new_id not in new_timers:
            if task.state == TaskState.WAITING:
                reasons.append(f"新流程定义在该环节没有定时器 {new_id}，正在计时的期限会丢失")
            continue
        if new_vars.get(new_id) != old_vars[timer_id]:
            reasons.append(f"定时器 {new_id} 在新流程定义中读取 {new_vars.get(new_id)}，原为 {old_vars[timer_id]}")
            continue
        if task.state == TaskState.WAITING:
            kept[new_id] = str(_timer_value(task, old_vars[timer_id]))
    for new_id in sorted(set(new_timers) - covered):
        key = new_vars.get(new_id)
        if key is None or key not in waiting.task.data:
            reasons.append(f"新流程定义在该环节新增定时器 {new_id}，本案没有它读取的期限 {key}，无法重新计划")
        else:
            kept[new_id] = str(waiting.task.data[key])
    return kept, reasons


def _timer_value(task: Task, key: str) -> Any:
    """A waiting timer's due time as the engine holds it: evaluated, else from its data."""
    value = task._get_internal_data("event_value")
    return task.data.get(key, NEVER) if value is None else value


def _read_after(definition: LoadedDefinition, kind: str) -> set[str]:
    """The routing-data keys the gateways read between user task ``kind`` and the next user tasks."""
    start = definition.spec.task_specs[f"{kind}.BoundaryEventSplit"] \
        if f"{kind}.BoundaryEventSplit" in definition.spec.task_specs else definition.spec.task_specs[kind]
    names: set[str] = set()
    seen: set[str] = set()
    stack = [start]
    while stack:
        spec = stack.pop()
        if spec.name in seen or (isinstance(spec, UserTask) and spec.name != kind):
            continue
        seen.add(spec.name)
        for condition, _ in getattr(spec, "cond_task_specs", []):
            if condition is not None:
                names |= {node.id for node in ast.walk(compile_expression(condition.args[0]))
                          if isinstance(node, ast.Name)}
        stack.extend(spec.outputs)
    return names


def move_run(run: WorkflowRun, source: LoadedDefinition, target: LoadedDefinition, mapping: Mapping[str, str],
             *, max_tasks: int) -> WorkflowRun:
    """``run`` rebuilt on ``target``, waiting where it waited (see the module docstring); ``run`` is left as it was.

    Raises :class:`WorkflowError` with the reasons when :func:`check_move` refuses it.
    """
    check = check_move(run, source, target, mapping)
    if not check.movable or check.target is None:
        raise WorkflowError("；".join(check.reasons) or "流程实例不能迁移")
    waiting = _waiting(run._workflow)
    assert isinstance(waiting, _Waiting)
    old_vars, new_vars = timer_variables(source.spec), timer_variables(target.spec)
    fired = {mapping.get(timer_id, timer_id) for timer_id, task in waiting.boundary.items()
             if timer_id in old_vars and task.state == TaskState.COMPLETED}
    data = {**target.routing_defaults, **waiting.task.data}  # a default the old file did not declare
    workflow = _fresh_workflow(target, run._workflow.task_tree.data)
    entry_spec = target.spec.task_specs.get(f"{check.target}.BoundaryEventSplit") \
        or target.spec.task_specs[check.target]
    entry = workflow.task_tree._add_child(entry_spec, TaskState.FUTURE)
    # every timer holds NEVER while the engine runs here, so none fires on the way (a due one is tick's)
    entry.data = {**data, **dict.fromkeys(new_vars.values(), NEVER)}
    entry.task_spec._predict(entry, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE)  # as reset_branch does
    entry.task_spec._update(entry)
    workflow.do_engine_steps()
    task = _only_ready(workflow, check.target)
    timers = {t.task_spec.bpmn_id: t for t in workflow.tasks.values() if t.task_spec.bpmn_id in new_vars
              and t.state == TaskState.WAITING and t.parent is task.parent}
    # fired before the move: fired again now, long past, and nobody told twice; an interrupting one (the old file's
    # was not, or the task would not wait) is left unscheduled instead, lest it cancel the task it sits on
    refire = {timer_id for timer_id in fired & set(timers) if not timers[timer_id].task_spec.cancel_activity}
    if refire:
        for timer_id in refire:
            timers[timer_id]._set_internal_data(event_value=_FIRED_LONG_AGO)
        workflow.refresh_timers()
        workflow.do_engine_steps()
    for timer_id, due in check.timers.items():
        timers[timer_id]._set_internal_data(event_value=due)
        timers[timer_id].data[new_vars[timer_id]] = due
    for key in new_vars.values():
        if key in data:
            task.data[key] = data[key]
    _take_id(workflow, task, waiting.task.id)
    moved = WorkflowRun(target, workflow, generation=run.generation + 1, max_tasks=max_tasks)
    moved.dump()
    return moved


def _fresh_workflow(target: LoadedDefinition, root_data: Mapping[str, Any]) -> BpmnWorkflow:
    """A workflow on ``target`` (as a new case starts: unscheduled timers, the file's defaults) holding the old
    root's data, whose root has run, with no children yet: the entry is added under it."""
    workflow = new_workflow(target, None)
    root = workflow.task_tree
    root._drop_children(force=True)
    root.data.update(root_data)
    root._set_state(TaskState.COMPLETED)
    workflow.last_task = root
    return workflow


def _only_ready(workflow: BpmnWorkflow, kind: str) -> Task:
    ready = [task for task in workflow.get_tasks(state=TaskState.READY) if isinstance(task.task_spec, UserTask)]
    if len(ready) != 1 or ready[0].task_spec.bpmn_id != kind:
        raise WorkflowError(f"迁移后的流程未停在环节 {kind}")
    return ready[0]


def _take_id(workflow: BpmnWorkflow, task: Task, task_id: UUID) -> None:
    """Give ``task`` the engine id ``task_id`` (the old run's task): deadlines and links point at that id."""
    del workflow.tasks[task.id]
    parent = task.parent
    if parent is not None:
        parent._children = [task_id if child == task.id else child for child in parent._children]
    for child in task.children:
        child._parent = task_id
    task.id = task_id
    workflow.tasks[task_id] = task
