"""改派承办人: the unit head (承办机构负责人) moves a case to another handler of the agency, with a reason.

From then on the case's handler tasks are the new handler's alone (cases/ownership.py): the old
handler is refused, the new one acts, the to-do lists and the reminders of the open handler
deadlines (reply, publication, withdrawal) follow. The process does not move: nothing of the
case's record changes but its assignee. Audited as ``case_reassigned`` (from, to, reason).
Possible at any step, a suspended case included (a handler may leave while it waits).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.cases.flow import lock_case
from review_service.cases.models import Case
from review_service.cases.participants import participants
from review_service.cases.schemas import parse_input
from review_service.core import signals
from review_service.core.actions import Action
from review_service.core.clock import utcnow
from review_service.core.errors import Forbidden, Invalid
from review_service.core.permissions import require_role
from review_service.organization.models import User


def _id_as_text(value: Any) -> Any:
    """An id given as a JSON number is read as its digits (one field: the reasons name ``handler`` alone)."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class ReassignIn(BaseModel):
    """The handler to take the case over (a user id or a username) and why."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    handler: Annotated[str, BeforeValidator(_id_as_text), Field(min_length=1, max_length=100),
                       WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string"}],
                                       "description": "the new handler: a user id or a username of the agency"})]
    reason: str = Field(min_length=1, max_length=2000, description="why the case changes hands (必填)")


def _new_handler(session: Session, case: Case, ref: int | str) -> User:
    """The user ``ref`` names, if an active handler of the case's agency; otherwise ``invalid`` on ``handler``."""
    key = str(ref).strip()
    of_agency = select(User).where(User.agency_id == case.agency_id)
    user: User | None = None
    if not key.isdigit():
        user = session.scalars(of_agency.where(User.username == key)).unique().one_or_none()
    elif len(key) < 10:  # an id (digits are an id, as in the collective discussion's references)
        user = session.scalars(of_agency.where(User.id == int(key))).unique().one_or_none()
    if user is None:
        raise Invalid("改派对象不是本机关的用户。", fields={"handler": "请选择本机关的承办人员"})
    if not user.active:
        raise Invalid(f"{user.name}的账号已停用。", fields={"handler": "账号已停用"})
    if not user.has_role("handler"):
        raise Invalid(f"{user.name}不是承办人员。", fields={"handler": "不是承办人员"})
    return user


def reassign_case(session: Session, *, actor: User, case_id: int, data: Any,
                  expected_version: int | None = None) -> Case:
    """The unit head reassigns the case to another active handler of the agency (a reason is required)."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version, while_suspended=True)
    require_role(actor, "unit_head")
    body = parse_input(ReassignIn, data)
    new = _new_handler(session, case, body.handler)
    if new.id == case.handler_id:
        raise Invalid(f"本案已由{new.name}承办，无需改派。", fields={"handler": "已是本案承办人"})
    people = participants(session, case)
    if new.id in people.reviewers | people.advisors:
        raise Forbidden("本案的审核人员或法律顾问不能承办本案。", rule="separation_of_duties")
    old = session.get(User, case.handler_id)
    # the handler's open deadlines follow (deadlines): their reminders go to whoever handles the case now
    signals.send_required(signals.handler_reassigned, case, session=session, case=case, handler_id=new.id)
    case.handler_id = new.id
    case.version += 1
    case.updated_at = utcnow()
    signals.emit(Action.CASE_REASSIGNED, session=session, actor=actor, role="unit_head", agency_id=case.agency_id,
                 case_id=case.id,
                 payload={"from_handler_id": old.id if old else None, "from_handler": old.name if old else "",
                          "to_handler_id": new.id, "to_handler": new.name, "reason": body.reason,
                          "at_task": case.current_task, "status": case.status})
    return case
