"""Verbs of the handling side: create and edit a draft, attach materials, submit, supplement, sign off."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from review_service.cases.classification import classify_draft
from review_service.cases.flow import CaseFlow, lock_case, start_workflow
from review_service.cases.gate import ever_major, gated
from review_service.cases.models import Case, DraftVersion, Material, Signoff, Submission
from review_service.cases.ownership import require_case_handler
from review_service.cases.participants import participants
from review_service.cases.schemas import DraftIn, merge_draft, parse_draft
from review_service.cases.splits import flag_possible_splits
from review_service.cases.storage import DEFAULT_MAX_UPLOAD, BlobStore
from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.core.canonical import canonical_json, sha256_hex
from review_service.core.errors import Invalid, TooLarge
from review_service.core.permissions import require_not_in, require_role
from review_service.organization.models import Agency, User
from review_service.organization.settings import MATERIAL_KIND_LABELS, agency_settings

ATTESTATION = "本承办机构承诺：所报送的材料真实、准确、完整，并对案件事实、证据、法律适用和程序的合法性负责。"
EDITABLE_TASKS = ("draft", "supplement", "resubmit")
HEARING_RECORD = "hearing_record"  # 听证笔录/报告: required when the draft says a hearing was held
_LAST_DRAFT_VERSION = select(func.max(DraftVersion.version)).where(DraftVersion.case_id == bindparam("case_id"))
_MATERIAL_KINDS = select(Material.kind).where(Material.case_id == bindparam("case_id"))


def _emit(session: Session, action: Action, case: Case, actor: User, role: str, payload: dict[str, Any]) -> None:
    signals.emit(action, session=session, actor=actor, role=role, agency_id=case.agency_id, case_id=case.id,
                 payload=payload)


def _add_draft_version(session: Session, case: Case, draft: DraftIn, actor: User, *, first: bool = False
                       ) -> DraftVersion:
    content = canonical_json(draft.content())
    number = 1 if first else (session.scalar(_LAST_DRAFT_VERSION, {"case_id": case.id}) or 0) + 1
    version = DraftVersion(case_id=case.id, version=number, content=content,
                           sha256=sha256_hex(content.encode("utf-8")), created_by=actor.id)
    tx.record(session, version)
    case.current_draft_id = version.id
    case.title = draft.title
    case.case_number = draft.case_number
    case.decision_type = draft.decision_type
    case.filed_on = draft.filed_on
    return version


def require_handler(session: Session, case: Case, actor: User) -> None:
    """The case's own handler (cases/ownership.py), who neither reviews nor advises on it."""
    require_role(actor, "handler")
    people = participants(session, case)
    require_not_in(actor, people.reviewers | people.advisors, "本案的审核人员或法律顾问不能承办本案。")
    require_case_handler(session, actor, case)


def create_case(session: Session, *, actor: User, data: Any) -> Case:
    """Create a case with its first draft version, start its process and classify it at once."""
    require_role(actor, "handler")
    draft = parse_draft(data)
    instance, first_task = start_workflow(session)
    case = Case(agency_id=actor.agency_id, handler_id=actor.id, title=draft.title, decision_type=draft.decision_type,
                workflow_instance_id=instance.id, current_task=first_task.kind, current_task_id=first_task.id)
    session.add(case)
    session.flush()
    # the agency by key (classification reads it): cheaper than the relationship's lazy load of a new row
    set_committed_value(case, "agency", session.get(Agency, actor.agency_id))
    version = _add_draft_version(session, case, draft, actor, first=True)
    classification = classify_draft(session, case, version, new_draft=True)
    case.major = classification.major
    _emit(session, Action.CASE_CREATED, case, actor, "handler",
          {"draft_version": version.version, "draft_sha256": version.sha256, "major": classification.major,
           "matched_rules": [m["rule_id"] for m in classification.matched]})
    return case


