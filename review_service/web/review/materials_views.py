"""Pages of 审查中补充材料 (issue 19): the reviewer asks for more materials during the review; the handler
uploads them and answers in one step. The review period stands still in between (the case page's 办理期限).
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import StringField, TextAreaField

from review_service.deadlines.materials_requests import (
    answer_materials_request,
    materials_since,
    open_request,
    request_materials,
)
from review_service.organization.models import User
from review_service.organization.settings import MATERIAL_KIND_LABELS
from review_service.web.cases.draft_views import attach_upload
from review_service.web.cases.forms import MaterialForm
from review_service.web.edge import options
from review_service.web.offers import may_answer_materials, may_request_materials
from review_service.web.review.forms import MultiCheckboxField
from review_service.web.review.views import bp
from review_service.web.session import allow
from review_service.web.side_actions import side_action


class MaterialsRequestForm(FlaskForm):
    note = TextAreaField("需要补充的材料及理由")
    kinds = MultiCheckboxField("材料类别（可选）", choices=options(MATERIAL_KIND_LABELS.items()),
                               validate_choice=False)
    expected_version = StringField(render_kw={"type": "hidden"})


class MaterialsAnswerForm(MaterialForm):
    answer = TextAreaField("答复说明（未上传材料时，请写明无法提供的理由）")


@bp.route("/cases/<int:case_id>/review/materials-request", methods=["GET", "POST"])
@allow("reviewer")
def materials_request(case_id: int) -> Any:
    """The case's reviewer asks for more materials; the review period stops counting until the answer."""
    form = MaterialsRequestForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        request_materials(session, actor=actor, case_id=case_id, expected_version=version,
                          data={"note": form.note.data or "", "kinds": list(form.kinds.data or [])})

    return side_action(case_id, form, template="review/materials_request.html", perform=perform,
                       done="已要求承办机构补充材料，审核期限暂停计算。", is_open=may_request_materials)


@bp.route("/cases/<int:case_id>/review/materials-answer", methods=["GET", "POST"])
@allow("handler")
def materials_answer(case_id: int) -> Any:
    """The handler uploads what was asked for (any number of files of one kind) and answers, in one step."""
    form = MaterialsAnswerForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        files = form.files()
        for upload in files:
            attach_upload(session, actor, case_id, form, upload, len(files), version)
            version = None  # the first file moved the case on: the answer follows it in this transaction
        answer_materials_request(session, actor=actor, case_id=case_id, expected_version=version,
                                 data={"answer": form.answer.data or ""})

    def extra(session: Session, actor: User, case: dict[str, Any]) -> dict[str, Any]:
        request = open_request(session, case_id)
        supplied = [] if request is None else materials_since(session, request)
        return {"request": request, "supplied": supplied,
                "kind_labels": [MATERIAL_KIND_LABELS.get(k, k) for k in (request.kinds if request else [])]}

    return side_action(case_id, form, template="review/materials_answer.html", perform=perform,
                       done="已答复补充材料要求，审核期限恢复计算。", is_open=may_answer_materials, extra=extra)
