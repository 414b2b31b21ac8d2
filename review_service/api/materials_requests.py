"""审查中补充材料 (issue 19): the case's reviewer asks for more materials during the review, the handler answers.

The review period stands still between the two (a dated pause in ``GET …/clocks``); meanwhile the handler may
attach materials (``POST …/materials``) although the case waits on the review.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from review_service.api.cases import WRITE_ERRORS, case_after_commit
from review_service.api.edge import Render, endpoint, if_match
from review_service.api.shapes import CaseOut
from review_service.cases.queries import case_task_in_scope
from review_service.deadlines.materials_requests import (
    MaterialsAnswerIn,
    MaterialsRequestIn,
    answer_materials_request,
    request_materials,
)
from review_service.edge import json_body
from review_service.organization.models import User


@endpoint("POST", "/cases/<int:case_id>/review/materials-request",
          summary="审查中要求补充材料（本案审核人员）", body=MaterialsRequestIn, response=CaseOut,
          errors=WRITE_ERRORS, roles=("reviewer",),
          description="While the case waits on the review, one open request at a time. The review period stops "
                      "counting today until the handler answers. Audited as review_materials_requested.")
def materials_request(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    request_materials(session, actor=actor, case_id=case_id, data=json_body(), expected_version=if_match())
    return case_after_commit(actor, case_id)


@endpoint("POST", "/cases/<int:case_id>/review/materials-request/answer",
          summary="答复审查中的补充材料要求（承办人员）", body=MaterialsAnswerIn, response=CaseOut,
          errors=WRITE_ERRORS, roles=("handler",),
          description="Names the materials attached since the request; with none attached, `answer` must say why "
                      "they cannot be supplied (422 otherwise). The review period counts again from where it "
                      "stopped. Audited as review_materials_answered.")
def materials_answer(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    answer_materials_request(session, actor=actor, case_id=case_id, data=json_body(), expected_version=if_match())
    return case_after_commit(actor, case_id)
