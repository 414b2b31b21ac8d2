"""The art. 57 panel (行政处罚法: collective discussion) that the case page and the action pages show."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy.orm import Session

from review_service.cases.models import Case
from review_service.cases.queries import visible_case
from review_service.coordination.discussion import discussion_page
from review_service.coordination.discussion_records import FLAGGING_ROLES
from review_service.organization.models import User


def discussion_panel(session: Session, actor: User, case: Case) -> dict[str, Any] | None:
    """The art. 57 panel of the case and approval pages: required or not, why, the records, what ``actor`` may do."""
    if case.current_draft is None:
        return None
    panel = discussion_page(session, case)
    if case.agency_id != actor.agency_id:
        panel["heads"] = []  # whom to name is for the agency's own staff
    links = []
    if case.agency_id == actor.agency_id and case.current_task == "approve" and actor.has_role("head"):
        links.append({"url": url_for("coordination.discussion", case_id=case.id), "text": "记录集体讨论"})
    if (case.agency_id == actor.agency_id and case.current_task is not None and not panel["flags"]
            and actor.roles & set(FLAGGING_ROLES)):
        links.append({"url": url_for("coordination.complexity", case_id=case.id), "text": "认定情节复杂"})
    return {**panel, "links": links}


def discussion_extra(session: Session, actor: User, case: dict[str, Any]) -> dict[str, Any]:
    """``case_action``'s ``extra``: the art. 57 panel (``discussion``) for an action page."""
    return {"discussion": discussion_panel(session, actor, visible_case(session, actor, int(case["id"])))}
