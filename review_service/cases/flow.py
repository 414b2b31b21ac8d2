"""The glue between a case row and its workflow instance: lock, find the task, complete, save.

Operations never touch the engine directly: they ask :class:`CaseFlow` to
complete the one task their verb is about, which also bumps the case version
and derives its status from where the process now waits.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, contains_eager

from review_service.cases.models import Case, CaseStatus
from review_service.core import signals
from review_service.core.actions import Action
from review_service.core.clock import utcnow
from review_service.core.errors import Conflict, NotFound, ServiceError
from review_service.core.permissions import require_same_agency
from review_service.core.process_state import ProcessState, state_of
from review_service.core.resources import resource_dir
from review_service.organization.models import Agency
from review_service.workflow import ProcessRegistry, ReadyTask, WorkflowRun, store
from review_service.workflow.errors import WorkflowError
from review_service.workflow.models import WorkflowInstance
from review_service.workflow.warm import warm_runs

PROCESS_ID = "major_decision_review"
BPMN_DIR = resource_dir("workflows/bpmn")

STATUS_BY_TASK: dict[str, CaseStatus] = {
    "draft": CaseStatus.DRAFT,
    "signoff": CaseStatus.AWAITING_SIGNOFF,
    "assign": CaseStatus.IN_REVIEW,
    "intake": CaseStatus.IN_REVIEW,
    "supplement": CaseStatus.AWAITING_MATERIALS,
    "review": CaseStatus.IN_REVIEW,
    "reply": CaseStatus.AWAITING_REPLY,
    "resubmit": CaseStatus.AWAITING_RESUBMISSION,
    "coordinate": CaseStatus.IN_COORDINATION,
    "approve": CaseStatus.AWAITING_APPROVAL,
    "transfer": CaseStatus.AWAITING_APPROVAL,  # the head decides on the review's finding of a suspected crime
    "terminate": CaseStatus.AWAITING_APPROVAL,  # the head decides on the handler's request to terminate
}

TASK_LABELS: dict[str, str] = {
    "draft": "起草并报送",
    "signoff": "承办机构负责人签核",
    "assign": "分配审核人员",
    "intake": "受理审查",
    "supplement": "补充材料",
    "review": "法制审核",
    "reply": "书面回复",
    "resubmit": "修改并重新报送",
    "coordinate": "协调",
    "approve": "负责人审批",
    "transfer": "决定是否移送司法机关",
    "terminate": "终止审批",
}

def in_process_order(task: str | None) -> tuple[int, str]:
    """A sort key for steps: as the process meets them (the order of ``TASK_LABELS``), unknown ones after, by id."""
    order = list(TASK_LABELS)
    return (order.index(task), task) if task in order else (len(order), task or "")


#: Tasks outside the process file (after it, or beside it) and the role that does each; a task of the
#: process gets its role from its lane (:func:`task_role`).
SIDE_TASK_ROLES: dict[str, str] = {"publish": "handler", "withdraw": "handler", "reassign": "review_lead"}

#: The status of a case whose process ended at each end event (others: closed without a decision).
STATUS_BY_END: dict[str, CaseStatus] = {"decided": CaseStatus.DECIDED, "transferred": CaseStatus.TRANSFERRED}

def registry_part(state: ProcessState) -> ProcessRegistry:
    """A runtime's process files, parsed and linted on first use (unless it was given its own: ``use_registry``).

    From ``bpmn_dir`` in the runtime's settings, else ``REVIEW_SERVICE_BPMN_DIR``, else the packaged files.
    """
    directory = state.settings.get("bpmn_dir") or os.environ.get("REVIEW_SERVICE_BPMN_DIR") or BPMN_DIR
    return ProcessRegistry.load(Path(directory))


def registry(session: Session) -> ProcessRegistry:
    """The process registry of ``session``'s runtime, parsed once per runtime (DESIGN.md §5 "parse once")."""
    return state_of(session).part(registry_part)


def task_roles_part(state: ProcessState) -> dict[str, str]:
    """Each task's role: the lanes of the runtime's current process file, then the tasks outside it."""
    return {**state.part(registry_part).task_roles(PROCESS_ID), **SIDE_TASK_ROLES}


