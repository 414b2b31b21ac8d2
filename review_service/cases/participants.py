"""Who has acted on a case in which capacity: the basis of separation of duties.

The handling side's records (drafts, submissions, sign-offs) live at this layer; the reviewing side's
(reviews, assignments, the unit's replies to them) live above it, in ``review``, which answers the
``participation_sought`` signal with its statements (``review/receivers.py``). One statement reads both.
"""

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
from review_service.core import signals, tx
from review_service.core.permissions import require_not_in

#: The capacities a row names: the handling side, a reviewer, a JSON list of advisors.
HANDLING, REVIEWING, ADVISING = "h", "r", "a"
CASE_ID: BindParameter[int] = bindparam("case_id")


@dataclass
class Participants:
    handlers: set[int] = field(default_factory=set)
    reviewers: set[int] = field(default_factory=set)
    advisors: set[int] = field(default_factory=set)


def people(kind: str, column: QueryableAttribute[Any], where: ColumnElement[bool]) -> Select[tuple[str, str]]:
    """The ``(kind, user id)`` rows of one record kind of the case (``where`` binds :data:`CASE_ID`)."""
    return select(literal(kind).label("kind"), cast(column, String).label("value")).where(where)


def advisor_lists(column: QueryableAttribute[Any], where: ColumnElement[bool]) -> Select[tuple[str, str]]:
    """The ``(ADVISING, JSON list of user ids)`` rows of one record kind of the case."""
    return select(literal(ADVISING).label("kind"), cast(column, Text).label("value")).where(where)


# What the cases layer itself knows; the reviewing side comes from ``participation_sought``.
_HANDLING_SIDE = (
    people(HANDLING, DraftVersion.created_by, DraftVersion.case_id == CASE_ID),
    people(HANDLING, Submission.submitted_by, Submission.case_id == CASE_ID),
    # the unit head who signed off a submission answers for it as the handling side does (回避)
    people(HANDLING, Signoff.unit_head_id, Signoff.case_id == CASE_ID),
)
# One statement per set of answers. A pure function of code (every answer is a module's constant), so it
# may stay module-level (core/process_state.py); building the union afresh would cost ~150 us per call
# in SQLAlchemy's cache key, and it runs in nearly every action.
_UNIONS: dict[tuple[int, ...], CompoundSelect[Any]] = {}


def _query() -> CompoundSelect[Any]:
    """One round trip: (capacity, user id or JSON list of advisor ids) from every record of the case."""
    others = tuple(statement for answer in signals.send_required(signals.participation_sought, "participants")
                   for statement in answer)
    key = tuple(map(id, others))
    query = _UNIONS.get(key)
    if query is None:  # the union keeps its statements alive, so their ids stay theirs
        query = _UNIONS.setdefault(key, union_all(*_HANDLING_SIDE, *others))
    return query


def participants(session: Session, case: Case) -> Participants:
    """Everyone who drafted, submitted (attested), signed off or replied (handling side), reviewed or advised."""
    result = Participants(handlers={case.handler_id})
    if case.reviewer_id is not None:
        result.reviewers.add(case.reviewer_id)
    for kind, value in tx.fresh(session, _query(), {"case_id": case.id}):
        if kind == HANDLING:
            result.handlers.add(int(value))
        elif kind == REVIEWING:
            result.reviewers.add(int(value))
        else:
            result.advisors.update(json.loads(value) or [])
    return result


def require_uninvolved(session: Session, case: Case, actor: Any, message: str) -> None:
    """Separation of duties for heads: whoever handled, reviewed or advised on the case may not decide it."""
    people = participants(session, case)
    require_not_in(actor, people.handlers | people.reviewers | people.advisors, message)
