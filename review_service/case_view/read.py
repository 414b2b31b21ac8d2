"""What a case read needs from the database, in one statement: the data behind ``case_view``.

``GET /api/v1/cases/{id}``, every write's answer and the case pages show a case with its agency,
draft, classification, reviews, replies, coordinations, decision, materials, deadlines, open
suspension, 回避 declarations, gate history and task candidates. Read one ORM query at a time
(:func:`plain_case`) that was nine statements after the caller's token: on PostgreSQL nine
loopback round trips (the case read ran at 0.18× its bare baseline, p99 ~100 ms), on SQLite nine
times SQLAlchemy's per-statement cost. :func:`read_case` asks the same in one ``SELECT``: the case
row joined to its agency, draft, handler and reviewer, and every list as a JSON array from a
correlated subquery (``json_group_array`` on SQLite, ``json_agg`` on PostgreSQL). Each listed row
comes back as a positional array; it is converted by its columns' types and sorted here in the
order the plain reads use, so nothing depends on the order an aggregate meets its rows.

The seam is :func:`case_data`: one statement on SQLite and PostgreSQL, the plain reads on any other
database. ``tests/cases/test_case_read.py`` pins that both give the same case, as
``GET /api/v1/cases/{id}`` shows it, on every state a case passes through, on both databases.

It reads every domain's rows (reviews, replies, coordinations, decisions, deadlines, 回避 declarations), so it
stands above them, in the layer of documents, accountability and indicators (``review_service/core/README.md``).
"""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, bindparam, case, exists, func, literal_column, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from review_service.cases.classification import latest_classification
from review_service.cases.downgrades import downgrade_history
from review_service.cases.flow import task_role
from review_service.cases.gate import downgrade_confirmed, ever_major
from review_service.cases.models import (
    Case,
    Classification,
    DowngradeDecision,
    DowngradeRequest,
    DraftVersion,
    Material,
    PossibleSplit,
    Submission,
)
from review_service.cases.splits import possible_splits
from review_service.cases.suspension_models import Suspension
from review_service.coordination.models import Coordination
from review_service.deadlines.models import Deadline
from review_service.deadlines.queries import case_deadlines
from review_service.decisions.models import Decision
from review_service.organization.models import Agency, User, UserRole
from review_service.organization.queries import role_holders, user_by_id
from review_service.review.models import RecusalDeclaration, Reply, Review

#: The tasks any active holder of the task's role (its BPMN lane, ``cases.flow.task_role``) in the case's agency
#: may take: the case lists them as candidates. The other tasks have an assignee (the handler's, the
#: reviewer's), or the head decides them outside the to-do list (``transfer``, ``terminate``: no candidates).
POOLED_TASKS = ("signoff", "assign", "coordinate", "approve")


def pooled_roles(session: Session) -> tuple[tuple[str, str], ...]:
    """Each pooled task with its role, as the runtime's current process file's lanes give it."""
    return tuple((task, role) for task in POOLED_TASKS if (role := task_role(session, task)) is not None)


@dataclass
class CaseData:
    """A case and everything its view shows, as ORM rows (:func:`plain_case`) or row tuples (:func:`read_case`).

    Lists the view does not show in the case's state may be left empty by :func:`plain_case`
    (which skips their reads) and be filled by :func:`read_case`: the view decides what it shows
    from the case alone (``case_view.view.render_case_view``).
    """

    case: Any
    agency_name: str
    draft: Any
    people: dict[int, dict[str, str]]
    classification: Any
    materials: list[Any]
    deadlines: list[Any]
    ever_major: bool
    downgraded: bool  # a confirmed downgrade of the classified draft (``cases.gate.downgrade_confirmed``)
    downgrades: list[tuple[Any, Any]]  # (request, its decision or None), oldest first
    splits: list[Any]
    candidates: list[int] = field(default_factory=list)  # who may take a pooled task (POOLED_TASKS)
    reviews: list[Any] = field(default_factory=list)
    replies: list[Any] = field(default_factory=list)
    coordinations: list[Any] = field(default_factory=list)
    decision: Any = None
    suspension: Any = None
    suspended_by_name: str = ""
    declarations: list[Any] = field(default_factory=list)


