"""Pages of the handling side: create and edit the draft, upload materials, submit, supplement, sign off."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from review_service.assist.pushes import case_panel
from review_service.case_view.view import case_view
from review_service.cases import operations as case_ops
from review_service.cases.ownership import acts_as_handler
from review_service.cases.queries import case_task_in_scope, visible_case
from review_service.core.errors import Conflict, Forbidden, Invalid, TooLarge
from review_service.edge import runtime
from review_service.organization.models import User
from review_service.replies import operations as reply_ops
from review_service.web.actions import case_action, conflict_response
from review_service.web.assist import remember
from review_service.web.cases.checklist import material_checklist, missing_labels
from review_service.web.cases.forms import AbandonForm, DraftForm, MaterialForm, SignoffForm, SubmitForm, SupplementForm
from review_service.web.cases.views import bp
from review_service.web.edge import Failure, acting, expected_version, reading
from review_service.web.session import allow

EDITABLE = ("draft", "supplement", "resubmit")


@bp.route("/cases/new", methods=["GET", "POST"])
@allow("handler")
def new_case() -> Any:
    """Create a draft; the catalog classifies it at once."""
    form = DraftForm()
    failure = Failure()
    if form.validate_on_submit():
        try:
            with acting() as (session, actor):
                case = case_ops.create_case(session, actor=actor, data=form.draft())
                case_id = case.id
        except Invalid as error:
            failure = Failure.of(error)
        else:
            flash("案件草稿已创建。请上传送审材料后报送法制审核。", "success")
            return redirect(url_for("cases.edit_draft", case_id=case_id))
    elif request.method == "POST":
        failure = Failure.from_form(form)
    return render_template("cases/draft.html", form=form, failure=failure, case=None,
                           material_form=None), 422 if failure else 200


def _draft_page(case_id: int, form: DraftForm, material_form: MaterialForm, failure: Failure,
                material_failure: Failure, status: int) -> Any:
    with reading() as (session, actor):
        row = visible_case(session, actor, case_id)
        case = case_view(session, row)
        waiting = case["tasks"][0]["kind"] if case["tasks"] else None
        # another handler's case: the draft is its assignee's (cases/ownership.py)
        assigned_to = None if acts_as_handler(actor, row) else (case["handler"] or {}).get("name") or "其他承办人员"
        if request.method == "GET":
            draft = {k: v for k, v in case["draft"].items() if k not in ("version", "sha256", "materials")}
            form.fill(draft)
        checklist = material_checklist(session, row, case)
        shown = case_panel(session, actor, case, "handler") if waiting in EDITABLE and not assigned_to else None
        page = render_template("cases/draft.html", form=form, material_form=material_form, failure=failure,
                               material_failure=material_failure, case=case, assigned_to=assigned_to,
                               open=waiting in EDITABLE and not assigned_to, checklist=checklist,
                               missing=missing_labels(checklist), assist=shown)
    remember(shown)  # what the 办案参考 showed, after the read (its own short write)
    return page, status


@bp.route("/cases/<int:case_id>/draft", methods=["GET", "POST"])
@allow("handler")
def edit_draft(case_id: int) -> Any:
    """A new draft version (any change voids an earlier approval)."""
    form, failure, status = DraftForm(), Failure(), 200
    if form.validate_on_submit():
        try:
            with acting() as (session, actor):
                case_task_in_scope(session, actor, case_id)
                case_ops.update_draft(session, actor=actor, case_id=case_id, changes=form.draft(),
                                      expected_version=expected_version())
        except Conflict as error:
            return conflict_response(case_id, error.message)
        except (Invalid, Forbidden) as error:
            failure, status = Failure.of(error), error.http_status
        else:
            flash("草稿已保存为新版本。", "success")
            return redirect(url_for("cases.case", case_id=case_id))
    elif request.method == "POST":
        failure, status = Failure.from_form(form), 422
    return _draft_page(case_id, form, MaterialForm(formdata=None), failure, Failure(), status)


@bp.route("/cases/<int:case_id>/materials", methods=["POST"])
@allow("handler")
def upload_material(case_id: int) -> Any:
    """Upload one or several 送审材料 files of one kind: each one material, stored by its SHA-256.

    All or none: the files are attached in one transaction, so a refused file leaves none of them attached.
    """
    form, failure, status = MaterialForm(), Failure(), 200
    if form.validate_on_submit():
        files = form.files()
        if not files:
            failure, status = Failure("请选择要上传的文件。", {"file": "请选择要上传的文件"}), 422
        else:
            try:
                with acting() as (session, actor):
                    case_task_in_scope(session, actor, case_id)
                    version = expected_version()
                    for upload in files:
                        attach_upload(session, actor, case_id, form, upload, len(files), version)
                        version = None  # the first file moved the case on: the rest follow it in this transaction
            except Conflict as error:
                return conflict_response(case_id, error.message)
            except (Invalid, TooLarge, Forbidden) as error:
                failure, status = Failure.of(error), error.http_status
            else:
                flash(f"已上传 {len(files)} 份材料。" if len(files) > 1 else "材料已上传。", "success")
                return redirect(url_for("cases.edit_draft", case_id=case_id) + "#materials")
    else:
        failure, status = Failure.from_form(form), 422
    return _draft_page(case_id, DraftForm(formdata=None), form, Failure(), failure, status)


def attach_upload(session: Session, actor: User, case_id: int, form: MaterialForm, upload: FileStorage, count: int,
            version: int | None) -> None:
    """One file of an upload; a refusal names the file when several were sent."""
    try:
        case_ops.attach_material(session, actor=actor, case_id=case_id, kind=form.kind.data or "",
                                 title=form.title_for(upload, count), filename=upload.filename or "",
                                 data=upload.read(), content_type=upload.mimetype or None,
                                 blobs=runtime().blobs, max_size=runtime().max_upload, expected_version=version)
    except (Invalid, TooLarge) as error:
        if count == 1:
            raise
        named = f"“{upload.filename}”：{error.message}本次选择的文件均未上传。"
        if isinstance(error, TooLarge):
            raise TooLarge(named, **error.details) from error
        raise Invalid(named, fields={name: f"“{upload.filename}”{reason}" for name, reason in error.fields.items()},
                      **{k: v for k, v in error.details.items() if k != "fields"}) from error


def _checklist(session: Session, actor: User, case: dict[str, Any]) -> dict[str, Any]:
    checklist = material_checklist(session, visible_case(session, actor, int(case["id"])), case)
    return {"checklist": checklist, "missing": missing_labels(checklist)}


@bp.route("/cases/<int:case_id>/submit", methods=["GET", "POST"])
@allow("handler")
def submit(case_id: int) -> Any:
    """Submit (or resubmit after a reply) with the handler's attestation."""
    form = SubmitForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        if case_task_in_scope(session, actor, case_id) == "resubmit":
            reply_ops.resubmit_case(session, actor=actor, case_id=case_id, attest=bool(form.attest.data),
                                    expected_version=version)
        else:
            case_ops.submit_case(session, actor=actor, case_id=case_id, attest=bool(form.attest.data),
                                 expected_version=version)

    return case_action(case_id, form, tasks=("draft", "resubmit"), template="cases/submit.html", perform=perform,
                       done="已报送。", extra=_checklist)


