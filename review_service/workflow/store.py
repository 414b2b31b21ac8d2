"""Store and load workflow instances. Operations only flush; the edge commits."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from review_service.core.clock import utcnow
from review_service.core.process_state import ProcessState, state_of
from review_service.core.signals import after_commit
from review_service.workflow.errors import WorkflowError
from review_service.workflow.models import ProcessDefinitionRow, WorkflowInstance
from review_service.workflow.parser import ProcessDefinition
from review_service.workflow.registry import ProcessRegistry
from review_service.workflow.runtime import WorkflowRun
from review_service.workflow.warm import WarmRuns, warm_runs


def stored_definitions_part(state: ProcessState) -> set[str]:
    """The definition hashes a runtime knows stored in its database. Rows are never deleted, so once seen
    stored a definition needs no lookup by the next case that starts on it."""
    return set()


def ensure_definition(session: Session, definition: ProcessDefinition) -> None:
    """Insert the definition once, by hash; an existing row is left as it is (same hash, same bytes)."""
    stored = state_of(session).part(stored_definitions_part)
    if definition.sha256 in stored:
        return
    if session.get(ProcessDefinitionRow, definition.sha256) is not None:
        _remember(session, stored, definition.sha256)
        return
    row = ProcessDefinitionRow(
        sha256=definition.sha256,
        process_id=definition.process_id,
        file=definition.file,
        source=definition.source,
        created_at=utcnow(),
    )
    try:
        # A savepoint, so that losing the race to another process's first insert keeps our
        # transaction usable (PostgreSQL; SQLite writers are serialized anyway).
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        pass  # stored by someone else in the meantime: the same hash means the same bytes
    _remember(session, stored, definition.sha256)


def _remember(session: Session, stored: set[str], sha256: str) -> None:
    """Note ``sha256`` as stored in the runtime's database once this transaction commits."""
    after_commit(session, lambda: stored.add(sha256))


def save_new(session: Session, run: WorkflowRun) -> WorkflowInstance:
    """Insert a row for a freshly started run (its definition must be stored: :func:`ensure_definition`)."""
    row = WorkflowInstance(definition_sha256=run.definition_sha256)
    _copy(row, run)
    session.add(row)
    session.flush()
    _keep_warm_after_commit(session, row.id, row.state, run)
    return row


def save(session: Session, row: WorkflowInstance, run: WorkflowRun) -> None:
    """Write the run's state, generation, completion and end event into its row.

    Plain attribute changes: ``WorkflowInstance`` is a ``__plain_updates__`` class, so the next flush
    writes them with one Core UPDATE (``core.records.write_plain_updates``) and never compares the old
    state text with the new one, as the unit of work would.
    """
    if row.definition_sha256 != run.definition_sha256:
        # Moving a case to another definition is an explicit, audited migration, not a save.
        raise WorkflowError("流程实例的流程定义与存储记录不一致")
    state = run.clean_state if run.clean_state is not None else run.dump()  # known after a prepared step
    values = {"state": state, "generation": run.generation, "completed": run.completed,
              "end_event": run.end_event, "next_due_at": run.next_due_at(), "updated_at": utcnow()}
    for key, value in values.items():
        setattr(row, key, value)
    _keep_warm_after_commit(session, row.id, state, run)


def save_moved(session: Session, row: WorkflowInstance, run: WorkflowRun) -> None:
    """Write a run moved to another definition (``ProcessRegistry.move``) into its row: the one way a stored
    instance changes definition. The target must be stored (:func:`ensure_definition`).

    ``next_due_at`` is left as it is: the moved run keeps every due time, and a case whose timers stand still
    (中止, a request for materials) keeps them out of tick's index.
    """
    if run.definition_sha256 == row.definition_sha256:
        raise WorkflowError("流程实例已在该流程定义上")
    state = run.clean_state if run.clean_state is not None else run.dump()
    values = {"definition_sha256": run.definition_sha256, "state": state, "generation": run.generation,
              "completed": run.completed, "end_event": run.end_event, "updated_at": utcnow()}
    for key, value in values.items():
        setattr(row, key, value)
    _keep_warm_after_commit(session, row.id, state, run)


def _keep_warm_after_commit(session: Session, instance_id: int, state: str, run: WorkflowRun) -> None:
    warm = warm_runs(session)
    after_commit(session, lambda: warm.put(instance_id, state, run))


def _copy(row: WorkflowInstance, run: WorkflowRun) -> None:
    row.state = run.dump()
    row.generation = run.generation
    row.completed = run.completed
    row.end_event = run.end_event
    row.next_due_at = run.next_due_at()
    row.updated_at = utcnow()


def restore_ahead(registry: ProcessRegistry, warm: WarmRuns, instance_id: int, definition_sha256: str, state: str,
                  generation: int, prepare: Callable[[WorkflowRun], None] | None = None) -> None:
    """Rebuild a committed run now and keep it warm, so that the action about to lock it need not.

    The caller read ``state`` in a committed snapshot, outside the write lock, and passes its
    runtime's registry and ``warm`` runs; :func:`load` takes the run only if the locked row still
    holds that very text. ``prepare`` may then work out the step the action will take
    (:meth:`WorkflowRun.prepare_step`). Anything unusual (a definition not held, a state that does
    not restore) is left for :func:`load` to meet and report.
    """
    if prepare is None and warm.holds(instance_id, state):
        return
    try:
        run = warm.take(instance_id, registry.by_hash(definition_sha256), state, generation) \
            or registry.restore(definition_sha256, state, generation)
    except WorkflowError:
        return
    if prepare is not None:
        prepare(run)
    warm.put(instance_id, state, run)


def load(registry: ProcessRegistry, row: WorkflowInstance) -> WorkflowRun:
    """Rebuild the run stored in ``row``, on the definition it started with.

    A definition no longer among the files (the file changed since the case started) is
    read back from ``process_definitions``, parsed and linted once, and kept in the registry.
    """
    session = object_session(row)
    try:
        definition = registry.by_hash(row.definition_sha256)
    except WorkflowError:
        stored = session.get(ProcessDefinitionRow, row.definition_sha256) if session is not None else None
        if stored is None:
            raise
        definition = registry.register(bytes(stored.source), stored.file)
    warm = warm_runs(session).take(row.id, definition, row.state, row.generation) if session is not None else None
    if warm is not None:
        return warm
    return registry.restore(row.definition_sha256, row.state, row.generation)
