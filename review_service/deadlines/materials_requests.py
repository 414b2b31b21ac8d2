"""审查中补充材料: the case's reviewer asks the handling unit for more materials during the review (issue 19).

The review period counts from the receipt of complete materials; what the review body asks for later is
time the unit spends, not the review body: the period stands still from the request until the unit answers
(a dated pause on the case, DESIGN.md §8; 广东省重大行政执法决定法制审核办法 style: 补充材料的时间不计入审核
期限). Meanwhile the handler may attach materials although the case waits on the review
(``materials_welcome``), and the review's timers leave the tick's index so that no reminder runs on a clock
that stands still.

- :func:`request_materials`: the reviewer of the case, while it waits on the review, one open request at a time.
- :func:`answer_materials_request`: the handler, with the materials attached since the request or a written
  reason why they cannot be supplied; the period goes on from where it stopped.
- :func:`lapse_with_deadline`: the review ending before the answer (the opinion, a withdrawal) ends the request
  and its pause that day (``tracking.after_step``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from review_service.calendar.queries import calendar_from_db
from review_service.cases.flow import lock_case
from review_service.cases.models import Case, Material
from review_service.cases.operations import require_handler
from review_service.cases.schemas import parse_input
from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.core.clock import beijing_today, utcnow
from review_service.core.errors import Conflict, Invalid
from review_service.deadlines import review_period
from review_service.deadlines.models import Deadline, DeadlineKind, MaterialsRequest
from review_service.deadlines.operations import hold_timers, move_timers
from review_service.deadlines.tracking import open_deadlines
from review_service.organization.models import User
from review_service.organization.settings import MATERIAL_KIND_LABELS
from review_service.review.assignee import require_assigned_reviewer


class MaterialsRequestIn(BaseModel):
    """What the reviewer needs: in words (required), and the material kinds if they are among the usual ones."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str = Field(min_length=1, max_length=2000, description="the materials needed and why")
    kinds: list[str] = Field(default_factory=list, max_length=20,
                             description="material kinds asked for: " + ", ".join(MATERIAL_KIND_LABELS))


class MaterialsAnswerIn(BaseModel):
    """The unit's answer; required when no material was attached since the request (why none can be)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    answer: str = Field(default="", max_length=2000)


_OPEN = select(MaterialsRequest).where(MaterialsRequest.case_id == bindparam("case_id"),
                                       MaterialsRequest.outcome.is_(None))
_OF_CASE = select(MaterialsRequest).where(MaterialsRequest.case_id == bindparam("case_id")).order_by(
    MaterialsRequest.id)
_SINCE = select(Material).where(Material.case_id == bindparam("case_id"),
                                Material.uploaded_at > bindparam("since")).order_by(Material.id)


def open_request(session: Session, case_id: int) -> MaterialsRequest | None:
    """The case's request for materials still awaiting the unit's answer, if any."""
    return session.scalars(_OPEN, {"case_id": case_id}).one_or_none()


def case_requests(session: Session, case_id: int) -> list[MaterialsRequest]:
    """Every request for materials of the case, oldest first."""
    return list(session.scalars(_OF_CASE, {"case_id": case_id}))


def materials_since(session: Session, request: MaterialsRequest) -> list[Material]:
    """The materials the handler attached after the request (what the answer supplies)."""
    return list(session.scalars(_SINCE, {"case_id": request.case_id, "since": request.requested_at}))


def welcomes_materials(session: Session, case: Case) -> bool:
    """The handler may add materials now: the reviewer asked for them during this review."""
    return case.current_task == "review" and open_request(session, case.id) is not None


def _review_deadline(session: Session, case: Case) -> Deadline:
    deadline = next(iter(open_deadlines(session, case.id, frozenset({DeadlineKind.REVIEW}))), None)
    if deadline is None or deadline.task_id is None:
        raise Conflict("案件当前没有进行中的法制审核期限。", actual_version=case.version)
    return deadline


def _emit(session: Session, action: Action, case: Case, actor: User, role: str, payload: dict[str, Any]) -> None:
    case.version += 1
    case.updated_at = utcnow()
    signals.emit(action, session=session, actor=actor, role=role, agency_id=case.agency_id, case_id=case.id,
                 payload=payload)


def request_materials(session: Session, *, actor: User, case_id: int, data: Any,
                      expected_version: int | None = None) -> MaterialsRequest:
    """The case's reviewer asks for more materials during the review; the review period stops counting today."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_assigned_reviewer(session, case, actor)
    if case.current_task != "review":
        raise Conflict("案件不在审查环节，不能要求补充材料。", actual_version=case.version, status=case.status)
    wanted = parse_input(MaterialsRequestIn, data)
    unknown = [kind for kind in wanted.kinds if kind not in MATERIAL_KIND_LABELS]
    if unknown:
        raise Invalid("材料类别不正确。", fields={"kinds": "请从列出的材料类别中选择"})
    if open_request(session, case.id) is not None:
        raise Conflict("本案已有尚未答复的补充材料要求。", rule="pending", actual_version=case.version)
    deadline = _review_deadline(session, case)
    today = beijing_today()
    pause = review_period.pause_for_materials(session, deadline, today)
    hold_timers(session, case)
    request = tx.record(session, MaterialsRequest(
        case_id=case.id, round=case.round + 1, requested_by=actor.id, requested_at=utcnow(),
        kinds=list(dict.fromkeys(wanted.kinds)), note=wanted.note, pause_id=pause.id, answer="", material_ids=[]))
    _emit(session, Action.REVIEW_MATERIALS_REQUESTED, case, actor, "reviewer",
          {"request_id": request.id, "kinds": request.kinds, "note": request.note, "pause_id": pause.id,
           "started_on": today.isoformat()})
    return request


def answer_materials_request(session: Session, *, actor: User, case_id: int, data: Any,
                             expected_version: int | None = None) -> MaterialsRequest:
    """The handler answers the open request; the review period counts again from where it stopped."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_handler(session, case, actor)
    reply = parse_input(MaterialsAnswerIn, data)
    request = open_request(session, case.id)
    if request is None or case.current_task != "review":
        raise Conflict("本案没有待答复的补充材料要求。", rule="no_request", actual_version=case.version)
    supplied = [material.id for material in materials_since(session, request)]
    if not supplied and not reply.answer:
        raise Invalid("请上传所要求的材料，或写明无法提供的理由。",
                      fields={"answer": "未上传材料时，请写明无法提供的理由"})
    deadline = _review_deadline(session, case)
    due_before = deadline.due_on.isoformat()
    assert request.pause_id is not None
    pause = review_period.request_answered(session, deadline, request.pause_id, beijing_today(),
                                           calendar_from_db(session))
    if deadline.paused_on is None:  # no 中止 holds it: its reminders run again on the new due times
        move_timers(session, case, deadline)
    request.outcome, request.closed_at, request.answered_by = "answered", utcnow(), actor.id
    request.answer, request.material_ids = reply.answer, supplied
    session.flush()
    _emit(session, Action.REVIEW_MATERIALS_ANSWERED, case, actor, "handler",
          {"request_id": request.id, "material_ids": supplied, "answer": reply.answer, "pause_id": request.pause_id,
           "paused_days": (pause.days or 0) if pause is not None else 0, "due_before": due_before,
           "due_after": deadline.due_on.isoformat()})
    return request
