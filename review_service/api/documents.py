"""``/api/v1/cases/{id}/documents``: the documents issued for a case, and each ``.docx`` file.

Scoped like every case read: a case outside the caller's scope answers 404.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from pydantic import BaseModel, ConfigDict, Field, RootModel
from sqlalchemy.orm import Session

from review_service.api.edge import ENDPOINTS, Endpoint, api, authenticate, endpoint
from review_service.cases.queries import visible_case
from review_service.cases.schemas import parse_input
from review_service.documents.models import DOCX_TYPE
from review_service.documents.queries import content_disposition, document_file, documents_for_case
from review_service.edge import check_text, runtime
from review_service.organization.models import User


class DocumentOut(BaseModel):
    id: str
    kind: str = Field(description="opinion | reply | coordination | collective_discussion | approval | termination"
                                  " | transfer | accountability | penalty_decision")
    kind_label: str
    round: int
    sequence: int
    number: str | None = Field(description="文号 (e.g. 西市监法审〔2026〕12号); null for documents issued before "
                                           "numbering and for the penalty_decision draft")
    sha256: str
    size: int
    filename: str
    template_sha256: str
    issued_at: str | None
    url: str = Field(description="GET it to download the .docx")


class DocumentList(RootModel[list[DocumentOut]]):
    pass


class DocumentQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int = Field(ge=1, le=2**31 - 1, description="the document's id (from the list)")


@endpoint("GET", "/cases/<int:case_id>/documents", summary="案件已出具的文书", response=DocumentList,
          errors=(401, 404),
          description="Every document issued for the case, oldest first: the 法制审核意见书 of each round, the "
                      "unit's written replies, coordination records, the approval record. A document never "
                      "changes; a later round issues a new one.")
def list_documents(session: Session, actor: User, case_id: int) -> list[dict[str, Any]]:
    visible_case(session, actor, case_id)
    return documents_for_case(session, case_id)


def download_document(case_id: int) -> Response:
    """The ``.docx`` bytes with their content type and the Chinese file name (RFC 5987)."""
    with runtime().reading() as session:
        actor = authenticate(session)
        visible_case(session, actor, case_id)
        query = parse_input(DocumentQuery, check_text(request.args.to_dict()))
        document, data = document_file(session, case_id, query.id)
        disposition = content_disposition(
            document.filename, f"case-{case_id}-{document.kind}-round-{document.round}-{document.sequence}.docx")
        etag = f'"{document.sha256}"'
    response = Response(data, mimetype=DOCX_TYPE)
    response.headers["Content-Disposition"] = disposition
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "private, no-store"  # case content: in no cache (web.security)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# A file, not JSON: registered by hand (``endpoint`` answers JSON) and listed for the OpenAPI document.
ENDPOINTS.append(Endpoint(
    method="GET", rule="/cases/<int:case_id>/documents/download", summary="下载文书（.docx）", view=download_document,
    query=DocumentQuery, errors=(401, 404, 422), transactional=False,
    description=f"Answers the document's bytes as {DOCX_TYPE} with Content-Disposition: attachment and the "
                "Chinese file name as RFC 5987 filename*. The ETag is the document's SHA-256."))
api.add_url_rule("/cases/<int:case_id>/documents/download", endpoint="download_document",
                 view_func=download_document, methods=["GET"])
