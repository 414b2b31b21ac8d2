"""Keep the task tree of a long-lived case bounded.

Every loop iteration (review → reply → resubmit) appends tasks to SpiffWorkflow's task
tree, which is one chain growing deeper each round. The library iterates the tree with a
``TaskIterator(max_depth=1000)``: past that depth it no longer finds the ready tasks, and
the case stalls (measured: round 165 of review → reply → resubmit on our process).

Continuing the case in a fresh instance means: keep the root task, keep the active part
of the tree (the smallest subtree that holds every ready, waiting or started task, with
its data, its timers and its predicted future) and drop the completed history in between.
The history lives in our own tables and the audit trail; the engine only needs the
present to route. Task ids of the active part are kept, so a ready task stays addressable.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

#: Above this many tasks the facade continues the case in a fresh instance. A first review waits at
#: 40 tasks (the boundary signals of withdrawal and termination add their own) and each round adds 20,
#: so a case continues after about its second round; keeping the tree this small keeps every step's
#: (de)serialization cost flat however long the case runs, while the usual one- or two-round case
#: never continues. The engine's history is not the record: our tables and the audit log are.
DEFAULT_MAX_TASKS = 72

_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def _path_from_root(task: Task) -> list[Task]:
    path = [task]
    while path[-1].parent is not None:
        path.append(path[-1].parent)
    path.reverse()
    return path


def _active_subtree_root(workflow: BpmnWorkflow) -> Task | None:
    """The deepest task whose subtree holds every active task (their lowest common ancestor)."""
    # Walk the dict, not the tree: the tree iterator is what stops working on deep trees.
    active = [task for task in workflow.tasks.values() if task.has_state(_ACTIVE)]
    if not active:
        return None
    common = _path_from_root(active[0])
    for task in active[1:]:
        path = _path_from_root(task)
        length = 0
        while length < min(len(common), len(path)) and common[length] is path[length]:
            length += 1
        common = common[:length]
    return common[-1] if common else None


def compact(workflow: BpmnWorkflow) -> bool:
    """Drop the completed history between the root and the active part; True if anything was dropped.

    Refuses (returns False) for a finished workflow, one with subprocesses (the linter
    refuses those anyway) or one whose active part already hangs off the root.
    """
    if workflow.is_completed() or workflow.subprocesses:
        return False
    keep = _active_subtree_root(workflow)
    root = workflow.task_tree
    if keep is None or keep is root or keep.parent is root:
        return False
    # Data is copied down the tree as tasks run, so the kept task already holds the current
    # routing data in full; the serializer writes it as a delta against the root's data.
    doomed = _path_from_root(keep)[1]  # the root's child on the way down to `keep`
    keep.parent._children.remove(keep.id)
    root._children.remove(doomed.id)
    # Iterative, unlike Workflow._remove_task: the chain being dropped can be deep.
    stack = [doomed]
    while stack:
        task = stack.pop()
        stack.extend(task.children)
        del workflow.tasks[task.id]
        workflow._task_removed_notify(task)
    keep._parent = root.id
    root._children.append(keep.id)
    if workflow.last_task is not None and workflow.last_task.id not in workflow.tasks:
        workflow.last_task = keep if keep.has_state(TaskState.COMPLETED) else root
    for task_id in [t for t in workflow.event_manager.tasks if t not in workflow.tasks]:
        workflow.event_manager.tasks.pop(task_id)
    return True
