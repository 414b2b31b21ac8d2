"""What one runtime keeps in memory between transactions, reached from any of its sessions.

A process may hold several runtimes (two instances in one test, a tool beside a server): each owns
one :class:`ProcessState`, and its session factories put it into every session's ``info``
(:func:`state_of`), so domain code finds its runtime's state with one dict lookup and no query.
Nothing that differs between instances lives in a module global: the process registry, the warm
runs, the checkpoint signing key, the template files and the calendars are *parts* of a state.

Core names none of those types (it sits below every domain): each domain keeps its part with
:meth:`ProcessState.part`, keyed by the function that builds it on first use, and offers its own
typed accessor (``cases.flow.registry(session)``, ``workflow.warm.warm_runs(session)`` …). Caches of
pure functions of code or of content (compiled SQL, a parsed expression, a template compiled from its
bytes) may stay module-level: they give every instance the same answer.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")

#: The key of a session's ``info`` under which its runtime's state is found.
KEY = "review_service.process_state"
INSTANCE_ENV = "REVIEW_SERVICE_INSTANCE"


def instance_path_from_env() -> Path:
    """``REVIEW_SERVICE_INSTANCE`` or ``./instance``: the instance folder when none is given."""
    return Path(os.environ.get(INSTANCE_ENV, "instance")).resolve()


class ProcessState:
    """One runtime's in-memory state: its instance folder, its settings and its domains' parts.

    ``instance_path``: where documents and template overrides live (none: the environment's).
    ``signing_dir``: where the audit checkpoints' signing key lives (none: no checkpoint is signed).
    ``settings``: what a runtime chose for its domains (e.g. ``process_registry``, ``bpmn_dir``).
    """

    def __init__(self, instance_path: Path | None = None, *, signing_dir: Path | None = None,
                 settings: Mapping[str, Any] | None = None) -> None:
        self.instance_path = Path(instance_path) if instance_path is not None else instance_path_from_env()
        self.signing_dir = Path(signing_dir) if signing_dir is not None else None
        self.settings: dict[str, Any] = dict(settings or {})
        self._parts: dict[Callable[[ProcessState], Any], Any] = {}

    def part(self, make: Callable[[ProcessState], T]) -> T:
        """The object ``make`` built for this state, built on first use (one per ``make`` and state).

        Two threads asking at once may both build it; one wins and both get the winner (``setdefault``).
        """
        try:
            found: T = self._parts[make]
        except KeyError:
            found = self._parts.setdefault(make, make(self))
        return found

    def built(self, make: Callable[[ProcessState], Any]) -> bool:
        """Whether the part ``make`` builds is there already (a warm-up's check)."""
        return make in self._parts

    def put(self, make: Callable[[ProcessState], T], value: T) -> None:
        """Use ``value`` as the part ``make`` would build (a runtime's setting, a test's edited process)."""
        self._parts[make] = value

    def drop(self, make: Callable[[ProcessState], Any]) -> None:
        """Forget the part ``make`` built: the next use builds it again."""
        self._parts.pop(make, None)


def state_of(session: Session) -> ProcessState:
    """The state of the runtime that opened ``session``.

    A session opened outside any runtime (a migration's, a test's bare ``Session(engine)``) gets a
    state of its own for its lifetime: the environment's instance folder, nothing signed, nothing
    kept warm beyond it.
    """
    try:
        state: ProcessState = session.info[KEY]
    except KeyError:
        state = session.info[KEY] = ProcessState()
    return state
