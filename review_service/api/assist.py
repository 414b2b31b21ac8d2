"""办案参考 for integrators (issue 20): what the draft and review pages show beside a case."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from review_service.api.edge import endpoint
from review_service.assist.pushes import case_panel
from review_service.case_view.view import visible_case_view
from review_service.organization.models import User


class AssistOut(BaseModel):
    """``provisions``: each legal-basis text (``source`` draft / catalog / similar) with its citations checked
    against the law library on the decision date (``findings`` with stable ``code``s: unknown_law,
    ambiguous_law, no_such_article, not_in_force, repealed; ``article_text`` and ``cited_text``); ``similar``:
    decided cases within the caller's scope, best first; ``discretion``: the fine against the agency's 裁量基准
    (``finding`` within / below / above / no_benchmark / no_entry / level_unknown / level_not_set /
    basis_missing); ``outlier``: the 同案不同罚 check or null; ``guidance``: the agency's 办案规范 for the
    decision type; ``advice``: the 处理意见建议 among them (``point``, ``message``)."""

    library_size: int
    guidance: list[dict[str, Any]]
    provisions: list[dict[str, Any]]
    similar: list[dict[str, Any]]
    discretion: dict[str, Any] | None
    outlier: dict[str, Any] | None
    advice: list[dict[str, str]]


@endpoint("GET", "/cases/<int:case_id>/assist", summary="办案参考：法律法规规定、相似案例、裁量基准核对、办案规范",
          response=AssistOut, errors=(401, 404),
          description="Read only: unlike the pages, this answer records no push (indicators (127)–(130) count "
                      "what the pages showed to a person).")
def assist(session: Session, actor: User, case_id: int) -> dict[str, Any]:
    case = visible_case_view(session, actor, case_id)
    shown = case_panel(session, actor, case, "api")
    return {key: shown[key] for key in AssistOut.model_fields}
