"""The handler's 行政处罚决定书（代拟稿）, drafted from the case's draft (issue 18; indicator (131) 文书生成).

The structure is the national market-regulation 文书格式范本's 行政处罚决定书: 当事人, 违法事实和证据, 处罚依据和
理由, 处罚内容, 履行方式和期限, 救济途径和期限, 落款. It is a *draft* for the handler: issued as a document of
kind ``penalty_decision`` (stored, audited like every document, without a 文号 of its own: the decision gets its
文号 when the head approves it), and, when the handler asks, attached to the case as its ``decision_draft``
material in the same transaction, so the review body reviews the very text that will be served. Once the
decision is made, a new 代拟稿 carries the decision's 文号 (``decision_number_hint``).

Context names (besides the case context of :func:`~review_service.documents.context.case_context`):
``case_source_text``, ``evidence`` (``{number, title}``), ``reasoning``, ``penalty_items`` (``{number, text}``),
``payment_text``, ``remedy_text``, ``decision_number_hint``. Agencies override the template as any other
(``<instance>/opinion_templates/penalty_decision.docx``).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.cases.flow import lock_case
from review_service.cases.models import Case, CaseStatus
from review_service.cases.operations import attach_material
from review_service.cases.ownership import require_case_handler
from review_service.core.dates import chinese_date
from review_service.core.errors import Conflict
from review_service.core.permissions import require_role
from review_service.decisions.models import Decision
from review_service.documents.context import case_context
from review_service.documents.models import DOCX_TYPE, Document
from review_service.documents.operations import issue_document
from review_service.documents.storage import blobs_for
from review_service.organization.models import User
from review_service.organization.settings import agency_settings

KIND = "penalty_decision"
TITLE = "行政处罚决定书（代拟稿）"
PENALTY = "administrative_penalty"
#: 行政处罚法 art. 67 (缴纳期限 十五日) and art. 72 (加处罚款 每日百分之三, 不超过罚款数额).
PAYMENT_TEXT = ("当事人应当自收到本行政处罚决定书之日起十五日内，将罚没款缴至指定银行或者通过电子支付系统缴纳。"
                "到期不缴纳罚款的，本机关可以每日按罚款数额的百分之三加处罚款，加处罚款的数额不超过罚款的数额。")
#: 行政复议法 (2023) art. 20 (六十日) and 行政诉讼法 art. 46 (六个月); the bodies are the agency's settings.
REMEDY_TEXT = ("当事人如不服本行政处罚决定，可以在收到本行政处罚决定书之日起六十日内依法向{body}申请行政复议；"
               "也可以在六个月内依法向{court}提起行政诉讼。")
DEFAULT_RECONSIDERATION_BODY = "本机关的本级人民政府"
DEFAULT_COURT = "有管辖权的人民法院"
_CLOSED = (CaseStatus.CLOSED.value, CaseStatus.TRANSFERRED.value)


def penalty_items(proposed: dict[str, Any]) -> list[dict[str, Any]]:
    """What the decision orders, one item each, in the order of 行政处罚法 art. 9 (罚款 and 没收 in words)."""
    items: list[str] = []
    if proposed.get("fine_text"):
        items.append(f"罚款{proposed['fine_text']}")
    if proposed.get("confiscation_text"):
        items.append(f"没收违法所得{proposed['confiscation_text']}")
    if proposed.get("suspension_of_business"):
        items.append("责令停产停业")
    if proposed.get("license_revocation"):
        items.append("吊销许可证件")
    if proposed.get("closure"):
        items.append("责令关闭")
    if not items and proposed.get("summary"):
        items.append(str(proposed["summary"]))
    return [{"number": number, "text": text} for number, text in enumerate(items, start=1)]


def penalty_decision_context(session: Session, case: Case) -> dict[str, Any]:
    """The 代拟稿's context (module docstring) from the case's current draft and, once made, its decision."""
    base = case_context(session, case, kind=KIND, round=case.round)
    draft = case.current_draft
    content: dict[str, Any] = json.loads(draft.content) if draft is not None else {}
    filed = content.get("filed_on")
    source = (f"本机关于{chinese_date(date.fromisoformat(filed))}对当事人立案调查。" if filed
              else "本机关依法对当事人立案调查。")
    evidence = [m for m in base["materials"] if m["kind"] == "evidence"] or base["materials"]
    discretion = base["discretion"] or {}
    reasoning = ""
    if discretion.get("benchmark") or discretion.get("level"):
        reasoning = (f"依照{discretion.get('benchmark') or '裁量基准'}，当事人的违法行为属于"
                     f"{discretion.get('level') or '相应'}情形。")
    settings = agency_settings(case.agency)
    decision = session.scalars(select(Decision).where(Decision.case_id == case.id)).first()
    items = penalty_items(base["proposed_decision"])
    return {
        **base,
        "case_source_text": source,
        "evidence": [{"number": number, "title": m["title"]} for number, m in enumerate(evidence, start=1)],
        "reasoning": reasoning,
        "penalty_items": items,
        "payment_text": PAYMENT_TEXT if base["proposed_decision"].get("fine_text") else "",
        "remedy_text": REMEDY_TEXT.format(
            body=getattr(settings, "reconsideration_body", "") or DEFAULT_RECONSIDERATION_BODY,
            court=getattr(settings, "litigation_court", "") or DEFAULT_COURT),
        "decision_number_hint": decision.number if decision is not None else "",
        "issuer": base["agency"], "signatures": [],
    }


def draft_penalty_decision(session: Session, *, actor: User, case_id: int, attach: bool = False,
                           expected_version: int | None = None) -> Document:
    """Issue the 代拟稿 of ``case_id`` for its handler; with ``attach``, also add it as the ``decision_draft``
    material (only where materials may be added: 起草, 补充材料, 重新报送). One transaction: both or neither."""
    require_role(actor, "handler")
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_case_handler(session, actor, case)
    if case.decision_type != PENALTY:
        raise Conflict("仅行政处罚案件可以生成行政处罚决定书代拟稿。", rule="not_a_penalty",
                       actual_version=case.version)
    if case.status in _CLOSED:
        raise Conflict("案件已终结，不能再生成决定书代拟稿。", rule="case_closed", actual_version=case.version)
    document = issue_document(session, case=case, kind=KIND, round=case.round,
                              context=penalty_decision_context(session, case), actor=actor, role="handler")
    if attach:
        blobs = blobs_for(session)
        attach_material(session, actor=actor, case_id=case.id, kind="decision_draft", title=TITLE,
                        filename=document.filename, data=blobs.get(document.sha256), content_type=DOCX_TYPE,
                        blobs=blobs)
    return document