def update_draft(session: Session, *, actor: User, case_id: int, changes: Any,
                 expected_version: int | None = None) -> DraftVersion:
    """Make a new draft version (any subset of fields). Any earlier approval no longer covers it."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_handler(session, case, actor)
    flow = CaseFlow(session, case)
    if not any(flow.run.find_ready(kind) for kind in EDITABLE_TASKS):
        raise Invalid("当前环节不能修改草稿。", fields={"draft": "草稿仅在起草、补充材料或重新报送环节可以修改"},
                      status=case.status)
    assert case.current_draft is not None
    current = json.loads(case.current_draft.content)
    draft = merge_draft(current, changes)
    if canonical_json(draft.content()) == case.current_draft.content:
        return case.current_draft
    version = _add_draft_version(session, case, draft, actor)
    classification = classify_draft(session, case, version, new_draft=True)
    case.major = gated(session, case, classification)  # once major, a lower draft stays under the gate
    case.version += 1
    _emit(session, Action.DRAFT_UPDATED, case, actor, "handler",
          {"draft_version": version.version, "draft_sha256": version.sha256, "major": case.major,
           "catalog_major": classification.major})
    return version


def attach_material(session: Session, *, actor: User, case_id: int, kind: str, title: str, filename: str,
                    data: bytes, content_type: str | None, blobs: BlobStore,
                    max_size: int = DEFAULT_MAX_UPLOAD, expected_version: int | None = None) -> Material:
    """Store an uploaded material by its SHA-256 and record it on the case."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_handler(session, case, actor)
    # what a reviewer reviews must not change under them, unless the reviewer asked for more (审查中补充材料)
    if (case.current_task not in EDITABLE_TASKS
            and not signals.ask(signals.materials_welcome, case, session=session, case=case)):
        raise Invalid("当前环节不能添加送审材料。", status=case.status,
                      fields={"file": "仅在起草、补充材料、重新报送环节，或审核人员要求补充材料时，可以添加材料"})
    if len(data) > max_size:
        raise TooLarge(f"文件超过大小上限（{max_size // (1024 * 1024)} MiB）。", limit=max_size, size=len(data))
    fields = {}
    if kind not in MATERIAL_KIND_LABELS:
        fields["kind"] = "材料类别不正确"
    if not title.strip():
        fields["title"] = "请填写材料名称"
    if not data:
        fields["file"] = "文件为空"
    if fields:
        raise Invalid("材料信息有误。", fields=fields)
    digest = blobs.put(data)
    material = Material(case_id=case.id, kind=kind, title=title.strip(), filename=filename[:300] or "upload",
                        content_type=content_type, sha256=digest, size=len(data), uploaded_by=actor.id)
    session.add(material)
    session.flush()
    case.version += 1
    _emit(session, Action.MATERIAL_ATTACHED, case, actor, "handler",
          {"material_id": material.id, "kind": kind, "title": material.title, "sha256": digest, "size": len(data)})
    return material


def required_materials(case: Case) -> list[str]:
    """The 送审材料 kinds the case's submission must carry (the draft page's checklist shows them).

    A decision taken after a hearing needs the hearing record (听证笔录/报告) whatever the agency requires.
    """
    assert case.current_draft is not None
    draft = json.loads(case.current_draft.content)
    required = list(agency_settings(case.agency).required_for(case.decision_type))
    if draft.get("hearing_held") and HEARING_RECORD not in required:
        required.append(HEARING_RECORD)
    return required


def missing_reason(missing: list[str]) -> str:
    """The ``materials`` field's reason, naming each missing kind in Chinese (the code stays ``invalid``)."""
    return "缺少" + "、".join(MATERIAL_KIND_LABELS.get(k, k) for k in missing)


def missing_materials(session: Session, case: Case) -> list[str]:
    """Required 送审材料 kinds that are neither uploaded nor listed in the draft."""
    assert case.current_draft is not None
    draft = json.loads(case.current_draft.content)
    required = required_materials(case)
    present = set(session.scalars(_MATERIAL_KINDS, {"case_id": case.id}))
    present |= {item["kind"] for item in draft.get("materials", [])}
    return [kind for kind in required if kind not in present]


