"""Move open cases to another version of their process, by a plan and only by it (issue 21).

A case keeps the process definition it started on (``workflow_instances.definition_sha256``); loading a new file
only starts new cases on it. The operator first **plans** (:func:`plan_migration`: for every open case on the old
definition, whether it can move as it stands, and why not; nothing changes), reads the plan, and then **migrates**
(:func:`migrate_case`, one case per transaction under the case's lock): the run is rebuilt on the new definition
waiting where it waited (``workflow.migration``: the same task and task id, every due time kept), the case's
version moves on, and one ``process_migrated`` audit event records from, to, the mapping and the timers kept.

Never migrated: a decided, terminated or transferred case (its process has ended). A case the plan refused, or
that no longer passes the same check when its turn comes, is left exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.cases.flow import PROCESS_ID, lock_case, registry
from review_service.cases.models import Case, CaseStatus
from review_service.core import signals
from review_service.core.actions import Action
from review_service.core.clock import utcnow
from review_service.core.errors import Invalid, NotFound
from review_service.core.permissions import SystemScope
from review_service.workflow import ProcessRegistry, store
from review_service.workflow.errors import WorkflowError
from review_service.workflow.models import ProcessDefinitionRow, WorkflowInstance

PLAN_FORMAT = "review-service/process-migration-plan/1"
#: A case whose process ended is never migrated, whatever a plan says.
ENDED = frozenset({CaseStatus.DECIDED.value, CaseStatus.CLOSED.value, CaseStatus.TRANSFERRED.value})
#: The shortest hash prefix accepted for a definition (``process list`` shows 12 characters).
MIN_PREFIX = 8


@dataclass(frozen=True)
class CasePlan:
    """One open case on the old definition: where it waits and whether it can move."""

    case_id: int
    title: str
    case_number: str | None
    status: str
    task: str | None
    target: str | None
    movable: bool
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MigrationPlan:
    """What ``process plan`` writes and ``process migrate`` reads (JSON, ``PLAN_FORMAT``)."""

    process_id: str
    from_sha256: str
    to_sha256: str
    mapping: dict[str, str]
    made_at: str
    diff: dict[str, Any]
    cases: list[CasePlan]

    @property
    def movable(self) -> list[CasePlan]:
        return [case for case in self.cases if case.movable]

    def to_json(self) -> str:
        body = {"format": PLAN_FORMAT, **asdict(self),
                "summary": {"cases": len(self.cases), "movable": len(self.movable),
                            "refused": len(self.cases) - len(self.movable)}}
        return json.dumps(body, ensure_ascii=False, indent=2) + "\n"

    @cached_property
    def sha256(self) -> str:
        """The plan's own fingerprint, recorded with each case it moved."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()

    @cached_property
    def by_case(self) -> dict[int, CasePlan]:
        return {case.case_id: case for case in self.cases}

    @classmethod
    def from_json(cls, text: str) -> MigrationPlan:
        """Read a plan file; :class:`Invalid` (``rule="migration_plan"``) for anything not written by ``plan``."""
        try:
            body = json.loads(text)
            if body.get("format") != PLAN_FORMAT:
                raise ValueError(f"format 应为 {PLAN_FORMAT}")
            cases = [CasePlan(**case) for case in body["cases"]]
            mapping = {str(k): str(v) for k, v in dict(body["mapping"]).items()}
            return cls(process_id=str(body["process_id"]), from_sha256=str(body["from_sha256"]),
                       to_sha256=str(body["to_sha256"]), mapping=mapping, made_at=str(body["made_at"]),
                       diff=dict(body["diff"]), cases=cases)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise Invalid(f"迁移计划文件无法读取：{exc}", rule="migration_plan") from None


def read_mapping(text: str) -> dict[str, str]:
    """A mapping file: one ``旧环节 = 新环节`` (or ``old: new``) per line; ``#`` starts a comment."""
    mapping: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        separator = "=" if "=" in line else ":"
        old, _, new = (part.strip() for part in line.partition(separator))
        if not old or not new or not old.isidentifier() or not new.isidentifier():
            raise Invalid(f"映射文件第 {number} 行应为“旧环节 = 新环节”（BPMN 标识）：{raw.strip()}",
                          rule="migration_mapping", line=number)
        mapping[old] = new
    return mapping


