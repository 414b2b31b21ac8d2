"""Reads of issued documents, for the API (``GET /api/v1/cases/{id}/documents``) and the case page.

The web case page calls :func:`documents_for_case` with its own ``url_for`` (e.g.
``lambda d: url_for("cases.document", case_id=d.case_id, document_id=d.id)``) after checking
that the reader may see the case; :func:`document_file` returns the row and the bytes to serve
(with :data:`~review_service.documents.models.DOCX_TYPE` and :func:`content_disposition`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.core.clock import iso
from review_service.core.errors import NotFound
from review_service.documents.models import KIND_LABELS, Document
from review_service.documents.storage import blobs_for

NOT_FOUND = "文书不存在或不在您的权限范围内。"


class DocumentDamaged(RuntimeError):
    """The stored file no longer has the SHA-256 its row and audit event name (tampering or disk fault)."""


def api_url(document: Document) -> str:
    return f"/api/v1/cases/{document.case_id}/documents/download?id={document.id}"


def documents_for_case(session: Session, case_id: int,
                       url_for: Callable[[Document], str] = api_url) -> list[dict[str, Any]]:
    """Every document issued for ``case_id``, oldest first. The caller has checked the reader's scope.

    Each item: ``{"id", "kind", "kind_label", "round", "sequence", "number", "sha256", "size", "filename",
    "template_sha256", "issued_at", "url"}``; ``number`` is the 文号 (``None`` for documents issued before
    documents were numbered, and for the 代拟稿).
    """
    rows = session.scalars(select(Document).where(Document.case_id == case_id).order_by(Document.id))
    return [{"id": str(row.id), "kind": row.kind, "kind_label": KIND_LABELS.get(row.kind, row.kind),
             "round": row.round, "sequence": row.sequence, "number": row.number, "sha256": row.sha256,
             "size": row.size, "filename": row.filename, "template_sha256": row.template_sha256,
             "issued_at": iso(row.created_at), "url": url_for(row)} for row in rows]


def document_file(session: Session, case_id: int, document_id: int) -> tuple[Document, bytes]:
    """The row and the stored bytes of one document of ``case_id`` (``not_found`` otherwise), hash checked."""
    document = session.get(Document, document_id) if 0 < document_id <= 2**31 - 1 else None
    if document is None or document.case_id != case_id:
        raise NotFound(NOT_FOUND)
    try:
        data = blobs_for(session).get(document.sha256)
    except FileNotFoundError:
        raise DocumentDamaged(f"document {document.id}: stored file {document.sha256} is missing") from None
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise DocumentDamaged(f"document {document.id}: stored file does not match {document.sha256}")
    return document, data


def content_disposition(filename: str, fallback: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the real name as RFC 5987 ``filename*``."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