def case_data(session: Session, case_id: int) -> CaseData | None:
    """The case and what its view shows (``None``: no such case): one statement where the database allows."""
    if session.get_bind().dialect.name in _JSON_FUNCTIONS:
        return read_case(session, case_id)
    row = session.get(Case, case_id)
    return None if row is None else plain_case(session, row)


# --- the plain reads: one ORM query each (the reference the one statement is pinned to) -------------------

def plain_case(session: Session, case: Case) -> CaseData:
    """What the view shows, read one query at a time, each only when the case's state can need it."""
    classification = latest_classification(session, case)
    reviewed = case.round > 0  # before the first opinion there is no review, reply or coordination
    of_case = {"case_id": case.id}
    reviews = list(session.scalars(_REVIEWS, of_case)) if reviewed else []
    user_ids = sorted({case.handler_id, *(r.reviewer_id for r in reviews),
                       *([case.reviewer_id] if case.reviewer_id else [])})
    people = {row.id: {"id": str(row.id), "name": row.name} for row in session.execute(_USER_NAMES, {"ids": user_ids})}
    suspension = session.scalars(_OPEN_SUSPENSION, of_case).one_or_none() if case.suspended else None
    by = user_by_id(session, suspension.suspended_by) if suspension is not None else None
    role = dict(pooled_roles(session)).get(case.current_task or "")
    candidates = role_holders(session, case.agency_id, role) if role is not None else []
    major = ever_major(session, case)
    return CaseData(
        case=case, agency_name=case.agency.name, draft=case.current_draft, people=people,
        classification=classification, materials=list(session.scalars(_MATERIALS, of_case)),
        deadlines=case_deadlines(session, case.id), ever_major=major,
        downgraded=(classification is not None and not classification.major and major
                    and downgrade_confirmed(session, case, classification.draft_version_id)),
        downgrades=[(item["request"], item["decision"]) for item in downgrade_history(session, case.id)],
        splits=possible_splits(session, case.id), candidates=candidates, reviews=reviews,
        replies=list(session.scalars(_REPLIES, of_case)) if reviewed else [],
        coordinations=list(session.scalars(_COORDINATIONS, of_case)) if reviewed else [],
        decision=session.scalars(_DECISION, of_case).first() if case.status == "decided" else None,
        suspension=suspension, suspended_by_name=by.name if by else "",
        declarations=list(session.scalars(_DECLARATIONS, of_case)) if shows_declarations(case) else [])


def shows_declarations(case: Any) -> bool:
    """Before the assignment there is no 回避 declaration to show (nor to read)."""
    return case.current_task not in ("draft", "signoff", "assign") or bool(case.round)


_OF_CASE = bindparam("case_id", type_=Integer)
_USER_NAMES = select(User.id, User.name).where(User.id.in_(bindparam("ids", expanding=True)))
_REVIEWS = select(Review).where(Review.case_id == _OF_CASE).order_by(Review.round)
_REPLIES = select(Reply).where(Reply.case_id == _OF_CASE).order_by(Reply.id)
_COORDINATIONS = select(Coordination).where(Coordination.case_id == _OF_CASE).order_by(Coordination.id)
_DECISION = select(Decision).where(Decision.case_id == _OF_CASE)
_MATERIALS = select(Material).where(Material.case_id == _OF_CASE).order_by(Material.id)
_OPEN_SUSPENSION = select(Suspension).where(Suspension.case_id == _OF_CASE, Suspension.resumed_at.is_(None))
_DECLARATIONS = (select(RecusalDeclaration).where(RecusalDeclaration.case_id == _OF_CASE)
                 .order_by(RecusalDeclaration.id))


# --- the one statement -----------------------------------------------------------------------------------