def task_role(session: Session, kind: str | None) -> str | None:
    """The role that does task ``kind`` (its BPMN lane; ``SIDE_TASK_ROLES`` for publish, withdraw, reassign)."""
    return state_of(session).part(task_roles_part).get(kind or "")


# Built once (every action runs it): the case and its workflow state in one round trip, both rows
# locked. Both must be locked: on PostgreSQL a writer that waited for the lock re-reads only the rows
# it locks, so an unlocked joined workflow row would be the stale one from before the other commit.
_LOCK_CASE = (
    select(Case)
    .join(Case.workflow_instance)
    .join(Case.agency)  # not locked: an agency's rules are read, never changed by a case action
    .outerjoin(Case.current_draft)  # not locked either: a draft version is immutable; most actions read it
    .options(contains_eager(Case.workflow_instance), contains_eager(Case.agency), contains_eager(Case.current_draft))
    .where(Case.id == bindparam("case_id"))
    # SQLAlchemy takes mapped classes here (FOR UPDATE OF their tables); its hints name column expressions only
    .with_for_update(of=(Case, WorkflowInstance))  # type: ignore[arg-type]
)


def lock_case(session: Session, case_id: int, *, actor: Any, expected_version: int | None = None,
              while_suspended: bool = False) -> Case:
    """Load a case under a row lock (PostgreSQL; SQLite writers are already serialized).

    A suspended case (中止) refuses every action (409, ``details.rule == "suspended"``) but those that
    pass ``while_suspended`` (resuming it, and what must go on regardless, such as recomputing deadlines).
    """
    case = session.scalars(_LOCK_CASE, {"case_id": case_id}).one_or_none()
    if case is None:
        raise NotFound("案件不存在或不在您的权限范围内。")
    require_same_agency(actor, case.agency_id)
    if expected_version is not None and expected_version != case.version:
        raise Conflict(
            "案件已被他人办理或已进入下一环节，请刷新后查看最新状态。",
            expected_version=expected_version,
            actual_version=case.version,
        )
    if case.suspended and not while_suspended:
        raise Conflict("案件已中止，恢复办理前不能进行其他操作。", rule="suspended", reason="suspended",
                       actual_version=case.version)
    return case


_STATE_OF_CASE = (
    select(WorkflowInstance.id, WorkflowInstance.definition_sha256, WorkflowInstance.state,
           WorkflowInstance.generation, Case.agency_id)
    .join(Case, Case.workflow_instance_id == WorkflowInstance.id)
    .where(Case.id == bindparam("case_id"), WorkflowInstance.completed.is_(False))
)


def restore_ahead(session: Session, case_id: int, step: tuple[str, dict[str, Any]] | None = None) -> None:
    """Before an action on ``case_id`` takes the write lock: rebuild its run from ``session``'s snapshot.

    Deserializing the task tree is the largest part of loading a case. Done here, in a read
    snapshot, it runs beside the writer that holds the lock instead of in the queue behind it;
    :class:`CaseFlow` then takes the run if the locked row still holds the same state, and
    rebuilds it as before if not. With ``step`` (the task the action will complete and its
    routing data) the step itself is worked out too, with the timers' due times counted here as
    :meth:`CaseFlow.complete` counts them; the run takes it only for exactly the same arguments.
    Nothing is read for the caller: scope is checked by the action.
    """
    row = session.execute(_STATE_OF_CASE, {"case_id": case_id}).first()
    if row is None:
        return
    prepare = (lambda run: _prepare_step(session, row.agency_id, run, *step)) if step is not None else None
    store.restore_ahead(registry(session), warm_runs(session), row.id, row.definition_sha256, row.state,
                        row.generation, prepare)


def _prepare_step(session: Session, agency_id: int, run: WorkflowRun, kind: str, data: dict[str, Any]) -> None:
    """Work out completing ``kind`` with ``data`` on ``run``, timers counted as :meth:`CaseFlow.complete` would."""
    task = run.find_ready(kind)
    agency = session.get(Agency, agency_id)
    if task is None or agency is None:
        return
    try:
        timers: signals.StepTimers = signals.ask(signals.step_prepared, kind, session=session, agency=agency,
                                                 data=data)
        run.prepare_step(task.id, {**data, **timers.values})
    except (ServiceError, WorkflowError, ValueError):
        return  # the action meets the same error in its turn and reports it


