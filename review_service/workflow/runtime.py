"""The runtime facade: one running (or finished) case in the engine.

A :class:`WorkflowRun` wraps a ``BpmnWorkflow`` and exposes only what the product needs:
the ready user tasks, completing one with routing data, the current routing data, the
end reached, and the serialized state (without the spec) to store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import EndEvent, UserTask
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from review_service.core import signals
from review_service.workflow.compaction import DEFAULT_MAX_TASKS, compact
from review_service.workflow.errors import TaskNotReady, WorkflowError
from review_service.workflow.expressions import SCRIPT_ENGINE
from review_service.workflow.parser import LoadedDefinition, ProcessDefinition
from review_service.workflow.routing import RESERVED_KEYS, validate_routing_data
from review_service.workflow.serializer import dump_workflow, load_workflow
from review_service.workflow.timers import NEVER, due_of, timer_variables, waiting_timers


def caught_signals(loaded: LoadedDefinition) -> frozenset[str]:
    """The names of the signals a boundary event of ``loaded`` catches anywhere."""
    return frozenset(spec.event_definition.name for spec in loaded.spec.task_specs.values()
                     if isinstance(spec, BoundaryEvent) and isinstance(spec.event_definition, SignalEventDefinition))


@dataclass(frozen=True)
class ReadyTask:
    """A user task waiting for a person."""

    id: str
    """Engine task id (``str`` of the UUID)."""
    kind: str
    """BPMN task id, e.g. ``"review"``."""
    role: str
    """Role code from the task's lane, e.g. ``"reviewer"``."""
    name: str
    """BPMN task name (Chinese)."""


def new_workflow(loaded: LoadedDefinition, data: Mapping[str, Any] | None) -> BpmnWorkflow:
    """A fresh workflow on ``loaded``'s spec, with the restricted engine set before any step runs."""
    workflow = BpmnWorkflow(loaded.spec, loaded.subprocess_specs, script_engine=SCRIPT_ENGINE)
    # Data on the root task is inherited by every task the engine reaches. A timer nobody
    # scheduled holds NEVER: it waits forever instead of failing on a missing name.
    workflow.task_tree.data.update(dict.fromkeys(timer_variables(loaded.spec).values(), NEVER))
    workflow.task_tree.data.update(loaded.routing_defaults)  # declared by the process file (rs:routingDefault)
    workflow.task_tree.data.update(validate_routing_data(data))
    return workflow


@dataclass(frozen=True)
class _StepAhead:
    """A step worked out in advance (:meth:`WorkflowRun.prepare_step`): its arguments and the run after it."""

    task_id: str
    data: dict[str, Any]
    run: WorkflowRun
    next_due: datetime | None  # the earliest timer waiting after the step

    def answers(self, task_id: str, data: dict[str, Any], now: datetime) -> bool:
        """Whether ``complete(task_id, data)`` at ``now`` would give exactly this step's run.

        A timer waiting after the step fires during a step taken once it is due, so the step is
        the same only while none has come due.
        """
        return (task_id == self.task_id and data == self.data
                and (self.next_due is None or self.next_due > now))


