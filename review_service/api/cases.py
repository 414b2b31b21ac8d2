"""``/api/v1/cases``: create, read, list, edit the draft, upload materials, submit."""

from __future__ import annotations

import copy
from typing import Any

from flask import request
from sqlalchemy.orm import Session

from review_service.api.edge import Render, endpoint, if_match, parse_body
from review_service.api.shapes import CaseList, CaseOut, CaseQuery, MaterialCreated, MaterialForm, SubmitIn
from review_service.case_view.view import visible_case_view
from review_service.cases import operations as case_ops
from review_service.cases.queries import case_task_in_scope, list_cases
from review_service.cases.schemas import DraftIn, parse_input
from review_service.core.errors import Invalid
from review_service.core.permissions import require_case_reader
from review_service.edge import check_text, json_body, runtime
from review_service.organization.models import User
from review_service.replies import operations as reply_ops

WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 422)


def patch_schema(draft_schema: dict[str, Any]) -> dict[str, Any]:
    """The PATCH body: the draft's own schema with every field optional (nested objects merge)."""
    schema = copy.deepcopy(draft_schema)
    schema.pop("required", None)
    schema["title"] = "DraftPatch"
    schema["description"] = "Any subset of the draft's fields; nested objects merge one level deep."
    return schema


def _case(session: Session, actor: User, case_id: int) -> dict[str, Any]:
    return visible_case_view(session, actor, case_id)


def case_after_commit(actor: User, case_id: int, **extra: Any) -> Render:
    """The case as it stands after this request's commit (read outside the write lock)."""
    return Render(lambda session: {**_case(session, actor, case_id), **extra})


@endpoint("POST", "/cases", summary="新建案件草稿（承办人员）", body=DraftIn, response=CaseOut, status=201,
          errors=(400, 401, 403, 413, 422), roles=("handler",),
          description="The classification is computed at once and shown in the response.")
def create_case(session: Session, actor: User) -> Render:
    case = case_ops.create_case(session, actor=actor, data=json_body())
    return case_after_commit(actor, case.id)


@endpoint("GET", "/cases", summary="案件列表（按调用者权限范围）", query=CaseQuery, response=CaseList,
          errors=(400, 401, 422))
def get_cases(session: Session, actor: User) -> dict[str, Any]:
    require_case_reader(actor)  # the admin searches no case (三权分立)
    params = parse_input(CaseQuery, check_text(request.args.to_dict()))
    return list_cases(session, actor, status=params.status.value if params.status else None,
                      agency_id=params.agency, q=params.q, page=params.page)


@endpoint("GET", "/cases/<int:case_id>", summary="案件详情", response=CaseOut, errors=(401, 404))
def get_case(session: Session, actor: User, case_id: int) -> dict[str, Any]:
    return _case(session, actor, case_id)


@endpoint("PATCH", "/cases/<int:case_id>/draft", summary="修改草稿，形成新的草稿版本（承办人员）", body=DraftIn,
          body_schema=patch_schema, response=CaseOut, errors=WRITE_ERRORS, roles=("handler",),
          description="Any change after a review approved the draft voids that approval: the case needs review "
                      "again. Editable while the case waits for drafting, supplementing or resubmission.")
def patch_draft(session: Session, actor: User, case_id: int) -> Render:
    case_task_in_scope(session, actor, case_id)
    case_ops.update_draft(session, actor=actor, case_id=case_id, changes=json_body(), expected_version=if_match())
    return case_after_commit(actor, case_id)


@endpoint("POST", "/cases/<int:case_id>/materials", summary="上传送审材料（multipart：file、kind、title）",
          multipart=MaterialForm, response=MaterialCreated, status=201, errors=WRITE_ERRORS, roles=("handler",),
          description="The size limit is REVIEW_SERVICE_MAX_UPLOAD bytes (default 50 MiB); larger → 413 too_large.")
def upload_material(session: Session, actor: User, case_id: int) -> dict[str, Any]:
    case_task_in_scope(session, actor, case_id)
    form = check_text(request.form.to_dict())
    upload = request.files.get("file")
    fields = {name: "必填" for name in ("kind", "title") if name not in form}
    if upload is None:
        fields["file"] = "请选择要上传的文件"
    if fields:
        raise Invalid("材料信息有误。", fields=fields)
    assert upload is not None
    parsed = parse_input(MaterialForm, form)
    filename = check_text({"file": upload.filename or "upload"})["file"]
    material = case_ops.attach_material(session, actor=actor, case_id=case_id, kind=parsed.kind, title=parsed.title,
                                        filename=filename, data=upload.read(), content_type=upload.mimetype or None,
                                        blobs=runtime().blobs, max_size=runtime().max_upload,
                                        expected_version=if_match())
    return {"id": str(material.id), "sha256": material.sha256, "size": material.size}


@endpoint("POST", "/cases/<int:case_id>/submit", summary="报送（或修改后重新报送）法制审核（承办人员）",
          body=SubmitIn, body_optional=True, response=CaseOut, errors=WRITE_ERRORS, roles=("handler",),
          description="A major case goes to in_review, a case that is not major to awaiting_approval; after an "
                      "opinion whose replies were all accepted this resubmits the (edited) draft. Submitting is "
                      "the handler's attestation that the materials are true, accurate and complete: `attest` "
                      "defaults to true and false is refused. Missing required materials → 422 with details.missing.")
def submit(session: Session, actor: User, case_id: int) -> Render:
    task = case_task_in_scope(session, actor, case_id)
    body = parse_body(SubmitIn, optional=True)
    if task == "resubmit":
        reply_ops.resubmit_case(session, actor=actor, case_id=case_id, attest=body.attest,
                                expected_version=if_match())
    else:
        case_ops.submit_case(session, actor=actor, case_id=case_id, attest=body.attest, expected_version=if_match())
    return case_after_commit(actor, case_id)