def _sqlite_row(*columns: Any) -> Any:
    # json() embeds a JSON column's text as JSON, not as a string
    return func.json_array(*(func.json(c) if isinstance(c.type, JSON) else c for c in columns))


def _postgresql_list(row: Any) -> Any:
    return func.coalesce(func.json_agg(row), literal_column("'[]'::json"))


#: Per dialect: a row as a JSON array, and the JSON array of a subquery's rows ('[]' when none).
_JSON_FUNCTIONS: dict[str, tuple[Callable[..., Any], Callable[[Any], Any]]] = {
    "sqlite": (_sqlite_row, func.json_group_array),
    "postgresql": (func.json_build_array, _postgresql_list),
}


def _value_of(column: Any) -> Callable[[Any], Any] | None:
    """How a column's value read back from JSON becomes what the ORM gives (``None`` stays ``None``)."""
    kind = column.type
    if isinstance(kind, DateTime):  # SQLite stores naive UTC text, PostgreSQL writes ISO 8601 with an offset
        return datetime.fromisoformat
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, Boolean):  # SQLite: 0 / 1
        return bool
    return None


class _Rows:
    """A list the view shows: which columns of which rows, read as JSON arrays and turned back into tuples."""

    def __init__(self, name: str, columns: Sequence[Any], names: Sequence[str] | None = None) -> None:
        self.columns = list(columns)
        self.tuple = namedtuple(name, names or [c.key for c in self.columns])  # type: ignore[misc]
        self.convert = [_value_of(c) for c in self.columns]

    def one(self, values: list[Any] | None) -> Any:
        if values is None:
            return None
        return self.tuple(*(v if v is None or f is None else f(v) for f, v in zip(self.convert, values, strict=True)))

    def many(self, raw: Any) -> list[Any]:
        return [self.one(values) for values in _loads(raw)]


def _loads(raw: Any) -> Any:
    """SQLite hands the JSON back as text; psycopg has parsed it already."""
    return json.loads(raw) if isinstance(raw, str) else raw


def _columns(entity: Any, *names: str) -> list[InstrumentedAttribute[Any]]:
    return [getattr(entity, name) for name in names]


_CASE_COLUMNS = _columns(Case, "id", "agency_id", "handler_id", "title", "case_number", "decision_type", "status",
                         "current_task", "current_task_id", "version", "round", "reviewer_id", "suspended",
                         "created_at", "updated_at")
_CaseRow = namedtuple("_CaseRow", [c.key for c in _CASE_COLUMNS])  # type: ignore[misc]
_DraftRow = namedtuple("_DraftRow", ["content", "version", "sha256"])

_CLASSIFICATION = _Rows("Classification", _columns(Classification, "id", "draft_version_id", "major", "catalog_id",
                                                                   "catalog_version", "matched"))
_REVIEW = _Rows("Review", [*_columns(Review, "id", "round", "draft_sha256", "reviewer_id", "conclusion", "summary",
                                     "points", "quality", "submitted_at"), User.name],
                ["id", "round", "draft_sha256", "reviewer_id", "conclusion", "summary", "points", "quality",
                 "submitted_at", "reviewer_name"])
_REPLY = _Rows("Reply", _columns(Reply, "id", "round", "responses", "summary", "disputed", "submitted_at"))
_COORDINATION = _Rows("Coordination", _columns(Coordination, "id", "round", "reason", "outcome", "reasoning",
                                               "collective_discussion", "coordinated_at"))
_DECISION_ROW = _Rows("Decision", _columns(Decision, "id", "number", "decided_at", "draft_sha256"))
_MATERIAL = _Rows("Material", _columns(Material, "id", "kind", "title", "filename", "sha256", "size", "uploaded_at"))
_DEADLINE = _Rows("Deadline", _columns(
    Deadline, "id", "kind", "due_on", "provisional", "state", "closed_at", "start_on", "working_days",
    "extension_days", "extended_at", "extension_reason", "paused_on", "paused_days", "limit_on", "beyond_limit"))