def start_workflow(session: Session) -> tuple[WorkflowInstance, ReadyTask]:
    """Start a new process instance, store it, and return it with the task it waits on first."""
    reg = registry(session)
    definition = reg.definition(PROCESS_ID)
    store.ensure_definition(session, definition)
    run = reg.start(PROCESS_ID, {})
    return store.save_new(session, run), run.ready_tasks()[0]


class CaseFlow:
    """A case's workflow, loaded once per action."""

    def __init__(self, session: Session, case: Case) -> None:
        self.session = session
        self.case = case
        self.row = case.workflow_instance
        self.run: WorkflowRun = store.load(registry(session), self.row)

    def ready(self) -> list[ReadyTask]:
        return self.run.ready_tasks()

    def require_task(self, kind: str) -> ReadyTask:
        """The ready task of this kind, or a conflict: someone completed it or the case moved on."""
        task = self.run.find_ready(kind)
        if task is None:
            raise Conflict(
                f"当前环节不是“{TASK_LABELS.get(kind, kind)}”：该任务已被办理或案件已进入其他环节。",
                task=kind,
                actual_version=self.case.version,
                ready=[t.kind for t in self.ready()],
            )
        return task

    def complete(self, kind: str, data: dict[str, Any], *, actor: Any, role: str) -> None:
        """Complete the ready task ``kind`` with routing ``data``; save state and move the case on."""
        task = self.require_task(kind)
        timers: signals.StepTimers = signals.ask(  # the timers' due times (deadlines)
            signals.step_prepared, kind, session=self.session, agency=self.case.agency, data=data)
        self.run.complete(task.id, {**data, **timers.values})
        store.save(self.session, self.row, self.run)
        if self.run.continued:
            signals.emit(
                Action.WORKFLOW_CONTINUED,
                session=self.session,
                actor=actor,
                role=role,
                agency_id=self.case.agency_id,
                case_id=self.case.id,
                payload={"generation": self.run.generation, "at_task": [t.kind for t in self.ready()]},
            )
        self.case.status = self.derived_status().value
        self.record_current_task()
        self.case.version += 1
        self.case.updated_at = utcnow()
        signals.send_required(signals.step_completed, kind, session=self.session, case=self.case, run=self.run,
                              timers=timers, actor=actor, role=role)

    def require_signal(self, name: str,
                       message: str = "案件当前环节不能办理该事项：该任务已被办理或案件已进入其他环节。") -> None:
        """A conflict unless the process waits for the signal ``name`` now; one that says so when the case's own
        (older) process file has no such signal at all, so that the person learns what would help."""
        if not self.run.knows_signal(name):  # a case still on an older process file (issue 21)
            raise Conflict("本案按开始时的旧版本流程办理，该版本没有这一办理事项；"
                           "请系统管理员将本案迁移到当前流程版本后再办理。",
                           rule="process_version", signal=name, actual_version=self.case.version)
        if name not in self.run.waiting_signals():
            raise Conflict(message, signal=name, actual_version=self.case.version, ready=[t.kind for t in self.ready()])

    def send_event(self, name: str, data: dict[str, Any], *, actor: Any, role: str) -> None:
        """Send the process the signal ``name`` (withdrawal, termination request, transfer); save and move on.

        A conflict if the case does not wait where the signal is caught. The deadlines of the
        task the signal interrupted are cancelled (its timers went with it in the engine).
        """
        self.require_signal(name)
        self.run.send_event(name, data)
        store.save(self.session, self.row, self.run)
        self.case.status = self.derived_status().value
        self.record_current_task()
        self.case.version += 1
        self.case.updated_at = utcnow()
        signals.send_required(signals.step_completed, f"signal:{name}", session=self.session, case=self.case,
                              run=self.run, timers=None, actor=actor, role=role)

    def record_current_task(self) -> None:
        """Keep the waiting task on the case row (our process waits on at most one user task)."""
        ready = self.ready()
        self.case.current_task = ready[0].kind if ready else None
        self.case.current_task_id = ready[0].id if ready else None

    def derived_status(self) -> CaseStatus:
        if self.run.completed:
            return STATUS_BY_END.get(self.run.end_event or "", CaseStatus.CLOSED)
        kinds = [task.kind for task in self.ready()]
        return STATUS_BY_TASK[kinds[0]] if kinds else CaseStatus(self.case.status)
