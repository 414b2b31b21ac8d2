"""Issue a document: render the kind's template, store the bytes by SHA-256, record the row, audit it.

:func:`issue_document` is the one verb; the ``issue_*`` helpers are what the step operations call
as their last line (``submit_opinion`` → ``opinion``, ``reply_to_opinion`` → ``reply``,
``coordinate`` → ``coordination``, ``approve_decision`` (approved) → ``approval``, a recorded collective
discussion → ``collective_discussion``). A document once
issued never changes: the row is immutable and a later round or a second reply issues a new one.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from review_service.audit.writer import last_appended_seq
from review_service.cases.models import Case
from review_service.coordination.models import Coordination
from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.core.clock import beijing_today
from review_service.core.process_state import ProcessState
from review_service.decisions.models import Decision
from review_service.documents import context as contexts
from review_service.documents.models import KIND_LABELS, UNNUMBERED_KINDS, Document
from review_service.documents.numbering import assign_number
from review_service.documents.rendering import TemplateRefused, compile_sources, load_template, render
from review_service.documents.storage import blobs_for, template_file, template_files, template_path
from review_service.review.models import Reply, Review

ROLE_OF_KIND = {"opinion": "reviewer", "reply": "handler", "coordination": "head", "approval": "head",
                "accountability": "auditor", "collective_discussion": "head"}
_NEXT_SEQUENCE = select(func.max(Document.sequence)).where(
    Document.case_id == bindparam("case_id"), Document.kind == bindparam("kind"), Document.round == bindparam("round"))
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def document_filename(case: Case, kind: str, round: int, sequence: int) -> str:
    """``西市监处〔2026〕123号-法制审核意见书-第2轮.docx`` (a second reply of a round gets ``-2``)."""
    stem = _UNSAFE_FILENAME.sub("_", case.case_number or f"案件{case.id}")
    suffix = f"-{sequence}" if sequence > 1 else ""
    return f"{stem}-{KIND_LABELS[kind]}-第{round}轮{suffix}.docx"


def load_templates(state: ProcessState) -> None:
    """Read, check and compile every kind's template of ``state``'s runtime now, so that no action pays for it
    (a server's warm-up)."""
    files = template_files(state)
    for kind in KIND_LABELS:
        path, source = template_file(state.instance_path, kind)
        try:
            compile_sources(load_template(path, kind, source, files))
        except TemplateRefused:
            continue  # refused again, with its reason, by the action that issues it


def issue_document(session: Session, *, case: Case, kind: str, round: int, context: dict[str, Any], actor: Any,
                   role: str | None = None, sequence: int | None = None) -> Document:
    """Render ``kind`` for ``case`` and record it; return the new (flushed) :class:`Document`.

    The template gets the case context (:func:`~review_service.documents.context.case_context`) with
    ``context`` laid over it. The bytes go to the instance's blob store under their SHA-256 and the
    ``document_issued`` audit event names kind, round, sequence, SHA-256 and the template's SHA-256.
    An unsafe or broken template raises ``TemplateRefused`` (422 ``invalid``) and nothing is recorded.
    ``sequence`` (the n-th document of this kind in this round) is counted when not given.
    Each document but the 代拟稿 (``UNNUMBERED_KINDS``) gets the next 文号 of its kind
    (:func:`~review_service.documents.numbering.assign_number`, in this transaction): stored on the row,
    given to the template as ``document_number`` and named by the audit event.
    """
    if kind not in KIND_LABELS:
        raise ValueError(f"unknown document kind: {kind}")
    path, source = template_path(session, kind)
    template = load_template(path, kind, source, template_files(session))
    # the step contexts (opinion_context …) are built on case_context already: no second read of the draft
    full = context if "case_number" in context else {**contexts.case_context(session, case, kind=kind, round=round),
                                                     **context}
    number = None
    if kind not in UNNUMBERED_KINDS:  # the number is the document's own, whatever the context says
        number = assign_number(session, agency_id=case.agency_id, kind=kind, on=beijing_today())
        full = {**full, "document_number": number}
    data = render(template, full)
    digest = blobs_for(session).put(data)
    if sequence is None:
        sequence = int(session.scalar(_NEXT_SEQUENCE, {"case_id": case.id, "kind": kind, "round": round}) or 0) + 1
    filename = document_filename(case, kind, round, sequence)
    signals.emit(Action.DOCUMENT_ISSUED, session=session, actor=actor, role=role or ROLE_OF_KIND[kind],
                 agency_id=case.agency_id, case_id=case.id,
                 payload={"kind": kind, "round": round, "sequence": sequence, "sha256": digest, "size": len(data),
                          "filename": filename, "template_sha256": template.sha256, "template_source": source,
                          "number": number})
    document = Document(case_id=case.id, kind=kind, round=round, sequence=sequence, sha256=digest, size=len(data),
                        filename=filename, template_sha256=template.sha256, template_source=source,
                        audit_seq=last_appended_seq(session),  # the document_issued event just written
                        issued_by=getattr(actor, "id", None), number=number)
    return tx.record(session, document)


def issue_opinion(session: Session, *, case: Case, review: Review, actor: Any) -> Document:
    """The 法制审核意见书 of ``review``'s round (called by ``submit_opinion``)."""
    return issue_document(session, case=case, kind="opinion", round=review.round,
                          context=contexts.opinion_context(session, case, review), actor=actor, sequence=1)


def issue_reply(session: Session, *, case: Case, reply: Reply, actor: Any) -> Document:
    """The unit's 书面回复 (called by ``reply_to_opinion``)."""
    return issue_document(session, case=case, kind="reply", round=reply.round,
                          context=contexts.reply_context(session, case, reply), actor=actor,
                          sequence=reply.sequence)


def issue_coordination(session: Session, *, case: Case, record: Coordination, actor: Any) -> Document:
    """The coordination / collective-discussion record (called by ``coordinate``)."""
    return issue_document(session, case=case, kind="coordination", round=record.round,
                          context=contexts.coordination_context(session, case, record), actor=actor)


def issue_collective_discussion(session: Session, *, case: Case, record: Any, participants: list[Any],
                                views: dict[int, str], chair: Any, actor: Any) -> Document:
    """The 集体讨论记录 of ``record`` (called by ``coordination.discussion_records.record_discussion``)."""
    return issue_document(session, case=case, kind="collective_discussion", round=case.round,
                          context=contexts.collective_discussion_context(session, case, record, participants, views,
                                                                         chair), actor=actor)


def issue_approval(session: Session, *, case: Case, actor: Any, decision: Decision | None = None) -> Document:
    """The decision approval record (called by ``approve_decision`` when the head approves)."""
    return issue_document(session, case=case, kind="approval", round=case.round,
                          context=contexts.approval_context(session, case, decision), actor=actor, sequence=1)
