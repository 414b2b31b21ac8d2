"""Which process definitions a database holds and how many cases run on each (issue 21, "see versions").

A case keeps the definition it started on (``workflow_instances.definition_sha256``; the file's bytes are kept in
``process_definitions``), whatever file the runtime loads later: the current file only starts new cases. This
reads, per stored definition and the current file (stored or not yet), how many cases are open on it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review_service.workflow.errors import WorkflowError
from review_service.workflow.models import ProcessDefinitionRow, WorkflowInstance
from review_service.workflow.registry import ProcessRegistry


def process_versions(session: Session, registry: ProcessRegistry) -> list[dict[str, Any]]:
    """Every definition: ``sha256``, ``process_id``, ``file``, ``stored_at`` (None: current, no case yet),
    ``current``, ``open`` and ``total`` cases; the current ones first, then the newest stored."""
    counts: dict[str, list[int]] = {}
    for sha, completed, count in session.execute(
            select(WorkflowInstance.definition_sha256, WorkflowInstance.completed, func.count())
            .group_by(WorkflowInstance.definition_sha256, WorkflowInstance.completed)):
        entry = counts.setdefault(sha, [0, 0])
        entry[0] += 0 if completed else int(count)
        entry[1] += int(count)
    current = {definition.process_id: definition for definition in registry.definitions()
               if registry.definition(definition.process_id).sha256 == definition.sha256}
    versions: dict[str, dict[str, Any]] = {}
    for sha, process_id, file, stored_at in session.execute(
            select(ProcessDefinitionRow.sha256, ProcessDefinitionRow.process_id, ProcessDefinitionRow.file,
                   ProcessDefinitionRow.created_at)):
        versions[sha] = _version(sha, process_id, file, stored_at, counts)
    for process_id, definition in current.items():
        held = versions.setdefault(definition.sha256, _version(definition.sha256, process_id, definition.file,
                                                               None, counts))
        held["current"] = True
    return sorted(versions.values(), key=lambda v: (not v["current"], -_stamp(v["stored_at"])))


def _stamp(stored_at: datetime | None) -> float:
    return float("inf") if stored_at is None else stored_at.timestamp()


def _version(sha: str, process_id: str, file: str, stored_at: datetime | None,
             counts: dict[str, list[int]]) -> dict[str, Any]:
    open_cases, total = counts.get(sha, [0, 0])
    return {"sha256": sha, "process_id": process_id, "file": file, "stored_at": stored_at, "current": False,
            "open": open_cases, "total": total}


def definition_source(session: Session, registry: ProcessRegistry, sha256: str) -> bytes:
    """The bytes of the definition ``sha256`` (a case's own): from the runtime when it holds it, else as stored."""
    held = {definition.sha256: definition for definition in registry.definitions()}
    if sha256 in held:
        return held[sha256].source
    row = session.get(ProcessDefinitionRow, sha256)
    if row is None:
        raise LookupError(f"流程定义 {sha256} 未存入数据库")
    return bytes(row.source)


def definition_signals(session: Session, registry: ProcessRegistry, sha256: str) -> frozenset[str]:
    """The signals the definition ``sha256`` (a case's own) catches: what the pages may offer on that case (a case
    still on a file from before issue 14 has no withdrawal). A definition only the database holds is registered."""
    try:
        return registry.signals(sha256)
    except WorkflowError:
        row = session.get(ProcessDefinitionRow, sha256)
        if row is None:
            return frozenset()
        return registry.signals(registry.register(bytes(row.source), row.file).sha256)