def submit_case(session: Session, *, actor: User, case_id: int, attest: bool,
                expected_version: int | None = None) -> Case:
    """Submit the draft for review (major) or approval (not major), with the handler's attestation."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_handler(session, case, actor)
    flow = CaseFlow(session, case)
    flow.require_task("draft")
    if not attest:
        raise Invalid("请确认送审材料真实、准确、完整。", fields={"attest": "须承诺材料真实、准确、完整"})
    missing = missing_materials(session, case)
    if missing:
        raise Invalid("送审材料不齐全：" + "、".join(MATERIAL_KIND_LABELS.get(k, k) for k in missing),
                      fields={"materials": missing_reason(missing)}, missing=missing)
    draft = case.current_draft
    assert draft is not None
    classification = classify_draft(session, case, draft)
    # Once major, always under the gate: the catalog's verdict alone cannot take a case out of review.
    major = gated(session, case, classification)
    case.major = major or ever_major(session, case)  # the case list and indicator (108) count it as major for good
    agency = case.agency
    settings = agency_settings(agency)
    submission = Submission(case_id=case.id, draft_version_id=draft.id, draft_sha256=draft.sha256,
                            round=case.round, kind="submit", major=major, submitted_by=actor.id, attested=True,
                            attestation=ATTESTATION)
    tx.record(session, submission)
    flow.complete("draft", {"major": major, "signoff_required": settings.signoff_required},
                  actor=actor, role="handler")
    _emit(session, Action.CASE_SUBMITTED, case, actor, "handler",
          {"submission_id": submission.id, "draft_version": draft.version, "draft_sha256": draft.sha256,
           "major": major, "catalog_major": classification.major,
           "catalog": [classification.catalog_id, classification.catalog_version],
           "matched_rules": [m["rule_id"] for m in classification.matched], "attestation": ATTESTATION,
           "status": case.status})
    flag_possible_splits(session, case=case, draft=draft, actor=actor)
    return case


def sign_off(session: Session, *, actor: User, case_id: int, approve: bool, comment: str = "",
             expected_version: int | None = None) -> Case:
    """The unit head signs off a submission before it goes to review, or sends it back."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_role(actor, "unit_head")
    flow = CaseFlow(session, case)
    flow.require_task("signoff")
    submission = session.scalars(select(Submission).where(Submission.case_id == case.id)
                                 .order_by(Submission.id.desc()).limit(1)).one()
    # inserted at once: participants() reads signoffs on the connection (the unit head counts as handling)
    tx.record(session, Signoff(case_id=case.id, submission_id=submission.id, unit_head_id=actor.id,
                                   approved=approve, comment=comment.strip()))
    flow.complete("signoff", {"signed_off": approve}, actor=actor, role="unit_head")
    _emit(session, Action.SUBMISSION_SIGNED_OFF if approve else Action.SUBMISSION_SENT_BACK, case, actor, "unit_head",
          {"submission_id": submission.id, "comment": comment.strip(), "status": case.status})
    return case


def supplement_materials(session: Session, *, actor: User, case_id: int, note: str = "",
                         expected_version: int | None = None) -> Case:
    """The handler reports the missing materials supplied; the reviewer checks intake again."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_handler(session, case, actor)
    flow = CaseFlow(session, case)
    flow.require_task("supplement")
    missing = missing_materials(session, case)
    if missing:
        raise Invalid("仍缺少送审材料：" + "、".join(MATERIAL_KIND_LABELS.get(k, k) for k in missing),
                      fields={"materials": missing_reason(missing)}, missing=missing)
    flow.complete("supplement", {}, actor=actor, role="handler")
    draft = case.current_draft
    assert draft is not None
    _emit(session, Action.MATERIALS_SUPPLEMENTED, case, actor, "handler",
          {"note": note.strip(), "draft_sha256": draft.sha256, "status": case.status})
    return case