def resolve_definition(session: Session, reg: ProcessRegistry, given: str) -> str:
    """The full hash of the definition ``given`` names (a hash, a prefix of at least ``MIN_PREFIX``, or
    ``current``: the file new cases start on), held in ``reg`` afterwards; :class:`NotFound` if none or several
    match."""
    prefix = given.strip().lower()
    if prefix == "current":
        return reg.definition(PROCESS_ID).sha256
    if len(prefix) < MIN_PREFIX:
        raise Invalid(f"流程定义的 SHA-256 至少写 {MIN_PREFIX} 位：{given}", rule="definition_hash")
    held = {definition.sha256 for definition in reg.definitions()}
    stored = set(session.scalars(select(ProcessDefinitionRow.sha256)
                                 .where(ProcessDefinitionRow.sha256.startswith(prefix, autoescape=True))))
    matches = sorted({sha for sha in held if sha.startswith(prefix)} | stored)
    if len(matches) != 1:
        why = "没有" if not matches else f"有 {len(matches)} 个"
        raise NotFound(f"以 {given} 开头的流程定义{why}（review-service process list 列出全部）。",
                       rule="definition_hash")
    sha = matches[0]
    if sha not in held:
        row = session.get(ProcessDefinitionRow, sha)
        assert row is not None
        reg.register(bytes(row.source), row.file)
    return sha


def _hold(session: Session, reg: ProcessRegistry, sha256: str) -> None:
    """Make sure ``reg`` holds the definition ``sha256`` (the migrating process may not have planned)."""
    try:
        reg.by_hash(sha256)
    except WorkflowError:
        resolve_definition(session, reg, sha256)


def _open_cases(session: Session, from_sha256: str, batch: int = 500) -> Iterator[Any]:
    """The open cases on ``from_sha256`` with their engine state, by id, a page at a time: plain rows, so that
    nothing piles up in the session (and a read snapshot may hold no server-side cursor)."""
    after = 0
    while True:
        rows = session.execute(select(Case.id, Case.title, Case.case_number, Case.status, WorkflowInstance.state,
                                      WorkflowInstance.generation)
                               .join(Case.workflow_instance)
                               .where(WorkflowInstance.definition_sha256 == from_sha256,
                                      WorkflowInstance.completed.is_(False), Case.id > after)
                               .order_by(Case.id).limit(batch)).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].id


def plan_migration(session: Session, *, from_hash: str, to_hash: str, mapping: Mapping[str, str]) -> MigrationPlan:
    """For every open case on ``from_hash``: can it move to ``to_hash`` as it stands, and if not, why. Reads only."""
    reg = registry(session)
    from_sha, to_sha = resolve_definition(session, reg, from_hash), resolve_definition(session, reg, to_hash)
    if from_sha == to_sha:
        raise Invalid("迁移的源版本与目标版本相同。", rule="migration_plan")
    source, target = reg.by_hash(from_sha), reg.by_hash(to_sha)
    if source.process_id != target.process_id:
        raise Invalid(f"两个版本不是同一个流程：{source.process_id} 与 {target.process_id}。", rule="migration_plan")
    for old, new in mapping.items():  # a typo in the mapping file would silently map nothing
        if old not in reg.flow_nodes(from_sha):
            raise Invalid(f"映射中的环节 {old} 在源版本中不存在。", rule="migration_mapping")
        if new not in reg.flow_nodes(to_sha):
            raise Invalid(f"映射中的环节 {new} 在目标版本中不存在。", rule="migration_mapping")
    diff = reg.diff(from_sha, to_sha)
    cases = [_case_plan(reg, row, from_sha, to_sha, mapping) for row in _open_cases(session, from_sha)]
    return MigrationPlan(process_id=source.process_id, from_sha256=from_sha, to_sha256=to_sha, mapping=dict(mapping),
                         made_at=utcnow().isoformat(timespec="seconds"),
                         diff={"added": list(diff.added), "removed": list(diff.removed),
                               "changed": {key: list(value) for key, value in diff.changed.items()}},
                         cases=cases)


