"""The review area's receivers: the reviewing side of who took part in a case (separation of duties, 回避).

Answers ``participation_sought`` with the statements over this area's records: the reviewer of every
review, the advisors of every assignment and review, and whoever submitted the unit's written reply
(the handling side). Connected by :func:`review_service.runtime.connect_receivers`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from review_service.cases.participants import CASE_ID, HANDLING, REVIEWING, advisor_lists, people
from review_service.core import signals
from review_service.review.models import Assignment, Reply, Review

REVIEWING_SIDE: tuple[Select[tuple[str, str]], ...] = (
    people(HANDLING, Reply.submitted_by, Reply.case_id == CASE_ID),
    people(REVIEWING, Review.reviewer_id, Review.case_id == CASE_ID),
    advisor_lists(Assignment.advisor_ids, Assignment.case_id == CASE_ID),
    advisor_lists(Review.advisor_ids, Review.case_id == CASE_ID),
)


def answer(_sender: Any, **_kwargs: Any) -> tuple[Select[tuple[str, str]], ...]:
    """``participation_sought``: this area's statements (built once, above)."""
    return REVIEWING_SIDE


_RECEIVERS: signals.Receivers = ((signals.participation_sought, answer),)


def connect() -> None:
    """Connect the receivers (idempotent, strong references)."""
    signals.connect_all(_RECEIVERS)


def disconnect() -> None:
    """Disconnect them (a test checks that separation of duties refuses to run without the reviewing side)."""
    signals.disconnect_all(_RECEIVERS)
