"""Whose a case's handler tasks are: its assigned handler's (承办人), unless the agency shares cases.

A handler of the agency who is not the case's assignee may read the case but not act on it:
drafting, materials, submission, supplementing, the written reply, resubmission, abandonment,
withdrawal, a termination or downgrade request, publication, revocation and withdrawal of a
published decision. The unit head (承办机构负责人) moves a case to another handler with
:func:`review_service.cases.reassignment.reassign_case`; an agency that works its cases as a
pool says so with the setting ``handlers_share_cases``. Every handler-side operation asks
:func:`require_case_handler`; the to-do list and the pages ask :func:`acts_as_handler`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from review_service.core.errors import Forbidden
from review_service.core.permissions import require_role
from review_service.organization.models import Agency
from review_service.organization.queries import user_by_id
from review_service.organization.settings import agency_settings

#: The stable rule of the refusal (``details.rule`` of the 403).
NOT_ASSIGNEE = "not_assignee"


def shares_cases(agency: Agency) -> bool:
    """Whether every handler of ``agency`` may act on each of its cases (the setting ``handlers_share_cases``)."""
    return agency_settings(agency).handlers_share_cases


def handlers_share(session: Session, agency_id: int) -> bool:
    """Whether the agency ``agency_id`` shares its cases among its handlers (the to-do lists ask)."""
    agency = session.get(Agency, agency_id)
    return agency is not None and shares_cases(agency)


def acts_as_handler(actor: Any, case: Any) -> bool:
    """Whether ``actor`` may do ``case``'s handler tasks: its assignee, or any handler of an agency sharing cases.

    ``case`` is a loaded case row (its ``agency`` is read only when the actor is not the assignee).
    """
    if actor is None or not actor.active or not actor.has_role("handler") or actor.agency_id != case.agency_id:
        return False
    return actor.id == case.handler_id or shares_cases(case.agency)


def require_case_handler(session: Session, actor: Any, case: Any) -> None:
    """Refuse (403 ``not_assignee``) a handler acting on a case assigned to someone else.

    The role comes first (403 ``role`` for one who is no handler at all); scope is the caller's
    (:func:`review_service.cases.flow.lock_case` has refused another agency's case with 404).
    """
    require_role(actor, "handler")
    if acts_as_handler(actor, case):
        return
    assignee = user_by_id(session, case.handler_id)
    name = assignee.name if assignee is not None else "其他承办人员"
    raise Forbidden(f"本案由{name}承办，只有承办人本人才能办理；如需由您办理，请承办机构负责人改派。",
                    rule=NOT_ASSIGNEE, assignee={"id": str(case.handler_id), "name": name})
