"""Runs kept warm between transactions, so that the next action on a case skips deserializing it.

Deserializing costs as much as completing a task. After a transaction that saved a run
commits, the run object is kept by the session's runtime (:func:`warm_runs`) under its instance
id together with the exact state text it was saved as. The next load takes it back only if the
stored row still holds that very text (a run changed by another process, or by a transaction that rolled back, no longer
matches and is rebuilt from the row as usual). Taking removes the entry, so two threads can
never share one run object; the cache is bounded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy.orm import Session

from review_service.core.process_state import ProcessState, state_of
from review_service.workflow.parser import ProcessDefinition
from review_service.workflow.runtime import WorkflowRun

#: A run is a few hundred objects that the collector scans at every full collection; 512 kept runs
#: made those collections take 50 ms and more inside a server's requests. A worker gains from a warm
#: run on the next action on the same case, or right after :func:`~review_service.workflow.store.restore_ahead`.
DEFAULT_CAPACITY = 64


class WarmRuns:
    """A bounded map ``instance id → (saved state text, run)``; thread-safe."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[int, tuple[str, WorkflowRun]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, instance_id: int, state: str, run: WorkflowRun) -> None:
        """Keep ``run`` as the committed form of ``state`` (call only after the commit)."""
        with self._lock:
            self._entries[instance_id] = (state, run)
            self._entries.move_to_end(instance_id)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def holds(self, instance_id: int, state: str) -> bool:
        """Whether the kept run of ``instance_id`` was saved as exactly ``state``."""
        with self._lock:
            entry = self._entries.get(instance_id)
        return entry is not None and entry[0] == state

    def take(self, instance_id: int, definition: ProcessDefinition, state: str, generation: int) -> WorkflowRun | None:
        """The kept run when it is exactly the stored ``state`` on this registry's ``definition``, else None."""
        with self._lock:
            entry = self._entries.pop(instance_id, None)
        if entry is None:
            return None
        saved_state, run = entry
        # clean_state is None when the run changed after it was saved: then it is not the stored one.
        if run.definition is not definition or run.generation != generation or saved_state != state \
                or run.clean_state != state:
            return None
        run.continued = False
        return run

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def warm_runs_part(state: ProcessState) -> WarmRuns:
    """A runtime's warm runs (empty at first): instance ids are per database, so never shared across runtimes."""
    return WarmRuns()


def warm_runs(session: Session) -> WarmRuns:
    """The runs kept warm by ``session``'s runtime (one ``session.info`` lookup: this is on every action)."""
    return state_of(session).part(warm_runs_part)