_SUSPENSION = _Rows("Suspension", [*_columns(Suspension, "id", "reason", "reason_text", "suspended_at", "at_task",
                                             "suspended_by", "suspended_role"), User.name],
                    ["id", "reason", "reason_text", "suspended_at", "at_task", "suspended_by", "suspended_role",
                     "suspended_by_name"])
_DECLARATION = _Rows("RecusalDeclaration", _columns(RecusalDeclaration, "id", "user_id", "assignment_id", "capacity",
                                                    "declaration", "reason", "declared_at"))
_DOWNGRADE = _Rows("Downgrade", [
    *_columns(DowngradeRequest, "id", "draft_sha256", "reasons", "requested_by", "requested_at"),
    *_columns(DowngradeDecision, "id", "confirmed", "reasons", "decided_by", "decided_at")],
    ["id", "draft_sha256", "reasons", "requested_by", "requested_at",
     "decision_id", "confirmed", "decision_reasons", "decided_by", "decided_at"])
_DowngradeRequestRow = namedtuple("_DowngradeRequestRow", ["id", "draft_sha256", "reasons", "requested_by",
                                                           "requested_at"])
_DowngradeDecisionRow = namedtuple("_DowngradeDecisionRow", ["id", "confirmed", "reasons", "decided_by",
                                                             "decided_at"])
_SPLIT = _Rows("PossibleSplit", _columns(PossibleSplit, "id", "case_id", "related_case_id", "basis", "flagged_at"))
_CANDIDATE = _Rows("Candidate", [User.id])


def _statement(dialect: str, roles: tuple[tuple[str, str], ...]) -> Any:
    """The case read for one dialect (built once: a statement built per call recomputes its cache key)."""
    row, rows = _JSON_FUNCTIONS[dialect]
    handler, reviewer = aliased(User), aliased(User)

    def listed(spec: _Rows, *where: Any) -> Any:
        return select(rows(row(*spec.columns))).where(*where).scalar_subquery()

    def first(spec: _Rows, *where: Any, order: Any = None, join: tuple[Any, Any] | None = None) -> Any:
        stmt = select(row(*spec.columns))
        if join is not None:
            stmt = stmt.join(*join, isouter=True)
        stmt = stmt.where(*where)
        return (stmt.order_by(order).limit(1) if order is not None else stmt.limit(1)).scalar_subquery()

    role = case(*((Case.current_task == task, name) for task, name in roles), else_=None)
    return (
        select(
            *_CASE_COLUMNS, Agency.name, DraftVersion.content, DraftVersion.version, DraftVersion.sha256,
            handler.name, reviewer.name,
            first(_CLASSIFICATION, Classification.case_id == Case.id, order=Classification.id.desc()),
            select(rows(row(*_REVIEW.columns))).select_from(Review).join(User, User.id == Review.reviewer_id,
                                                                            isouter=True)
            .where(Review.case_id == Case.id).scalar_subquery(),
            listed(_REPLY, Reply.case_id == Case.id),
            listed(_COORDINATION, Coordination.case_id == Case.id),
            first(_DECISION_ROW, Decision.case_id == Case.id, order=Decision.id),
            listed(_MATERIAL, Material.case_id == Case.id),
            listed(_DEADLINE, Deadline.case_id == Case.id),
            first(_SUSPENSION, Suspension.case_id == Case.id, Suspension.resumed_at.is_(None),
                  join=(User, User.id == Suspension.suspended_by)),
            listed(_DECLARATION, RecusalDeclaration.case_id == Case.id),
            exists().where(Submission.case_id == Case.id, Submission.major.is_(True)),
            select(rows(DowngradeDecision.draft_version_id))
            .where(DowngradeDecision.case_id == Case.id, DowngradeDecision.confirmed.is_(True)).scalar_subquery(),
            select(rows(row(*_DOWNGRADE.columns))).select_from(DowngradeRequest)
            .join(DowngradeDecision, DowngradeDecision.request_id == DowngradeRequest.id, isouter=True)
            .where(DowngradeRequest.case_id == Case.id).scalar_subquery(),
            listed(_SPLIT, (PossibleSplit.case_id == Case.id) | (PossibleSplit.related_case_id == Case.id)),
            select(rows(row(User.id))).select_from(User).join(UserRole, UserRole.user_id == User.id)
            .where(User.agency_id == Case.agency_id, User.active.is_(True), UserRole.role == role)
            .scalar_subquery(),
        )
        .join(Agency, Agency.id == Case.agency_id)
        .join(DraftVersion, DraftVersion.id == Case.current_draft_id, isouter=True)
        .join(handler, handler.id == Case.handler_id, isouter=True)
        .join(reviewer, reviewer.id == Case.reviewer_id, isouter=True)
        .where(Case.id == bindparam("case_id"))
    )