class WorkflowRun:
    """One case's workflow: ready tasks, completion, routing data and its serialized state.

    Not thread-safe: load one per transaction, under the case's lock.

    Three things are kept beside the engine's workflow because working them out again costs:
    the serialized state it was restored from or last dumped as (``_clean_state``; the warm-run
    cache hands a run out only while this equals the stored row), the ready tasks
    (``_ready_cache``) and a step worked out ahead (``_step_ahead``). Each is true only of the
    workflow as it was, so **every method that changes the workflow does so inside**
    :meth:`_mutating`, which drops all three and puts the workflow back on any error.
    ``tests/workflow/test_run_mutations.py`` calls every public method and fails when one
    changes the run without it.
    """

    def __init__(
        self,
        loaded: LoadedDefinition,
        workflow: BpmnWorkflow,
        *,
        generation: int = 0,
        max_tasks: int = DEFAULT_MAX_TASKS,
        state: str | None = None,
    ) -> None:
        if workflow.script_engine is not SCRIPT_ENGINE:
            # Every path in here sets it; a workflow with the library's eval must never run.
            raise WorkflowError("流程实例未使用受限脚本引擎")
        self._loaded = loaded
        self._workflow = workflow
        self.definition_sha256: str = loaded.definition.sha256
        self.generation: int = generation
        self.continued: bool = False
        self.max_tasks = max_tasks
        # The serialized form of the workflow as it is now, when known (restored from or just dumped):
        # a failed complete() rolls back to it without paying for a snapshot on every step.
        self._clean_state: str | None = state
        self._ready_cache: list[ReadyTask] | None = None
        #: The timer events (BPMN ids) the last complete() or refresh_timers() fired.
        self.fired_timers: list[str] = []
        self._step_ahead: _StepAhead | None = None  # see prepare_step()

    @property
    def definition(self) -> ProcessDefinition:
        """The definition this run executes (the registry's own object)."""
        return self._loaded.definition

    @property
    def clean_state(self) -> str | None:
        """The serialized form of the run as it is now, if known (None once changed since the last dump)."""
        return self._clean_state

    @property
    def process_id(self) -> str:
        """The BPMN process id this run executes."""
        return self._loaded.definition.process_id

    def _ready_user_tasks(self) -> list[Task]:
        ready = self._workflow.get_tasks(state=TaskState.READY)
        return [task for task in ready if isinstance(task.task_spec, UserTask)]

    def _as_ready_task(self, task: Task) -> ReadyTask:
        spec = task.task_spec
        return ReadyTask(
            id=str(task.id),
            kind=spec.bpmn_id,
            role=self._loaded.roles[spec.bpmn_id],
            name=spec.bpmn_name or spec.bpmn_id,
        )

    def ready_tasks(self) -> list[ReadyTask]:
        """The READY user tasks, in tree order (empty when the case waits on a timer or has ended)."""
        # Cached until the run changes (_mutating): an action asks several times and each walk scans the tree.
        if self._ready_cache is None:
            self._ready_cache = [self._as_ready_task(task) for task in self._ready_user_tasks()]
        return list(self._ready_cache)

    def find_ready(self, kind: str) -> ReadyTask | None:
        """The ready user task of BPMN id ``kind``, or None."""
        return next((task for task in self.ready_tasks() if task.kind == kind), None)

    @contextmanager
    def _mutating(self) -> Iterator[None]:
        """The one way to change the workflow: what was known of the old one is dropped first and,
        on any error, the workflow is rebuilt from its serialized form before the change.

        Any exception but a :class:`WorkflowError` is reported as one (the engine's own errors).
        """
        snapshot = self._clean_state if self._clean_state is not None else self.dump()
        self._clean_state = None
        self._ready_cache = None
        self._step_ahead = None
        try:
            yield
        except Exception as exc:
            self._workflow = load_workflow(snapshot, self._loaded.spec, self._loaded.subprocess_specs)
            self._clean_state = snapshot
            if isinstance(exc, WorkflowError):
                raise
            raise WorkflowError(f"流程引擎执行失败: {exc.__class__.__name__}: {exc}") from exc

    def complete(self, task_id: str, data: Mapping[str, Any]) -> None:
        """Complete a ready user task with routing ``data`` and run the engine until it waits again.

        Raises :class:`TaskNotReady` if ``task_id`` is not a ready user task,
        :class:`WorkflowDataError` for non-routing data or data a gateway needs but lacks,
        :class:`WorkflowError` for any other engine failure. On any error the run is left
        exactly as it was. When the task tree has grown past ``max_tasks`` the case
        continues in a fresh instance: ``continued`` is set and ``generation`` incremented.
        """
        clean = validate_routing_data(data)
        ahead, self._step_ahead = self._step_ahead, None
        if ahead is not None and ahead.answers(task_id, clean, datetime.now(UTC)):
            with self._mutating():
                self._adopt(ahead.run)
                self.fired_timers = []  # a step that fires a timer is never worked out ahead
            signals.step_ahead_taken.send(self)
            return
        task = self._ready_task(task_id)

        def advance() -> None:
            task.data.update(clean)
            task.run()

        self._step(advance)

    def _step(self, advance: Callable[[], None]) -> None:
        """Run ``advance`` and the engine until it waits again; on any error the run is left as it was."""
        with self._mutating():
            self.fired_timers = []
            before = self._fired_timer_tasks()
            advance()
            self._workflow.do_engine_steps()
            # A timer already due when its task is reached fires inside this step.
            self.fired_timers = self._newly_fired(before)
            self.continued = len(self._workflow.tasks) > self.max_tasks and compact(self._workflow)
        if self.continued:
            self.generation += 1

    def waiting_signals(self) -> list[str]:
        """The names of the signals a boundary event of a waiting task would catch now (sorted, unique)."""
        names = {task.task_spec.event_definition.name for task in self._workflow.tasks.values()
                 if task.state == TaskState.WAITING and isinstance(task.task_spec, BoundaryEvent)
                 and isinstance(task.task_spec.event_definition, SignalEventDefinition)}
        return sorted(names)

    def knows_signal(self, name: str) -> bool:
        """Whether this run's definition catches the signal ``name`` anywhere (an older file may not: a withdrawal
        came with issue 14), whether or not it waits for it now."""
        return name in caught_signals(self._loaded)

    def send_event(self, name: str, data: Mapping[str, Any] | None = None) -> None:
        """Send the signal ``name`` (with routing ``data`` as its payload) and run the engine until it waits.

        The process catches it on a boundary signal event of the task it waits on (``withdraw_submission``
        on the review stage, …); an interrupting one cancels that task with its timers. Raises
        :class:`TaskNotReady` if nothing waits for the signal, :class:`WorkflowDataError` for
        non-routing data; on any error the run is left exactly as it was.
        """
        clean = validate_routing_data(data)
        if name not in self.waiting_signals():
            raise TaskNotReady(f"流程当前不等待信号 {name}")
        # the payload lands in the catching event's task data: routing values for what follows
        self._step(lambda: self._workflow.send_event(BpmnEvent(SignalEventDefinition(name), payload=clean or None)))

    def _ready_task(self, task_id: str) -> Task:
        try:
            task = self._workflow.tasks.get(UUID(str(task_id)))
        except ValueError:
            task = None
        if task is None or not isinstance(task.task_spec, UserTask) or task.state != TaskState.READY:
            raise TaskNotReady(f"任务 {task_id} 不是待办的用户任务 (不存在、已完成或尚未开始)")
        return task

    def prepare_step(self, task_id: str, data: Mapping[str, Any]) -> None:
        """Work out ``complete(task_id, data)`` now, on a copy, for a later ``complete`` to take as it is.

        For a step about to be taken in a write turn: done beforehand (outside the turn, on the
        same stored state), the step there costs only the comparison. ``complete`` takes the
        result only for the same task and the same routing data, and only while none of the
        timers then waiting has come due; anything else (and any change to this run before) drops
        it. Not prepared when the step would fire a timer or continue the case in a fresh
        instance: those depend on the moment and are left to ``complete``.
        """
        self._step_ahead = None
        if self._clean_state is None:
            return
        copy = WorkflowRun(self._loaded, load_workflow(self._clean_state, self._loaded.spec,
                                                       self._loaded.subprocess_specs),
                           generation=self.generation, max_tasks=self.max_tasks, state=self._clean_state)
        try:
            clean = validate_routing_data(data)
            copy.complete(task_id, clean)
        except WorkflowError:
            return  # complete() will meet the same error and report it
        if copy.fired_timers or copy.continued:
            return
        copy.dump()
        self._step_ahead = _StepAhead(task_id, clean, copy, copy.next_due_at())

    def _adopt(self, other: WorkflowRun) -> None:
        """Become ``other`` (a step worked out ahead); only inside :meth:`_mutating`."""
        self._workflow = other._workflow
        self._clean_state = other._clean_state
        self.continued = False

    def data(self) -> dict[str, Any]:
        """The current routing data: the ready task's, or the workflow's once it has ended."""
        if self.completed:
            source: dict[str, Any] = self._workflow.data
        else:
            ready = self._ready_user_tasks()
            if ready:
                source = ready[0].data
            else:
                last = self._workflow.last_task
                source = last.data if last is not None else self._workflow.task_tree.data
        # An unscheduled timer's placeholder is not routing data anyone gave.
        return {key: value for key, value in source.items() if key not in RESERVED_KEYS and value != NEVER}

    def dump(self) -> str:
        """The instance state as JSON text, without the process spec (that is stored once, by hash)."""
        self._clean_state = dump_workflow(self._workflow)
        return self._clean_state

    @property
    def completed(self) -> bool:
        """True once the process has reached its end."""
        return bool(self._workflow.is_completed())

    @property
    def end_event(self) -> str | None:
        """The BPMN id of the end event reached (``"decided"``, ``"terminated"``, ``"transferred"`` …), or None."""
        if not self.completed:
            return None
        ends = [
            task
            for task in self._workflow.tasks.values()
            if isinstance(task.task_spec, EndEvent) and task.state == TaskState.COMPLETED
        ]
        if not ends:
            return None
        return str(max(ends, key=lambda task: task.last_state_change).task_spec.bpmn_id)

    # -- timers (DESIGN.md §5: timers fire only when the engine is refreshed) --------------------

    def _timer_variables(self) -> dict[str, str]:
        return timer_variables(self._loaded.spec)

    def next_due_at(self) -> datetime | None:
        """The earliest due time (aware UTC) of the timers waiting to fire, or None."""
        variables = self._timer_variables()
        dues = [due for task in waiting_timers(list(self._workflow.tasks.values()))
                if (due := due_of(task, variables)) is not None]
        return min(dues) if dues else None

    def pending_timers(self) -> dict[str, datetime | None]:
        """``{timer event id: due time}`` of the timers waiting to fire."""
        variables = self._timer_variables()
        return {task.task_spec.bpmn_id: due_of(task, variables)
                for task in waiting_timers(list(self._workflow.tasks.values()))}

    def refresh_timers(self) -> list[str]:
        """Fire every waiting timer whose time has passed and run the engine on; the ids of those fired.

        Boundary timers on our process are non-interrupting: the task they sit on stays ready.
        """
        self.fired_timers = []
        if not waiting_timers(list(self._workflow.tasks.values())):
            return []  # nothing can change: what was known of the run stays true
        with self._mutating():
            before = self._fired_timer_tasks()
            self._workflow.refresh_timers()
            self._workflow.do_engine_steps()
            self.fired_timers = self._newly_fired(before)
        return list(self.fired_timers)

    def _fired_timer_tasks(self) -> set[UUID]:
        timers = self._timer_variables()
        return {task.id for task in self._workflow.tasks.values()
                if task.task_spec.bpmn_id in timers and task.state == TaskState.COMPLETED}

    def _newly_fired(self, before: set[UUID]) -> list[str]:
        return sorted(self._workflow.tasks[task_id].task_spec.bpmn_id
                      for task_id in self._fired_timer_tasks() - before)

    def reschedule(self, values: Mapping[str, Any]) -> list[str]:
        """Move the waiting timers that read these routing-data keys to the new ISO times given.

        Used when a deadline is extended or recomputed after a calendar year was loaded; a timer
        that has already fired stays fired. Returns the ids of the timers moved.
        """
        clean = validate_routing_data(values)
        variables = self._timer_variables()
        to_move = [task for task in waiting_timers(list(self._workflow.tasks.values()))
                   if variables.get(task.task_spec.bpmn_id) in clean]
        if not to_move:
            return []  # nothing changes: what was known of the run stays true
        with self._mutating():
            for task in to_move:
                key = variables[task.task_spec.bpmn_id]
                task.data[key] = clean[key]
                task._set_internal_data(event_value=clean[key])
        return [task.task_spec.bpmn_id for task in to_move]

    def task_count(self) -> int:
        """Number of tasks in the engine's tree (kept bounded by continuation)."""
        return len(self._workflow.tasks)
