"""Who has acted on a case in which capacity: the basis of separation of duties."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Select,
    String,
    Text,
    bindparam,
    cast,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import QueryableAttribute, Session

from review_service.cases.models import Case, DraftVersion, Signoff, Submission
from review_service.core import tx
from review_service.core.permissions import require_not_in
from review_service.review.models import Assignment, Reply, Review

_HANDLER, _REVIEWER, _ADVISORS = "h", "r", "a"


@dataclass
class Participants:
    handlers: set[int] = field(default_factory=set)
    reviewers: set[int] = field(default_factory=set)
    advisors: set[int] = field(default_factory=set)


def _build_query() -> CompoundSelect[Any]:
    """One round trip: (capacity, user id or JSON list of advisor ids) from every record of the case."""
    case_id: BindParameter[int] = bindparam("case_id")

    def ids(kind: str, column: QueryableAttribute[Any], where: ColumnElement[bool]) -> Select[tuple[str, str]]:
        return select(literal(kind).label("kind"), cast(column, String).label("value")).where(where)

    def id_lists(column: QueryableAttribute[Any], where: ColumnElement[bool]) -> Select[tuple[str, str]]:
        return select(literal(_ADVISORS).label("kind"), cast(column, Text).label("value")).where(where)

    return union_all(
        ids(_HANDLER, DraftVersion.created_by, DraftVersion.case_id == case_id),
        ids(_HANDLER, Submission.submitted_by, Submission.case_id == case_id),
        ids(_HANDLER, Reply.submitted_by, Reply.case_id == case_id),
        # the unit head who signed off a submission answers for it as the handling side does (回避)
        ids(_HANDLER, Signoff.unit_head_id, Signoff.case_id == case_id),
        ids(_REVIEWER, Review.reviewer_id, Review.case_id == case_id),
        id_lists(Assignment.advisor_ids, Assignment.case_id == case_id),
        id_lists(Review.advisor_ids, Review.case_id == case_id),
    )


_QUERY = _build_query()  # built once: it runs in nearly every action


def participants(session: Session, case: Case) -> Participants:
    """Everyone who drafted, submitted (attested), signed off or replied (handling side), reviewed or advised."""
    result = Participants(handlers={case.handler_id})
    if case.reviewer_id is not None:
        result.reviewers.add(case.reviewer_id)
    for kind, value in tx.fresh(session, _QUERY, {"case_id": case.id}):
        if kind == _HANDLER:
            result.handlers.add(int(value))
        elif kind == _REVIEWER:
            result.reviewers.add(int(value))
        else:
            result.advisors.update(json.loads(value) or [])
    return result


def require_uninvolved(session: Session, case: Case, actor: Any, message: str) -> None:
    """Separation of duties for heads: whoever handled, reviewed or advised on the case may not decide it."""
    people = participants(session, case)
    require_not_in(actor, people.handlers | people.reviewers | people.advisors, message)