# One statement per dialect and process file's roles: a pure function of both (core/process_state.py).
_STATEMENTS: dict[tuple[str, tuple[tuple[str, str], ...]], Any] = {}


def read_case(session: Session, case_id: int) -> CaseData | None:
    """The case and what its view shows, in one statement (SQLite or PostgreSQL); ``None``: no such case."""
    key = (session.get_bind().dialect.name, pooled_roles(session))
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = _STATEMENTS[key] = _statement(*key)
    found = session.execute(statement, {"case_id": case_id}).first()
    if found is None:
        return None
    width = len(_CASE_COLUMNS)
    case_row: Any = _CaseRow(*found[:width])
    (agency_name, content, draft_version, draft_sha256, handler_name, reviewer_name, classification, reviews,
     replies, coordinations, decision, materials, deadlines, suspension, declarations, ever_major, downgraded,
     downgrades, splits, candidates) = found[width:]
    review_rows = sorted(_REVIEW.many(reviews), key=lambda r: (r.round, r.id))
    named = [(case_row.handler_id, handler_name), (case_row.reviewer_id, reviewer_name),
             *((r.reviewer_id, r.reviewer_name) for r in review_rows)]
    people = {user_id: {"id": str(user_id), "name": name} for user_id, name in named if name is not None}
    classification_row = _CLASSIFICATION.one(_loads(classification))
    suspension_row = _SUSPENSION.one(_loads(suspension))
    history = []
    for item in sorted(_DOWNGRADE.many(downgrades), key=lambda d: (d.id, d.decision_id or 0)):
        history.append((_DowngradeRequestRow(item.id, item.draft_sha256, item.reasons, item.requested_by,
                                             item.requested_at),
                        None if item.decision_id is None else _DowngradeDecisionRow(
                            item.decision_id, item.confirmed, item.decision_reasons, item.decided_by,
                            item.decided_at)))
    return CaseData(
        case=case_row, agency_name=agency_name,
        draft=None if content is None else _DraftRow(content, draft_version, draft_sha256), people=people,
        classification=classification_row,
        materials=sorted(_MATERIAL.many(materials), key=lambda m: m.id),
        deadlines=sorted(_DEADLINE.many(deadlines), key=lambda d: d.id),
        ever_major=bool(ever_major),
        downgraded=(classification_row is not None and classification_row.draft_version_id in _loads(downgraded)),
        downgrades=history, splits=sorted(_SPLIT.many(splits), key=lambda s: s.id),
        candidates=sorted(c.id for c in _CANDIDATE.many(candidates)),
        reviews=review_rows, replies=sorted(_REPLY.many(replies), key=lambda r: r.id),
        coordinations=sorted(_COORDINATION.many(coordinations), key=lambda c: c.id),
        decision=_DECISION_ROW.one(_loads(decision)),
        suspension=suspension_row, suspended_by_name=suspension_row.suspended_by_name if suspension_row else "",
        declarations=sorted(_DECLARATION.many(declarations), key=lambda d: d.id))
