"""The process registry: every definition parsed and linted once, kept in memory by hash."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from review_service.workflow.compaction import DEFAULT_MAX_TASKS
from review_service.workflow.errors import WorkflowError, WorkflowLintError
from review_service.workflow.migration import (
    DefinitionDiff,
    MoveCheck,
    check_move,
    diff_definitions,
    flow_nodes,
    move_run,
)
from review_service.workflow.parser import LoadedDefinition, ProcessDefinition, parse_definition, sha256_hex
from review_service.workflow.runtime import WorkflowRun, caught_signals, new_workflow
from review_service.workflow.serializer import load_workflow


class ProcessRegistry:
    """Process definitions keyed by the SHA-256 of their file, and the current one per process id.

    Load it once at start-up with :meth:`load`; a definition that only the database still
    knows (a case started on an older file) is added with :meth:`register`.
    """

    def __init__(self, *, max_tasks: int = DEFAULT_MAX_TASKS) -> None:
        self._by_hash: dict[str, LoadedDefinition] = {}
        self._current: dict[str, str] = {}
        self._lock = threading.Lock()
        self.max_tasks = max_tasks

    @classmethod
    def load(cls, directory: Path, *, max_tasks: int = DEFAULT_MAX_TASKS) -> ProcessRegistry:
        """Parse and lint every ``*.bpmn`` in ``directory``; each becomes its process's current definition.

        Raises :class:`WorkflowLintError` for a refused file or a process id defined twice,
        :class:`WorkflowError` if the directory has no process file.
        """
        registry = cls(max_tasks=max_tasks)
        files = sorted(Path(directory).glob("*.bpmn"))
        if not files:
            raise WorkflowError(f"目录 {directory} 中没有 BPMN 流程文件")
        seen: dict[str, str] = {}
        for path in files:
            loaded = registry._add(path.read_bytes(), path.name)
            process_id = loaded.definition.process_id
            if process_id in seen:
                raise WorkflowLintError(
                    path.name, f"流程 {process_id} 已在文件 {seen[process_id]} 中定义", element=process_id
                )
            seen[process_id] = path.name
            registry._current[process_id] = loaded.definition.sha256
        return registry

    def _add(self, source: bytes, file: str) -> LoadedDefinition:
        sha256 = sha256_hex(source)
        with self._lock:
            known = self._by_hash.get(sha256)
        if known is not None:
            return known
        loaded = parse_definition(source, file)  # outside the lock: parsing is the slow part
        with self._lock:
            return self._by_hash.setdefault(sha256, loaded)

    def register(self, source: bytes, file: str) -> ProcessDefinition:
        """Parse, lint and keep a definition (e.g. one read back from the database); not made current."""
        return self._add(source, file).definition

    def definition(self, process_id: str) -> ProcessDefinition:
        """The current definition of ``process_id`` (the file loaded at start-up)."""
        return self._loaded(self._current_hash(process_id)).definition

    def task_roles(self, process_id: str) -> dict[str, str]:
        """The role of each user task of ``process_id``'s current definition: the lane it stands in."""
        return dict(self._loaded(self._current_hash(process_id)).roles)

    def definitions(self) -> list[ProcessDefinition]:
        """Every definition held, current or not."""
        with self._lock:
            return [loaded.definition for loaded in self._by_hash.values()]

    def by_hash(self, sha256: str) -> ProcessDefinition:
        """The definition whose file hashes to ``sha256``; :class:`WorkflowError` if not held."""
        return self._loaded(sha256).definition

    def _current_hash(self, process_id: str) -> str:
        try:
            return self._current[process_id]
        except KeyError:
            raise WorkflowError(f"未知的流程 {process_id}") from None

    def _loaded(self, sha256: str) -> LoadedDefinition:
        with self._lock:
            try:
                return self._by_hash[sha256]
            except KeyError:
                raise WorkflowError(f"未加载流程定义 {sha256}") from None

    def start(self, process_id: str, data: Mapping[str, Any] | None = None) -> WorkflowRun:
        """Start the current definition of ``process_id`` and run the engine to the first user task."""
        loaded = self._loaded(self._current_hash(process_id))
        workflow = new_workflow(loaded, data)
        try:
            workflow.do_engine_steps()
        except WorkflowError:
            raise
        except Exception as exc:
            raise WorkflowError(f"流程引擎执行失败: {exc.__class__.__name__}: {exc}") from exc
        return WorkflowRun(loaded, workflow, max_tasks=self.max_tasks)

    def restore(self, definition_sha256: str, state: str, generation: int = 0) -> WorkflowRun:
        """Rebuild a run from its stored state and the definition it started on."""
        loaded = self._loaded(definition_sha256)
        workflow = load_workflow(state, loaded.spec, loaded.subprocess_specs)
        return WorkflowRun(loaded, workflow, generation=generation, max_tasks=self.max_tasks, state=state)

    # -- moving a run to another definition (issue 21; workflow.migration) ---------------------------

    def diff(self, from_sha256: str, to_sha256: str) -> DefinitionDiff:
        """The flow nodes ``to_sha256`` adds, removes and changes against ``from_sha256`` (both held)."""
        return diff_definitions(self._loaded(from_sha256), self._loaded(to_sha256))

    def flow_nodes(self, sha256: str) -> frozenset[str]:
        """The BPMN ids of the flow nodes of the definition ``sha256`` (tasks, events, gateways)."""
        return flow_nodes(self._loaded(sha256))

    def signals(self, sha256: str) -> frozenset[str]:
        """The names of the signals the definition ``sha256`` catches anywhere (withdrawal, termination, transfer):
        a case on an older file may lack some, and the pages then do not offer them."""
        return caught_signals(self._loaded(sha256))

    def check_move(self, run: WorkflowRun, to_sha256: str, mapping: Mapping[str, str]) -> MoveCheck:
        """Whether ``run`` can move to the definition ``to_sha256`` as it stands, and why not. Nothing changes."""
        return check_move(run, self._loaded(run.definition_sha256), self._loaded(to_sha256), mapping)

    def move(self, run: WorkflowRun, to_sha256: str, mapping: Mapping[str, str]) -> WorkflowRun:
        """``run`` rebuilt on the definition ``to_sha256``, waiting where it waited; :class:`WorkflowError` if it
        cannot move (:meth:`check_move` says why). ``run`` itself is left as it was."""
        return move_run(run, self._loaded(run.definition_sha256), self._loaded(to_sha256), mapping,
                        max_tasks=self.max_tasks)