@bp.route("/cases/<int:case_id>/supplement", methods=["GET", "POST"])
@allow("handler")
def supplement(case_id: int) -> Any:
    form = SupplementForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        case_ops.supplement_materials(session, actor=actor, case_id=case_id, note=form.note.data or "",
                                      expected_version=version)

    return case_action(case_id, form, tasks=("supplement",), template="cases/supplement.html", perform=perform,
                       done="已报告材料补充完毕，等待审核人员受理审查。", extra=_checklist)


@bp.route("/cases/<int:case_id>/signoff", methods=["GET", "POST"])
@allow("unit_head")
def signoff(case_id: int) -> Any:
    form = SignoffForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        case_ops.sign_off(session, actor=actor, case_id=case_id, approve=form.approve.data == "yes",
                          comment=form.comment.data or "", expected_version=version)

    return case_action(case_id, form, tasks=("signoff",), template="cases/signoff.html", perform=perform,
                       done="签核意见已提交。")


@bp.route("/cases/<int:case_id>/abandon", methods=["GET", "POST"])
@allow("handler")
def abandon(case_id: int) -> Any:
    form = AbandonForm()

    def perform(session: Session, actor: User, version: int | None) -> None:
        reply_ops.abandon_case(session, actor=actor, case_id=case_id, reason=form.reason.data or "",
                               expected_version=version)

    return case_action(case_id, form, tasks=("resubmit",), template="cases/abandon.html", perform=perform,
                       done="已记录不再作出该决定，案件终止。")
