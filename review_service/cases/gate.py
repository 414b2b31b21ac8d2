"""Once major, always under the gate (DESIGN.md §4.1): what the record says of a case's gate.

A case that was ever submitted as major needs an approving review of every later
draft, whatever the catalog now says of it, unless the review lead confirmed a
downgrade of that very draft. Submitting, editing, the decision's clearance and the
database trigger (``decisions/ddl.py``) all read it from here, or from the same rows.
"""

from __future__ import annotations

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from review_service.cases.models import Case, Classification, DowngradeDecision, Submission

_EVER_MAJOR = select(exists().where(Submission.case_id == bindparam("case_id"), Submission.major.is_(True)))
_DOWNGRADED = select(exists().where(DowngradeDecision.case_id == bindparam("case_id"),
                                    DowngradeDecision.draft_version_id == bindparam("draft_version_id"),
                                    DowngradeDecision.confirmed.is_(True)))


def ever_major(session: Session, case: Case) -> bool:
    """Whether any submission of the case was routed as major (to legal review)."""
    return bool(session.scalar(_EVER_MAJOR, {"case_id": case.id}))


def downgrade_confirmed(session: Session, case: Case, draft_version_id: int) -> bool:
    """Whether the review lead confirmed that this draft version of the case is not major."""
    return bool(session.scalar(_DOWNGRADED, {"case_id": case.id, "draft_version_id": draft_version_id}))


def gated(session: Session, case: Case, classification: Classification) -> bool:
    """Whether ``classification``'s draft must pass legal review: major now, or once major and not downgraded."""
    if classification.major:
        return True
    return ever_major(session, case) and not downgrade_confirmed(session, case, classification.draft_version_id)
