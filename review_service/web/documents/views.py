"""Download and print a case's documents with the page's session, scoped as the API scopes them.

The API (``api/documents.py``) serves the same files to a bearer token; a browser holding a page
session gets them here. A case the reader may not see answers 404 (no existence leak), as in the API.
Neither records an audit event: the API's download does not either (a read, not an action).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, render_template, url_for
from sqlalchemy import select

from review_service.cases.models import DraftVersion
from review_service.cases.queries import visible_case
from review_service.core.errors import NotFound
from review_service.documents.models import DOCX_TYPE, KIND_LABELS
from review_service.documents.queries import (
    DocumentDamaged,
    content_disposition,
    document_file,
    documents_for_case,
)
from review_service.web.documents.printable import blocks
from review_service.web.edge import reading
from review_service.web.errors import error_page
from review_service.web.session import CASE_READERS, allow

bp = Blueprint("documents", __name__)

DAMAGED = "文书文件已损坏或缺失，无法提供，请联系系统管理员核查。"
_SHA256 = re.compile(r"[0-9a-f]{64}")


@bp.route("/cases/<int:case_id>/documents/<int:document_id>")
@allow(*CASE_READERS)
def download(case_id: int, document_id: int) -> Any:
    """The ``.docx`` as an attachment with its Chinese file name (the API's headers)."""
    with reading() as (session, actor):
        visible_case(session, actor, case_id)
        try:
            document, data = document_file(session, case_id, document_id)
        except DocumentDamaged:
            return error_page(500, DAMAGED)
        disposition = content_disposition(
            document.filename, f"case-{case_id}-{document.kind}-round-{document.round}-{document.sequence}.docx")
        etag = f'"{document.sha256}"'
    response = Response(data, mimetype=DOCX_TYPE)
    response.headers["Content-Disposition"] = disposition
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/cases/<int:case_id>/documents/<int:document_id>/print")
@allow(*CASE_READERS)
def printable(case_id: int, document_id: int) -> Any:
    """The document's text laid out for the printer (A4, without the page's header and menu)."""
    with reading() as (session, actor):
        case = visible_case(session, actor, case_id)
        try:
            document, data = document_file(session, case_id, document_id)
        except DocumentDamaged:
            return error_page(500, DAMAGED)
        title = KIND_LABELS.get(document.kind, "文书")
        return render_template("documents/print.html", case=case, title=title, document=document,
                               blocks=blocks(data))


@bp.route("/documents/verify/<sha256>")
@allow(*CASE_READERS)
def verify(sha256: str) -> Any:
    """What was issued on the draft whose SHA-256 a printed document's 核验 line names (documents.verification):
    the case, the draft version, and each document of the case with its 文号 and file SHA-256, within the
    reader's scope (a case outside it is not named: the page then finds nothing)."""
    sha256 = sha256.lower()
    if not _SHA256.fullmatch(sha256):
        return error_page(404, "核验码应为 64 位十六进制字符，请核对文书上的核验信息。")
    found = []
    with reading() as (session, actor):
        for draft in session.scalars(select(DraftVersion).where(DraftVersion.sha256 == sha256)
                                     .order_by(DraftVersion.id)):
            try:
                case = visible_case(session, actor, draft.case_id)
            except NotFound:
                continue
            documents = documents_for_case(session, case.id, lambda d: url_for(
                "documents.printable", case_id=d.case_id, document_id=d.id))
            found.append({"case": case, "draft": draft, "documents": documents})
        return render_template("documents/verify.html", sha256=sha256, found=found, kinds=KIND_LABELS)