def _case_plan(reg: ProcessRegistry, row: Any, from_sha: str, to_sha: str, mapping: Mapping[str, str]) -> CasePlan:
    reasons: list[str] = []
    task = target = None
    if row.status in ENDED:
        reasons.append("案件已办结，不迁移")
    else:
        try:
            check = reg.check_move(reg.restore(from_sha, row.state, row.generation), to_sha, mapping)
            task, target, reasons = check.task, check.target, list(check.reasons)
        except WorkflowError as exc:
            reasons.append(f"流程实例无法读取：{exc}")
    return CasePlan(case_id=row.id, title=row.title, case_number=row.case_number, status=row.status,
                    task=task, target=target, movable=not reasons, reasons=reasons)


@dataclass(frozen=True)
class Outcome:
    """What ``migrate`` did with one case of the plan."""

    case_id: int
    result: str
    """``migrated``, ``already`` (on the target: a second run), ``skipped`` (refused by the plan), ``ended``,
    ``elsewhere`` (on a third definition), ``refused`` (the check failed at its turn: untouched)."""
    message: str


OUTCOME_LABELS = {"migrated": "已迁移", "already": "已在目标版本", "skipped": "计划不允许，未动",
                  "ended": "已办结，不迁移", "elsewhere": "在其他版本上，未动", "refused": "不能迁移，未动"}


def migrate_case(session: Session, *, plan: MigrationPlan, case_id: int, actor: Any = None) -> Outcome:
    """Move one case of ``plan`` under its lock, in the caller's transaction (the CLI commits one per case).

    Safe to run again: a case already on the target is reported ``already``. Raises nothing for a case that
    cannot move: the outcome says why, and nothing was changed.
    """
    planned = plan.by_case.get(case_id)
    if planned is None or not planned.movable:
        return Outcome(case_id, "skipped", "；".join(planned.reasons) if planned else "不在计划中")
    agency_id = session.scalar(select(Case.agency_id).where(Case.id == case_id))
    if agency_id is None:
        return Outcome(case_id, "refused", "案件不存在")
    scope = actor if actor is not None else SystemScope(agency_id)
    case = lock_case(session, case_id, actor=scope, while_suspended=True)
    row = case.workflow_instance
    if row.definition_sha256 == plan.to_sha256:
        return Outcome(case_id, "already", "")
    if row.completed or case.status in ENDED:
        return Outcome(case_id, "ended", "案件已办结，不迁移")
    if row.definition_sha256 != plan.from_sha256:
        return Outcome(case_id, "elsewhere", f"案件在版本 {row.definition_sha256[:12]} 上，不是计划的源版本")
    reg = registry(session)
    run = store.load(reg, row)
    _hold(session, reg, plan.to_sha256)
    check = reg.check_move(run, plan.to_sha256, plan.mapping)
    if not check.movable or check.task is None or check.target is None:
        return Outcome(case_id, "refused", "；".join(check.reasons))
    moved = reg.move(run, plan.to_sha256, plan.mapping)
    store.ensure_definition(session, reg.by_hash(plan.to_sha256))
    [waiting] = moved.ready_tasks()
    store.save_moved(session, row, moved)
    case.current_task, case.current_task_id = waiting.kind, waiting.id
    case.version += 1
    case.updated_at = utcnow()
    signals.emit(Action.PROCESS_MIGRATED, session=session, actor=actor, role="admin" if actor is not None else "system",
                 agency_id=case.agency_id, case_id=case.id,
                 payload={"from_sha256": plan.from_sha256, "to_sha256": plan.to_sha256, "process_id": plan.process_id,
                          "mapping": dict(plan.mapping), "task": check.task, "target": check.target,
                          "task_id": waiting.id, "timers": dict(check.timers), "plan_sha256": plan.sha256})
    return Outcome(case_id, "migrated", f"{check.task} → {check.target}" if check.task != check.target else check.task)
