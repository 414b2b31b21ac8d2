"""After "uphold": the unit may dispute once more and ask for collective discussion; a second uphold is final.

Coordination (协调机制) upholding the review sends the case back to the unit's reply. The unit may
still dispute that reply once: the head then coordinates again, and this time only as a recorded
collective discussion (集体讨论) of the agency's heads. If that upholds the review too, it is final:
the reply after it must accept every point (a dispute is refused, 422). The process routes as
before (a disputed reply goes to coordination); these are rules of validity, checked here.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from review_service.coordination.models import Coordination
from review_service.core.errors import Invalid

#: The number of upholds in one round after which the review stands (no further dispute).
FINAL_UPHOLDS = 2

_UPHELD = select(func.count()).select_from(Coordination).where(
    Coordination.case_id == bindparam("case_id"), Coordination.round == bindparam("round"),
    Coordination.outcome == "uphold_review")


def upholds(session: Session, case_id: int, round: int) -> int:
    """How many coordinations of this review round upheld the review."""
    return int(session.scalar(_UPHELD, {"case_id": case_id, "round": round}) or 0)


def dispute_refusal(upheld: int) -> str | None:
    """Why a disputed reply is refused after ``upheld`` upholds in its round, or None if it may dispute."""
    if upheld >= FINAL_UPHOLDS:
        return "集体讨论后负责人再次维持审核意见，该决定为最终决定，承办机构应当按审核意见修改"
    return None


def require_discussion_after_uphold(session: Session, case_id: int, round: int, has_discussion: bool) -> None:
    """The second coordination of a round (the unit disputed after an uphold) must be a collective discussion."""
    if upholds(session, case_id, round) >= 1 and not has_discussion:
        raise Invalid("协调已维持审核意见后承办机构再次提出异议的，负责人应当提请集体讨论，请填写集体讨论记录。",
                      fields={"collective_discussion": "再次协调须经集体讨论"})
